"""Every lr scheduler against torch: the learning rates (and cycled momenta) over 100 steps,
get_last_lr(), state_dict(), loading a state_dict mid-schedule, and the call-order warnings."""

import warnings

import numpy as np
import pytest

import jtorch
import jtorch.optim  # noqa: F401  (until jtorch/__init__.py imports it)

torch = pytest.importorskip("torch")

STEPS = 100


def _optimizer(lib, kind="SGD"):
    a = lib.nn.Parameter(lib.ones(2))
    b = lib.nn.Parameter(lib.ones(3))
    groups = [{"params": [a]}, {"params": [b], "lr": 0.05}]
    if kind == "Adam":
        return lib.optim.Adam(groups, lr=0.1)
    return lib.optim.SGD(groups, lr=0.1, momentum=0.9)


def _halve(epoch):
    return 0.5 ** (epoch // 10)


def _decay(epoch):
    return 0.97


SCHEDULERS = {
    "StepLR": lambda S, opt: S.StepLR(opt, step_size=7, gamma=0.5),
    "MultiStepLR": lambda S, opt: S.MultiStepLR(opt, milestones=[10, 30, 30, 60], gamma=0.3),
    "ExponentialLR": lambda S, opt: S.ExponentialLR(opt, gamma=0.95),
    "CosineAnnealingLR": lambda S, opt: S.CosineAnnealingLR(opt, T_max=30, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda S, opt: S.CosineAnnealingWarmRestarts(
        opt, T_0=10, T_mult=2, eta_min=1e-4),
    "LambdaLR": lambda S, opt: S.LambdaLR(opt, lr_lambda=[_halve, lambda e: 1 / (1 + e)]),
    "MultiplicativeLR": lambda S, opt: S.MultiplicativeLR(opt, lr_lambda=_decay),
    "OneCycleLR": lambda S, opt: S.OneCycleLR(opt, max_lr=[1.0, 0.5], total_steps=STEPS + 1),
    "OneCycleLR three_phase linear": lambda S, opt: S.OneCycleLR(
        opt, max_lr=1.0, total_steps=STEPS + 1, three_phase=True, anneal_strategy="linear"),
    "CyclicLR triangular": lambda S, opt: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1,
                                                     step_size_up=8),
    "CyclicLR triangular2": lambda S, opt: S.CyclicLR(opt, base_lr=[0.01, 0.02], max_lr=0.1,
                                                      step_size_up=5, step_size_down=9,
                                                      mode="triangular2"),
    "CyclicLR exp_range": lambda S, opt: S.CyclicLR(opt, base_lr=0.01, max_lr=0.1,
                                                    step_size_up=6, mode="exp_range",
                                                    gamma=0.98),
    "LinearLR": lambda S, opt: S.LinearLR(opt, start_factor=0.25, end_factor=0.9,
                                          total_iters=40),
    "ConstantLR": lambda S, opt: S.ConstantLR(opt, factor=0.5, total_iters=12),
    "PolynomialLR": lambda S, opt: S.PolynomialLR(opt, total_iters=60, power=2.0),
    "SequentialLR": lambda S, opt: S.SequentialLR(
        opt, schedulers=[S.LinearLR(opt, start_factor=0.1, total_iters=10),
                         S.ExponentialLR(opt, gamma=0.9),
                         S.CosineAnnealingLR(opt, T_max=20)], milestones=[10, 40]),
    "ChainedScheduler": lambda S, opt: S.ChainedScheduler(
        [S.ConstantLR(opt, factor=0.5, total_iters=5), S.ExponentialLR(opt, gamma=0.97),
         S.StepLR(opt, step_size=25)]),
}

ADAM_SCHEDULERS = {"OneCycleLR", "CyclicLR exp_range"}  # cycle Adam's beta1


def _trajectory(lib, name, steps=STEPS):
    opt = _optimizer(lib, "Adam" if name in ADAM_SCHEDULERS else "SGD")
    scheduler = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
    record = [(scheduler.get_last_lr(), _momenta(opt))]
    for _ in range(steps):
        opt.step()
        scheduler.step()
        record.append((scheduler.get_last_lr(), _momenta(opt)))
    return record, scheduler, opt


def _momenta(opt):
    return [g.get("momentum", g.get("betas")) for g in opt.param_groups]


def _plain(state):
    """A scheduler state_dict without the optimizer-bound or callable parts."""
    if isinstance(state, dict):
        return {k: _plain(v) for k, v in state.items() if not callable(v)}
    if isinstance(state, (list, tuple)):
        return type(state)(_plain(v) for v in state)
    return state


@pytest.mark.parametrize("name", SCHEDULERS)
def test_lr_sequence_over_100_steps_matches_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # optimizer.step() then scheduler.step(): no warning
        expected, t_sched, t_opt = _trajectory(torch, name)
        actual, j_sched, j_opt = _trajectory(jtorch, name)
    for step, ((lrs, momenta), (t_lrs, t_momenta)) in enumerate(zip(actual, expected)):
        np.testing.assert_allclose(lrs, t_lrs, rtol=1e-12, atol=0, err_msg=f"step {step}")
        assert np.allclose(np.array(momenta, dtype=float), np.array(t_momenta, dtype=float),
                           rtol=1e-12, atol=0), f"step {step}"
    assert _plain(j_sched.state_dict()) == _plain(t_sched.state_dict())
    assert [{k: v for k, v in g.items() if k != "params"} for g in j_opt.param_groups] == \
        [{k: v for k, v in g.items() if k != "params"} for g in t_opt.param_groups]


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR", "SequentialLR",
                                  "CyclicLR triangular2", "LambdaLR"])
