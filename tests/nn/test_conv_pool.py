"""Convolution and pooling against torch: the seed programs' layers, F.conv*/conv_transpose*,
every pooling functional and module, values, input and parameter gradients, grad_fn names,
default init, state_dict, reprs and errors."""

import copy
import math
import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

RTOL, ATOL = 1e-5, 1e-5


def _values(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).normal(size=shape).astype(dtype)


def _ties(shape, seed=0):
    """Values on a coarse grid, so pooling windows hold repeated maxima."""
    return (np.round(_values(shape, seed) * 2) / 2).astype(np.float32)


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _close(jt, t, rtol=RTOL, atol=ATOL):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _outputs(out):
    return out if isinstance(out, tuple) else (out,)


def _compare_call(fn, *arrays, atol=ATOL, grad=True):
    """Run fn(F, *tensors) on torch and jtorch; compare every output, the first output's
    grad_fn name and the gradients of a weighted sum with respect to every float input."""
    pairs = [_pair(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    touts = _outputs(fn(TF, *(t for t, _ in pairs)))
    jouts = _outputs(fn(JF, *(j for _, j in pairs)))
    assert len(touts) == len(jouts)
    for t, j in zip(touts, jouts):
        _close(j, t, atol=atol)
    if not touts[0].requires_grad:
        return
    assert jouts[0].grad_fn.name() == touts[0].grad_fn.name()
    w = _values(tuple(touts[0].shape), seed=99)  # backward of the weighted sum (y * w).sum()
    touts[0].backward(torch.tensor(w))
    jouts[0].backward(jtorch.tensor(w))
    for t, j in pairs:
        if t.requires_grad:
            _close(j.grad, t.grad, atol=atol)


def _copy_state(jmod, tmod):
    jmod.load_state_dict({k: jtorch.tensor(v.detach().numpy())
                          for k, v in tmod.state_dict().items()})


def _compare_module(jmod, tmod, values, atol=ATOL, **forward_kwargs):
    """Same parameters, same input: output, grad_fn, input and parameter gradients."""
    _copy_state(jmod, tmod)
    tx, jx = _pair(values)
    ty, jy = tmod(tx, **forward_kwargs), jmod(jx, **forward_kwargs)
    _close(jy, ty, atol=atol)
    assert jy.grad_fn.name() == ty.grad_fn.name()
    w = _values(tuple(ty.shape), seed=7)
    ty.backward(torch.tensor(w))
    jy.backward(jtorch.tensor(w))
    _close(jx.grad, tx.grad, atol=atol)
    for (name, tp), (jname, jp) in zip(tmod.named_parameters(), jmod.named_parameters()):
        assert name == jname
        _close(jp.grad, tp.grad, atol=atol)


def _same_error(fn, *arrays):
    """torch and jtorch raise the same exception type, jtorch's message containing torch's
    first sentence."""
    with pytest.raises(Exception) as expected:
        fn(TF, *(torch.tensor(a) for a in arrays))
    with pytest.raises(type(expected.value)) as got:
        fn(JF, *(jtorch.tensor(a) for a in arrays))
    first = str(expected.value).split("\n")[0].split(". ")[0]
    assert first in str(got.value)


# ---- the seed programs ----------------------------------------------------------------------

SEED_INPUT = [[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]]
SEED_KERNEL = [[1, 2, 1], [0, 1, 0], [2, 1, 0]]


def test_seed_002_functional_conv2d_example():
    """002's `F.conv2d(input,kernel,stride=1)` on int64 tensors, then stride=2 and padding=1."""
    x = jtorch.reshape(jtorch.tensor(SEED_INPUT), (1, 1, 5, 5))
    k = jtorch.reshape(jtorch.tensor(SEED_KERNEL), (1, 1, 3, 3))
    out = JF.conv2d(x, k, stride=1)
    assert out.dtype is jtorch.int64
    assert out.tolist() == [[[[10, 12, 12], [18, 16, 16], [13, 9, 3]]]]
    assert JF.conv2d(x, k, stride=2).tolist() == [[[[10, 12], [13, 3]]]]
    tx = torch.reshape(torch.tensor(SEED_INPUT), (1, 1, 5, 5))
    tk = torch.reshape(torch.tensor(SEED_KERNEL), (1, 1, 3, 3))
    for kwargs in ({"stride": 1}, {"stride": 2}, {"padding": 1}):
        expected = TF.conv2d(tx, tk, **kwargs)
        got = JF.conv2d(x, k, **kwargs)
        assert got.tolist() == expected.tolist()
        assert repr(got) == repr(expected)
    assert JF.conv2d(x, k, padding=1).shape == (1, 1, 5, 5)


def test_seed_002_maxpool_ceil_mode_example():
    """002's MaxPool2d(kernel_size=3, ceil_mode=True) on the 5x5 FloatTensor (built with
    dtype=float32 here: jtorch.FloatTensor is not part of this layer's work)."""
    tx = torch.reshape(torch.FloatTensor(SEED_INPUT), (-1, 1, 5, 5))
    jx = jtorch.reshape(jtorch.tensor(SEED_INPUT, dtype=jtorch.float32), (-1, 1, 5, 5))
    tpool, jpool = tnn.MaxPool2d(kernel_size=3, ceil_mode=True), jnn.MaxPool2d(kernel_size=3,
                                                                             ceil_mode=True)
    assert repr(jpool) == repr(tpool)
    assert jpool(jx).tolist() == tpool(tx).tolist() == [[[[2.0, 3.0], [5.0, 1.0]]]]
    assert repr(jpool(jx)) == repr(tpool(tx))


def _lenet_features(lib, conv1, conv2, x):
    F = lib.nn.functional
    x = F.max_pool2d(F.relu(conv1(x)), (2, 2))
    return F.max_pool2d(F.relu(conv2(x)), 2)


def test_seed_lenet_conv_pool_layers():
    """001's LeNet: Conv2d(1, 6, 5) -> max_pool2d((2, 2)) -> Conv2d(6, 16, 5) -> max_pool2d(2)."""
    tconv1, tconv2 = tnn.Conv2d(1, 6, 5), tnn.Conv2d(6, 16, 5)
    jconv1, jconv2 = jnn.Conv2d(1, 6, 5), jnn.Conv2d(6, 16, 5)
    assert repr(jconv1) == repr(tconv1) == "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))"
    assert repr(jconv2) == repr(tconv2)
    _copy_state(jconv1, tconv1)
    _copy_state(jconv2, tconv2)
    tx, jx = _pair(_values((2, 1, 32, 32)))
    ty, jy = _lenet_features(torch, tconv1, tconv2, tx), _lenet_features(jtorch, jconv1, jconv2,
                                                                         jx)
    assert tuple(jy.shape) == (2, 16, 5, 5)
    _close(jy, ty, atol=1e-4)
    assert jy.grad_fn.name() == ty.grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    ty.sum().backward()
    jy.sum().backward()
    _close(jx.grad, tx.grad, atol=1e-4)
    for tmod, jmod in ((tconv1, jconv1), (tconv2, jconv2)):
        _close(jmod.weight.grad, tmod.weight.grad, atol=1e-4)
        _close(jmod.bias.grad, tmod.bias.grad, atol=1e-4)


def _tudui_features(nn):
    return nn.Sequential(nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2),
                         nn.Conv2d(32, 32, 5, padding=2), nn.MaxPool2d(2),
                         nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten())


def test_seed_cifar10_tudui_conv_pool_flatten():
    """002's CIFAR10 model up to Flatten: (N, 3, 32, 32) -> (N, 1024)."""
    tmod, jmod = _tudui_features(tnn), _tudui_features(jnn)
    assert repr(jmod) == repr(tmod)
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in jmod.state_dict().items()] == \
        [(k, tuple(v.shape), str(v.dtype)) for k, v in tmod.state_dict().items()]
    _compare_module(jmod, tmod, _values((2, 3, 32, 32)), atol=1e-4)
    assert tuple(jmod(jtorch.ones(1, 3, 32, 32)).shape) == (1, 1024)


