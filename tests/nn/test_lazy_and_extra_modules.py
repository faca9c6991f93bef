"""Lazy modules (UninitializedParameter/UninitializedBuffer), ChannelShuffle, CrossMapLRN2d,
FractionalMaxPool2d/3d, nn.Container, nn.init's deprecated aliases, nn.utils.fusion,
nn.utils.stateless.functional_call, nn.utils.skip_init and torch.nn.modules.utils, against
torch."""

import copy

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def _values(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


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


def _state_repr(module):
    return {k: repr(v) if type(v).__name__.startswith("Uninitialized") else
            (tuple(v.shape), str(v.dtype)) for k, v in module.state_dict().items()}


# ---- lazy modules -----------------------------------------------------------------------------

LAZY = [
    ("LazyLinear", (4,), {}, (3, 5)),
    ("LazyLinear", (4,), {"bias": False}, (2, 3, 6)),
    ("LazyConv1d", (4, 3), {"stride": 2}, (2, 3, 9)),
    ("LazyConv2d", (4, 3), {"padding": 1, "groups": 2}, (2, 6, 5, 5)),
    ("LazyConv2d", (4, 3), {"bias": False}, (3, 5, 5)),
    ("LazyConv3d", (2, 2), {}, (1, 2, 4, 4, 4)),
    ("LazyConvTranspose1d", (4, 3), {"stride": 2, "output_padding": 1}, (2, 3, 5)),
    ("LazyConvTranspose2d", (4, 3), {"groups": 2}, (2, 4, 5, 5)),
    ("LazyConvTranspose3d", (2, 2), {"bias": False}, (1, 2, 3, 3, 3)),
    ("LazyBatchNorm1d", (), {}, (4, 3)),
    ("LazyBatchNorm2d", (), {"momentum": None}, (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (), {"affine": False}, (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), {}, (2, 3, 5)),
    ("LazyInstanceNorm2d", (), {"affine": False, "track_running_stats": False}, (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), {"track_running_stats": False}, (2, 3, 2, 3, 2)),
]


@pytest.mark.parametrize("name,args,kwargs,shape", LAZY,
                         ids=[f"{n}-{i}" for i, (n, _, _, _) in enumerate(LAZY)])
def test_lazy_module_materializes_like_torch(name, args, kwargs, shape):
    t = getattr(tnn, name)(*args, **kwargs)
    j = getattr(jnn, name)(*args, **kwargs)
    assert repr(j) == repr(t)
    assert _state_repr(j) == _state_repr(t)
    assert j.has_uninitialized_params() == t.has_uninitialized_params()
    assert [type(p).__name__ for p in j.parameters()] == [type(p).__name__ for p in t.parameters()]
    x = _values(shape)
    tx, jx = _pair(x)
    t_out, j_out = t(tx), j(jx)
    assert type(j).__name__ == type(t).__name__ == name[len("Lazy"):]
    assert repr(j) == repr(t)
    assert _state_repr(j) == _state_repr(t)
    assert all(type(p).__name__ == "Parameter" for p in j.parameters())
    assert not hasattr(j, "_initialize_hook")
    # torch's freshly initialized values differ from jtorch's: copy them, then compare
    _copy_state(t, j)
    t.eval()
    j.eval()
    t_out, j_out = t(tx), j(jx)
    _close(j_out, t_out)
    w = _values(tuple(t_out.shape), 1)
    (t_out * torch.tensor(w)).sum().backward()
    (j_out * jtorch.tensor(w)).sum().backward()
    _close(jx.grad, tx.grad)
    for tp, jp in zip(t.parameters(), j.parameters()):
        _close(jp.grad, tp.grad, atol=1e-4)


def test_lazy_default_init_bounds():
    j = jnn.LazyLinear(500)
    j(jtorch.zeros(2, 400))
    bound = 1 / np.sqrt(400)
    weight = j.weight.detach().numpy()
    assert np.abs(weight).max() <= bound and np.abs(weight).max() > 0.9 * bound
    bn = jnn.LazyBatchNorm1d()
    bn(jtorch.tensor(_values((4, 3))))
    assert (bn.weight.detach().numpy() == 1).all() and (bn.bias.detach().numpy() == 0).all()
    assert int(bn.num_batches_tracked) == 1


def test_lazy_load_state_dict_materializes_without_changing_class():
    for lib in (torch, jtorch):
        m = lib.nn.LazyLinear(4)
        m.load_state_dict(lib.nn.Linear(3, 4).state_dict())
        assert type(m).__name__ == "LazyLinear"
        assert type(m.weight).__name__ == "Parameter"
        assert tuple(m.weight.shape) == (4, 3)
        assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
        assert m(lib.zeros(2, 3)).shape == (2, 4)
        assert type(m).__name__ == "Linear" and m.in_features == 3


def test_lazy_errors_match_torch():
    cases = [
        (lambda lib: lib.nn.LazyConv2d(4, 3)(lib.zeros(3, 4)), RuntimeError),
        (lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.zeros(1, 3, 4, 4)), ValueError),
        (lambda lib: lib.nn.LazyLinear(4).weight.shape, RuntimeError),
        (lambda lib: lib.add(lib.nn.LazyLinear(4).weight, 1), ValueError),
        (lambda lib: lib.nn.LazyLinear(4).load_state_dict({}), RuntimeError),
        (lambda lib: lib.nn.LazyBatchNorm2d()(lib.zeros(2, 3)), ValueError),
        (lambda lib: lib.nn.Linear(3, 4).load_state_dict(lib.nn.LazyLinear(4).state_dict()),
         RuntimeError),
    ]
    for fn, error in cases:
        messages = []
        for lib in (torch, jtorch):
            with pytest.raises(error) as info:
                fn(lib)
            messages.append(str(info.value))
        if error is RuntimeError and "state_dict" not in messages[0]:
            assert messages[1] == messages[0]


def test_uninitialized_parameter_and_buffer():
    for lib in (torch, jtorch):
        p = lib.nn.UninitializedParameter()
        b = lib.nn.UninitializedBuffer()
        assert repr(p) == "<UninitializedParameter>" and repr(b) == "<UninitializedBuffer>"
        assert p.requires_grad and not b.requires_grad
        assert isinstance(p, lib.nn.Parameter)
        assert repr(copy.deepcopy(p)) == "<UninitializedParameter>"
        p.materialize((2, 3))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
        b.materialize((4,), dtype=lib.float64)
        assert type(b) is lib.Tensor and b.dtype == lib.float64
    m = jnn.LazyConv1d(3, 2).double()
    assert m.weight.dtype == jtorch.float64
    m(jtorch.zeros(1, 2, 5, dtype=jtorch.float64))
    assert m.weight.dtype == jtorch.float64
    assert repr(copy.deepcopy(jnn.LazyConv1d(3, 2))) == repr(tnn.LazyConv1d(3, 2))
    seq_t = tnn.Sequential(tnn.LazyLinear(5), tnn.ReLU(), tnn.LazyLinear(2))
    seq_j = jnn.Sequential(jnn.LazyLinear(5), jnn.ReLU(), jnn.LazyLinear(2))
    assert repr(seq_j) == repr(seq_t)
    seq_t(torch.zeros(1, 7))
    seq_j(jtorch.zeros(1, 7))
    assert repr(seq_j) == repr(seq_t)


# ---- ChannelShuffle ---------------------------------------------------------------------------

@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 2), 3), ((1, 4, 5), 2), ((2, 6, 2, 2, 2), 2),
                                          ((2, 5, 3), 1), ((0, 4, 3), 2)])
