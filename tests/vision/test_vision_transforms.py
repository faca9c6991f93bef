"""jtorch.vision.transforms against torchvision's on the same PIL images and tensors:
deterministic transforms exactly (PIL paths and exact tensor math) or to float tolerance
(resampling, blur, rotation on tensors), random ones by distribution and shape; reprs,
errors, v2 basics, utils.make_grid/save_image."""

import warnings

import numpy as np
import pytest
from PIL import Image

import jtorch
from jtorch.utils.data._utils import host
from jtorch.vision import transforms as JT
from jtorch.vision import utils as JU
from jtorch.vision.transforms import functional as JF
from jtorch.vision.transforms import v2 as JV2

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def TT(tv):
    return tv.transforms


@pytest.fixture(scope="module")
def TF(tv):
    return tv.transforms.functional


RNG = np.random.default_rng(0)
RGB = Image.fromarray(RNG.integers(0, 256, (29, 37, 3), dtype=np.uint8), "RGB")
GRAY = Image.fromarray(RNG.integers(0, 256, (23, 17), dtype=np.uint8), "L")
# a smooth image: resampling differences show as small numeric noise, not aliasing
_yy, _xx = np.mgrid[0:31, 0:41]
SMOOTH = Image.fromarray(np.stack([(_xx * 6) % 256, (_yy * 8) % 256, (_xx + _yy) * 3 % 256],
                                  -1).astype(np.uint8), "RGB")


# the corners of a 37 x 29 image and where a perspective warp moves them
START = [[0, 0], [36, 0], [36, 28], [0, 28]]
END = [[3, 2], [33, 1], [35, 25], [2, 27]]


def same(j_out, t_out, atol=0.0, uint8_atol=0):
    """PIL images equal pixel for pixel; tensors equal in dtype/shape and values."""
    if isinstance(t_out, Image.Image):
        assert isinstance(j_out, Image.Image), type(j_out)
        assert (j_out.mode, j_out.size) == (t_out.mode, t_out.size)
        np.testing.assert_array_equal(np.asarray(j_out), np.asarray(t_out))
        return
    assert isinstance(j_out, jtorch.Tensor), type(j_out)
    assert str(j_out.dtype) == str(t_out.dtype) and tuple(j_out.shape) == tuple(t_out.shape)
    j, t = j_out.detach().numpy(), t_out.detach().numpy()
    if t.dtype == np.uint8:
        assert np.abs(j.astype(int) - t.astype(int)).max(initial=0) <= uint8_atol
    elif atol:
        np.testing.assert_allclose(j, t, atol=atol, rtol=0)
    else:
        np.testing.assert_array_equal(j, t)


def j_tensor(t):
    return jtorch.tensor(t.numpy())


# ---- deterministic transforms on PIL images: identical --------------------------------------

PIL_CASES = [
    ("Resize", (10,), {}), ("Resize", ((12, 9),), {}), ("Resize", (15,), {"max_size": 20}),
    ("Resize", ((8, 30),), {"interpolation": "NEAREST"}),
    ("Resize", (50,), {"interpolation": "BICUBIC"}), ("CenterCrop", (11,), {}),
    ("CenterCrop", ((40, 50),), {}), ("Pad", (3,), {}), ("Pad", ((1, 2),), {"fill": 9}),
    ("Pad", ((1, 2, 3, 4),), {"padding_mode": "reflect"}),
    ("Pad", (2,), {"padding_mode": "edge"}), ("Pad", (4,), {"padding_mode": "symmetric"}),
    ("Pad", (2,), {"fill": (10, 20, 30)}),
    ("Grayscale", (), {}), ("Grayscale", (3,), {}), ("ToTensor", (), {}),
    ("PILToTensor", (), {}),
]


@pytest.mark.parametrize("name, args, kwargs, image", [
    (*case, image) for case in PIL_CASES for image in ("RGB", "GRAY")
    if not (image == "GRAY" and case[2].get("fill") == (10, 20, 30))])  # 3 fills, 3 channels
def test_pil_transforms_match_torchvision(TT, name, args, kwargs, image):
    img = {"RGB": RGB, "GRAY": GRAY}[image]
    if "interpolation" in kwargs:
        j_kwargs = {**kwargs, "interpolation": getattr(JT.InterpolationMode,
                                                       kwargs["interpolation"])}
        kwargs = {**kwargs, "interpolation": getattr(TT.InterpolationMode,
                                                     kwargs["interpolation"])}
    else:
        j_kwargs = kwargs
    j, t = getattr(JT, name)(*args, **j_kwargs), getattr(TT, name)(*args, **kwargs)
    same(j(img), t(img))
    assert repr(j) == repr(t)


