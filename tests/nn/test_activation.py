"""Activation functions and modules against torch: values, gradients (at the kinks too),
grad_fn names, in-place forms, softmax's implicit dim, errors and reprs."""

import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

# every kink of the functions below (0, +-0.5, +-1, +-3, 6, 20) plus random values
KINKS = [-25.0, -6.0, -3.0, -1.0, -0.5, -0.1, 0.0, 0.1, 0.5, 1.0, 3.0, 6.0, 7.0, 20.0, 25.0]


def _input(shape=(4, 5, 6), seed=0):
    values = np.random.default_rng(seed).normal(size=shape).astype(np.float32) * 3
    flat = values.reshape(-1)
    flat[:len(KINKS)] = KINKS[:flat.size]
    return values


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _close(jt, t, rtol=1e-5, atol=1e-6):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _weights(shape, seed=1):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _check_forward_backward(t_fn, j_fn, values, rtol=1e-5, atol=1e-5):
    """Same output, grad_fn name and input gradient of a weighted sum."""
    tx, jx = _pair(values)
    ty, jy = t_fn(tx), j_fn(jx)
    _close(jy, ty, rtol, atol)
    assert jy.grad_fn.name() == ty.grad_fn.name()
    w = _weights(tuple(ty.shape))
    (ty * torch.tensor(w)).sum().backward()
    (jy * jtorch.tensor(w)).sum().backward()
    _close(jx.grad, tx.grad, rtol, atol)


