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


# ---- compiled steps equal eager steps: seed models, BatchNorm/Dropout/LSTM/Transformer ---------

def _train_step(model, optimizer, scheduler, loss_of):
    def step(*inputs):
        optimizer.zero_grad()
        loss = loss_of(model(*inputs))
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        return loss
    return step


def _assert_same_training(make_model, inputs, make_optimizer, make_scheduler=None,
                          loss_of=lambda out: (out.float() ** 2).mean(), steps=5,
                          rtol=2e-5, atol=1e-6):
    """Run `steps` eager steps and `steps` compiled steps (the first two or three of which are
    eager discovery calls: optimizer state made on the first step is found on the second) from
    the same weights and RNG seed; losses, parameters, buffers, optimizer state and lr must
    agree, with one trace."""
    jtorch.manual_seed(0)
    eager_model = make_model()
    compiled_model = copy.deepcopy(eager_model)
    runs = []
    for model, wrap in ((eager_model, lambda f: f), (compiled_model, jtorch.compile)):
        optimizer = make_optimizer(model.parameters())
        scheduler = make_scheduler(optimizer) if make_scheduler else None
        step = wrap(_train_step(model, optimizer, scheduler, loss_of))
        jtorch.manual_seed(1)  # dropout draws the same stream: the key is lifted state
        losses = [step(*inputs).item() for _ in range(steps)]
        runs.append((model, optimizer, step, losses))
    (e_model, e_opt, _, e_losses), (c_model, c_opt, compiled, c_losses) = runs
    np.testing.assert_allclose(c_losses, e_losses, rtol=rtol, atol=atol)
    e_state, c_state = e_model.state_dict(), c_model.state_dict()
    assert list(c_state) == list(e_state)
    for key, value in e_state.items():  # parameters and buffers (running stats, counters)
        np.testing.assert_allclose(c_state[key].numpy(), value.numpy(), rtol=rtol, atol=atol,
                                   err_msg=key)
    for p_e, p_c in zip(e_model.parameters(), c_model.parameters()):
        assert (p_c.grad is None) == (p_e.grad is None)
        for key, value in e_opt.state[p_e].items():
            got = c_opt.state[p_c][key]
            np.testing.assert_allclose(np.asarray(got.numpy() if hasattr(got, "numpy") else got),
                                       np.asarray(value.numpy() if hasattr(value, "numpy")
                                                  else value), rtol=rtol, atol=atol,
                                       err_msg=key)
    assert [g["lr"] for g in c_opt.param_groups] == [g["lr"] for g in e_opt.param_groups]
    assert compiled.stats.traces == 1, compiled.stats
    assert compiled.stats.eager_calls <= 3 and compiled.stats.calls == steps
    return compiled


def _seed_models():
    """The seed programs' models, from the seed-model test module (builders take the library)."""
    import importlib.util
    import pathlib
    path = pathlib.Path(__file__).parent / "nn" / "test_seed_models.py"
    if not path.exists():
        return {}
    spec = importlib.util.spec_from_file_location("_seed_models_for_compile", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MODELS


SEED_MODELS = _seed_models()
# one of each kind in the default run (MLP, CNN, LSTM, BatchNorm, Dropout); the rest are slow
_DEFAULT_SEED_MODELS = ("000 quickstart NeuralNetwork", "002 CIFAR10 Tudui",
                        "001 LSTM batch_first classifier", "003 BatchNorm1d NeuralNetwork",
                        "003 Dropout NeuralNetwork")


@pytest.mark.parametrize("name", [
    name if name in _DEFAULT_SEED_MODELS else pytest.param(name, marks=pytest.mark.slow)
    for name in sorted(SEED_MODELS)])
def test_compiled_seed_model_steps_equal_eager(name):
    builder, shapes, extra, _ = SEED_MODELS[name]
    if not list(builder(jtorch).parameters()):
        pytest.skip("no parameters to train")
    rng = np.random.default_rng(0)
    inputs = [jtorch.tensor(rng.standard_normal(s).astype(np.float32)) for s in shapes]
    _assert_same_training(lambda: builder(jtorch), [*inputs, *extra],
                          lambda ps: jtorch.optim.SGD(ps, lr=0.01, momentum=0.9))


def _images(batch=4, channels=3, size=8, seed=0):
    rng = np.random.default_rng(seed)
    return (jtorch.tensor(rng.standard_normal((batch, channels, size, size)),
                          dtype=jtorch.float32),
            jtorch.tensor(rng.integers(0, 5, batch)))


def _classifier_loss(labels):
    loss_fn = nn.CrossEntropyLoss()
    return lambda out: loss_fn(out, labels)


def test_compiled_batchnorm_dropout_cnn_with_adamw_equals_eager():
    def make():
        # no conv bias: before BatchNorm its gradient is 0 up to rounding, which Adam's
        # normalisation would blow up into differences between two valid roundings
        return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6),
                             nn.ReLU(), nn.Dropout(0.3), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(6 * 4 * 4, 5))
    x, labels = _images()
    _assert_same_training(make, [x],
                          lambda ps: jtorch.optim.AdamW(ps, lr=0.01, weight_decay=0.05),
                          loss_of=_classifier_loss(labels))