FUNCTIONAL_PIL = [
    ("hflip", ()), ("vflip", ()), ("crop", (3, 4, 10, 12)), ("crop", (-2, -3, 40, 50)),
    ("resized_crop", (2, 3, 20, 25, [9, 11])), ("adjust_brightness", (1.7,)),
    ("adjust_contrast", (0.4,)), ("adjust_saturation", (2.5,)), ("adjust_hue", (0.2,)),
    ("adjust_hue", (-0.45,)), ("rotate", (33.0,)), ("rotate", (-70, JF.InterpolationMode.BILINEAR,
                                                             True)),
    ("rotate", (20, JF.InterpolationMode.NEAREST, False, [5, 6], [255, 0, 0])),
    ("affine", (15.0, [2, -3], 1.2, [10.0, 5.0])), ("gaussian_blur", ([5, 3], [1.2, 0.7])),
    ("gaussian_blur", (3,)), ("center_crop", ([7, 9],)), ("to_grayscale", (3,)),
    ("rgb_to_grayscale", ()), ("invert", ()), ("adjust_gamma", (0.6, 1.1)),
    ("posterize", (3,)), ("solarize", (100,)), ("adjust_sharpness", (2.5,)),
    ("adjust_sharpness", (0.3,)), ("autocontrast", ()), ("equalize", ()),
    ("perspective", (START, END)),
    ("perspective", (START, END, JF.InterpolationMode.NEAREST, (10, 20, 30))),
]


@pytest.mark.parametrize("name, args", FUNCTIONAL_PIL)
def test_functional_on_pil_matches_torchvision(TF, name, args):
    t_args = tuple(getattr(TF.InterpolationMode, a.name) if isinstance(a, JF.InterpolationMode)
                   else a for a in args)
    same(getattr(JF, name)(RGB, *args), getattr(TF, name)(RGB, *t_args))


# ---- the same on tensors -------------------------------------------------------------------

def tensor_cases():
    exact = [
        ("hflip", ()), ("vflip", ()), ("crop", (3, 4, 10, 12)), ("crop", (-2, -3, 40, 50)),
        ("pad", ([1, 2, 3, 4],)), ("pad", ([2, 1], 5.0)), ("pad", (3, 0, "edge")),
        ("pad", ([1, 2, 3, 4], 0, "reflect")), ("pad", (2, 0, "symmetric")),
        ("center_crop", ([40, 50],)), ("rgb_to_grayscale", ()), ("rgb_to_grayscale", (3,)),
        ("adjust_brightness", (1.7,)), ("adjust_contrast", (0.4,)),
        ("adjust_saturation", (2.5,)), ("invert", ()), ("posterize", (3,)),
        ("solarize", (0.5,)), ("solarize", (128,)), ("autocontrast", ()), ("equalize", ()),
    ]
    approx = [
        ("resize", ([10, 12],)), ("resize", ([50, 60],)), ("resize", (9,)),
        ("resize", ([14, 20], JF.InterpolationMode.NEAREST)),
        ("resize", ([14, 20], JF.InterpolationMode.BICUBIC)),
        ("resize", ([12, 16], JF.InterpolationMode.BILINEAR, None, False)),
        ("gaussian_blur", ([5, 3], [1.2, 0.7])), ("adjust_hue", (0.2,)),
        ("rotate", (90.0,)), ("rotate", (33.0, JF.InterpolationMode.BILINEAR)),
        ("rotate", (-20.0, JF.InterpolationMode.NEAREST, True, None, [1.0, 0.5, 0.0])),
        ("affine", (15.0, [2, -3], 1.2, [10.0, 5.0])), ("adjust_gamma", (0.6, 1.1)),
        ("adjust_sharpness", (2.5,)), ("adjust_sharpness", (0.3,)),
        ("perspective", (START, END)),
        ("perspective", (START, END, JF.InterpolationMode.NEAREST, [1.0, 0.5, 0.0])),
    ]
    return [(n, a, True) for n, a in exact] + [(n, a, False) for n, a in approx]


# JAX-backed inputs compile one XLA program per op and shape: a few in the default run,
# all with -m slow
FAST_JAX = {"hflip", "crop", "resize", "adjust_brightness", "rgb_to_grayscale"}