def test_channel_shuffle_matches_torch(shape, groups):
    x = _values(shape)
    tx, jx = _pair(x)
    t_out, j_out = TF.channel_shuffle(tx, groups), JF.channel_shuffle(jx, groups)
    _close(j_out, t_out)
    assert type(j_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    t_mod, j_mod = tnn.ChannelShuffle(groups), jnn.ChannelShuffle(groups)
    assert repr(j_mod) == repr(t_mod)
    w = _values(shape, 1)
    (t_mod(tx) * torch.tensor(w)).sum().backward()
    (j_mod(jx) * jtorch.tensor(w)).sum().backward()
    _close(jx.grad, tx.grad)
    xi = np.arange(int(np.prod(shape))).reshape(shape)
    assert (JF.channel_shuffle(jtorch.tensor(xi), groups).numpy()
            == TF.channel_shuffle(torch.tensor(xi), groups).numpy()).all()


@pytest.mark.parametrize("shape,groups", [((2, 5, 3), 2), ((2, 6, 3), 0), ((2, 6, 3), -2),
                                          ((6,), 2), ((2, 6), 2)])
def test_channel_shuffle_errors(shape, groups):
    messages = []
    for lib in (torch, jtorch):
        with pytest.raises(RuntimeError) as info:
            lib.nn.functional.channel_shuffle(lib.zeros(shape), groups)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


# ---- CrossMapLRN2d ----------------------------------------------------------------------------

@pytest.mark.parametrize("size,channels", [(3, 6), (5, 9), (2, 4), (4, 3), (3, 1)])
def test_cross_map_lrn2d_matches_torch(size, channels):
    x = _values((2, channels, 3, 2)) * 2
    tx, jx = _pair(x)
    t_mod = tnn.CrossMapLRN2d(size, alpha=0.1, beta=0.75, k=1)
    j_mod = jnn.CrossMapLRN2d(size, alpha=0.1, beta=0.75, k=1)
    assert repr(j_mod) == repr(t_mod)
    t_out, j_out = t_mod(tx), j_mod(jx)
    _close(j_out, t_out)
    w = _values(x.shape, 1)
    (t_out * torch.tensor(w)).sum().backward()
    (j_out * jtorch.tensor(w)).sum().backward()
    _close(jx.grad, tx.grad)  # torch's hand-written backward, reproduced
    for lib in (torch, jtorch):
        with pytest.raises(ValueError, match="Expected input to be 4D, got 3D"):
            lib.nn.CrossMapLRN2d(3)(lib.zeros(2, 3, 4))


# ---- FractionalMaxPool ------------------------------------------------------------------------

FRACTIONAL = [
    (2, (2, 3, 9, 7), (2, 3), {"output_size": (4, 3)}),
    (2, (3, 8, 8), 2, {"output_size": 5}),
    (2, (1, 2, 10, 10), 3, {"output_ratio": (0.5, 0.5)}),
    (2, (1, 1, 5, 5), 2, {"output_size": (1, 4)}),
    (3, (1, 2, 6, 7, 5), (2, 2, 3), {"output_size": (3, 4, 2)}),
    (3, (2, 5, 5, 5), 2, {"output_ratio": (0.5, 0.6, 0.5)}),
]


@pytest.mark.parametrize("nd,shape,kernel,kwargs", FRACTIONAL)
def test_fractional_max_pool_with_given_samples_matches_torch(nd, shape, kernel, kwargs):
    x = _values(shape)
    batch = 1 if len(shape) == nd + 1 else shape[0]
    samples = np.random.default_rng(3).random((batch, shape[-nd - 1], nd)).astype(np.float32)
    tx, jx = _pair(x)
    t_fn = getattr(TF, f"fractional_max_pool{nd}d")
    j_fn = getattr(JF, f"fractional_max_pool{nd}d")
    t_out, t_idx = t_fn(tx, kernel, return_indices=True, _random_samples=torch.tensor(samples),
                        **kwargs)
    j_out, j_idx = j_fn(jx, kernel, return_indices=True,
                        _random_samples=jtorch.tensor(samples), **kwargs)
    _close(j_out, t_out, rtol=0, atol=0)
    assert str(j_idx.dtype) == "torch.int64"
    assert (j_idx.numpy() == t_idx.numpy()).all()
    assert type(j_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    w = _values(tuple(t_out.shape), 1)
    (t_out * torch.tensor(w)).sum().backward()
    (j_out * jtorch.tensor(w)).sum().backward()
    _close(jx.grad, tx.grad)
    module_kwargs = dict(kwargs, _random_samples=jtorch.tensor(samples))
    j_mod = getattr(jnn, f"FractionalMaxPool{nd}d")(kernel, **module_kwargs)
    t_mod = getattr(tnn, f"FractionalMaxPool{nd}d")(
        kernel, **dict(kwargs, _random_samples=torch.tensor(samples)))
    assert repr(j_mod) == repr(t_mod)
    assert list(j_mod.state_dict()) == list(t_mod.state_dict())
    _close(j_mod(jx), t_mod(tx), rtol=0, atol=0)


def test_fractional_max_pool_random_windows_are_maxima():
    """Without samples jtorch draws its own: check shapes, that each output is the maximum of
    a kernel-sized window starting at increasing offsets, and that the index points at it."""
    x = jtorch.tensor(_values((2, 3, 11, 9)))
    out, idx = JF.fractional_max_pool2d(x, (3, 2), output_size=(5, 4), return_indices=True)
    assert tuple(out.shape) == tuple(idx.shape) == (2, 3, 5, 4)
    xs, flat = x.numpy(), idx.numpy()
    rows, cols = flat // 9, flat % 9
    assert (np.take_along_axis(xs.reshape(2, 3, -1), flat.reshape(2, 3, -1), 2).reshape(
        out.shape) == out.numpy()).all()
    for n in range(2):
        for c in range(3):
            for i in range(5):
                for k in range(4):
                    r, q = rows[n, c, i, k], cols[n, c, i, k]
                    # the window containing (r, q) has the value as its maximum
                    assert out.numpy()[n, c, i, k] == xs[n, c, r, q]
            assert (np.diff(rows[n, c].min(axis=1)) >= 0).all()
    out3 = jnn.FractionalMaxPool3d(2, output_ratio=0.5)(jtorch.tensor(_values((1, 2, 8, 6, 4))))
    assert tuple(out3.shape) == (1, 2, 4, 3, 2)
    a = JF.fractional_max_pool2d(x, 2, output_size=4)
    b = JF.fractional_max_pool2d(x, 2, output_size=4)
    assert a.shape == b.shape
    values = set(xs.reshape(-1).tolist())
    assert set(a.numpy().reshape(-1).tolist()) <= values


@pytest.mark.parametrize("kwargs", [{}, {"output_size": 6}, {"output_size": (2,)}])
def test_fractional_max_pool_errors(kwargs):
    for lib in (torch, jtorch):
        with pytest.raises((ValueError, RuntimeError)) as info:
            lib.nn.functional.fractional_max_pool2d(lib.zeros(1, 2, 5, 5), 2, **kwargs)
        if not kwargs:
            assert info.type is ValueError
        else:
            assert info.type is RuntimeError
    for lib in (torch, jtorch):
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2)
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2, output_size=2, output_ratio=0.5)
        with pytest.raises(ValueError):
            lib.nn.FractionalMaxPool2d(2, output_ratio=1.5)
        with pytest.raises(RuntimeError):
            lib.nn.functional.fractional_max_pool2d(
                lib.zeros(1, 2, 5, 5), 2, output_size=3, _random_samples=lib.zeros(1, 2, 3))


