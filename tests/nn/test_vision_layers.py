"""Padding, resampling and the other vision layers against torch: F.pad and the padding
modules, F.interpolate and Upsample*, pixel (un)shuffle, fold/unfold, grid_sample,
affine_grid, Flatten/Unflatten; values, gradients, grad_fn names, reprs and errors."""

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


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _close(jt, t, rtol=RTOL, atol=ATOL):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _compare_call(fn, *arrays, atol=ATOL, grad=True):
    """fn(F, *tensors) on torch and jtorch: outputs, grad_fn name, and the gradients of the
    weighted sum of the output with respect to every float input."""
    pairs = [_pair(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tout = fn(TF, *(t for t, _ in pairs))
        jout = fn(JF, *(j for _, j in pairs))
    _close(jout, tout, atol=atol)
    if not tout.requires_grad:
        return
    assert jout.grad_fn.name() == tout.grad_fn.name()
    w = _values(tuple(tout.shape), seed=99)
    tout.backward(torch.tensor(w))
    jout.backward(jtorch.tensor(w))
    for t, j in pairs:
        if t.requires_grad:
            _close(j.grad, t.grad, atol=atol)


def _same_error(fn, *arrays):
    """Same exception type; jtorch's message contains torch's first sentence."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        with pytest.raises(Exception) as expected:
            fn(TF, *(torch.tensor(a) for a in arrays))
        with pytest.raises(type(expected.value)) as got:
            fn(JF, *(jtorch.tensor(a) for a in arrays))
    first = str(expected.value).split("\n")[0].split(". ")[0]
    assert first in str(got.value)


# ---- F.pad --------------------------------------------------------------------------------------

PAD_CASES = [
    ((3, 4, 5), (1, 2)),
    ((3, 4, 5), (-1, 2)),
    ((3, 4, 5), (2, -1)),
    ((3, 4, 5), (4, 4)),
    ((2, 3, 4, 5), (1, 2, 3, 1)),
    ((3, 4, 5), (1, 2, 2, 1)),
    ((2, 3, 4, 5), (1, 1, 1, 1, 1, 1)),
    ((1, 2, 3, 4, 5), (1, 2, 0, 1, 2, 1)),
    ((4, 5), (1, 1)),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", [case if i in (1, 2, 4, 7) else
                                       pytest.param(*case, marks=pytest.mark.slow)
                                       for i, case in enumerate(PAD_CASES)])
def test_pad_matches_torch(mode, shape, pad):
    _compare_call(lambda F, x: F.pad(x, pad, mode), _values(shape))


def test_constant_pad_values_and_dtypes():
    _compare_call(lambda F, x: F.pad(x, (1, 1, 0, 2), value=2.5), _values((2, 3, 4)))
    _compare_call(lambda F, x: F.pad(x, (1, 1), value=2.7),
                  (_values((2, 3)) * 10).astype(np.int64))
    _compare_call(lambda F, x: F.pad(x, (2, 1), value=True), _values((2, 3)) > 0)
    _compare_call(lambda F, x: F.pad(x, (1, 1, 1, 1, 1, 1, 1, 1)), _values((2, 3, 4, 5)))
    _compare_call(lambda F, x: F.pad(x, [1, 1]), _values((5,)))


PAD_ERRORS = {
    "odd length": lambda F, x: F.pad(x, (1,)),
    "too long": lambda F, x: F.pad(x, (1,) * 10),
    "float amount": lambda F, x: F.pad(x, (1.0, 1)),
    "unknown mode": lambda F, x: F.pad(x, (1, 1), "mirror"),
    "value with reflect": lambda F, x: F.pad(x, (1, 1), "reflect", value=1.0),
    "reflect too wide": lambda F, x: F.pad(x[0], (5, 1), "reflect"),
    "reflect 2-d too wide": lambda F, x: F.pad(x, (1, 1, 4, 1), "reflect"),
    "reflect pad size vs dims": lambda F, x: F.pad(x, (1, 1), "reflect"),
    "reflect 1-d input": lambda F, x: F.pad(x[0, 0, 0], (1, 1), "reflect"),
    "reflect crops everything": lambda F, x: F.pad(x[0], (-3, -3), "reflect"),
    "replicate crops everything": lambda F, x: F.pad(x[0], (-3, -3), "replicate"),
    "replicate empty dim": lambda F, x: F.pad(x[0, :, :0], (1, 1), "replicate"),
    "circular wraps twice": lambda F, x: F.pad(x[0], (6, 1), "circular"),
    "circular crops everything": lambda F, x: F.pad(x[0], (-3, -3), "circular"),
    "constant crops past zero": lambda F, x: F.pad(x, (-3, -3)),
}


@pytest.mark.parametrize("case", list(PAD_ERRORS))
def test_pad_errors_match_torch(case):
    _same_error(PAD_ERRORS[case], _values((2, 3, 4, 5)))


PAD_MODULES = [
    ("ZeroPad1d", (2,), (2, 3, 5)), ("ZeroPad2d", ((1, 0, 2, 1),), (2, 3, 4, 5)),
    ("ZeroPad3d", (1,), (1, 2, 3, 4, 5)), ("ConstantPad1d", ((1, 2), 3.5), (3, 5)),
    ("ConstantPad2d", (1, -1.0), (2, 3, 4, 5)), ("ConstantPad3d", ((1, 0, 0, 1, 1, 0), 2),
                                                 (2, 3, 4, 5)),
    ("ReflectionPad1d", (2,), (2, 3, 5)), ("ReflectionPad2d", ((1, 1, 2, 0),), (2, 3, 4, 5)),
    ("ReflectionPad3d", (1,), (1, 2, 3, 4, 5)), ("ReplicationPad1d", ((3, 1),), (3, 5)),
    ("ReplicationPad2d", (2,), (2, 3, 4, 5)), ("ReplicationPad3d", (1,), (2, 3, 4, 5)),
    ("CircularPad1d", (1,), (2, 3, 5)), ("CircularPad2d", ((1, 0, 2, 1),), (3, 4, 5)),
    ("CircularPad3d", (1,), (1, 2, 3, 4, 5)),
]


@pytest.mark.parametrize("cls,args,shape", [
    pytest.param(*case, marks=pytest.mark.slow) if case[0].endswith("3d") else case
    for case in PAD_MODULES])
def test_padding_module_matches_torch(cls, args, shape):
    tmod, jmod = getattr(tnn, cls)(*args), getattr(jnn, cls)(*args)
    assert repr(jmod) == repr(tmod)
    assert jmod.padding == tmod.padding
    _compare_call(lambda F, x: (jmod if F is JF else tmod)(x), _values(shape))


def test_circular_pad_module_checks_input_dims():
    for nn, lib in ((tnn, torch), (jnn, jtorch)):
        with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
            nn.CircularPad2d(1)(lib.ones(3, 4))


# ---- interpolate -------------------------------------------------------------------------------

INTERPOLATE_CASES = [
    ("nearest", (2, 3, 7), {"scale_factor": 1.7}),
    ("nearest", (2, 3, 6, 7), {"size": (13, 5)}),
    ("nearest", (2, 3, 6, 7), {"scale_factor": 2}),
    ("nearest", (1, 2, 3, 4, 5), {"scale_factor": 0.5}),
    ("nearest-exact", (2, 3, 6, 7), {"size": (5, 13)}),
    ("nearest-exact", (2, 3, 7), {"scale_factor": 2.3, "recompute_scale_factor": True}),
    ("linear", (2, 3, 7), {"scale_factor": 1.7}),
    ("linear", (2, 3, 7), {"size": 13, "align_corners": True}),
    ("bilinear", (2, 3, 6, 7), {"scale_factor": 2}),
    ("bilinear", (2, 3, 6, 7), {"size": (5, 13), "align_corners": True}),
    ("bilinear", (2, 3, 6, 7), {"size": (1, 1)}),
    ("bicubic", (2, 3, 6, 7), {"scale_factor": 1.7}),
    ("bicubic", (2, 3, 6, 7), {"size": (5, 13), "align_corners": True}),
    ("trilinear", (1, 2, 3, 4, 5), {"scale_factor": 2}),
    ("trilinear", (1, 2, 3, 4, 5), {"size": (2, 5, 3), "align_corners": True}),
    ("area", (2, 3, 6, 7), {"size": (4, 3)}),
    ("area", (2, 3, 7), {"scale_factor": 0.5}),
    ("area", (1, 2, 3, 4, 5), {"size": 1}),
    ("bilinear", (2, 3, 16, 17), {"size": (5, 7), "antialias": True}),
    ("bicubic", (2, 3, 16, 17), {"scale_factor": 0.3, "antialias": True,
                                 "align_corners": True}),
]


SLOW_INTERPOLATE_CASES = (0, 3, 5, 7, 10, 15, 16)  # run only with `-m slow`


@pytest.mark.parametrize("mode,shape,kwargs", [
    pytest.param(*case, marks=pytest.mark.slow) if i in SLOW_INTERPOLATE_CASES else case
    for i, case in enumerate(INTERPOLATE_CASES)])
def test_interpolate_matches_torch(mode, shape, kwargs):
    _compare_call(lambda F, x: F.interpolate(x, mode=mode, **kwargs), _values(shape))


@pytest.mark.parametrize("mode,antialias", [("nearest", False), ("nearest-exact", False),
                                            ("bilinear", False), ("bilinear", True),
                                            ("bicubic", False), ("bicubic", True)])
def test_interpolate_uint8_images_match_torch_exactly(mode, antialias):
    """torch resizes uint8 images in fixed point; jtorch reproduces it bit for bit."""
    image = (np.random.default_rng(0).random((2, 3, 16, 17)) * 255).astype(np.uint8)
    for size in ((5, 7), (30, 31)):
        expected = TF.interpolate(torch.tensor(image), size=size, mode=mode, antialias=antialias)
        got = JF.interpolate(jtorch.tensor(image), size=size, mode=mode, antialias=antialias)
        assert got.dtype is jtorch.uint8
        np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_interpolate_keeps_half_and_double():
    _compare_call(lambda F, x: F.interpolate(x, size=(5, 9), mode="bilinear"),
                  _values((1, 2, 6, 7), dtype=np.float16), atol=2e-3, grad=False)
    _compare_call(lambda F, x: F.interpolate(x, size=(5, 9), mode="bicubic"),
                  _values((1, 2, 6, 7), dtype=np.float64), atol=1e-10)


INTERPOLATE_ERRORS = {
    "size and scale": lambda F, x: F.interpolate(x, size=3, scale_factor=2),
    "neither": lambda F, x: F.interpolate(x),
    "unknown mode": lambda F, x: F.interpolate(x, size=3, mode="lanczos3"),
    "linear on 4-d": lambda F, x: F.interpolate(x, size=3, mode="linear"),
    "trilinear on 4-d": lambda F, x: F.interpolate(x, size=3, mode="trilinear"),
    "bilinear on 3-d": lambda F, x: F.interpolate(x[0], size=3, mode="bilinear"),
    "align_corners with nearest": lambda F, x: F.interpolate(x, size=3, align_corners=True),
    "size length": lambda F, x: F.interpolate(x, size=(3, 3, 3)),
    "scale length": lambda F, x: F.interpolate(x, scale_factor=(2, 2, 2)),
    "float size": lambda F, x: F.interpolate(x, size=(2.0, 3)),
    "2-d input": lambda F, x: F.interpolate(x[0, 0], size=2),
    "antialias with nearest": lambda F, x: F.interpolate(x, size=2, antialias=True),
    "recompute with size": lambda F, x: F.interpolate(x, size=2, recompute_scale_factor=True),
    "zero size": lambda F, x: F.interpolate(x, size=0),
    "tiny scale": lambda F, x: F.interpolate(x, scale_factor=0.01),
    "long nearest": lambda F, x: F.interpolate(x.long(), size=3),
    "long bilinear": lambda F, x: F.interpolate(x.long(), size=3, mode="bilinear"),
    "long area": lambda F, x: F.interpolate(x.long(), size=3, mode="area"),
}


@pytest.mark.parametrize("case", list(INTERPOLATE_ERRORS))
def test_interpolate_errors_match_torch(case):
    _same_error(INTERPOLATE_ERRORS[case], _values((2, 3, 6, 7)))


UPSAMPLE_MODULES = [
    ("Upsample", (), {"scale_factor": 2}, (2, 3, 4, 5)),
    ("Upsample", (), {"size": (3, 4), "mode": "bilinear", "align_corners": True}, (2, 3, 4, 5)),
    ("Upsample", (), {"scale_factor": (2, 3), "mode": "bicubic"}, (2, 3, 4, 5)),
    ("Upsample", (), {"scale_factor": 1.5, "mode": "linear"}, (2, 3, 4)),
    ("Upsample", (), {"scale_factor": 2, "mode": "trilinear"}, (1, 2, 2, 3, 2)),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}, (2, 3, 4, 5)),
    ("UpsamplingBilinear2d", (), {"size": 5}, (2, 3, 4, 5)),
]


@pytest.mark.parametrize("cls,args,kwargs,shape", UPSAMPLE_MODULES)
def test_upsample_module_matches_torch(cls, args, kwargs, shape):
    tmod, jmod = getattr(tnn, cls)(*args, **kwargs), getattr(jnn, cls)(*args, **kwargs)
    assert repr(jmod) == repr(tmod)
    assert (jmod.scale_factor, jmod.size, jmod.mode, jmod.align_corners) == \
        (tmod.scale_factor, tmod.size, tmod.mode, tmod.align_corners)
    _compare_call(lambda F, x: (jmod if F is JF else tmod)(x), _values(shape))


def test_deprecated_upsample_functions_warn_and_interpolate():
    x = _values((1, 2, 3, 4))
    for name, kwargs in (("upsample", {"scale_factor": 2}), ("upsample_nearest", {"size": 5}),
                         ("upsample_bilinear", {"scale_factor": 2})):
        with pytest.warns(UserWarning, match="deprecated"):
            expected = getattr(TF, name)(torch.tensor(x), **kwargs)
        with pytest.warns(UserWarning, match="deprecated"):
            got = getattr(JF, name)(jtorch.tensor(x), **kwargs)
        _close(got, expected)


# ---- pixel shuffle, fold, unfold ----------------------------------------------------------------

SHUFFLE_CASES = {
    "pixel_shuffle": (lambda F, x: F.pixel_shuffle(x, 2), (2, 8, 3, 4)),
    "pixel_shuffle 5-d": (lambda F, x: F.pixel_shuffle(x, 2), (2, 2, 8, 3, 4)),
    "pixel_shuffle 3-d": (lambda F, x: F.pixel_shuffle(x, 3), (9, 2, 2)),
    "pixel_unshuffle": (lambda F, x: F.pixel_unshuffle(x, 2), (2, 3, 4, 6)),
    "pixel_unshuffle 1": (lambda F, x: F.pixel_unshuffle(x, 1), (2, 3, 4, 6)),
    "unfold": (lambda F, x: F.unfold(x, 3), (2, 3, 7, 8)),
    "unfold strided": (lambda F, x: F.unfold(x, (2, 3), dilation=(2, 1), padding=(1, 2),
                                             stride=(2, 3)), (2, 3, 7, 8)),
    "unfold unbatched": (lambda F, x: F.unfold(x, 2), (3, 7, 8)),
    "fold": (lambda F, x: F.fold(x, (7, 8), 3), (2, 27, 30)),
    "fold unbatched": (lambda F, x: F.fold(x, (7, 8), 3), (27, 30)),
    "fold of unfold": (lambda F, x: F.fold(F.unfold(x, (2, 3), dilation=(2, 1), padding=(1, 2),
                                                    stride=(2, 3)),
                                           (7, 8), (2, 3), dilation=(2, 1), padding=(1, 2),
                                           stride=(2, 3)), (2, 3, 7, 8)),
}


@pytest.mark.parametrize("case", [
    pytest.param(c, marks=pytest.mark.slow) if c.endswith(("3-d", "unbatched", " 1")) else c
    for c in SHUFFLE_CASES])
def test_rearrangements_match_torch(case):
    fn, shape = SHUFFLE_CASES[case]
    _compare_call(fn, _values(shape))


def test_pixel_shuffle_keeps_integers():
    _compare_call(lambda F, x: F.pixel_shuffle(x, 2), np.arange(32).reshape(1, 8, 2, 2))


REARRANGE_ERRORS = {
    "shuffle channels": lambda F, x: F.pixel_shuffle(x, 3),
    "shuffle dims": lambda F, x: F.pixel_shuffle(x[0, 0], 2),
    "shuffle factor": lambda F, x: F.pixel_shuffle(x, 0),
    "unshuffle height": lambda F, x: F.pixel_unshuffle(x[..., :5, :], 2),
    "unshuffle width": lambda F, x: F.pixel_unshuffle(x[..., :5], 2),
    "unshuffle factor": lambda F, x: F.pixel_unshuffle(x, 0),
    "unfold 5-d": lambda F, x: F.unfold(x[None], 2),
    "unfold 2-d": lambda F, x: F.unfold(x[0, 0], 2),
    "unfold 1-d": lambda F, x: F.unfold(x[0, 0, 0], 2),
    "unfold kernel too big": lambda F, x: F.unfold(x, 9),
    "unfold zero kernel": lambda F, x: F.unfold(x, 0),
    "unfold kernel length": lambda F, x: F.unfold(x, (2, 2, 2)),
    "unfold long": lambda F, x: F.unfold(x.long(), 2),
    "fold channels": lambda F, x: F.fold(x[:, :5, :4], (3, 3), 2),
    "fold 4-d": lambda F, x: F.fold(x, (3, 3), 2),
    "fold blocks": lambda F, x: F.fold(x[:, :4, :5], (3, 3), 2),
}


@pytest.mark.parametrize("case", list(REARRANGE_ERRORS))
def test_rearrangement_errors_match_torch(case):
    _same_error(REARRANGE_ERRORS[case], _values((2, 8, 6, 8)))


@pytest.mark.parametrize("cls,args,shape", [
    ("PixelShuffle", (2,), (2, 8, 3, 4)), ("PixelUnshuffle", (2,), (2, 3, 4, 6)),
    ("Unfold", ((2, 3),), (2, 3, 7, 8)), ("Fold", ((4, 5), 2), (2, 12, 12)),
])
def test_rearrangement_modules_match_torch(cls, args, shape):
    tmod, jmod = getattr(tnn, cls)(*args), getattr(jnn, cls)(*args)
    assert repr(jmod) == repr(tmod)
    _compare_call(lambda F, x: (jmod if F is JF else tmod)(x), _values(shape))


# ---- grid_sample / affine_grid -----------------------------------------------------------------

GRID_SAMPLE_2D = [(mode, padding, align) for mode in ("bilinear", "nearest", "bicubic")
                  for padding in ("zeros", "border", "reflection") for align in (False, True)]
GRID_SAMPLE_2D_DEFAULT = {("bilinear", "zeros", False), ("bilinear", "border", True),
                          ("bilinear", "reflection", False), ("nearest", "reflection", True),
                          ("bicubic", "zeros", False), ("bicubic", "reflection", True)}


@pytest.mark.parametrize("mode,padding_mode,align_corners", [
    case if case in GRID_SAMPLE_2D_DEFAULT else pytest.param(*case, marks=pytest.mark.slow)
    for case in GRID_SAMPLE_2D])
def test_grid_sample_2d_matches_torch(mode, padding_mode, align_corners):
    """Grid points reach past the border, so every padding mode matters; gradients flow to
    the input and (except for nearest) to the grid."""
    grid = np.random.default_rng(1).uniform(-1.3, 1.3, (2, 4, 7, 2)).astype(np.float32)
    _compare_call(lambda F, x, g: F.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                align_corners=align_corners),
                  _values((2, 3, 5, 6)), grid, atol=1e-4)


@pytest.mark.parametrize("mode,padding_mode", [
    ("bilinear", "zeros"), ("nearest", "reflection"),
    pytest.param("bilinear", "reflection", marks=pytest.mark.slow),
    pytest.param("nearest", "zeros", marks=pytest.mark.slow)])
def test_grid_sample_3d_matches_torch(mode, padding_mode):
    grid = np.random.default_rng(1).uniform(-1.3, 1.3, (2, 3, 4, 2, 3)).astype(np.float32)
    _compare_call(lambda F, x, g: F.grid_sample(x, g, mode=mode, padding_mode=padding_mode,
                                                align_corners=False),
                  _values((2, 2, 3, 4, 5)), grid, atol=1e-4)


@pytest.mark.parametrize("align_corners", [False, True])
def test_affine_grid_and_spatial_transformer_match_torch(align_corners):
    theta = _values((2, 2, 3), seed=3)
    _compare_call(lambda F, t: F.affine_grid(t, (2, 3, 4, 5), align_corners=align_corners),
                  theta)
    _compare_call(lambda F, t: F.affine_grid(t, (2, 3, 4, 5, 6), align_corners=align_corners),
                  _values((2, 3, 4), seed=4))
    _compare_call(lambda F, t: F.affine_grid(t, (2, 3, 1, 5), align_corners=align_corners),
                  theta)
    _compare_call(lambda F, t, x: F.grid_sample(x, F.affine_grid(t, (2, 3, 4, 5),
                                                                 align_corners=align_corners),
                                                align_corners=align_corners),
                  theta, _values((2, 3, 5, 6)), atol=1e-4)


def test_grid_sample_warns_without_align_corners():
    x, g = jtorch.ones(1, 1, 2, 2), jtorch.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        JF.grid_sample(x, g)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        JF.affine_grid(jtorch.zeros(1, 2, 3), (1, 1, 2, 2))


GRID_ERRORS = {
    "grid dims": lambda F, x, g: F.grid_sample(x, g[None], align_corners=False),
    "batch": lambda F, x, g: F.grid_sample(x, g[:1], align_corners=False),
    "dtype": lambda F, x, g: F.grid_sample(x, g.double(), align_corners=False),
    "mode": lambda F, x, g: F.grid_sample(x, g, mode="area"),
    "padding mode": lambda F, x, g: F.grid_sample(x, g, padding_mode="wrap"),
    "last dim": lambda F, x, g: F.grid_sample(x, g[..., :1], align_corners=False),
    "3-d input": lambda F, x, g: F.grid_sample(x[0], g[0], align_corners=False),
    "bicubic 5-d": lambda F, x, g: F.grid_sample(x[..., None], g[..., None, :].expand(
        2, 4, 7, 1, 2)[..., :1].expand(2, 4, 7, 1, 3), mode="bicubic", align_corners=False),
    "theta dtype": lambda F, x, g: F.affine_grid(g[:, :2, :3, 0].long(), (2, 1, 2, 2),
                                                 align_corners=False),
    "theta shape": lambda F, x, g: F.affine_grid(g[:, :3, :3, 0], (2, 1, 2, 2),
                                                 align_corners=False),
    "size length": lambda F, x, g: F.affine_grid(g[:, :2, :3, 0], (2, 1, 2),
                                                 align_corners=False),
    "empty size": lambda F, x, g: F.affine_grid(g[:, :2, :3, 0], (2, 1, 0, 2),
                                                align_corners=False),
}


@pytest.mark.parametrize("case", list(GRID_ERRORS))
def test_grid_errors_match_torch(case):
    _same_error(GRID_ERRORS[case], _values((2, 3, 5, 6)), _values((2, 4, 7, 2)))


# ---- Flatten / Unflatten -----------------------------------------------------------------------

@pytest.mark.parametrize("args", [(), (0, 2), (-3, -2), (2,)])
def test_flatten_matches_torch(args):
    tmod, jmod = tnn.Flatten(*args), jnn.Flatten(*args)
    assert repr(jmod) == repr(tmod)
    _compare_call(lambda F, x: (jmod if F is JF else tmod)(x), _values((2, 3, 4, 5)))


@pytest.mark.parametrize("dim,sizes", [(1, (2, 6)), (-1, (5, 1)), (1, (-1, 3)), (0, [2, 1])])
def test_unflatten_matches_torch(dim, sizes):
    tmod, jmod = tnn.Unflatten(dim, sizes), jnn.Unflatten(dim, sizes)
    assert repr(jmod) == repr(tmod)
    _compare_call(lambda F, x: (jmod if F is JF else tmod)(x), _values((2, 12, 5)))


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.Unflatten(1, 5), None),
    (lambda nn: nn.Unflatten(1, (2.0, 5)), None),
    (lambda nn: nn.Unflatten(1, (5, 5)), (2, 12)),
    (lambda nn: nn.Unflatten(1, (-1, 5)), (2, 12)),
    (lambda nn: nn.Flatten(1, 5), (2, 12)),
])
def test_flatten_errors_match_torch(make, shape):
    def run(nn, lib):
        module = make(nn)
        return module(lib.ones(*shape)) if shape else module

    with pytest.raises(Exception) as expected:
        run(tnn, torch)
    with pytest.raises(type(expected.value)) as got:
        run(jnn, jtorch)
    assert str(expected.value).split(". ")[0] in str(got.value)