def backend_cases():
    for name, args, exact in tensor_cases():
        yield pytest.param(name, args, exact, "host", id=f"{name}-{args}-host")
        marks = () if name in FAST_JAX and args == tensor_cases_first_args(name) else \
            (pytest.mark.slow,)
        yield pytest.param(name, args, exact, "jax", id=f"{name}-{args}-jax", marks=marks)


def tensor_cases_first_args(name):
    return next(args for n, args, _ in tensor_cases() if n == name)


@pytest.mark.parametrize("dtype", ["uint8", "float32"])
@pytest.mark.parametrize("name, args, exact, backend", list(backend_cases()))
def test_functional_on_tensors_matches_torchvision(TF, name, args, exact, backend, dtype):
    t_img = torch.from_numpy(np.asarray(SMOOTH).transpose(2, 0, 1).copy())
    if dtype == "float32":
        t_img = t_img.float() / 255
    t_args = tuple(getattr(TF.InterpolationMode, a.name) if isinstance(a, JF.InterpolationMode)
                   else a for a in args)
    j_img = host.host_tensor(t_img.numpy()) if backend == "host" else j_tensor(t_img)
    try:
        expected = getattr(TF, name)(t_img, *t_args)
    except (TypeError, ValueError) as e:  # e.g. uint8-only ops on float images
        with pytest.raises(type(e)) as j_err:
            getattr(JF, name)(j_img, *args)
        assert str(j_err.value) == str(e)
        return
    out = getattr(JF, name)(j_img, *args)
    if backend == "jax":
        assert not host.is_host(out)  # stayed on the device, through the op funnel
    if exact and backend == "host":
        same(out, expected)
    elif exact:  # XLA may fuse a*b + c into one rounding: within 1 ulp / 1 level
        same(out, expected, atol=3e-7, uint8_atol=1)
    else:
        warp = name in ("rotate", "affine", "perspective")
        same(out, expected, atol=2e-5, uint8_atol=255 if warp else 1)
        if warp and dtype == "uint8":
            mismatched = (out.numpy() != expected.numpy()).mean()
            assert mismatched < 0.02  # pixels exactly on a sampling boundary may differ


def test_tensor_normalize_convert_dtype_and_conversions_match(TF, TT):
    t_img = TF.to_tensor(RGB)
    j_img = JF.to_tensor(RGB)
    same(j_img, t_img)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    same(JT.Normalize(mean, std)(j_img), TT.Normalize(mean, std)(t_img))
    # on a JAX array, XLA turns the division by a broadcast std into a multiplication by its
    # reciprocal: within 1 ulp of torch (host tensors, above, are exact)
    same(JF.normalize(j_tensor(t_img), mean, std), TF.normalize(t_img, mean, std), atol=3e-7)
    u8 = TF.pil_to_tensor(RGB)
    for dtype in ("float32", "float64", "uint8", "int16"):
        same(JF.convert_image_dtype(JF.pil_to_tensor(RGB), getattr(jtorch, dtype)),
             TF.convert_image_dtype(u8, getattr(torch, dtype)))
        same(JF.convert_image_dtype(j_img, getattr(jtorch, dtype)),
             TF.convert_image_dtype(t_img, getattr(torch, dtype)))
    for pic in (t_img, u8, TF.to_tensor(GRAY), t_img[0]):
        same(JF.to_pil_image(j_tensor(pic)), TF.to_pil_image(pic))
        same(JT.ToPILImage()(host.host_tensor(pic.numpy())), TT.ToPILImage()(pic))
    same(JF.to_pil_image(t_img[0].numpy(), mode="F"), TF.to_pil_image(t_img[0].numpy(),
                                                                       mode="F"))
    same(JF.to_tensor(np.array(RGB)), TF.to_tensor(np.array(RGB)))
    same(JF.to_tensor(np.ones((4, 5), np.float32)), TF.to_tensor(np.ones((4, 5), np.float32)))
    same(JF.to_tensor(RGB.convert("1")), TF.to_tensor(RGB.convert("1")))


def test_transforms_on_jax_tensors_keep_autograd():
    x = jtorch.rand(3, 8, 8, requires_grad=True)
    y = JT.Normalize([0.5] * 3, [0.25] * 3)(x)
    assert y.grad_fn is not None
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full((3, 8, 8), 4.0), rtol=1e-6)


