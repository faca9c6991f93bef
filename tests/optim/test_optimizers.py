"""Every optimizer x option combination against torch: 50 steps fed the same gradients give the
same parameters and state; state_dicts have torch's structure and load across libraries
(torch -> jtorch and jtorch -> torch) to continue identically. Plus the Optimizer base:
param groups, zero_grad, hooks, in-place updates seen by every holder, skipped None grads."""

import copy
import functools
import importlib
import warnings

import numpy as np
import pytest

import jtorch
import jtorch.optim  # noqa: F401  (until jtorch/__init__.py imports it)

torch = pytest.importorskip("torch")

RTOL, ATOL = 2e-5, 2e-6
STEPS = 50
SHAPES = [(4, 3), (3,)]  # one compiled step program per optimizer structure

CASES = {
    "SGD": {"lr": 0.1},
    "SGD momentum": {"lr": 0.05, "momentum": 0.9},
    "SGD momentum dampening": {"lr": 0.05, "momentum": 0.9, "dampening": 0.3},
    "SGD nesterov": {"lr": 0.05, "momentum": 0.8, "nesterov": True},
    "SGD weight_decay": {"lr": 0.1, "weight_decay": 0.1},
    "SGD maximize momentum weight_decay": {"lr": 0.05, "momentum": 0.5, "weight_decay": 0.01,
                                           "maximize": True},
    "Adam": {"lr": 0.01},
    "Adam betas": {"lr": 0.01, "betas": (0.9, 0.99)},
    "Adam amsgrad": {"lr": 0.01, "amsgrad": True},
    "Adam weight_decay": {"lr": 0.01, "weight_decay": 0.1},
    "Adam maximize": {"lr": 0.01, "maximize": True},
    "Adam amsgrad weight_decay maximize": {"lr": 0.01, "amsgrad": True, "weight_decay": 0.05,
                                           "maximize": True},
    "Adam decoupled_weight_decay": {"lr": 0.01, "weight_decay": 0.1,
                                    "decoupled_weight_decay": True},
    "AdamW": {"lr": 0.01},
    "AdamW weight_decay": {"lr": 0.01, "weight_decay": 0.5},
    "AdamW amsgrad maximize": {"lr": 0.01, "amsgrad": True, "maximize": True},
    "RMSprop": {"lr": 0.01},
    "RMSprop alpha": {"lr": 0.01, "alpha": 0.9},
    "RMSprop momentum": {"lr": 0.01, "momentum": 0.9},
    "RMSprop centered": {"lr": 0.01, "centered": True},
    "RMSprop centered momentum weight_decay": {"lr": 0.01, "centered": True, "momentum": 0.5,
                                               "weight_decay": 0.1},
    "RMSprop maximize": {"lr": 0.01, "maximize": True},
    "Adagrad": {"lr": 0.1},
    "Adagrad lr_decay": {"lr": 0.1, "lr_decay": 0.01},
    "Adagrad weight_decay initial_accumulator_value": {"lr": 0.1, "weight_decay": 0.1,
                                                       "initial_accumulator_value": 0.5},
    "Adagrad maximize": {"lr": 0.1, "maximize": True},
    "Adadelta": {},
    "Adadelta rho weight_decay": {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1},
    "Adadelta maximize": {"maximize": True},
    "Adamax": {},
    "Adamax weight_decay": {"lr": 0.01, "weight_decay": 0.1},
    "Adamax maximize": {"maximize": True},
    "NAdam": {},
    "NAdam momentum_decay weight_decay": {"momentum_decay": 0.01, "weight_decay": 0.1},
    "NAdam decoupled_weight_decay": {"weight_decay": 0.1, "decoupled_weight_decay": True},
    "NAdam maximize": {"maximize": True},
    "RAdam": {},
    "RAdam weight_decay": {"weight_decay": 0.1},
    "RAdam decoupled_weight_decay": {"weight_decay": 0.1, "decoupled_weight_decay": True},
    "RAdam maximize": {"maximize": True},
    "ASGD": {},
    "ASGD t0 averaging": {"lr": 0.05, "t0": 10, "lambd": 0.01, "alpha": 0.5},
    "ASGD weight_decay maximize": {"weight_decay": 0.1, "maximize": True},
    "Rprop": {},
    "Rprop etas step_sizes": {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)},
    "Rprop maximize": {"maximize": True},
}