# ---- Container, init aliases, fusion, stateless, modules.utils ------------------------------

def test_container_is_deprecated_module():
    for lib in (torch, jtorch):
        with pytest.warns(FutureWarning, match="nn.Container` is deprecated"):
            c = lib.nn.Container(a=lib.nn.Linear(1, 2), b=lib.nn.ReLU())
        assert list(dict(c.named_children())) == ["a", "b"]
    assert repr(c) == "Container(\n  (a): Linear(in_features=1, out_features=2, bias=True)\n" \
                      "  (b): ReLU()\n)"


@pytest.mark.parametrize("name,args", [("uniform", (-1.0, 1.0)), ("normal", (0.0, 1.0)),
                                       ("constant", (0.5,)), ("eye", ()), ("dirac", ()),
                                       ("xavier_uniform", ()), ("xavier_normal", ()),
                                       ("kaiming_uniform", ()), ("kaiming_normal", ()),
                                       ("orthogonal", ()), ("sparse", (0.5,))])
def test_init_deprecated_aliases_warn(name, args):
    shape = (3, 4, 1) if name == "dirac" else (4, 4)
    for lib in (torch, jtorch):
        t = lib.empty(shape)
        with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor "
                                               f"of `nn.init.{name}_`"):
            out = getattr(lib.nn.init, name)(t, *args)
        assert out is t
    if name == "constant":
        assert (t.numpy() == 0.5).all()
    if name == "eye":
        assert (t.numpy() == np.eye(4)).all()