@pytest.mark.parametrize("call", [
    lambda F, m: F.normalize(m.tensor([[[1, 2]]]), [0.5], [0.5]),
    lambda F, m: F.normalize(m.zeros(2, 2), [0.5], [0.5]),
    lambda F, m: F.normalize(m.zeros(1, 2, 2), [0.5], [0.0]),
    lambda F, m: F.resize(m.zeros(1, 4, 4), [1, 2, 3]),
    lambda F, m: F.pad(m.zeros(1, 4, 4), [1, 2, 3]),
    lambda F, m: F.pad(m.zeros(1, 4, 4), 1, padding_mode="wrap"),
    lambda F, m: F.adjust_hue(m.zeros(3, 4, 4), 0.7),
    lambda F, m: F.adjust_brightness(m.zeros(3, 4, 4), -1.0),
    lambda F, m: F.gaussian_blur(m.zeros(3, 4, 4), 4),
    lambda F, m: F.convert_image_dtype(m.zeros(3, 4, 4), m.int64),
    lambda F, m: F.to_tensor("not an image"),
    lambda F, m: F.to_pil_image(m.zeros(5, 4, 4)),
    lambda F, m: F.rgb_to_grayscale(m.zeros(2, 4, 4)),
    lambda F, m: F.posterize(m.zeros(3, 4, 4, dtype=m.uint8), 9),
    lambda F, m: F.posterize(m.zeros(4, 4, dtype=m.uint8), 2),
    lambda F, m: F.solarize(m.zeros(3, 4, 4, dtype=m.uint8), 300),
    lambda F, m: F.equalize(m.zeros(3, 4, 4)),
    lambda F, m: F.equalize(m.zeros(1, 1, 3, 4, 4, dtype=m.uint8)),
    lambda F, m: F.adjust_sharpness(m.zeros(3, 4, 4), -1.0),
    lambda F, m: F.adjust_gamma(m.zeros(3, 4, 4), -1.0),
    lambda F, m: F.perspective(m.zeros(3, 4, 4), START[:3], END),
    lambda F, m: F.perspective(m.zeros(3, 4, 4), START, END, F.InterpolationMode.BICUBIC),
    lambda F, m: F.five_crop(m.zeros(3, 4, 4), 5),
    lambda F, m: F.ten_crop(m.zeros(3, 4, 4), (1, 2, 3)),
])
def test_functional_errors_match_torchvision(TF, call):
    with pytest.raises(Exception) as t_err:
        call(TF, torch)
    with pytest.raises(t_err.type) as j_err:
        call(JF, jtorch)
    assert str(j_err.value) == str(t_err.value)


@pytest.mark.parametrize("make", [
    lambda T: T.RandomCrop(5, padding=2), lambda T: T.RandomResizedCrop(8),
    lambda T: T.RandomResizedCrop((8, 6), scale=(0.5, 1.0), ratio=(1.0, 2.0)),
    lambda T: T.RandomHorizontalFlip(0.3), lambda T: T.RandomVerticalFlip(),
    lambda T: T.RandomRotation(30), lambda T: T.RandomRotation((10, 20), expand=True, fill=3),
    lambda T: T.ColorJitter(0.4, 0.4, 0.4, 0.1), lambda T: T.ColorJitter(brightness=(1, 2)),
    lambda T: T.GaussianBlur(5), lambda T: T.GaussianBlur((3, 5), sigma=0.5),
    lambda T: T.RandomApply([T.Grayscale()], p=0.3), lambda T: T.Lambda(lambda x: x),
    lambda T: T.RandomChoice([T.Grayscale(), T.RandomVerticalFlip()]),
    lambda T: T.Compose([T.Resize(10), T.ToTensor(), T.Normalize([0.5], [0.5])]),
    lambda T: T.ToPILImage(), lambda T: T.ToPILImage(mode="L"),
    lambda T: T.RandomAffine(10, translate=(0.1, 0.2), scale=(0.9, 1.1)),
    lambda T: T.RandomGrayscale(), lambda T: T.RandomErasing(),
    lambda T: T.FiveCrop(4), lambda T: T.TenCrop((4, 6), vertical_flip=True),
    lambda T: T.RandomPerspective(), lambda T: T.RandomPosterize(3, p=0.2),
    lambda T: T.RandomSolarize(100), lambda T: T.RandomAdjustSharpness(2),
    lambda T: T.RandomAutocontrast(), lambda T: T.RandomEqualize(0.7),
    lambda T: T.AutoAugment(), lambda T: T.AutoAugment(T.AutoAugmentPolicy.CIFAR10, fill=3),
    lambda T: T.RandAugment(), lambda T: T.RandAugment(3, 5, 11, fill=[1, 2, 3]),
    lambda T: T.TrivialAugmentWide(), lambda T: T.TrivialAugmentWide(15),
])
def test_reprs_match_torchvision(TT, make):
    assert repr(make(JT)) == repr(make(TT))