ELEMENTWISE = {
    "relu": lambda F: F.relu,
    "relu6": lambda F: F.relu6,
    "leaky_relu": lambda F: F.leaky_relu,
    "leaky_relu_0.2": lambda F: lambda x: F.leaky_relu(x, 0.2),
    "elu": lambda F: F.elu,
    "elu_alpha": lambda F: lambda x: F.elu(x, alpha=0.5),
    "selu": lambda F: F.selu,
    "celu": lambda F: lambda x: F.celu(x, alpha=2.0),
    "gelu": lambda F: F.gelu,
    "gelu_tanh": lambda F: lambda x: F.gelu(x, approximate="tanh"),
    "silu": lambda F: F.silu,
    "mish": lambda F: F.mish,
    "sigmoid": lambda F: F.sigmoid,
    "tanh": lambda F: F.tanh,
    "hardtanh": lambda F: F.hardtanh,
    "hardtanh_range": lambda F: lambda x: F.hardtanh(x, -3.0, 6.0),
    "hardsigmoid": lambda F: F.hardsigmoid,
    "hardswish": lambda F: F.hardswish,
    "softplus": lambda F: F.softplus,
    "softplus_beta": lambda F: lambda x: F.softplus(x, beta=2, threshold=6),
    "softsign": lambda F: F.softsign,
    "threshold": lambda F: lambda x: F.threshold(x, 0.5, -2.0),
    "logsigmoid": lambda F: F.logsigmoid,
    "tanhshrink": lambda F: F.tanhshrink,
    "softshrink": lambda F: F.softshrink,
    "softshrink_1": lambda F: lambda x: F.softshrink(x, 1.0),
    "hardshrink": lambda F: F.hardshrink,
    "hardshrink_3": lambda F: lambda x: F.hardshrink(x, 3.0),
    "rrelu_eval": lambda F: F.rrelu,
    "glu": lambda F: F.glu,
    "glu_dim1": lambda F: lambda x: F.glu(x, 0),
    "softmax": lambda F: lambda x: F.softmax(x, dim=1),
    "softmax_last": lambda F: lambda x: F.softmax(x, -1),
    "log_softmax": lambda F: lambda x: F.log_softmax(x, dim=2),
    "softmin": lambda F: lambda x: F.softmin(x, dim=0),
    "normalize": lambda F: F.normalize,
    "normalize_p1_dims": lambda F: lambda x: F.normalize(x, p=1.0, dim=(1, 2)),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_functional_matches_torch(name):
    make = ELEMENTWISE[name]
    _check_forward_backward(make(TF), make(JF), _input())


def test_prelu_functional_shared_and_per_channel_weight():
    values = _input()
    for weight in (np.array([0.25], np.float32), np.array([0.1, -0.3, 2.0, 0.5, 1.5], np.float32),
                   np.array(0.3, np.float32)):
        tx, jx = _pair(values)
        tw, jw = _pair(weight)
        ty, jy = TF.prelu(tx, tw), JF.prelu(jx, jw)
        _close(jy, ty)
        assert jy.grad_fn.name() == ty.grad_fn.name() == "PreluKernelBackward0"
        w = _weights(values.shape)
        (ty * torch.tensor(w)).sum().backward()
        (jy * jtorch.tensor(w)).sum().backward()
        _close(jx.grad, tx.grad, atol=1e-5)
        _close(jw.grad, tw.grad, rtol=1e-4, atol=1e-4)


INPLACE = {
    "relu": lambda F, x: F.relu(x, inplace=True),
    "relu_": lambda F, x: F.relu_(x),
    "relu6": lambda F, x: F.relu6(x, inplace=True),
    "elu": lambda F, x: F.elu(x, 0.7, inplace=True),
    "elu_": lambda F, x: F.elu_(x),
    "selu": lambda F, x: F.selu(x, inplace=True),
    "celu": lambda F, x: F.celu(x, 1.5, inplace=True),
    "leaky_relu": lambda F, x: F.leaky_relu(x, 0.1, inplace=True),
    "leaky_relu_": lambda F, x: F.leaky_relu_(x, 0.1),
    "hardtanh_": lambda F, x: F.hardtanh_(x, -2.0, 2.0),
    "hardsigmoid": lambda F, x: F.hardsigmoid(x, inplace=True),
    "hardswish": lambda F, x: F.hardswish(x, inplace=True),
    "silu": lambda F, x: F.silu(x, inplace=True),
    "mish": lambda F, x: F.mish(x, inplace=True),
    "threshold_": lambda F, x: F.threshold_(x, 0.1, 2.0),
    "rrelu_eval": lambda F, x: F.rrelu(x, inplace=True),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_form_returns_input_and_matches_torch(name):
    fn = INPLACE[name]
    values = _input()
    tleaf, jleaf = _pair(values)
    tx, jx = tleaf * 1, jleaf * 1
    ty, jy = fn(TF, tx), fn(JF, jx)
    assert ty is tx and jy is jx
    assert jx._version == tx._version == 1
    assert jy.grad_fn.name() == ty.grad_fn.name()
    _close(jy, ty)
    w = _weights(values.shape)
    (ty * torch.tensor(w)).sum().backward()
    (jy * jtorch.tensor(w)).sum().backward()
    _close(jleaf.grad, tleaf.grad)


def test_inplace_on_leaf_requiring_grad_raises_like_torch():
    tx, jx = _pair(_input())
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        TF.relu(tx, inplace=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        JF.relu(jx, inplace=True)


def test_inplace_without_grad_modifies_the_tensor():
    values = _input()
    jx = jtorch.tensor(values)
    out = jnn.ReLU(inplace=True)(jx)
    assert out is jx
    np.testing.assert_array_equal(jx.numpy(), np.maximum(values, 0))


def test_integer_inputs_follow_torch():
    ints = np.array([[3, -2, 0, 7], [-8, 1, 2, -1]], dtype=np.int64)
    for name in ("relu", "relu6", "hardtanh"):
        ty, jy = getattr(TF, name)(torch.tensor(ints)), getattr(JF, name)(jtorch.tensor(ints))
        assert str(jy.dtype) == str(ty.dtype) == "torch.int64"
        np.testing.assert_array_equal(jy.numpy(), ty.numpy())
    ty = TF.threshold(torch.tensor(ints), 0.5, 2.5)
    jy = JF.threshold(jtorch.tensor(ints), 0.5, 2.5)
    np.testing.assert_array_equal(jy.numpy(), ty.numpy())
    for name in ("softsign", "tanhshrink", "sigmoid"):
        _close(getattr(JF, name)(jtorch.tensor(ints)), getattr(TF, name)(torch.tensor(ints)))
    for name in ("gelu", "elu", "silu", "mish", "softplus", "leaky_relu", "hardswish", "selu",
                 "logsigmoid", "hardsigmoid", "glu", "hardshrink", "softshrink", "rrelu"):
        with pytest.raises(NotImplementedError) as t_err:
            getattr(TF, name)(torch.tensor(ints))
        with pytest.raises(NotImplementedError) as j_err:
            getattr(JF, name)(jtorch.tensor(ints))
        assert str(j_err.value) == str(t_err.value)


def _error(fn, *args):
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001  (the type and message are compared)
        return type(e), str(e)
    return None, ""


@pytest.mark.parametrize("call", [
    lambda F, lib: F.prelu(lib.ones(2, 3, 4), lib.ones(2)),
    lambda F, lib: F.prelu(lib.ones(2, 3, 4), lib.ones(3, 1)),
    lambda F, lib: F.prelu(lib.ones(5), lib.ones(5)),
    lambda F, lib: F.prelu(lib.ones(2, 3), lib.ones(3, dtype=lib.float64)),
    lambda F, lib: F.glu(lib.ones(2, 5), 1),
    lambda F, lib: F.glu(lib.ones(2, 5), 3),
    lambda F, lib: F.glu(lib.ones(()), 0),
    lambda F, lib: F.gelu(lib.ones(2), approximate="fast"),
    lambda F, lib: F.softshrink(lib.ones(2), -1.0),
    lambda F, lib: F.hardtanh(lib.ones(2), 2.0, 1.0),
    lambda F, lib: F.relu(lib.tensor([True, False])),
    lambda F, lib: F.softmax(lib.ones(2, 3), dim=2),
    lambda F, lib: F.softmax(lib.tensor([1, 2]), dim=0),
    lambda F, lib: F.log_softmax(lib.tensor([1, 2]), dim=0),
    lambda F, lib: F.softmin(lib.tensor([1, 2]), dim=0),
], ids=["prelu-count", "prelu-2d-weight", "prelu-1d-input", "prelu-dtype", "glu-odd",
        "glu-dim", "glu-scalar", "gelu-approximate", "softshrink-lambda", "hardtanh-range",
        "relu-bool", "softmax-dim", "softmax-int", "log-softmax-int", "softmin-int"])
def test_errors_match_torch(call):
    t_type, t_message = _error(call, TF, torch)
    j_type, j_message = _error(call, JF, jtorch)
    assert t_type is not None
    assert j_type is t_type
    assert j_message == t_message


def test_softmax_dtype_argument():
    values = _input()
    for fn in ("softmax", "log_softmax", "softmin"):
        tx, jx = _pair(values)
        ty = getattr(TF, fn)(tx, dim=1, dtype=torch.float64)
        jy = getattr(JF, fn)(jx, dim=1, dtype=jtorch.float64)
        _close(jy, ty)
        ty.sum().backward()
        jy.sum().backward()
        _close(jx.grad, tx.grad, atol=1e-6)


@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 3, 4), (2, 3, 4, 5)])
@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
def test_implicit_softmax_dim_warns_and_picks_torchs_dim(fn, shape):
    values = _input(shape)
    with pytest.warns(UserWarning) as t_warnings:
        ty = getattr(TF, fn)(torch.tensor(values))
    with pytest.warns(UserWarning) as j_warnings:
        jy = getattr(JF, fn)(jtorch.tensor(values))
    _close(jy, ty)
    assert str(j_warnings[0].message) == str(t_warnings[0].message)
    assert j_warnings[0].filename == __file__  # attributed to the caller, as torch does