def test_seed_001_cnn_block():
    """001's CNN: Conv2d(in_channels=1, out_channels=16, kernel_size=5, stride=1, padding=2),
    MaxPool2d(kernel_size=2) on MNIST-sized input, (N, 1, 28, 28) -> (N, 16, 14, 14)."""
    def block(nn):
        return nn.Sequential(nn.Conv2d(in_channels=1, out_channels=16, kernel_size=5, stride=1,
                                       padding=2),
                             nn.MaxPool2d(kernel_size=2))

    tmod, jmod = block(tnn), block(jnn)
    assert repr(jmod) == repr(tmod)
    _compare_module(jmod, tmod, _values((2, 1, 28, 28)), atol=1e-4)
    assert tuple(jmod(jtorch.ones(1, 1, 28, 28)).shape) == (1, 16, 14, 14)


def test_compiled_cnn_step_matches_eager():
    """Conv, pooling and flatten under jtorch.compile: one traced train step gives the eager
    step's loss and parameters."""
    def model():
        jtorch.manual_seed(0)
        return jnn.Sequential(jnn.Conv2d(1, 6, 5, padding=2), jnn.MaxPool2d(2),
                              jnn.AdaptiveAvgPool2d((2, 2)), jnn.Flatten())

    def make_step(net):
        def step(x):
            for p in net.parameters():
                p.grad = None
            loss = (net(x) ** 2).mean()
            loss.backward()
            with jtorch.no_grad():
                for p in net.parameters():
                    p.sub_(0.1 * p.grad)
            return loss
        return step

    eager_net = model()
    compiled_net = copy.deepcopy(eager_net)
    eager, compiled = make_step(eager_net), jtorch.compile(make_step(compiled_net))
    x = jtorch.tensor(_values((2, 1, 8, 8)))
    for _ in range(3):
        assert compiled(x).item() == pytest.approx(eager(x).item(), rel=1e-5)
    for a, b in zip(eager_net.parameters(), compiled_net.parameters()):
        np.testing.assert_allclose(b.detach().numpy(), a.detach().numpy(), rtol=1e-5, atol=1e-6)