def test_fuse_conv_and_linear_bn_eval_match_torch():
    torch.manual_seed(0)
    for transpose in (False, True):
        conv_cls = "ConvTranspose2d" if transpose else "Conv2d"
        t_conv, j_conv = getattr(tnn, conv_cls)(3, 4, 3), getattr(jnn, conv_cls)(3, 4, 3)
        t_bn, j_bn = tnn.BatchNorm2d(4), jnn.BatchNorm2d(4)
        with torch.no_grad():
            t_bn.running_mean.uniform_(-1, 1)
            t_bn.running_var.uniform_(0.5, 2)
            t_bn.weight.uniform_(0.5, 2)
            t_bn.bias.uniform_(-1, 1)
        for t, j in ((t_conv, j_conv), (t_bn, j_bn)):
            _copy_state(t, j)
            t.eval()
            j.eval()
        t_fused = torch.nn.utils.fuse_conv_bn_eval(t_conv, t_bn, transpose=transpose)
        j_fused = jtorch.nn.utils.fuse_conv_bn_eval(j_conv, j_bn, transpose=transpose)
        assert j_fused is not j_conv and isinstance(j_fused.weight, jnn.Parameter)
        _close(j_fused.weight, t_fused.weight)
        _close(j_fused.bias, t_fused.bias)
        x = _values((2, 3, 6, 6))
        _close(j_fused(jtorch.tensor(x)), t_bn(t_conv(torch.tensor(x))), atol=1e-4)
    t_lin, j_lin = tnn.Linear(3, 4, bias=False), jnn.Linear(3, 4, bias=False)
    t_bn, j_bn = tnn.BatchNorm1d(4), jnn.BatchNorm1d(4)
    for t, j in ((t_lin, j_lin), (t_bn, j_bn)):
        _copy_state(t, j)
        t.eval()
        j.eval()
    t_fused = torch.nn.utils.fusion.fuse_linear_bn_eval(t_lin, t_bn)
    j_fused = jtorch.nn.utils.fusion.fuse_linear_bn_eval(j_lin, j_bn)
    _close(j_fused.weight, t_fused.weight)
    _close(j_fused.bias, t_fused.bias)
    w, b = jtorch.nn.utils.fuse_linear_bn_weights(j_lin.weight, None, j_bn.running_mean,
                                                  j_bn.running_var, j_bn.eps, j_bn.weight,
                                                  j_bn.bias)
    assert isinstance(w, jnn.Parameter) and w.requires_grad and not b.requires_grad
    j_bn.train()
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        jtorch.nn.utils.fuse_linear_bn_eval(j_lin, j_bn)