def test_softmax_modules_and_softmax2d():
    values = _input()
    for name, args in [("Softmax", (1,)), ("LogSoftmax", (-1,)), ("Softmin", (2,)),
                       ("Softmax2d", ())]:
        tm, jm = getattr(tnn, name)(*args), getattr(jnn, name)(*args)
        assert repr(jm) == repr(tm)
        _check_forward_backward(tm, jm, values)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _close(jnn.Softmax()(jtorch.tensor(values)), tnn.Softmax()(torch.tensor(values)))
    for lib_nn, lib in ((tnn, torch), (jnn, jtorch)):
        with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
            lib_nn.Softmax2d()(lib.ones(2, 3))


MODULES = [
    ("ReLU", ()), ("ReLU", (True,)), ("ReLU6", ()), ("ReLU6", (True,)), ("LeakyReLU", ()),
    ("LeakyReLU", (0.2, True)), ("ELU", ()), ("ELU", (0.5, True)), ("SELU", ()),
    ("SELU", (True,)), ("CELU", (2.0,)), ("GELU", ()), ("GELU", ("tanh",)), ("SiLU", ()),
    ("SiLU", (True,)), ("Mish", ()), ("Sigmoid", ()), ("Tanh", ()), ("Hardtanh", ()),
    ("Hardtanh", (-2.0, 3.0, True)), ("Hardsigmoid", ()), ("Hardsigmoid", (True,)),
    ("Hardswish", ()), ("Softplus", ()), ("Softplus", (2.0, 10.0)), ("Softsign", ()),
    ("Threshold", (0.1, 20.0)), ("Threshold", (0.1, 20, True)), ("LogSigmoid", ()),
    ("Tanhshrink", ()), ("Softshrink", ()), ("Softshrink", (1.5,)), ("Hardshrink", ()),
    ("GLU", ()), ("GLU", (0,)), ("RReLU", ()), ("RReLU", (0.1, 0.3, True)), ("PReLU", ()),
    ("PReLU", (5, 0.1)), ("Softmax", ()), ("LogSoftmax", (1,)),
]