# ---- F.conv* ----------------------------------------------------------------------------------

CONV_CASES = [
    ("conv1d", (2, 4, 10), (3, 4, 3), {"stride": 2, "padding": 1}),
    ("conv1d", (2, 4, 10), (4, 2, 2), {"padding": "same", "groups": 2, "dilation": 3}),
    ("conv1d", (4, 10), (3, 4, 3), {}),
    ("conv2d", (2, 4, 9, 8), (6, 2, 3, 2), {"groups": 2}),
    ("conv2d", (2, 4, 9, 8), (6, 2, 3, 2), {"stride": (2, 3), "padding": (1, 2),
                                            "dilation": (2, 1), "groups": 2}),
    ("conv2d", (2, 4, 9, 8), (6, 4, 3, 2), {"padding": "same", "dilation": (2, 3)}),
    ("conv2d", (2, 4, 9, 8), (6, 4, 3, 3), {"padding": "valid"}),
    ("conv2d", (4, 9, 8), (6, 4, 3, 3), {"padding": 1}),
    ("conv3d", (1, 2, 5, 6, 7), (3, 2, 2, 3, 2), {"stride": (1, 2, 1), "padding": 1,
                                                  "dilation": (1, 1, 2)}),
    ("conv_transpose1d", (2, 4, 7), (4, 5, 4), {"stride": 3, "padding": 2, "output_padding": 1}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), {"stride": 2, "padding": 1,
                                                      "output_padding": 1, "groups": 2,
                                                      "dilation": (1, 2)}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2), {"stride": (3, 2),
                                                      "output_padding": (2, 0)}),
    ("conv_transpose2d", (4, 5, 6), (4, 3, 3, 3), {}),
    ("conv_transpose3d", (1, 2, 3, 4, 3), (2, 3, 2, 3, 2), {"stride": 2, "padding": (0, 1, 0)}),
]


SLOW_CONV_CASES = (2, 6, 12)  # indices into CONV_CASES run only with `-m slow`


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("name,x_shape,w_shape,kwargs", [
    pytest.param(*case, marks=pytest.mark.slow) if i in SLOW_CONV_CASES else case
    for i, case in enumerate(CONV_CASES)])
def test_functional_conv_matches_torch(name, x_shape, w_shape, kwargs):
    out_channels = w_shape[1] * kwargs.get("groups", 1) if "transpose" in name else w_shape[0]
    _compare_call(lambda F, x, w, b: getattr(F, name)(x, w, b, **kwargs),
                  _values(x_shape, 1), _values(w_shape, 2), _values((out_channels,), 3),
                  atol=1e-4)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float64])
def test_functional_conv_dtypes(dtype):
    x = (_values((1, 2, 6, 6), 1) * 10).astype(dtype)
    w = (_values((3, 2, 3, 3), 2) * 10).astype(dtype)
    _compare_call(lambda F, x, w: F.conv2d(x, w, padding=1), x, w, grad=False)


def test_functional_conv_float16():
    x, w = _values((1, 2, 6, 6), 1, np.float16), _values((3, 2, 3, 3), 2, np.float16)
    _compare_call(lambda F, x, w: F.conv2d(x, w), x, w, atol=2e-2, grad=False)


def test_conv_of_an_empty_batch():
    x, w = np.zeros((0, 3, 8, 8), np.float32), _values((4, 3, 3, 3))
    _compare_call(lambda F, x, w: F.conv2d(x, w), x, w, grad=False)


