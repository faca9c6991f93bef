"""Tensor kernels of torchvision.transforms.functional, written once for numpy and jax.numpy.

Each kernel `k(x, xp, **static)` takes an array in torchvision's (..., C, H, W) layout and the
array namespace to use. `run(kernel, img, ...)` picks the namespace: host tensors (what the
data pipeline produces, and all that an XLA-free DataLoader worker has) run on numpy; tensors
in JAX arrays go through jtorch's op funnel, which keeps their device and records autograd.
The arithmetic follows torchvision's _functional_tensor.py step by step (float32 compute for
integer images, truncating casts where torch truncates, rounding where it rounds).
"""

from __future__ import annotations

import functools
import math

import jax.numpy as jnp
import numpy as np

from jtorch import _dtypes
from jtorch._dispatch import Op, dispatch
from jtorch._tensor import Tensor
from jtorch.utils.data._utils import host

_OPS = {}


def run(kernel, img: Tensor, *arrays, **static) -> Tensor:
    """Apply `kernel(img, *arrays, xp, **static)` to a tensor image. `arrays` (numpy) are
    passed as runtime inputs, not constants, so XLA keeps torch's arithmetic on them (a
    division by a constant would become a multiplication by its reciprocal); static
    arguments must be hashable."""
    if host.xla_free or host.is_host(img):
        return host.host_tensor(kernel(host.host_array(img), *arrays, xp=np, **static))
    op = _OPS.get(kernel)
    if op is None:
        op = _OPS[kernel] = Op(functools.partial(kernel, xp=jnp), f"{kernel.__name__}_backward",
                               inputs=(0,))
    return dispatch(op, (img, *arrays), **static)


def is_float(np_dtype) -> bool:
    return np.dtype(np_dtype).kind == "f"


def max_value(np_dtype) -> int:
    """torchvision's _max_value: the largest value of an integer dtype, 1 for floats."""
    np_dtype = np.dtype(np_dtype)
    return 1 if np_dtype.kind == "f" else int(np.iinfo(np_dtype).max)


def _compute_dtype(x):
    return x.dtype if is_float(x.dtype) else np.float32


def _to_int_rounded(x, xp, out_dtype):
    """torchvision's _cast_squeeze_out for integer outputs: round, then cast."""
    return xp.round(x).astype(out_dtype)


# ---- dtype ------------------------------------------------------------------------------

