"""Linear, Bilinear, Identity and F.linear/F.bilinear against torch: values, dtypes, grad_fn
names, input and parameter gradients (batched, unbatched, extra leading dims, no bias, float64),
default init bounds, reprs and wrong-shape errors."""

import math

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def _values(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _close(j, t, rtol=1e-5, atol=1e-5):
    assert tuple(j.shape) == tuple(t.shape)
    assert str(j.dtype) == str(t.dtype)
    np.testing.assert_allclose(j.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _copy_state(t_module, j_module):
    j_module.load_state_dict({k: jtorch.tensor(v.detach().numpy())
                              for k, v in t_module.state_dict().items()})


def _check_module(t_mod, j_mod, inputs):
    _copy_state(t_mod, j_mod)
    assert repr(j_mod) == repr(t_mod)
    assert [(k, tuple(v.shape)) for k, v in j_mod.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in t_mod.state_dict().items()]
    pairs = [_pair(x) for x in inputs]
    t_out = t_mod(*(p[0] for p in pairs))
    j_out = j_mod(*(p[1] for p in pairs))
    _close(j_out, t_out)
    if t_out.grad_fn is not None:
        assert type(j_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    w = _values(tuple(t_out.shape), 9, inputs[0].dtype)
    (t_out * torch.tensor(w)).sum().backward()
    (j_out * jtorch.tensor(w)).sum().backward()
    for t_in, j_in in pairs:
        _close(j_in.grad, t_in.grad)
    for tp, jp in zip(t_mod.parameters(), j_mod.parameters()):
        _close(jp.grad, tp.grad, atol=1e-4)


@pytest.mark.parametrize("shape,bias,dtype", [((4, 3), True, np.float32),
                                              ((3,), True, np.float32),
                                              ((2, 5, 3), False, np.float32),
                                              ((0, 3), True, np.float32),
                                              ((4, 3), True, np.float64)])
def test_linear_matches_torch(shape, bias, dtype):
    t_dtype = torch.float64 if dtype == np.float64 else torch.float32
    j_dtype = jtorch.float64 if dtype == np.float64 else jtorch.float32
    t_mod = tnn.Linear(3, 2, bias=bias, dtype=t_dtype)
    j_mod = jnn.Linear(3, 2, bias=bias, dtype=j_dtype)
    _check_module(t_mod, j_mod, [_values(shape, 0, dtype)])
    for mode in ("train", "eval"):
        getattr(t_mod, mode)()
        getattr(j_mod, mode)()
        x = _values(shape, 3, dtype)
        _close(j_mod(jtorch.tensor(x)), t_mod(torch.tensor(x)))


@pytest.mark.parametrize("shape1,shape2,bias", [((4, 3), (4, 5), True), ((3,), (5,), True),
                                                ((2, 4, 3), (2, 4, 5), False)])
def test_bilinear_matches_torch(shape1, shape2, bias):
    torch.manual_seed(0)
    _check_module(tnn.Bilinear(3, 5, 2, bias=bias), jnn.Bilinear(3, 5, 2, bias=bias),
                  [_values(shape1, 0), _values(shape2, 1)])


def test_identity_and_functional_forms():
    x = _values((2, 3))
    tx, jx = _pair(x)
    assert repr(jnn.Identity(54, unused="x")) == repr(tnn.Identity(54, unused="x"))
    assert jnn.Identity()(jx) is jx
    w, b = _values((4, 3), 1), _values((4,), 2)
    tw, jw = _pair(w)
    tb, jb = _pair(b)
    t_out, j_out = TF.linear(tx, tw, tb), JF.linear(jx, jw, jb)
    _close(j_out, t_out)
    assert type(j_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    t_out.sum().backward()
    j_out.sum().backward()
    for t, j in ((tx, jx), (tw, jw), (tb, jb)):
        _close(j.grad, t.grad)
    _close(JF.linear(jtorch.tensor(x), jtorch.tensor(w)), TF.linear(torch.tensor(x),
                                                                   torch.tensor(w)))
    w3 = _values((4, 3, 5), 3)
    y = _values((2, 5), 4)
    _close(JF.bilinear(jtorch.tensor(x), jtorch.tensor(y), jtorch.tensor(w3)),
           TF.bilinear(torch.tensor(x), torch.tensor(y), torch.tensor(w3)))


def test_linear_default_init_bounds():
    m = jnn.Linear(400, 300)
    bound = 1 / math.sqrt(400)
    for p in (m.weight, m.bias):
        values = p.detach().numpy()
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.9 * bound
        assert abs(values.mean()) < 0.1 * bound
    b = jnn.Bilinear(50, 20, 10)
    assert np.abs(b.weight.detach().numpy()).max() <= 1 / math.sqrt(50)


@pytest.mark.parametrize("case", ["linear-in", "linear-0d", "bilinear-in1", "bilinear-batch",
                                  "f-linear-weight", "int-input"])
def test_wrong_shapes_raise_like_torch(case):
    def run(lib):
        nn = lib.nn
        if case == "linear-in":
            return nn.Linear(3, 2)(lib.zeros(4, 5))
        if case == "linear-0d":
            return nn.Linear(3, 2)(lib.zeros(()))
        if case == "bilinear-in1":
            return nn.Bilinear(3, 5, 2)(lib.zeros(4, 4), lib.zeros(4, 5))
        if case == "bilinear-batch":
            return nn.Bilinear(3, 5, 2)(lib.zeros(4, 3), lib.zeros(3, 5))
        if case == "f-linear-weight":
            return nn.functional.linear(lib.zeros(4, 3), lib.zeros(2, 3, 1))
        return nn.Linear(3, 2)(lib.zeros(4, 3, dtype=lib.int64))

    with pytest.raises(Exception) as t_info:
        run(torch)
    with pytest.raises(Exception) as j_info:
        run(jtorch)
    assert j_info.type is t_info.type