CONV_ERRORS = {
    "input dims": lambda F, x, w: F.conv2d(x[0, 0], w),
    "channels": lambda F, x, w: F.conv2d(x[:, :3], w),
    "kernel larger than input": lambda F, x, w: F.conv2d(x[:, :, :2, :2], w),
    "weight dtype": lambda F, x, w: F.conv2d(x.double(), w),
    "bias dtype": lambda F, x, w: F.conv2d(x, w, w[:, 0, 0, 0].double()),
    "bias shape": lambda F, x, w: F.conv2d(x, w, w[0, 0, 0]),
    "weight dims": lambda F, x, w: F.conv2d(x, w[0]),
    "groups vs channels": lambda F, x, w: F.conv2d(x, w, groups=2),
    "groups vs out channels": lambda F, x, w: F.conv2d(x, w[:3, :2], groups=2),
    "zero stride": lambda F, x, w: F.conv2d(x, w, stride=0),
    "negative padding": lambda F, x, w: F.conv2d(x, w, padding=-1),
    "same with stride": lambda F, x, w: F.conv2d(x, w, stride=2, padding="same"),
    "bad padding string": lambda F, x, w: F.conv2d(x, w, padding="full"),
    "stride length": lambda F, x, w: F.conv2d(x, w, stride=(1, 1, 1)),
    "zero dilation": lambda F, x, w: F.conv2d(x, w, dilation=0),
    "zero groups": lambda F, x, w: F.conv2d(x, w, groups=0),
    "int input, float weight": lambda F, x, w: F.conv2d(x.long(), w),
    "bool": lambda F, x, w: F.conv2d(x.bool(), w.bool()),
    "transposed channels": lambda F, x, w: F.conv_transpose2d(x[:, :3], w),
    "output padding": lambda F, x, w: F.conv_transpose2d(x, w, output_padding=1),
    "1-d output padding": lambda F, x, w: F.conv_transpose1d(x[0], w[0], output_padding=2),
    "transposed bias": lambda F, x, w: F.conv_transpose2d(x, w, w[0, 0, 0, :2]),
    "transposed input dims": lambda F, x, w: F.conv_transpose2d(x[0, 0], w),
    "conv1d input dims": lambda F, x, w: F.conv1d(x, w[0]),
}


@pytest.mark.parametrize("case", list(CONV_ERRORS))
def test_functional_conv_errors_match_torch(case):
    _same_error(CONV_ERRORS[case], _values((2, 4, 9, 8)), _values((4, 4, 3, 3)))


# ---- conv modules -----------------------------------------------------------------------------

# Few distinct parameter shapes (transposed weights are (in, out/groups, *k), so
# ConvTranspose2d(6, 4, 3) shares Conv2d(4, 6, 3)'s): each new shape costs an XLA compile of
# the random init.
CONV_MODULES = [
    ("Conv1d", (4, 6, 3), {"stride": 2, "padding": 1}, (2, 4, 11)),
    ("Conv1d", (4, 6, 3), {"padding": 2, "padding_mode": "circular", "bias": False}, (2, 4, 9)),
    ("Conv1d", (4, 6, 3), {"padding": "same", "padding_mode": "reflect", "dilation": 3},
     (4, 9)),
    ("Conv2d", (4, 6, 3), {"padding": "same", "dilation": (2, 1), "groups": 2,
                           "padding_mode": "reflect"}, (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 3), {"padding": (1, 2), "padding_mode": "replicate"}, (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 3), {"padding": 1, "padding_mode": "circular", "stride": 2}, (2, 4, 7, 8)),
    ("Conv2d", (4, 6, 3), {"padding": "valid", "bias": False}, (2, 4, 7, 8)),
    ("Conv3d", (2, 4, 3), {"padding": (1, 0, 1), "padding_mode": "replicate"}, (1, 2, 4, 5, 6)),
    ("ConvTranspose1d", (6, 4, 3), {"stride": 2, "output_padding": 1}, (2, 6, 7)),
    ("ConvTranspose2d", (6, 4, 3), {"stride": 2, "padding": 1, "output_padding": 1,
                                    "groups": 2, "dilation": 2}, (2, 6, 5, 6)),
    ("ConvTranspose2d", (6, 4, 3), {"bias": False}, (6, 5, 6)),
    ("ConvTranspose3d", (4, 2, 3), {"stride": (1, 2, 2), "bias": False}, (1, 4, 3, 4, 3)),
]


SLOW_CONV_MODULES = (1, 6, 10, 11)  # indices into CONV_MODULES run only with `-m slow`


@pytest.mark.parametrize("cls,args,kwargs,shape", [
    pytest.param(*case, marks=pytest.mark.slow) if i in SLOW_CONV_MODULES else case
    for i, case in enumerate(CONV_MODULES)])
def test_conv_module_matches_torch(cls, args, kwargs, shape):
    tmod, jmod = getattr(tnn, cls)(*args, **kwargs), getattr(jnn, cls)(*args, **kwargs)
    assert repr(jmod) == repr(tmod)
    for attr in ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation",
                 "output_padding", "groups", "padding_mode", "transposed",
                 "_reversed_padding_repeated_twice"):
        assert getattr(jmod, attr) == getattr(tmod, attr), attr
    assert [(k, tuple(v.shape)) for k, v in jmod.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tmod.state_dict().items()]
    _compare_module(jmod, tmod, _values(shape, 5), atol=1e-4)