@pytest.mark.parametrize("name,args", MODULES, ids=[f"{n}{a}" for n, a in MODULES])
def test_module_repr_matches_torch(name, args):
    assert repr(getattr(jnn, name)(*args)) == repr(getattr(tnn, name)(*args))


@pytest.mark.parametrize("name,args", [m for m in MODULES if "inplace" not in str(m)
                                       and m[0] not in ("Softmax", "LogSoftmax")])
def test_module_forward_matches_torch(name, args):
    tm, jm = getattr(tnn, name)(*args), getattr(jnn, name)(*args)
    tm.eval(), jm.eval()
    values = _input()
    if getattr(tm, "inplace", False):
        tx, jx = _pair(values, requires_grad=False)
        _close(jm(jx), tm(tx))
        return
    _check_forward_backward(tm, jm, values)


def test_prelu_module_parameter_init_state_dict_and_gradient():
    tm, jm = tnn.PReLU(5, init=0.1), jnn.PReLU(5, init=0.1)
    assert isinstance(jm.weight, jnn.Parameter)
    assert list(jm.state_dict()) == list(tm.state_dict()) == ["weight"]
    _close(jm.weight, tm.weight)
    assert jm.weight.requires_grad
    jm.weight.data.copy_(jtorch.tensor(np.linspace(-1, 1, 5).astype(np.float32)))
    tm.weight.data.copy_(torch.tensor(np.linspace(-1, 1, 5).astype(np.float32)))
    values = _input()
    tx, jx = _pair(values)
    w = _weights(values.shape)
    (tm(tx) * torch.tensor(w)).sum().backward()
    (jm(jx) * jtorch.tensor(w)).sum().backward()
    _close(jm.weight.grad, tm.weight.grad, rtol=1e-4, atol=1e-4)
    assert jnn.PReLU(dtype=jtorch.float64).weight.dtype is jtorch.float64


def test_hardtanh_module_checks_range_and_deprecated_keywords():
    for lib_nn in (tnn, jnn):
        with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than "
                                                 r"min_val \(2.0\)"):
            lib_nn.Hardtanh(2.0, 1.0)
        with pytest.warns(FutureWarning, match="min_value"):
            m = lib_nn.Hardtanh(min_value=-2.0)
        assert m.min_val == -2.0