@pytest.mark.parametrize("make, args", [
    (lambda T: T.ColorJitter(brightness=-1), ()), (lambda T: T.ColorJitter(hue=0.7), ()),
    (lambda T: T.GaussianBlur(4), ()), (lambda T: T.GaussianBlur(3, sigma=(2, 1)), ()),
    (lambda T: T.RandomRotation(-5), ()), (lambda T: T.Resize(2.5), ()),
    (lambda T: T.Pad(1, padding_mode="wrap"), ()), (lambda T: T.Lambda(3), ()),
    (lambda T: T.RandomChoice([], p=3), ()), (lambda T: T.CenterCrop((1, 2, 3)), ()),
    (lambda T: T.RandomCrop(100)(RGB), ()),
])
def test_transform_errors_match_torchvision(TT, make, args):
    with pytest.raises(Exception) as t_err:
        make(TT)
    with pytest.raises(t_err.type) as j_err:
        make(JT)
    assert str(j_err.value) == str(t_err.value)


# ---- random transforms: shapes, ranges, distributions ----------------------------------------

def test_random_flips_follow_p():
    flipped = JF.hflip(RGB)
    hits = sum(np.array_equal(np.asarray(JT.RandomHorizontalFlip()(RGB)), np.asarray(flipped))
               for _ in range(400))
    assert 150 < hits < 250
    same(JT.RandomHorizontalFlip(p=1.0)(RGB), flipped)
    same(JT.RandomVerticalFlip(p=1.0)(RGB), JF.vflip(RGB))
    same(JT.RandomVerticalFlip(p=0.0)(RGB), RGB)


def test_random_crop_is_a_window_of_the_padded_image():
    padded = np.asarray(JF.pad(RGB, 4))
    windows = {(i, j) for i in range(padded.shape[0] - 9) for j in range(padded.shape[1] - 11)}
    seen = set()
    for _ in range(60):
        out = np.asarray(JT.RandomCrop((10, 12), padding=4)(RGB))
        assert out.shape == (10, 12, 3)
        matches = [(i, j) for (i, j) in windows
                   if np.array_equal(padded[i:i + 10, j:j + 12], out)]
        assert matches
        seen.add(matches[0])
    assert len(seen) > 45  # offsets spread over the 30 x 34 possible windows
    out = JT.RandomCrop(40, pad_if_needed=True)(GRAY)
    assert out.size == (40, 40)


def test_random_resized_crop_shape_and_scale_range():
    t = JT.RandomResizedCrop((16, 12), scale=(0.25, 0.5), ratio=(0.5, 2.0))
    areas = []
    for _ in range(300):
        i, j, h, w = t.get_params(SMOOTH, t.scale, t.ratio)
        assert 0 <= i <= 31 - h and 0 <= j <= 41 - w
        areas.append(h * w / (31 * 41))
        assert 0.5 - 0.2 <= w / h <= 2.0 + 0.5
    assert 0.2 < min(areas) and max(areas) < 0.56 and np.std(areas) > 0.03
    assert t(SMOOTH).size == (12, 16)
    assert tuple(t(JF.pil_to_tensor(SMOOTH)).shape) == (3, 16, 12)


def test_random_parameters_are_uniform_and_reproducible_under_manual_seed():
    angles = [JT.RandomRotation.get_params([-30.0, 30.0]) for _ in range(2000)]
    assert -30 <= min(angles) < -28 and 28 < max(angles) <= 30 and abs(np.mean(angles)) < 1.5
    sigmas = [JT.GaussianBlur.get_params(0.1, 2.0) for _ in range(2000)]
    assert 0.1 <= min(sigmas) and max(sigmas) <= 2.0 and abs(np.mean(sigmas) - 1.05) < 0.05
    jtorch.manual_seed(3)
    a = [np.asarray(JT.RandomResizedCrop(8)(SMOOTH)) for _ in range(3)]
    jtorch.manual_seed(3)
    b = [np.asarray(JT.RandomResizedCrop(8)(SMOOTH)) for _ in range(3)]
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    fn_idx = JT.ColorJitter.get_params(None, None, None, None)[0]
    assert sorted(fn_idx.tolist()) == [0, 1, 2, 3]