def test_conv_transpose_output_size():
    tmod, jmod = tnn.ConvTranspose2d(6, 4, 3, stride=2), jnn.ConvTranspose2d(6, 4, 3, stride=2)
    for output_size in ([10, 12], [2, 4, 9, 11]):
        _compare_module(jmod, tmod, _values((2, 6, 4, 5)), output_size=output_size)
    for output_size in ([20, 20], [10]):
        with pytest.raises(ValueError) as expected:
            tmod(torch.ones(2, 6, 4, 5), output_size=output_size)
        with pytest.raises(ValueError, match=str(expected.value)[:40].replace("[", r"\[")):
            jmod(jtorch.ones(2, 6, 4, 5), output_size=output_size)


def test_conv_default_init_follows_torch_formula():
    """kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) weights, and the
    bias uses the same bound; transposed weights take fan_in from their dim 1."""
    jtorch.manual_seed(0)
    for mod in (jnn.Conv2d(32, 32, 5), jnn.ConvTranspose2d(6, 4, 3), jnn.Conv1d(4, 6, 3)):
        fan_in = mod.weight.shape[1] * math.prod(mod.weight.shape[2:])
        bound = 1 / math.sqrt(fan_in)
        for p in (mod.weight, mod.bias):
            v = p.detach().numpy()
            assert np.abs(v).max() <= bound
            assert np.abs(v).max() > 0.5 * bound
            if v.size >= 1000:
                assert np.abs(v).max() > 0.99 * bound
                assert abs(v.mean()) < 0.05 * bound
                assert v.var() == pytest.approx(bound ** 2 / 3, rel=0.05)


def test_conv_forward_uses_the_parameters_in_place():
    """`net[0].weight.data[...] = ...` style edits are seen by the next forward."""
    tmod, jmod = tnn.Conv2d(1, 6, 5, bias=False), jnn.Conv2d(1, 6, 5, bias=False)
    _copy_state(jmod, tmod)
    with torch.no_grad():
        tmod.weight[0, 0, 0, 0] = 100.0
    jmod.weight.data[0, 0, 0, 0] = 100.0
    tx, jx = _pair(_values((1, 1, 6, 6)), requires_grad=False)
    _close(jmod(jx), tmod(tx), atol=1e-4)


@pytest.mark.parametrize("make", [
    lambda nn: nn.Conv2d(4, 6, 3, groups=3),
    lambda nn: nn.Conv2d(4, 6, 3, groups=0),
    lambda nn: nn.Conv2d(4, 6, 3, stride=2, padding="same"),
    lambda nn: nn.Conv2d(4, 6, 3, padding_mode="mirror"),
    lambda nn: nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect"),
])
def test_conv_module_constructor_errors(make):
    with pytest.raises(ValueError) as expected:
        make(tnn)
    with pytest.raises(ValueError) as got:
        make(jnn)
    assert str(got.value).split("{")[0] == str(expected.value).split("{")[0]


# ---- pooling functionals ------------------------------------------------------------------------