def _class(case):
    return case.split()[0]


def _initial_params():
    rng = np.random.default_rng(0)
    return [rng.standard_normal(s).astype(np.float32) for s in SHAPES]


def _gradients(steps=STEPS, seed=1):
    rng = np.random.default_rng(seed)
    return [[rng.standard_normal(s).astype(np.float32) for s in SHAPES] for _ in range(steps)]


GRADS = _gradients()


def _make(lib, case, values):
    params = [lib.nn.Parameter(lib.tensor(v)) for v in values]
    return params, getattr(lib.optim, _class(case))(params, **CASES[case])


def _run(lib, params, opt, grads):
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g)
        opt.step()


def _to_numpy(value):
    """Tensors (either library) -> numpy, recursively; other values unchanged."""
    if isinstance(value, (torch.Tensor, jtorch.Tensor)):
        return np.array(value.detach().numpy())
    if isinstance(value, dict):
        return {k: _to_numpy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_numpy(v) for v in value)
    return value


def _convert(value, lib):
    """A state_dict with every tensor re-created in `lib` (dtype kept)."""
    if isinstance(value, (torch.Tensor, jtorch.Tensor)):
        return lib.tensor(np.array(value.detach().numpy()))
    if isinstance(value, dict):
        return {k: _convert(v, lib) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_convert(v, lib) for v in value)
    return value