def test_degenerate_random_transforms_equal_the_deterministic_ones(TT, TF):
    same(JT.RandomRotation((25, 25))(RGB), TF.rotate(RGB, 25.0))
    same(JT.ColorJitter(brightness=(1.4, 1.4))(RGB), TF.adjust_brightness(RGB, 1.4))
    same(JT.GaussianBlur(5, sigma=(1.3, 1.3))(RGB), TF.gaussian_blur(RGB, [5, 5], [1.3, 1.3]))
    same(JT.RandomApply([JT.Grayscale()], p=1.0)(RGB), TT.Grayscale()(RGB))
    same(JT.RandomApply([JT.Grayscale()], p=0.0)(RGB), RGB)
    picks = {JT.RandomChoice([JT.Grayscale(), JT.Grayscale(3)], p=[0.5, 0.5])(RGB).mode
             for _ in range(40)}
    assert picks == {"L", "RGB"}


def test_color_jitter_on_tensors_stays_in_range():
    x = JF.pil_to_tensor(SMOOTH)
    for _ in range(20):
        out = JT.ColorJitter(0.5, 0.5, 0.5, 0.2)(x)
        assert out.dtype == jtorch.uint8 and tuple(out.shape) == (3, 31, 41)
    f = JT.ColorJitter(0.5, 0.5, 0.5, 0.2)(JF.to_tensor(SMOOTH)).numpy()
    assert f.min() >= 0.0 and f.max() <= 1.0


# ---- v2 --------------------------------------------------------------------------------------

def test_v2_basics_match_torchvision(tv):
    import importlib
    TV2 = importlib.import_module("torchvision.transforms.v2")
    j = JV2.Compose([JV2.ToImage(), JV2.ToDtype(jtorch.float32, scale=True),
                     JV2.Normalize([0.5] * 3, [0.25] * 3), JV2.CenterCrop(20),
                     JV2.Resize((10, 12))])
    t = TV2.Compose([TV2.ToImage(), TV2.ToDtype(torch.float32, scale=True),
                     TV2.Normalize([0.5] * 3, [0.25] * 3), TV2.CenterCrop(20),
                     TV2.Resize((10, 12))])
    j_out, t_out = j(SMOOTH), t(SMOOTH)
    same(j_out, t_out.as_subclass(torch.Tensor), atol=2e-5)
    j_img, j_label = JV2.RandomHorizontalFlip(p=1.0)(SMOOTH, 7)
    t_img, t_label = TV2.RandomHorizontalFlip(p=1.0)(SMOOTH, 7)
    same(j_img, t_img)
    assert j_label == t_label == 7
    sample = {"image": JF.pil_to_tensor(SMOOTH), "label": 3, "name": "x"}
    out = JV2.RandomCrop(8)(sample)
    assert tuple(out["image"].shape) == (3, 8, 8) and out["label"] == 3 and out["name"] == "x"
    a, b = JV2.RandomResizedCrop(9)(SMOOTH, SMOOTH)  # the same parameters for both images
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    with pytest.warns(UserWarning, match="ToTensor"):
        same(JV2.ToTensor()(RGB), TV2.ToTensor()(RGB))
    same(JV2.PILToTensor()(RGB), TV2.PILToTensor()(RGB))
    same(JV2.Grayscale()(RGB), TV2.Grayscale()(RGB))
    assert JV2.Identity()(5) == 5


# ---- utils -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"nrow": 3, "padding": 1}, {"normalize": True},
                                    {"normalize": True, "value_range": (0.2, 0.8)},
                                    {"normalize": True, "scale_each": True, "pad_value": 0.5}])
@pytest.mark.parametrize("shape", [(7, 3, 5, 6), (5, 1, 4, 4), (1, 3, 4, 4), (3, 4, 4)])
def test_make_grid_matches_torchvision(tv, kwargs, shape):
    x = np.random.default_rng(1).random(shape, dtype=np.float32) * 2 - 0.5
    j = JU.make_grid(jtorch.tensor(x), **kwargs)
    t = tv.utils.make_grid(torch.tensor(x), **kwargs)
    same(j, t)
    same(JU.make_grid([jtorch.tensor(a) for a in x], **kwargs),
         tv.utils.make_grid([torch.tensor(a) for a in x], **kwargs))


def test_save_image_matches_torchvision(tv, tmp_path):
    x = np.random.default_rng(2).random((6, 3, 8, 8), dtype=np.float32)
    JU.save_image(jtorch.tensor(x), tmp_path / "j.png", nrow=3, padding=1)
    tv.utils.save_image(torch.tensor(x), tmp_path / "t.png", nrow=3, padding=1)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "j.png")),
                                  np.asarray(Image.open(tmp_path / "t.png")))
    with open(tmp_path / "j.jpg", "wb") as f:
        JU.save_image(jtorch.tensor(x[0]), f, format="JPEG")
    assert Image.open(tmp_path / "j.jpg").size == (8, 8)
    with pytest.raises(TypeError, match="tensor or list of tensors expected"):
        JU.make_grid(np.zeros((2, 2)))