POOL_CASES = {
    "max_pool2d": lambda F, x: F.max_pool2d(x, 2),
    "max_pool2d indices": lambda F, x: F.max_pool2d(x, 3, 2, 1, return_indices=True),
    "max_pool2d ceil": lambda F, x: F.max_pool2d(x, 3, 2, 1, ceil_mode=True, return_indices=True),
    "max_pool2d dilation": lambda F, x: F.max_pool2d(x, 3, 1, 1, dilation=2,
                                                     return_indices=True),
    "max_pool2d rect": lambda F, x: F.max_pool2d(x, (2, 3), (1, 2)),
    "max_pool2d unbatched": lambda F, x: F.max_pool2d(x[0], 2),
    "max_pool2d_with_indices": lambda F, x: F.max_pool2d_with_indices(x, 2),
    "max_pool1d": lambda F, x: F.max_pool1d(x[:, :, 0], 3, 2, 1, ceil_mode=True,
                                            return_indices=True),
    "max_pool1d unbatched": lambda F, x: F.max_pool1d(x[0, :, 0], 2),
    "max_pool3d": lambda F, x: F.max_pool3d(x[None], 2, ceil_mode=True, return_indices=True),
    "avg_pool2d": lambda F, x: F.avg_pool2d(x, 3, 2, 1),
    "avg_pool2d ceil": lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True),
    "avg_pool2d exclude pad": lambda F, x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True,
                                                        count_include_pad=False),
    "avg_pool2d divisor": lambda F, x: F.avg_pool2d(x, 3, 2, 1, divisor_override=5),
    "avg_pool1d": lambda F, x: F.avg_pool1d(x[:, :, 0], 4, 3, 2, ceil_mode=True),
    "avg_pool3d": lambda F, x: F.avg_pool3d(x[None], (2, 3, 2), ceil_mode=True),
    "adaptive_avg_pool2d": lambda F, x: F.adaptive_avg_pool2d(x, (4, 5)),
    "adaptive_avg_pool2d global": lambda F, x: F.adaptive_avg_pool2d(x, 1),
    "adaptive_avg_pool2d None": lambda F, x: F.adaptive_avg_pool2d(x, (3, None)),
    "adaptive_avg_pool2d up": lambda F, x: F.adaptive_avg_pool2d(x, (12, 13)),
    "adaptive_avg_pool1d": lambda F, x: F.adaptive_avg_pool1d(x[:, :, 0], 4),
    "adaptive_avg_pool3d": lambda F, x: F.adaptive_avg_pool3d(x[None], (2, 4, 3)),
    "adaptive_avg_pool3d global": lambda F, x: F.adaptive_avg_pool3d(x[None], 1),
    "adaptive_max_pool2d": lambda F, x: F.adaptive_max_pool2d(x, (4, 5), return_indices=True),
    "adaptive_max_pool2d up": lambda F, x: F.adaptive_max_pool2d(x, 12, return_indices=True),
    "adaptive_max_pool2d global": lambda F, x: F.adaptive_max_pool2d(x, 1, return_indices=True),
    "adaptive_max_pool1d": lambda F, x: F.adaptive_max_pool1d(x[:, :, 0], 4,
                                                              return_indices=True),
    "adaptive_max_pool3d": lambda F, x: F.adaptive_max_pool3d(x[None], (2, 4, 3),
                                                              return_indices=True),
    "lp_pool2d": lambda F, x: F.lp_pool2d(x, 2, 3, 2, ceil_mode=True),
    "lp_pool2d inf": lambda F, x: F.lp_pool2d(x, float("inf"), 3),
    "lp_pool1d": lambda F, x: F.lp_pool1d(x[:, :, 0] * x[:, :, 0] + 0.1, 3.0, 3),
    "lp_pool3d": lambda F, x: F.lp_pool3d(x[None], 2, 2),
    "max_unpool2d": lambda F, x: F.max_unpool2d(*F.max_pool2d(x[..., :8, :8], 2,
                                                              return_indices=True), 2),
    "max_unpool2d output_size": lambda F, x: F.max_unpool2d(
        *F.max_pool2d(x, 2, return_indices=True), 2, output_size=(9, 9)),
    "max_unpool1d": lambda F, x: F.max_unpool1d(*F.max_pool1d(x[:, :, 0, :8], 2,
                                                              return_indices=True), 2),
    "max_unpool3d": lambda F, x: F.max_unpool3d(*F.max_pool3d(x[None, ..., :8, :8], 2,
                                                              return_indices=True), 2),
}


# variations of configurations the default run already covers: run with `-m slow`
SLOW_POOL_CASES = {"max_pool2d rect", "max_pool2d unbatched", "max_pool2d_with_indices",
                   "max_pool1d unbatched", "avg_pool2d ceil", "avg_pool2d divisor",
                   "adaptive_avg_pool2d None", "adaptive_avg_pool2d up",
                   "adaptive_avg_pool3d global", "adaptive_max_pool2d up", "lp_pool2d inf",
                   "lp_pool3d", "max_unpool2d output_size", "max_unpool1d"}


@pytest.mark.parametrize("case", [pytest.param(c, marks=pytest.mark.slow)
                                  if c in SLOW_POOL_CASES else c for c in POOL_CASES])
def test_functional_pooling_matches_torch(case):
    """Inputs with many tied values: max-pool gradients must pick torch's (first) argmax."""
    _compare_call(POOL_CASES[case], _ties((2, 3, 9, 9)))


def test_max_pool_gradient_goes_to_the_first_maximum():
    tx, jx = _pair(np.ones((1, 1, 4, 4), np.float32))
    TF.max_pool2d(tx, 2).sum().backward()
    JF.max_pool2d(jx, 2).sum().backward()
    expected = np.zeros((4, 4), np.float32)
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(jx.grad.numpy()[0, 0], expected)
    _close(jx.grad, tx.grad)


@pytest.mark.parametrize("kernel", [2, 5])  # the select chain and the stacked argmax
def test_max_pool_nan_and_infinite_padding_follow_torch(kernel):
    """A NaN wins (the last one, as torch's loop picks); padding never does, even against
    -inf values."""
    nan = np.ones((1, 1, 5, 5), np.float32)
    nan[0, 0, 0, 1] = nan[0, 0, 1, 0] = np.nan
    _compare_call(lambda F, x: F.max_pool2d(x, kernel, return_indices=True), nan, grad=False)
    _compare_call(lambda F, x: F.adaptive_max_pool2d(x, 6 - kernel, return_indices=True), nan,
                  grad=False)
    neg_inf = np.full((1, 1, 5, 5), -np.inf, np.float32)
    _compare_call(lambda F, x: F.max_pool2d(x, kernel, padding=kernel // 2,
                                            return_indices=True), neg_inf)