def test_compiled_lstm_with_adam_and_scheduler_equals_eager():
    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(6, 8, num_layers=2, batch_first=True, dropout=0.2)
            self.out = nn.Linear(8, 5)

        def forward(self, x):
            r_out, _ = self.rnn(x)
            return self.out(r_out[:, -1, :])

    rng = np.random.default_rng(0)
    x = jtorch.tensor(rng.standard_normal((3, 7, 6)), dtype=jtorch.float32)
    labels = jtorch.tensor(rng.integers(0, 5, 3))
    _assert_same_training(LSTMClassifier, [x], lambda ps: jtorch.optim.Adam(ps, lr=0.01),
                          lambda opt: jtorch.optim.lr_scheduler.StepLR(opt, 2, gamma=0.5),
                          loss_of=_classifier_loss(labels))


def test_compiled_transformer_with_sgd_momentum_and_dropout_equals_eager():
    class Encoder(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.1, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False)
            self.out = nn.Linear(16, 5)

        def forward(self, x):
            return self.out(self.encoder(x).mean(1))

    rng = np.random.default_rng(0)
    x = jtorch.tensor(rng.standard_normal((3, 5, 16)), dtype=jtorch.float32)
    labels = jtorch.tensor(rng.integers(0, 5, 3))
    _assert_same_training(Encoder, [x],
                          lambda ps: jtorch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
                          lambda opt: jtorch.optim.lr_scheduler.ExponentialLR(opt, 0.9),
                          loss_of=_classifier_loss(labels), rtol=1e-4, atol=1e-5)


# ---- per-call fast path: state changed outside the step, unchanged state, lr ------------------

def test_state_changed_outside_the_compiled_step_is_seen():
    model = _mlp()
    step = jtorch.compile(_make_step(model))
    x, y = _data()
    for _ in range(3):
        step(x, y)
    reference = copy.deepcopy(model)
    with jtorch.no_grad():
        model[0].weight.mul_(0.5)          # an eager in-place op between compiled calls
        reference[0].weight.mul_(0.5)
    model[1].load_state_dict(reference[1].state_dict())  # rebinding through load_state_dict
    expected = _make_step(reference)(x, y).item()
    assert step(x, y).item() == pytest.approx(expected, rel=1e-5)
    np.testing.assert_allclose(model[0].weight.detach().numpy(),
                               reference[0].weight.detach().numpy(), rtol=1e-5, atol=1e-7)
    assert step.stats.traces == 1


def test_freezing_a_parameter_retraces_and_says_why():
    model = _mlp()
    optimizer = jtorch.optim.SGD(model.parameters(), lr=0.1)
    x, y = _data()
    step = jtorch.compile(_train_step(model, optimizer, None, lambda out: ((out - y) ** 2).mean()))
    for _ in range(3):
        step(x)
    model[0].bias.requires_grad_(False)
    frozen = model[0].bias.detach().numpy().copy()
    step(x)
    step(x)
    assert step.stats.traces == 2
    assert "state" in step.stats.recompile_reasons[-1]
    np.testing.assert_array_equal(model[0].bias.detach().numpy(), frozen)


def test_unchanged_state_is_not_written_back():
    model = _mlp()
    data = _data()

    def step():  # the data tensors are closed over: state the step only reads
        return _make_step(model)(*data)

    compiled = jtorch.compile(step)
    for _ in range(4):
        compiled()
    versions = [t._version for t in data]
    weight_version = model[0].weight._version
    compiled()
    assert [t._version for t in data] == versions
    assert model[0].weight._version == weight_version + 1


def test_lr_set_by_hand_between_calls_is_used_without_retrace():
    eager_model = _mlp()
    compiled_model = copy.deepcopy(eager_model)
    x, y = _data()
    results = []
    for model, wrap in ((eager_model, lambda f: f), (compiled_model, jtorch.compile)):
        optimizer = jtorch.optim.SGD(model.parameters(), lr=0.1)
        step = wrap(_train_step(model, optimizer, None, lambda out: ((out - y) ** 2).mean()))
        losses = []
        for lr in (0.1, 0.1, 0.1, 0.01, 0.2, 0.2):
            optimizer.param_groups[0]["lr"] = lr
            losses.append(step(x).item())
        results.append((losses, step))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-5)
    assert results[1][1].stats.traces == 1


def test_donated_state_buffers_leave_other_holders_of_the_arrays_intact():
    """The compiled step donates the buffers of the state it replaces; a deep copy of the model
    (which shares the arrays), a .data alias and a numpy view keep their values."""
    model = _mlp()
    original = [p.detach().numpy().copy() for p in model.parameters()]
    twin = copy.deepcopy(model)
    alias = model[0].weight.data
    as_numpy = model[1].bias.detach().numpy()
    step = jtorch.compile(_make_step(model))
    x, y = _data()
    for _ in range(5):
        step(x, y)
    assert all(p.donated for p in step._programs.values())
    for p, before in zip(twin.parameters(), original):
        np.testing.assert_array_equal(p.detach().numpy(), before)
    np.testing.assert_array_equal(as_numpy, original[3])
    np.testing.assert_array_equal(alias.numpy(), model[0].weight.detach().numpy())
    assert not np.array_equal(model[0].weight.detach().numpy(), original[0])