def test_transforms_module_layout_is_torchvisions(tv):
    for name in tv.transforms.transforms.__all__:
        if name in ("LinearTransformation", "ElasticTransform"):
            continue  # not part of jtorch's scope yet
        assert hasattr(JT, name), name
    for name in tv.transforms.autoaugment.__all__:
        if name != "AugMix":  # not part of jtorch's scope yet
            assert hasattr(JT, name), name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert isinstance(JT.Normalize([0.5], [0.5]), jtorch.nn.Module)


# ---- FiveCrop/TenCrop, RandomPerspective, the Random* tone transforms, AutoAugment family --

@pytest.mark.parametrize("vertical", [False, True])
def test_five_and_ten_crop_match_torchvision(TT, TF, vertical):
    t_img = TF.pil_to_tensor(RGB)
    for j, t in ((JT.FiveCrop((10, 12))(RGB), TT.FiveCrop((10, 12))(RGB)),
                 (JT.TenCrop(9, vertical)(RGB), TT.TenCrop(9, vertical)(RGB)),
                 (JF.ten_crop(host.host_tensor(t_img.numpy()), [7], vertical),
                  TF.ten_crop(t_img, [7], vertical))):
        assert type(j) is tuple and len(j) == len(t)
        for a, b in zip(j, t):
            same(a, b)


def test_random_perspective_params_and_application(TF):
    t = JT.RandomPerspective(distortion_scale=0.4, p=1.0)
    corners = []
    for _ in range(300):
        start, end = t.get_params(37, 29, 0.4)
        assert start == [[0, 0], [36, 0], [36, 28], [0, 28]]
        (tlx, tly), (trx, try_), (brx, bry), (blx, bly) = end
        assert 0 <= tlx <= 7 and 0 <= tly <= 5 and 29 <= trx <= 36 and 0 <= try_ <= 5
        assert 29 <= brx <= 36 and 22 <= bry <= 28 and 0 <= blx <= 7 and 22 <= bly <= 28
        corners.append(tlx)
    assert set(corners) == set(range(8))  # randint(0, 7 + 1) covers its range
    out = t(RGB)
    assert out.size == RGB.size and out.mode == "RGB"
    tensor_out = t(JF.pil_to_tensor(RGB))
    assert tuple(tensor_out.shape) == (3, 29, 37) and tensor_out.dtype == jtorch.uint8
    same(JT.RandomPerspective(p=0.0)(RGB), RGB)
    # the warp itself is torchvision's: same endpoints, same image
    same(JF.perspective(RGB, START, END), TF.perspective(RGB, START, END))