@pytest.mark.parametrize("case", [
    lambda F, x: F.avg_pool2d(x, 2, padding=1, count_include_pad=False),
    lambda F, x: F.avg_pool2d(-x, 3, 2, ceil_mode=True),
    lambda F, x: F.max_pool2d(x, 2, padding=1, return_indices=True),
    lambda F, x: F.max_pool3d(x, 2),
])
def test_integer_pooling_matches_torch(case):
    _compare_call(case, (_values((2, 3, 6, 7)) * 10).astype(np.int64), grad=False)


@pytest.mark.parametrize("dtype,atol", [(np.float16, 2e-3), (np.float64, 1e-12)])
def test_pooling_keeps_the_input_dtype(dtype, atol):
    x = _values((2, 3, 6, 7), dtype=dtype)
    _compare_call(lambda F, x: F.avg_pool2d(x, 2), x, atol=atol, grad=False)
    _compare_call(lambda F, x: F.max_pool2d(x, 2), x, atol=atol, grad=False)
    _compare_call(lambda F, x: F.adaptive_avg_pool2d(x, 3), x, atol=atol, grad=False)


POOL_ERRORS = {
    "max_pool2d zero kernel": lambda F, x: F.max_pool2d(x, 0),
    "max_pool2d zero stride": lambda F, x: F.max_pool2d(x, 2, 0),
    "max_pool2d big pad": lambda F, x: F.max_pool2d(x, 2, padding=2),
    "max_pool2d negative pad": lambda F, x: F.max_pool2d(x, 2, padding=-1),
    "max_pool2d zero dilation": lambda F, x: F.max_pool2d(x, 2, dilation=0),
    "max_pool2d big kernel": lambda F, x: F.max_pool2d(x, 20),
    "max_pool2d kernel length": lambda F, x: F.max_pool2d(x, (2, 2, 2)),
    "max_pool2d stride length": lambda F, x: F.max_pool2d(x, 2, (1, 2, 3)),
    "max_pool2d dims": lambda F, x: F.max_pool2d(x[0, 0], 2),
    "max_pool1d zero kernel": lambda F, x: F.max_pool1d(x[0], 0),
    "max_pool1d big pad": lambda F, x: F.max_pool1d(x[0], 2, padding=2),
    "max_pool1d big kernel": lambda F, x: F.max_pool1d(x[0], 20),
    "max_pool1d dims": lambda F, x: F.max_pool1d(x, 2),
    "max_pool3d dims": lambda F, x: F.max_pool3d(x[0, 0], 2),
    "avg_pool1d dims": lambda F, x: F.avg_pool1d(x, 2),
    "avg_pool1d big kernel": lambda F, x: F.avg_pool1d(x[0], 20),
    "avg_pool1d kernel length": lambda F, x: F.avg_pool1d(x[0], (2, 2)),
    "avg_pool2d dims": lambda F, x: F.avg_pool2d(x[None], 2),
    "avg_pool2d zero divisor": lambda F, x: F.avg_pool2d(x, 2, divisor_override=0),
    "avg_pool2d big pad": lambda F, x: F.avg_pool2d(x, 2, padding=2),
    "avg_pool3d big kernel": lambda F, x: F.avg_pool3d(x, 20),
    "adaptive_avg_pool2d dims": lambda F, x: F.adaptive_avg_pool2d(x[0, 0, 0], 2),
    "adaptive_avg_pool2d size length": lambda F, x: F.adaptive_avg_pool2d(x, (2, 2, 2)),
    "adaptive_avg_pool2d negative": lambda F, x: F.adaptive_avg_pool2d(x, -1),
    "adaptive_avg_pool1d dims": lambda F, x: F.adaptive_avg_pool1d(x, 2),
    "adaptive_max_pool2d dims": lambda F, x: F.adaptive_max_pool2d(x[0, 0, 0], 2),
    "adaptive_avg_pool2d long": lambda F, x: F.adaptive_avg_pool2d(x.long(), 2),
    "adaptive_max_pool3d long": lambda F, x: F.adaptive_max_pool3d(x.long(), 2),
    "max_unpool2d int32 indices": lambda F, x: F.max_unpool2d(x, x.int(), 2),
    "max_unpool2d index shape": lambda F, x: F.max_unpool2d(x, x[..., :2].long(), 2),
    "max_unpool2d output_size": lambda F, x: F.max_unpool2d(x, x.long(), 2, output_size=(3, 3)),
    "max_unpool2d invalid index": lambda F, x: F.max_unpool2d(x, (x.abs() * 0 + 1000).long(), 2),
}