def _assert_same(actual, expected, where=""):
    """Equal structure; tensors equal in dtype and shape and close in value."""
    if isinstance(expected, (torch.Tensor, jtorch.Tensor)):
        assert isinstance(actual, (torch.Tensor, jtorch.Tensor)), where
        assert str(actual.dtype) == str(expected.dtype), where
        assert tuple(actual.shape) == tuple(expected.shape), where
        np.testing.assert_allclose(_to_numpy(actual), _to_numpy(expected), rtol=RTOL, atol=ATOL,
                                   err_msg=where)
    elif isinstance(expected, dict):
        assert isinstance(actual, dict) and list(actual) == list(expected), \
            f"{where}: keys {list(actual)} != {list(expected)}"
        for k in expected:
            _assert_same(actual[k], expected[k], f"{where}[{k!r}]")
    elif isinstance(expected, (list, tuple)):
        assert type(actual) is type(expected) and len(actual) == len(expected), where
        for i, (a, e) in enumerate(zip(actual, expected)):
            _assert_same(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


@functools.cache
def _torch_reference(case):
    """torch's params and state_dict after 25 and after 50 steps."""
    params, opt = _make(torch, case, _initial_params())
    _run(torch, params, opt, GRADS[:STEPS // 2])
    halfway = ([p.detach().clone() for p in params], copy.deepcopy(opt.state_dict()))
    _run(torch, params, opt, GRADS[STEPS // 2:])
    return halfway, ([p.detach().clone() for p in params], copy.deepcopy(opt.state_dict()))


@pytest.mark.parametrize("case", CASES)
def test_50_steps_match_torch_params_state_and_state_dict(case):
    (_, _), (torch_params, torch_sd) = _torch_reference(case)
    params, opt = _make(jtorch, case, _initial_params())
    _run(jtorch, params, opt, GRADS)
    for p, expected in zip(params, torch_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.numpy(), rtol=RTOL, atol=ATOL)
    _assert_same(opt.state_dict(), torch_sd, case)
    state = opt.state_dict()["state"]
    for i, p in enumerate(params):  # optimizer.state is keyed by the Parameter, as in torch
        assert (p in opt.state) == (i in state)
        assert i not in state or opt.state[p] is state[i]


@pytest.mark.parametrize("case", CASES)
def test_state_dict_from_torch_continues_identically(case):
    (torch_mid_params, torch_mid_sd), (torch_params, torch_sd) = _torch_reference(case)
    params, opt = _make(jtorch, case, [p.numpy() for p in torch_mid_params])
    opt.load_state_dict(_convert(torch_mid_sd, jtorch))
    _run(jtorch, params, opt, GRADS[STEPS // 2:])
    for p, expected in zip(params, torch_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.numpy(), rtol=RTOL, atol=ATOL)
    _assert_same(opt.state_dict(), torch_sd, case)


@pytest.mark.parametrize("case", CASES)
def test_state_dict_to_torch_continues_identically(case):
    _, (torch_params, torch_sd) = _torch_reference(case)
    params, opt = _make(jtorch, case, _initial_params())
    _run(jtorch, params, opt, GRADS[:STEPS // 2])
    t_params, t_opt = _make(torch, case, [p.detach().numpy() for p in params])
    t_opt.load_state_dict(_convert(opt.state_dict(), torch))
    _run(torch, t_params, t_opt, GRADS[STEPS // 2:])
    for p, expected in zip(t_params, torch_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.numpy(), rtol=RTOL, atol=ATOL)
    _assert_same(t_opt.state_dict(), torch_sd, case)


@pytest.mark.parametrize("case", ["SGD momentum dampening", "Adam amsgrad", "RMSprop centered",
                                  "Adagrad lr_decay", "NAdam", "ASGD t0 averaging", "Rprop"])
def test_params_with_grad_none_are_skipped(case):
    """A parameter without a gradient keeps its value and state; per-parameter step counts
    then differ within a group, as in torch."""
    results = []
    for lib in (torch, jtorch):
        params, opt = _make(lib, case, _initial_params())
        for i, step_grads in enumerate(GRADS[:12]):
            for p, g in zip(params, step_grads):
                p.grad = None if (p is params[1] and i % 3 == 0) else lib.tensor(g)
            opt.step()
        results.append((params, opt.state_dict()))
    (t_params, t_sd), (j_params, j_sd) = results
    for p, expected in zip(j_params, t_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.detach().numpy(), rtol=RTOL,
                                   atol=ATOL)
    _assert_same(j_sd, t_sd, case)


def _two_groups(lib):
    rng = np.random.default_rng(3)
    base = [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(np.float32)))
            for s in SHAPES]
    head = [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(np.float32)))
            for s in SHAPES]
    opt = lib.optim.SGD([{"params": base}, {"params": head, "lr": 1e-3}], lr=1e-2,
                        momentum=0.9)
    return base + head, opt


def test_per_group_options_add_param_group_and_repr_match_torch():
    results = []
    for lib in (torch, jtorch):
        params, opt = _two_groups(lib)
        extra = lib.nn.Parameter(lib.ones(3))
        opt.add_param_group({"params": extra, "momentum": 0.0, "nesterov": False})
        for step_grads in GRADS[:5]:
            for p, g in zip(params, step_grads + step_grads):
                p.grad = lib.tensor(g)
            extra.grad = lib.tensor(step_grads[1])
            opt.step()
        results.append((params + [extra], opt))
    (t_params, t_opt), (j_params, j_opt) = results
    assert repr(j_opt) == repr(t_opt)
    assert [g["lr"] for g in j_opt.param_groups] == [1e-2, 1e-3, 1e-2]
    _assert_same(j_opt.state_dict(), t_opt.state_dict())
    for p, expected in zip(j_params, t_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.detach().numpy(), rtol=RTOL,
                                   atol=ATOL)


def test_construction_errors_match_torch():
    for lib in (torch, jtorch):
        p = lib.nn.Parameter(lib.ones(2))
        with pytest.raises(ValueError, match="empty parameter list"):
            lib.optim.SGD([], lr=0.1)
        with pytest.raises(TypeError, match="iterable of Tensors or dicts"):
            lib.optim.SGD(p, lr=0.1)
        with pytest.raises(ValueError, match="Invalid learning rate"):
            lib.optim.Adam([p], lr=-1)
        with pytest.raises(ValueError, match="Nesterov momentum requires"):
            lib.optim.SGD([p], lr=0.1, nesterov=True)
        with pytest.raises(ValueError, match="more than one parameter group"):
            lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
        with pytest.raises(ValueError, match="non-leaf"):
            lib.optim.SGD([p * 2], lr=0.1)
        with pytest.raises(ValueError, match="Invalid eta values"):
            lib.optim.Rprop([p], etas=(1.5, 1.2))


def test_zero_grad_sets_none_or_zeros():
    p = jtorch.nn.Parameter(jtorch.ones(3))
    opt = jtorch.optim.SGD([p], lr=0.1)
    p.grad = jtorch.ones(3)
    opt.zero_grad(set_to_none=False)
    assert p.grad is not None and p.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None


def test_step_updates_in_place_for_every_holder_and_view():
    """The Parameter object is kept (modules and views see the new values) and its version
    counter moves, as torch's in-place update does."""
    model = jtorch.nn.Linear(3, 2)
    weight = model.weight
    row = weight.data[0]
    opt = jtorch.optim.Adam(model.parameters(), lr=0.1)
    model(jtorch.ones(4, 3)).sum().backward()
    before, version = weight.detach().numpy().copy(), weight._version
    opt.step()
    assert model.weight is weight
    assert not np.allclose(weight.detach().numpy(), before)
    assert weight._version > version
    np.testing.assert_array_equal(row.numpy(), weight.detach().numpy()[0])
    exp_avg = opt.state[weight]["exp_avg"]
    opt.step()
    assert opt.state[weight]["exp_avg"] is exp_avg  # state tensors are updated in place too


def test_step_is_one_funnel_op_per_group(monkeypatch):
    from jtorch.optim import _optax_step
    calls = []
    real = _optax_step.dispatch
    monkeypatch.setattr(_optax_step, "dispatch",
                        lambda op, args, **static: calls.append(op) or real(op, args, **static))
    params, opt = _two_groups(jtorch)
    for p in params:
        p.grad = jtorch.ones_like(p)
    opt.step()
    assert calls == [_optax_step._GROUP_STEP] * 2


def test_changing_lr_does_not_recompile():
    from jtorch.optim import _optax_step
    params, opt = _make(jtorch, "Adam", _initial_params())
    _run(jtorch, params, opt, GRADS[:1])
    compiled = {k: f._cache_size() for k, f in _optax_step._GROUP_STEP._jitted.items()}
    for lr in (0.5, 0.25, 0.125):
        opt.param_groups[0]["lr"] = lr
        opt.param_groups[0]["betas"] = (lr, 0.9)
        _run(jtorch, params, opt, GRADS[1:2])
    assert {k: f._cache_size() for k, f in _optax_step._GROUP_STEP._jitted.items()} == compiled


def _hook_log(lib):
    log = []
    params, opt = _make(lib, "SGD", _initial_params())
    pre = opt.register_step_pre_hook(lambda o, a, k: log.append("pre"))
    opt.register_step_post_hook(lambda o, a, k: log.append("post"))
    glob = importlib.import_module(lib.__name__ + ".optim.optimizer") \
        .register_optimizer_step_pre_hook(lambda o, a, k: log.append("global pre"))
    opt.register_state_dict_pre_hook(lambda o: log.append("sd pre"))
    opt.register_state_dict_post_hook(lambda o, sd: log.append("sd post"))
    opt.register_load_state_dict_pre_hook(lambda o, sd: log.append("load pre"))
    opt.register_load_state_dict_post_hook(lambda o: log.append("load post"))
    _run(lib, params, opt, GRADS[:1])
    pre.remove()
    glob.remove()
    _run(lib, params, opt, GRADS[1:2])
    opt.load_state_dict(opt.state_dict())
    return log


def test_step_hooks_run_in_torch_order():
    expected = _hook_log(torch)
    assert _hook_log(jtorch) == expected
    assert expected[:3] == ["global pre", "pre", "post"]


def _closure_run(lib):
    w = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
    opt = lib.optim.SGD([w], lr=0.1, momentum=0.5)

    def closure():
        opt.zero_grad()
        loss = (w ** 2).sum()
        loss.backward()
        return loss

    with lib.no_grad():
        losses = [float(opt.step(closure)) for _ in range(3)]
    return losses, w.detach().numpy().tolist()


def test_closure_is_evaluated_with_grad_and_its_loss_returned():
    (t_losses, t_w), (j_losses, j_w) = _closure_run(torch), _closure_run(jtorch)
    np.testing.assert_allclose(j_losses, t_losses, rtol=1e-6)
    np.testing.assert_allclose(j_w, t_w, rtol=1e-6)
    assert j_losses[0] == 5.0


def test_sparse_adam_validates_and_rejects_dense_gradients_as_torch():
    for lib in (torch, jtorch):
        p = lib.nn.Parameter(lib.ones(2))
        opt = lib.optim.SparseAdam([p], lr=0.1)
        assert opt.state_dict()["param_groups"][0] == {
            "lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "maximize": False, "params": [0]}
        p.grad = lib.ones(2)
        with pytest.raises(RuntimeError, match="does not support dense gradients"):
            opt.step()
        with pytest.raises(ValueError, match="Invalid learning rate"):
            lib.optim.SparseAdam([p], lr=0.0)


def test_no_warnings_from_a_step():
    params, opt = _make(jtorch, "RAdam", _initial_params())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _run(jtorch, params, opt, GRADS[:2])
    assert int(opt.state[params[0]]["step"]) == 2


def test_differentiable_step_is_refused_clearly():
    p = jtorch.nn.Parameter(jtorch.ones(2))
    opt = jtorch.optim.Adam([p], differentiable=True)
    assert opt.param_groups[0]["differentiable"] is True
    p.grad = jtorch.ones(2)
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        opt.step()


def test_named_parameters_keep_their_names_in_state_dict():
    dicts = []
    for lib in (torch, jtorch):
        model = lib.nn.Linear(3, 2)
        opt = lib.optim.AdamW(model.named_parameters(), lr=0.1)
        dicts.append(opt.state_dict()["param_groups"])
    assert dicts[1] == dicts[0]
    assert dicts[0][0]["param_names"] == ["weight", "bias"]


def _custom_optimizer_run(lib):
    class MomentumSGD(lib.optim.Optimizer):
        """A user-written optimizer in torch's style: state dicts and in-place updates."""

        def __init__(self, params, lr=0.1, momentum=0.5):
            super().__init__(params, {"lr": lr, "momentum": momentum})

        @lib.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is None:
                        continue
                    state = self.state[p]
                    buf = state.setdefault("buf", lib.zeros_like(p))
                    buf.mul_(group["momentum"]).add_(p.grad)
                    p.add_(buf, alpha=-group["lr"])

    params, _ = _make(lib, "SGD", _initial_params())
    opt = MomentumSGD(params)
    calls = []
    opt.register_step_post_hook(lambda o, a, k: calls.append(1))
    _run(lib, params, opt, GRADS[:5])
    return [p.detach().numpy() for p in params], opt.state_dict(), len(calls)


def test_user_defined_optimizer_subclass_works_as_in_torch():
    (t_params, t_sd, t_calls), (j_params, j_sd, j_calls) = (_custom_optimizer_run(torch),
                                                            _custom_optimizer_run(jtorch))
    for a, e in zip(j_params, t_params):
        np.testing.assert_allclose(a, e, rtol=RTOL, atol=ATOL)
    _assert_same(j_sd, t_sd)
    assert j_calls == t_calls == 5