def test_random_tone_transforms_apply_with_probability_p(TF):
    low = Image.fromarray((np.asarray(RGB) // 2 + 40).astype(np.uint8))  # low contrast
    cases = [(JT.RandomPosterize(2), TF.posterize(low, 2)),
             (JT.RandomSolarize(90), TF.solarize(low, 90)),
             (JT.RandomAdjustSharpness(3.0), TF.adjust_sharpness(low, 3.0)),
             (JT.RandomAutocontrast(), TF.autocontrast(low)),
             (JT.RandomEqualize(), TF.equalize(low))]
    for t, expected in cases:
        assert not np.array_equal(np.asarray(expected), np.asarray(low))
        t.p = 1.0
        same(t(low), expected)
        t.p = 0.0
        same(t(low), low)
        t.p = 0.5
        hits = sum(np.array_equal(np.asarray(t(low)), np.asarray(expected)) for _ in range(200))
        assert 65 < hits < 135


def test_augmentation_spaces_equal_torchvisions(TT):
    pairs = [(JT.AutoAugment()._augmentation_space(10, (29, 37)),
              TT.AutoAugment()._augmentation_space(10, (29, 37))),
             (JT.RandAugment()._augmentation_space(31, (64, 48)),
              TT.RandAugment()._augmentation_space(31, (64, 48))),
             (JT.TrivialAugmentWide()._augmentation_space(31),
              TT.TrivialAugmentWide()._augmentation_space(31))]
    for j, t in pairs:
        assert list(j) == list(t)
        for name in t:
            (jm, js), (tm, ts) = j[name], t[name]
            assert js == ts and str(jm.dtype) == str(tm.numpy().dtype), name
            np.testing.assert_array_equal(jm, tm.numpy(), err_msg=name)
    for policy in ("IMAGENET", "CIFAR10", "SVHN"):
        assert (JT.AutoAugment(getattr(JT.AutoAugmentPolicy, policy)).policies ==
                TT.AutoAugment(getattr(TT.AutoAugmentPolicy, policy)).policies)


OPS = ["ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color",
       "Contrast", "Sharpness", "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert",
       "Identity"]


@pytest.mark.parametrize("op", OPS)
def test_augmentation_ops_match_torchvision(tv, op):
    """Every operation the policies use, at a signed magnitude from torchvision's bins, on
    a PIL image (identical) and a uint8 tensor (warps: up to boundary pixels)."""
    import importlib
    t_aa = importlib.import_module("torchvision.transforms.autoaugment")
    from jtorch.vision.transforms import autoaugment as j_aa
    space = tv.transforms.RandAugment()._augmentation_space(31, (29, 37))
    space["Invert"] = (torch.tensor(0.0), False)
    magnitudes, signed = space[op]
    magnitude = float(magnitudes[12]) if magnitudes.ndim > 0 else 0.0
    for m in ([magnitude, -magnitude] if signed else [magnitude]):
        for fill in (None, [10, 20, 30]):
            j = j_aa._apply_op(RGB, op, m, JT.InterpolationMode.NEAREST, fill)
            t = t_aa._apply_op(RGB, op, m, tv.transforms.InterpolationMode.NEAREST, fill)
            same(j, t)
        t_img = tv.transforms.functional.pil_to_tensor(RGB)
        fill = [10.0, 20.0, 30.0]
        j = j_aa._apply_op(host.host_tensor(t_img.numpy()), op, m,
                           JT.InterpolationMode.NEAREST, fill)
        t = t_aa._apply_op(t_img, op, m, tv.transforms.InterpolationMode.NEAREST, fill)
        same(j, t, uint8_atol=255 if op in ("ShearX", "ShearY", "Rotate") else 1)
        assert (j.numpy() != t.numpy()).mean() < 0.03


@pytest.mark.parametrize("make", [lambda T: T.AutoAugment(),
                                  lambda T: T.AutoAugment(T.AutoAugmentPolicy.SVHN, fill=7),
                                  lambda T: T.RandAugment(num_ops=3, magnitude=20),
                                  lambda T: T.TrivialAugmentWide(fill=[1, 2, 3])])
def test_auto_augment_policies_keep_shape_and_vary(make):
    t = make(JT)
    outs = [np.asarray(t(SMOOTH)) for _ in range(25)]
    assert all(o.shape == (31, 41, 3) and o.dtype == np.uint8 for o in outs)
    assert len({o.tobytes() for o in outs}) > 3  # random sub-policies / ops / magnitudes
    x = JF.pil_to_tensor(SMOOTH)
    out = t(x)
    assert tuple(out.shape) == (3, 31, 41) and out.dtype == jtorch.uint8
    jtorch.manual_seed(5)
    a = [np.asarray(t(SMOOTH)) for _ in range(4)]
    jtorch.manual_seed(5)
    b = [np.asarray(t(SMOOTH)) for _ in range(4)]
    assert all(np.array_equal(p, q) for p, q in zip(a, b))


def test_v2_tone_geometry_and_policy_transforms(tv):
    import importlib
    TV2 = importlib.import_module("torchvision.transforms.v2")
    for name, args in (("RandomPosterize", (3,)), ("RandomSolarize", (120,)),
                       ("RandomAdjustSharpness", (2.0,)), ("RandomAutocontrast", ()),
                       ("RandomEqualize", ()), ("RandomInvert", ())):
        j_img, j_label = getattr(JV2, name)(*args, p=1.0)(SMOOTH, 3)
        t_img, t_label = getattr(TV2, name)(*args, p=1.0)(SMOOTH, 3)
        same(j_img, t_img)
        assert j_label == t_label == 3
    for a, b in zip(JV2.FiveCrop(9)(SMOOTH), TV2.FiveCrop(9)(SMOOTH)):
        same(a, b)
    for make in (lambda: JV2.AutoAugment(JV2.AutoAugmentPolicy.CIFAR10),
                 lambda: JV2.RandAugment(), lambda: JV2.TrivialAugmentWide(),
                 lambda: JV2.RandomPerspective(p=1.0)):
        img, label = make()(SMOOTH, 5)
        assert img.size == SMOOTH.size and label == 5