@pytest.mark.parametrize("case", list(POOL_ERRORS))
def test_pooling_errors_match_torch(case):
    _same_error(POOL_ERRORS[case], _values((2, 3, 6, 7)))


# ---- pooling modules --------------------------------------------------------------------------

POOL_MODULES = [
    ("MaxPool1d", (3, 2, 1), {"ceil_mode": True}, (2, 3, 10)),
    ("MaxPool2d", (), {"kernel_size": 2}, (2, 3, 8, 9)),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1, "dilation": 1}, (2, 3, 8, 9)),
    ("MaxPool3d", ((1, 2, 2),), {}, (1, 2, 3, 4, 5)),
    ("AvgPool1d", (3,), {"count_include_pad": False, "padding": 1}, (2, 3, 10)),
    ("AvgPool2d", (2, 1, 1, True, False, 3), {}, (2, 3, 8, 9)),
    ("AvgPool3d", (2,), {"ceil_mode": True}, (1, 2, 3, 4, 5)),
    ("LPPool1d", (1.5, 3, 2), {}, (2, 3, 10)),
    ("LPPool2d", (2, 3), {}, (2, 3, 8, 9)),
    ("LPPool3d", (2, 2), {}, (1, 2, 3, 4, 5)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 10)),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (2, 3, 8, 9)),
    ("AdaptiveAvgPool2d", ((None, 2),), {}, (3, 8, 9)),
    ("AdaptiveAvgPool3d", ((2, 3, 2),), {}, (1, 2, 3, 4, 5)),
    ("AdaptiveMaxPool1d", (4,), {}, (2, 3, 10)),
    ("AdaptiveMaxPool2d", (3,), {}, (2, 3, 8, 9)),
    ("AdaptiveMaxPool3d", (1,), {}, (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", [
    pytest.param(*case, marks=pytest.mark.slow) if case[0].endswith("3d") else case
    for case in POOL_MODULES])
def test_pooling_module_matches_torch(cls, args, kwargs, shape):
    tmod, jmod = getattr(tnn, cls)(*args, **kwargs), getattr(jnn, cls)(*args, **kwargs)
    assert repr(jmod) == repr(tmod)
    assert jmod.state_dict() == {} and dict(tmod.state_dict()) == {}
    values = _ties(shape) if "Max" in cls else np.abs(_values(shape)) + 0.1
    _compare_module(jmod, tmod, values)


def test_pooling_module_reprs():
    assert repr(jnn.MaxPool2d(2)) == \
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(jnn.AvgPool1d(3)) == repr(tnn.AvgPool1d(3)) == \
        "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"


def test_max_pool_module_return_indices_and_unpool_roundtrip():
    tpool, jpool = tnn.MaxPool2d(2, return_indices=True), jnn.MaxPool2d(2, return_indices=True)
    tunpool, junpool = tnn.MaxUnpool2d(2), jnn.MaxUnpool2d(2)
    assert repr(junpool) == repr(tunpool)
    tx, jx = _pair(_ties((2, 3, 8, 8)))
    (ty, ti), (jy, ji) = tpool(tx), jpool(jx)
    _close(ji, ti)
    assert not ji.requires_grad
    tu, ju = tunpool(ty, ti), junpool(jy, ji)
    _close(ju, tu)
    _close(junpool(jy, ji, output_size=[2, 3, 9, 9]), tunpool(ty, ti, output_size=[2, 3, 9, 9]))
    assert ju.grad_fn.name() == tu.grad_fn.name()
    tu.sum().backward()
    ju.sum().backward()
    _close(jx.grad, tx.grad)
    for cls, pool, shape in (("MaxUnpool1d", "max_pool1d", (2, 3, 8)),
                             ("MaxUnpool3d", "max_pool3d", (1, 2, 4, 4, 4))):
        unpools = {TF: getattr(tnn, cls)(2), JF: getattr(jnn, cls)(2)}
        assert repr(unpools[JF]) == repr(unpools[TF])

        def roundtrip(F, x, pool=pool, unpools=unpools):
            return unpools[F](*getattr(F, pool)(x, 2, return_indices=True))

        _compare_call(roundtrip, _ties(shape))


def test_adaptive_max_pool_module_return_indices():
    tmod, jmod = tnn.AdaptiveMaxPool2d((3, 4), True), jnn.AdaptiveMaxPool2d((3, 4), True)
    tx, jx = _pair(_ties((2, 3, 7, 9)), requires_grad=False)
    for t, j in zip(tmod(tx), jmod(jx)):
        _close(j, t)


def test_avg_pool_on_integers_truncates_like_torch():
    x = jtorch.arange(25).reshape(1, 1, 5, 5)
    assert JF.avg_pool2d(-x, 2).tolist() == [[[[-3, -5], [-13, -15]]]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert JF.avg_pool2d(x, 2).dtype is jtorch.int64