def test_rrelu_training_samples_slopes_in_range():
    values = -np.abs(np.random.default_rng(3).normal(size=(50, 40)).astype(np.float32)) - 0.1
    values[0] = np.abs(values[0])
    m = jnn.RReLU(0.1, 0.3)
    x = jtorch.tensor(values, requires_grad=True)
    y = m(x)
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    slopes = y.detach().numpy()[1:] / values[1:]
    assert slopes.min() >= 0.1 - 1e-6 and slopes.max() <= 0.3 + 1e-6
    assert abs(slopes.mean() - 0.2) < 0.01 and slopes.std() > 0.04
    np.testing.assert_array_equal(y.detach().numpy()[0], values[0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy()[1:], slopes, rtol=1e-5)
    m.eval()
    np.testing.assert_allclose(m(x).detach().numpy()[1:], values[1:] * 0.2, rtol=1e-6)


def test_seed_003_module_dict_of_activations():
    """The activations of ../shared/seeds/003's MyModuleDict, chosen by key as there."""
    values = _input((1, 10, 8, 8))

    def build(nn):
        return nn.ModuleDict([["lrelu", nn.LeakyReLU()], ["prelu", nn.PReLU()]])

    t_acts, j_acts = build(tnn), build(jnn)
    assert repr(j_acts) == repr(t_acts)
    for act in ("lrelu", "prelu"):
        _check_forward_backward(t_acts[act], j_acts[act], values)


@pytest.mark.skipif(not all(hasattr(jnn, n) for n in ("Conv2d", "MaxPool2d")),
                    reason="needs nn.Conv2d and nn.MaxPool2d")
def test_seed_003_my_module_dict_verbatim():
    def program(torch):
        nn = torch.nn

        class MyModuleDict(nn.Module):
            def __init__(self):
                super().__init__()
                self.choices = nn.ModuleDict({
                    'conv': nn.Conv2d(10, 10, 3),
                    'pool': nn.MaxPool2d(3)
                })
                self.activations = nn.ModuleDict([
                    ['lrelu', nn.LeakyReLU()],
                    ['prelu', nn.PReLU()]
                ])

            def forward(self, x, choice, act):
                x = self.choices[choice](x)
                x = self.activations[act](x)
                return x

        return MyModuleDict()

    t_model, j_model = program(torch), program(jtorch)
    assert repr(j_model) == repr(t_model)
    j_model.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in t_model.state_dict().items()})
    values = _input((1, 10, 32, 32))
    for choice in ("conv", "pool"):
        for act in ("lrelu", "prelu"):
            ty = t_model.forward(torch.tensor(values), choice, act)
            jy = j_model.forward(jtorch.tensor(values), choice, act)
            _close(jy, ty, atol=1e-5)


def test_gumbel_softmax_soft_and_hard_samples():
    values = _input()
    x = jtorch.tensor(values, requires_grad=True)
    soft = JF.gumbel_softmax(x, tau=0.5)
    assert soft.grad_fn.name() == TF.gumbel_softmax(torch.tensor(values, requires_grad=True)
                                                    ).grad_fn.name()
    np.testing.assert_allclose(soft.detach().numpy().sum(-1), 1, rtol=1e-5)
    hard = JF.gumbel_softmax(x, hard=True, dim=1)
    assert hard.grad_fn.name() == "AddBackward0"
    hard_values = hard.detach().numpy()
    np.testing.assert_array_equal(np.sort(np.unique(hard_values)), [0, 1])
    np.testing.assert_array_equal(hard_values.sum(1), 1)
    (hard * jtorch.tensor(_weights(values.shape))).sum().backward()
    assert np.abs(x.grad.numpy()).sum() > 0  # straight-through: the soft sample's gradient
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        JF.gumbel_softmax(x, eps=1e-5)