def test_scheduler_state_dict_resumes_mid_schedule(name):
    expected, _, _ = _trajectory(torch, name)
    _, saved, _ = _trajectory(jtorch, name, steps=40)
    state = saved.state_dict()
    opt = _optimizer(jtorch, "Adam" if name in ADAM_SCHEDULERS else "SGD")
    scheduler = SCHEDULERS[name](jtorch.optim.lr_scheduler, opt)
    scheduler.load_state_dict(state)
    for group, lr in zip(opt.param_groups, scheduler.get_last_lr()):
        group["lr"] = lr
    lrs = [scheduler.get_last_lr()]
    for _ in range(STEPS - 40):
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
    np.testing.assert_allclose(lrs, [lr for lr, _ in expected[40:]], rtol=1e-12)


def test_reduce_lr_on_plateau_matches_torch():
    metrics = np.concatenate([np.linspace(1.0, 0.5, 20), np.full(30, 0.5),
                              np.linspace(0.5, 0.49, 20), np.full(30, 0.6)])
    results = []
    for lib in (torch, jtorch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode="min", factor=0.5, patience=3, threshold=1e-3, cooldown=2,
            min_lr=[1e-3, 1e-4])
        lrs = []
        for m in metrics:
            opt.step()
            scheduler.step(m)
            lrs.append(scheduler.get_last_lr())
        results.append((lrs, scheduler.state_dict()))
    (t_lrs, t_state), (j_lrs, j_state) = results
    assert j_lrs == t_lrs
    assert len({tuple(lr) for lr in t_lrs}) > 3
    assert j_state == t_state


def test_reduce_lr_on_plateau_max_mode_abs_threshold():
    results = []
    for lib in (torch, jtorch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=1,
                                                             threshold=0.1,
                                                             threshold_mode="abs")
        for m in [1.0, 1.05, 1.2, 1.21, 1.22, 1.5, 1.5, 1.5]:
            scheduler.step(m)
        results.append(scheduler.get_last_lr())
    assert results[1] == results[0]


def test_scheduler_step_before_optimizer_step_warns_as_torch():
    messages = []
    for lib in (torch, jtorch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.step()
        messages.append([str(w.message) for w in caught])
    assert messages[1] == messages[0]
    assert messages[0] and "before `optimizer.step()`" in messages[0][0]


def test_closed_form_step_with_epoch_matches_torch():
    results = []
    for lib in (torch, jtorch):
        opt = _optimizer(lib)
        scheduler = lib.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 6], gamma=0.5)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lrs = []
            for epoch in [1, 4, 7, 2]:
                opt.step()
                scheduler.step(epoch)
                lrs.append(scheduler.get_last_lr())
        results.append(lrs)
    assert results[1] == results[0]


def test_scheduler_changes_lr_seen_by_the_next_step():
    """The new lr reaches the update (a traced scalar of the step program)."""
    results = []
    for lib in (torch, jtorch):
        p = lib.nn.Parameter(lib.zeros(3))
        opt = lib.optim.SGD([p], lr=1.0)
        scheduler = lib.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        for _ in range(4):
            p.grad = lib.ones(3)
            opt.step()
            scheduler.step()
        results.append(p.detach().numpy().tolist())
    assert results[1] == results[0] == [-1.875] * 3


def test_get_lr_outside_step_warns():
    opt = _optimizer(jtorch)
    scheduler = jtorch.optim.lr_scheduler.StepLR(opt, step_size=2)
    with pytest.warns(UserWarning, match="get_last_lr"):
        scheduler.get_lr()