def convert_image_dtype(x, xp, *, dtype):
    out = np.dtype(dtype)
    if x.dtype == out:
        return x
    if is_float(x.dtype):
        if is_float(out):
            return x.astype(out)
        eps = 1e-3
        scale = np.asarray(max_value(out) + 1.0 - eps, dtype=x.dtype)
        return (x * scale).astype(out)
    input_max = float(max_value(x.dtype))
    if is_float(out):
        return x.astype(out) / np.asarray(input_max, dtype=out)
    output_max = float(max_value(out))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return (x // factor).astype(out)
    factor = int((output_max + 1) // (input_max + 1))
    return x.astype(out) * factor


def normalize(x, mean, std, xp):
    """(x - mean) / std with mean and std of shape (C, 1, 1) in x's dtype."""
    return (x - mean) / std


# ---- geometry -----------------------------------------------------------------------------

def hflip(x, xp):
    return x[..., ::-1]


def vflip(x, xp):
    return x[..., ::-1, :]


def crop(x, xp, *, top, left, height, width):
    """x[..., top:top+height, left:left+width], zero-padded where the box leaves the image."""
    h, w = x.shape[-2:]
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding_ltrb = (max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                        max(right - max(w, left), 0), max(bottom - max(h, top), 0))
        return pad(x[..., max(top, 0):bottom, max(left, 0):right], xp,
                   padding=padding_ltrb, fill=0, padding_mode="constant")
    return x[..., top:bottom, left:right]


def pad(x, xp, *, padding, fill, padding_mode):
    """padding = (left, top, right, bottom); negative values crop, as torch's F.pad."""
    left, top, right, bottom = padding
    h, w = x.shape[-2:]
    x = x[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
    widths = [(0, 0)] * (x.ndim - 2) + [(max(top, 0), max(bottom, 0)),
                                        (max(left, 0), max(right, 0))]
    if padding_mode == "constant":
        return xp.pad(x, widths, mode="constant", constant_values=np.asarray(fill, x.dtype))
    mode = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[padding_mode]
    return xp.pad(x, widths, mode=mode)


# ---- resampling ---------------------------------------------------------------------------

def _triangle(x):
    x = abs(x)
    return 1.0 - x if x < 1.0 else 0.0


def _cubic(a):
    def f(x):
        x = abs(x)
        if x < 1.0:
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
        if x < 2.0:
            return (((x - 5) * x + 8) * x - 4) * a
        return 0.0
    return f


def _resample_matrix(in_size, out_size, interpolation, antialias):
    """(out_size, in_size) weights: PIL's/torch's separable antialiased resampling (support
    widened by the scale when downsampling), or plain interpolation when not antialiased."""
    scale = in_size / out_size
    m = np.zeros((out_size, in_size), dtype=np.float64)
    if interpolation in ("nearest", "nearest-exact"):
        for i in range(out_size):
            src = math.floor((i + 0.5) * scale) if interpolation == "nearest-exact" \
                else math.floor(i * scale)
            m[i, min(src, in_size - 1)] = 1.0
        return m
    filt, support = (_triangle, 1.0) if interpolation == "bilinear" else \
        (_cubic(-0.5 if antialias else -0.75), 2.0)
    if antialias and scale > 1.0:
        support_scale = scale
    else:
        support_scale = 1.0
    if not antialias:
        for i in range(out_size):
            center = (i + 0.5) * scale - 0.5
            base = math.floor(center)
            for k in range(int(-support) + 1, int(support) + 1):
                idx = min(max(base + k, 0), in_size - 1)
                m[i, idx] += filt(center - (base + k))
        return m
    sup = support * support_scale
    for i in range(out_size):
        center = (i + 0.5) * scale
        xmin = max(int(center - sup + 0.5), 0)
        xmax = min(int(center + sup + 0.5), in_size)
        weights = [filt((x - center + 0.5) / support_scale) for x in range(xmin, xmax)]
        total = sum(weights)
        for x, wgt in zip(range(xmin, xmax), weights):
            m[i, x] = wgt / total if total else 0.0
    return m


def resize(x, xp, *, size, interpolation, antialias):
    """torch's interpolate(antialias=...) on (..., H, W): integer images are computed in
    float32 and rounded back (bicubic clamped to the dtype's range first)."""
    out_dtype = x.dtype
    h, w = x.shape[-2:]
    oh, ow = size
    compute = _compute_dtype(x)
    wh = _resample_matrix(h, oh, interpolation, antialias).astype(compute)
    ww = _resample_matrix(w, ow, interpolation, antialias).astype(compute)
    y = x.astype(compute)
    y = xp.matmul(xp.matmul(wh, y), ww.T)
    if is_float(out_dtype):
        return y
    if interpolation == "bicubic":
        y = xp.clip(y, 0, max_value(out_dtype))
    return _to_int_rounded(y, xp, out_dtype)


# ---- colour -------------------------------------------------------------------------------

def _grayscale(x, xp):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    compute = _compute_dtype(x)
    f = lambda c: np.asarray(c, compute)  # noqa: E731  torch multiplies in the float dtype
    lum = f(0.2989) * r.astype(compute) + f(0.587) * g.astype(compute) \
        + f(0.114) * b.astype(compute)
    return lum.astype(x.dtype)[..., None, :, :]


def rgb_to_grayscale(x, xp, *, num_output_channels):
    lum = _grayscale(x, xp) if x.shape[-3] == 3 else x
    if num_output_channels == 3:
        return xp.broadcast_to(lum, lum.shape[:-3] + (3,) + lum.shape[-2:])
    return lum


def _blend(x, other, xp, ratio):
    compute = _compute_dtype(x)
    ratio = np.asarray(ratio, compute)
    one_minus = np.asarray(1.0 - float(ratio), compute)
    out = ratio * x.astype(compute) + one_minus * other.astype(compute)
    return xp.clip(out, 0, max_value(x.dtype)).astype(x.dtype)


def adjust_brightness(x, xp, *, factor):
    return _blend(x, xp.zeros_like(x), xp, factor)


def adjust_contrast(x, xp, *, factor):
    compute = _compute_dtype(x)
    gray = _grayscale(x, xp) if x.shape[-3] == 3 else x
    mean = xp.mean(gray.astype(compute), axis=(-3, -2, -1), keepdims=True)
    return _blend(x, mean, xp, factor)


def adjust_saturation(x, xp, *, factor):
    if x.shape[-3] == 1:
        return x
    return _blend(x, _grayscale(x, xp), xp, factor)


def _rgb2hsv(x, xp):
    r, g, b = x[..., 0, :, :], x[..., 1, :, :], x[..., 2, :, :]
    maxc, minc = x.max(axis=-3), x.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = xp.ones_like(maxc)
    s = cr / xp.where(eqc, ones, maxc)
    cr_divisor = xp.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / cr_divisor, (maxc - g) / cr_divisor, (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = xp.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return h, s, maxc


def _hsv2rgb(h, s, v, xp):
    i = xp.floor(h * 6.0)
    f = h * 6.0 - i
    i = i.astype(np.int32) % 6
    p = xp.clip(v * (1.0 - s), 0.0, 1.0)
    q = xp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = xp.clip(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    choose = lambda *vals: xp.select([i == k for k in range(6)], vals)  # noqa: E731
    return xp.stack((choose(v, q, p, p, t, v), choose(t, v, v, q, p, p),
                     choose(p, p, t, v, v, q)), axis=-3)


def adjust_hue(x, xp, *, factor):
    if x.shape[-3] == 1:
        return x
    orig = x.dtype
    x = convert_image_dtype(x, xp, dtype=np.float32)
    h, s, v = _rgb2hsv(x, xp)
    h = (h + np.float32(factor)) % 1.0
    return convert_image_dtype(_hsv2rgb(h, s, v, xp).astype(np.float32), xp, dtype=orig)


# ---- filters and warps --------------------------------------------------------------------

def _gaussian_kernel1d(kernel_size, sigma, dtype):
    half = (kernel_size - 1) * 0.5
    xs = np.linspace(-half, half, kernel_size).astype(dtype)
    pdf = np.exp(-0.5 * (xs / np.asarray(sigma, dtype)) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(x, xp, *, kernel_size, sigma):
    """Reflect-padded 2-D Gaussian convolution per channel (torchvision's kernel)."""
    out_dtype = x.dtype
    compute = _compute_dtype(x)
    kx = _gaussian_kernel1d(kernel_size[0], sigma[0], compute)
    ky = _gaussian_kernel1d(kernel_size[1], sigma[1], compute)
    kernel = (ky[:, None] * kx[None, :]).astype(compute)
    px, py = kernel_size[0] // 2, kernel_size[1] // 2
    y = x.astype(compute)
    widths = [(0, 0)] * (y.ndim - 2) + [(py, py), (px, px)]
    y = xp.pad(y, widths, mode="reflect")
    h, w = x.shape[-2:]
    acc = None
    for i in range(kernel.shape[0]):
        for j in range(kernel.shape[1]):
            term = kernel[i, j] * y[..., i:i + h, j:j + w]
            acc = term if acc is None else acc + term
    if is_float(out_dtype):
        return acc
    return _to_int_rounded(acc, xp, out_dtype)


def affine_grid_sample(x, xp, *, matrix, out_size, interpolation, fill):
    """torchvision's affine warp: the output pixel grid mapped through `matrix` (inverse
    affine, centred coordinates) and sampled nearest/bilinear with zeros outside, then
    `fill` where the sample fell outside the image."""
    h, w = x.shape[-2:]
    ow, oh = out_size
    theta = np.asarray(matrix, dtype=np.float64).reshape(2, 3)
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, ow)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1, oh)
    gx, gy = np.meshgrid(xs, ys)
    # source pixel coordinates (align_corners=False: -0.5 .. size - 0.5 span the image)
    sx = theta[0, 0] * gx + theta[0, 1] * gy + theta[0, 2] + w * 0.5 - 0.5
    sy = theta[1, 0] * gx + theta[1, 1] * gy + theta[1, 2] + h * 0.5 - 0.5
    return _grid_sample(x, xp, sx, sy, interpolation, fill)


def perspective_grid_sample(x, xp, *, coeffs, interpolation, fill):
    """torchvision's perspective warp: output pixel centre (x, y) samples the input at
    ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1)), computed in the
    image's float dtype (float32 for integer images) as torchvision's grid is."""
    h, w = x.shape[-2:]
    dt = np.dtype(_compute_dtype(x))
    c = np.asarray(coeffs, dtype=dt)
    gx, gy = np.meshgrid(np.linspace(0.5, w - 0.5, w, dtype=dt),
                         np.linspace(0.5, h - 0.5, h, dtype=dt))
    den = c[6] * gx + c[7] * gy + dt.type(1)
    gx_n = (c[0] * gx + c[1] * gy + c[2]) / dt.type(0.5 * w) / den - dt.type(1)
    gy_n = (c[3] * gx + c[4] * gy + c[5]) / dt.type(0.5 * h) / den - dt.type(1)
    # grid_sample(align_corners=False): normalised -> pixel index coordinates
    sx = ((gx_n.astype(np.float64) + 1) * w - 1) / 2
    sy = ((gy_n.astype(np.float64) + 1) * h - 1) / 2
    return _grid_sample(x, xp, sx, sy, interpolation, fill)


def _grid_sample(x, xp, sx, sy, interpolation, fill):
    """Sample x at pixel coordinates (sx, sy) (numpy, the output's H x W), zero outside,
    then blend in `fill` by the sampled in-image mask as torchvision does."""
    out_dtype = x.dtype
    compute = _compute_dtype(x)
    h, w = x.shape[-2:]
    y = x.astype(compute)
    if interpolation == "nearest":
        ix, iy = np.round(sx).astype(np.int64), np.round(sy).astype(np.int64)
        inside = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        out = y[..., np.clip(iy, 0, h - 1), np.clip(ix, 0, w - 1)] * inside.astype(compute)
        mask = inside.astype(compute)
    else:
        x0, y0 = np.floor(sx).astype(np.int64), np.floor(sy).astype(np.int64)
        out, mask = 0.0, 0.0
        for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
            cx, cy = x0 + dx, y0 + dy
            wgt = (1 - np.abs(sx - cx)) * (1 - np.abs(sy - cy))
            inside = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
            wgt = (wgt * inside).astype(compute)
            out = out + y[..., np.clip(cy, 0, h - 1), np.clip(cx, 0, w - 1)] * wgt
            mask = mask + wgt
    if fill is not None:
        fill_img = np.asarray(fill, compute).reshape(-1, 1, 1)
        if interpolation == "nearest":
            out = xp.where(mask < 0.5, fill_img, out)
        else:
            out = out * mask + (1.0 - mask) * fill_img
    if is_float(out_dtype):
        return out.astype(out_dtype)
    return _to_int_rounded(out, xp, out_dtype)


# ---- histogram and tone -------------------------------------------------------------------

def adjust_gamma(x, xp, *, gamma, gain):
    out_dtype = x.dtype
    y = x if is_float(x.dtype) else convert_image_dtype(x, xp, dtype=np.float32)
    y = xp.clip(np.asarray(gain, y.dtype) * y ** np.asarray(gamma, y.dtype), 0, 1)
    return convert_image_dtype(y, xp, dtype=out_dtype)


def posterize(x, xp, *, bits):
    return x & np.asarray(-int(2 ** (8 - bits)), np.int64).astype(np.uint8)


def solarize(x, xp, *, threshold):
    inverted = (np.asarray(max_value(x.dtype), x.dtype) - x).astype(x.dtype)
    return xp.where(x >= np.asarray(threshold, x.dtype if is_float(x.dtype) else np.float64),
                    inverted, x)


def autocontrast(x, xp):
    bound = max_value(x.dtype)
    compute = _compute_dtype(x)
    lo = xp.min(x, axis=(-2, -1), keepdims=True).astype(compute)
    hi = xp.max(x, axis=(-2, -1), keepdims=True).astype(compute)
    with np.errstate(divide="ignore"):
        scale = np.asarray(bound, compute) / (hi - lo)
    bad = ~xp.isfinite(scale)
    lo = xp.where(bad, np.asarray(0, compute), lo)
    scale = xp.where(bad, np.asarray(1, compute), scale)
    return xp.clip((x.astype(compute) - lo) * scale, 0, bound).astype(x.dtype)


def adjust_sharpness(x, xp, *, factor):
    """Blend with torchvision's "degenerate" image: a 3 x 3 smoothing (centre weight 5/13)
    of the interior, the border kept."""
    compute = _compute_dtype(x)
    kernel = np.ones((3, 3), compute)
    kernel[1, 1] = 5.0
    kernel /= kernel.sum()
    y = x.astype(compute)
    h, w = x.shape[-2:]
    acc = None
    for i in range(3):
        for j in range(3):
            term = kernel[i, j] * y[..., i:i + h - 2, j:j + w - 2]
            acc = term if acc is None else acc + term
    if not is_float(x.dtype):
        acc = _to_int_rounded(acc, xp, x.dtype)
    else:
        acc = acc.astype(x.dtype)
    if xp is np:
        degenerate = x.copy()
        degenerate[..., 1:-1, 1:-1] = acc
    else:
        degenerate = x.at[..., 1:-1, 1:-1].set(acc)
    return _blend(x, degenerate, xp, factor)


def equalize(x):
    """torchvision's histogram equalisation of a uint8 (..., C, H, W) array (numpy only: the
    lookup table depends on the values)."""
    out = np.empty_like(x)
    flat_in = x.reshape(-1, *x.shape[-2:])
    flat_out = out.reshape(-1, *x.shape[-2:])
    for k, chan in enumerate(flat_in):
        hist = np.bincount(chan.reshape(-1), minlength=256).astype(np.int64)
        nonzero = hist[hist != 0]
        step = nonzero[:-1].sum() // 255
        if step == 0:
            flat_out[k] = chan
            continue
        lut = (np.cumsum(hist) + step // 2) // step
        lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
        flat_out[k] = lut[chan.astype(np.int64)].astype(np.uint8)
    return out


def to_dtype(x, xp, *, dtype):
    return x.astype(dtype)


def numpy_dtype(dtype) -> np.dtype:
    """The numpy dtype of a jtorch dtype."""
    return np.dtype(_dtypes.as_dtype(dtype).np)
