"""jtorch.compile: compiled steps equal eager steps; guards, re-traces, graph breaks."""

import copy
import warnings

import numpy as np
import pytest

import jtorch
from jtorch import nn


def _mlp():
    jtorch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.Linear(16, 4))


def _data(batch=6, seed=0):
    rng = np.random.default_rng(seed)
    return (jtorch.tensor(rng.standard_normal((batch, 8)), dtype=jtorch.float32),
            jtorch.tensor(rng.standard_normal((batch, 4)), dtype=jtorch.float32))


def _make_step(model, lr=0.05):
    def step(x, y):
        for p in model.parameters():
            p.grad = None
        loss = ((model(x).relu() - y) ** 2).mean()
        loss.backward()
        with jtorch.no_grad():
            for p in model.parameters():
                p.sub_(lr * p.grad)
        return loss
    return step


def _params(model):
    return [p.detach().numpy() for p in model.parameters()]


def test_compiled_step_equals_eager_steps():
    eager_model = _mlp()
    compiled_model = copy.deepcopy(eager_model)
    eager, compiled = _make_step(eager_model), jtorch.compile(_make_step(compiled_model))
    x, y = _data()
    for _ in range(5):
        expected, got = eager(x, y).item(), compiled(x, y).item()
        assert got == pytest.approx(expected, rel=1e-5)
    for a, b in zip(_params(eager_model), _params(compiled_model)):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    assert compiled.stats.traces == 1 and compiled.stats.eager_calls == 2
    for p in compiled_model.parameters():  # grads written back too
        assert p.grad is not None and p.grad.shape == p.shape


def test_state_written_back_is_seen_by_views_and_state_dict():
    model = _mlp()
    step = jtorch.compile(_make_step(model))
    alias = model[0].weight.data
    x, y = _data()
    for _ in range(3):
        step(x, y)
    np.testing.assert_array_equal(alias.numpy(), model[0].weight.detach().numpy())
    np.testing.assert_array_equal(model.state_dict()["0.weight"].numpy(),
                                  model[0].weight.detach().numpy())
    before = model[0].weight.detach().numpy().copy()
    step(x, y)
    assert not np.array_equal(before, model[0].weight.detach().numpy())


def test_retrace_only_when_guards_change_and_say_why():
    model = _mlp()
    step = jtorch.compile(_make_step(model))
    full, last = _data(6), _data(3, seed=1)
    for _ in range(3):  # three "epochs" with a smaller last batch
        for _ in range(3):
            step(*full)
        step(*last)
    assert step.stats.traces == 2
    assert "shapes" in step.stats.recompile_reasons[-1]
    model.eval()
    step(*full)
    assert step.stats.traces == 3
    assert "training" in step.stats.recompile_reasons[-1]


def test_random_ops_draw_the_same_stream_compiled_and_eager():
    def noisy(x):
        return x + jtorch.rand(3)

    compiled = jtorch.compile(noisy)
    x = jtorch.zeros(3)
    jtorch.manual_seed(7)
    eager_values = [noisy(x).tolist() for _ in range(4)]
    jtorch.manual_seed(7)
    compiled_values = [compiled(x).tolist() for _ in range(4)]
    np.testing.assert_allclose(compiled_values, eager_values, rtol=1e-6)
    assert len({tuple(v) for v in compiled_values}) == 4  # the key advances every call


def test_graph_break_runs_eagerly_with_a_warning_naming_the_line():
    def step(x):
        if x.sum().item() > 0:  # needs a Python value
            return x * 2
        return x

    compiled = jtorch.compile(step)
    x = jtorch.ones(2)
    compiled(x), compiled(x)  # the discovery calls run eagerly
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert compiled(x).tolist() == [2.0, 2.0]
    assert any("test_compile.py" in str(w.message) and ".item()" in str(w.message)
               for w in caught)
    strict = jtorch.compile(step, fullgraph=True)
    strict(x), strict(x)
    with pytest.raises(RuntimeError, match="test_compile.py"):
        strict(x)


def test_compiled_module_is_one_autograd_node_with_eager_gradients():
    model = _mlp()
    compiled = jtorch.compile(model)
    x, _ = _data()
    out_c = compiled(x)
    assert out_c.grad_fn.name() == "CompiledFunctionBackward"
    out_c.sum().backward()
    grads_c = [p.grad.numpy() for p in model.parameters()]
    model.zero_grad()
    out_e = model(x)
    out_e.sum().backward()
    np.testing.assert_allclose(out_c.detach().numpy(), out_e.detach().numpy(), rtol=1e-6)
    for gc, p in zip(grads_c, model.parameters()):
        np.testing.assert_allclose(gc, p.grad.numpy(), rtol=1e-5, atol=1e-6)
    assert list(compiled.state_dict())[0] == "_orig_mod.0.weight"
    assert compiled._orig_mod is model and compiled.training is model.training


def test_decorator_forms_and_disable():
    @jtorch.compile
    def double(x):
        return x * 2

    @jtorch.compile(fullgraph=True)
    def triple(x):
        return x * 3

    x = jtorch.arange(3.0)
    assert double(x).tolist() == [0, 2, 4] and double(x).tolist() == [0, 2, 4]
    assert triple(x).tolist() == [0, 3, 6] and triple(x).tolist() == [0, 3, 6]
    assert jtorch.compile(double, disable=True) is double
    with pytest.raises(RuntimeError):
        jtorch.compile(42)


@pytest.mark.parametrize("make_optimizer", [
    lambda ps: jtorch.optim.SGD(ps, lr=0.05, momentum=0.9),
    lambda ps: jtorch.optim.Adam(ps, lr=0.01),
    lambda ps: jtorch.optim.AdamW(ps, lr=0.01, weight_decay=0.1),
], ids=["sgd_momentum", "adam", "adamw"])
def test_compiled_step_with_lazily_created_optimizer_state_and_scheduler(make_optimizer):
    def make(model):
        optimizer = make_optimizer(model.parameters())
        scheduler = jtorch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)

        def step(x, y):
            optimizer.zero_grad()
            loss = ((model(x) - y) ** 2).mean()
            loss.backward()
            optimizer.step()
            scheduler.step()
            return loss
        return step, optimizer

    eager_model = _mlp()
    compiled_model = copy.deepcopy(eager_model)
    eager, eager_opt = make(eager_model)
    step, compiled_opt = make(compiled_model)
    compiled = jtorch.compile(step)
    x, y = _data()
    for _ in range(7):
        assert compiled(x, y).item() == pytest.approx(eager(x, y).item(), rel=1e-5)
    for a, b in zip(_params(eager_model), _params(compiled_model)):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    assert compiled.stats.traces == 1  # the lr changes every 2 steps: no re-trace
    assert compiled_opt.param_groups[0]["lr"] == eager_opt.param_groups[0]["lr"]
    for p_e, p_c in zip(eager_model.parameters(), compiled_model.parameters()):
        for key, value in eager_opt.state[p_e].items():
            np.testing.assert_allclose(compiled_opt.state[p_c][key].numpy(), value.numpy(),
                                       rtol=1e-5, atol=1e-7)