def _functional_call_case(lib):
    nn = lib.nn
    torch.manual_seed(0)
    model = nn.Module()
    model.body = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    model.tied = model.body[0]
    model.forward = lambda x: model.body(x)
    return model


def test_functional_call_matches_torch():
    t_model, j_model = _functional_call_case(torch), _functional_call_case(jtorch)
    _copy_state(t_model, j_model)
    new_weight = _values((4, 3), 5)
    tw, jw = _pair(new_weight)
    x = _values((5, 3), 6)
    with pytest.warns(FutureWarning):
        t_out = torch.nn.utils.stateless.functional_call(t_model, {"body.0.weight": tw},
                                                         (torch.tensor(x),))
    with pytest.warns(FutureWarning):
        j_out = jtorch.nn.utils.stateless.functional_call(j_model, {"body.0.weight": jw},
                                                          (jtorch.tensor(x),))
    _close(j_out, t_out)
    t_out.sum().backward()
    j_out.sum().backward()
    _close(jw.grad, tw.grad)
    assert j_model.body[0].weight is not jw and j_model.body[0].weight.grad is None
    _close(j_model.body[1].running_mean, t_model.body[1].running_mean)
    # tied names: a value for one name is used for all of them; two different values is an error
    out_tied = jtorch.nn.utils.stateless._functional_call(
        j_model, {"tied.weight": jtorch.zeros(4, 3)}, jtorch.tensor(x))
    out_zero = jtorch.nn.utils.stateless._functional_call(
        j_model, {"body.0.weight": jtorch.zeros(4, 3)}, jtorch.tensor(x))
    assert (out_tied.detach().numpy() == out_zero.detach().numpy()).all()
    with pytest.raises(ValueError, match="which are tied"):
        jtorch.nn.utils.stateless._functional_call(
            j_model, {"tied.weight": jtorch.zeros(4, 3), "body.0.weight": jtorch.ones(4, 3)},
            jtorch.tensor(x))
    messages = []
    for lib, model in ((torch, t_model), (jtorch, j_model)):
        with pytest.raises(RuntimeError) as info:
            lib.nn.utils.stateless._functional_call(
                model, {"nope": lib.zeros(1)}, (lib.zeros(5, 3),), strict=True)
        messages.append(str(info.value))
    assert messages[1] == messages[0]


def test_modules_utils_helpers():
    from torch.nn.modules import utils as t_utils

    from jtorch.nn.modules import utils as j_utils
    for name in ("_single", "_pair", "_triple", "_quadruple"):
        for value in (3, (1, 2), [4, 5, 6]):
            assert getattr(j_utils, name)(value) == getattr(t_utils, name)(value)
    assert j_utils._ntuple(5)(2) == t_utils._ntuple(5)(2)
    assert j_utils._reverse_repeat_tuple((1, 2), 2) == t_utils._reverse_repeat_tuple((1, 2), 2)
    assert (j_utils._list_with_default([None, 3], [1, 2, 7, 8])
            == t_utils._list_with_default([None, 3], [1, 2, 7, 8]))
    states = []
    for lib in (torch, jtorch):
        sd = lib.nn.DataParallel(lib.nn.Linear(2, 2)).state_dict()
        j_utils.consume_prefix_in_state_dict_if_present(sd, "module.")
        states.append((list(sd), list(getattr(sd, "_metadata", {}))))
    assert states[1] == states[0]
