"""Pure vision-layer math: torch's F.pad, F.interpolate, pixel (un)shuffle, unfold/fold,
grid_sample and affine_grid.

Resampling is separable: each spatial dim gets a small table of source indices and weights
(numpy, built at trace time from shapes, with torch's float formulas and opmath precision),
applied as `take` + multiply-add, so gradients are gathers/scatters rather than dense
matrices.
"""

from __future__ import annotations

import itertools
import math

import jax.numpy as jnp
import numpy as np
from jax import lax

# ---- padding -----------------------------------------------------------------------------


def _pad_with_fill(x, pads, value):
    config = [(0, 0, 0)] * (x.ndim - len(pads)) + [(lo, hi, 0) for lo, hi in pads]
    return lax.pad(x, jnp.asarray(value).astype(x.dtype), config)


def _crop(x, pads):
    """Remove -lo / -hi elements where a pad is negative (torch pads by cropping)."""
    lead = (slice(None),) * (x.ndim - len(pads))
    window = tuple(slice(max(-lo, 0), n - max(-hi, 0))
                   for (lo, hi), n in zip(pads, x.shape[x.ndim - len(pads):]))
    return x[lead + window]


def pad(x, *, pads, mode, value):
    """torch.nn.functional.pad; `pads` are (low, high) pairs for the last len(pads) dims, in
    dim order. Reflect/replicate index the original input (negative pads crop afterwards);
    circular crops first and wraps what is left, as torch does."""
    positive = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    spatial = [(0, 0)] * (x.ndim - len(pads))
    if mode == "constant":
        return _pad_with_fill(x, pads, value)
    if mode == "circular":
        return jnp.pad(_crop(x, pads), spatial + positive, mode="wrap")
    np_mode = {"reflect": "reflect", "replicate": "edge"}[mode]
    return _crop(jnp.pad(x, spatial + positive, mode=np_mode), pads)


# ---- resampling tables -------------------------------------------------------------------


def opmath_dtype(dtype):
    """torch's opmath type for resampling: float32 for half types (and integers here)."""
    return np.float64 if dtype == np.float64 else np.float32


def _scale(size, out, scale_factor, align_corners, dtype):
    """torch's area_pixel_compute_scale (align_corners) / compute_scales_value."""
    if align_corners:
        return dtype((size - 1) / (out - 1)) if out > 1 else dtype(0)
    if scale_factor is not None and scale_factor > 0:
        return dtype(1.0 / scale_factor)
    return dtype(size) / dtype(out)


def _source_coords(size, out, scale_factor, align_corners, cubic, dtype):
    """torch's area_pixel_compute_source_index at every output index."""
    scale = _scale(size, out, scale_factor, align_corners, dtype)
    dst = np.arange(out, dtype=dtype)
    if align_corners:
        return scale * dst
    src = scale * (dst + dtype(0.5)) - dtype(0.5)
    return src if cubic else np.maximum(src, dtype(0))


def nearest_table(size, out, scale_factor, exact):
    """(indices [1, out], None): torch's nearest / nearest-exact source index (float32)."""
    if not exact and out == size:
        return np.arange(out)[None], None
    if not exact and out == 2 * size:
        return (np.arange(out) >> 1)[None], None
    scale = _scale(size, out, scale_factor, False, np.float32)
    dst = np.arange(out)
    if exact:
        src = np.floor((dst + 0.5) * np.float64(scale)).astype(np.float32)
    else:
        src = np.floor(dst.astype(np.float32) * scale)
    return np.minimum(src.astype(np.int64), size - 1)[None], None


def _guard(src, size):
    """torch's guard_index_and_lambda: floor index (at most size-1) and fraction in [0, 1]."""
    index = np.minimum(np.floor(src).astype(np.int64), size - 1)
    frac = np.clip(src - index.astype(src.dtype), 0, 1).astype(src.dtype)
    return index, frac


def linear_table(size, out, scale_factor, align_corners, dtype):
    """(indices [2, out], weights [2, out]) of torch's linear interpolation."""
    src = _source_coords(size, out, scale_factor, align_corners, False, dtype)
    index, frac = _guard(src, size)
    upper = index + (index < size - 1)
    return np.stack([index, upper]), np.stack([1 - frac, frac]).astype(dtype)


def cubic_coefficients(t, a=-0.75):
    """torch's get_cubic_upsample_coefficients (Keys' kernel with A = -0.75)."""
    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def cubic_table(size, out, scale_factor, align_corners, dtype):
    """(indices [4, out], weights [4, out]) of torch's bicubic interpolation; taps past the
    border repeat the edge."""
    src = _source_coords(size, out, scale_factor, align_corners, True, dtype)
    index, frac = _guard(src, size)
    taps = np.stack([np.clip(index - 1 + k, 0, size - 1) for k in range(4)])
    return taps, np.stack(cubic_coefficients(frac)).astype(dtype)


def _triangle(x):
    x = np.abs(x)
    return np.where(x < 1, 1 - x, 0)


def _cubic_aa(x):
    """torch's antialiasing bicubic filter (A = -0.5, as PIL)."""
    a = -0.5
    x = np.abs(x)
    return np.where(x < 1, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2, (((x - 5) * x + 8) * x - 4) * a, 0))


def antialias_table(size, out, scale_factor, align_corners, cubic, dtype):
    """(indices [K, out], weights [K, out]) of torch's antialiased (PIL-style) resampling:
    the filter is stretched by the downscale factor and normalised per output."""
    interp = 4 if cubic else 2
    scale = float(_scale(size, out, scale_factor, align_corners, dtype))
    support = interp * 0.5 * scale if scale >= 1.0 else interp * 0.5
    invscale = 1.0 / scale if scale >= 1.0 else 1.0
    width = int(math.ceil(support)) * 2 + 1
    filt = _cubic_aa if cubic else _triangle
    indices = np.zeros((width, out), np.int64)
    weights = np.zeros((width, out), np.float64)
    for i in range(out):
        center = scale * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xsize = min(int(center + support + 0.5), size) - xmin
        w = filt((np.arange(xsize) + xmin - center + 0.5) * invscale)
        total = w.sum()
        if total != 0:
            w = w / total
        indices[:xsize, i] = np.arange(xsize) + xmin
        indices[xsize:, i] = xmin
        weights[:xsize, i] = w
    return indices, weights.astype(dtype)


def _weighted_sum(gathered, weights, axis):
    w = weights.reshape(weights.shape + (1,) * (gathered.ndim - axis - 2))
    return jnp.sum(gathered * jnp.asarray(w, gathered.dtype), axis=axis)


def _fixed_point_sum(gathered, weights, axis):
    """torch's uint8 resampling pass: weights rounded to int16 fixed point with the largest
    precision that fits, a rounding shift, then clamping to [0, 255]."""
    precision = 0
    for precision in range(22):
        if int(0.5 + weights.max() * (1 << (precision + 1))) >= 1 << 15:
            break
    fixed = np.trunc(weights * (1 << precision) + np.sign(weights) * 0.5).astype(np.int32)
    total = _weighted_sum(gathered.astype(jnp.int32), fixed, axis)
    total = (total + (1 << (precision - 1))) >> precision
    return jnp.clip(total, 0, 255).astype(jnp.uint8)


def _merge_duplicates(indices, weights):
    """One weight per distinct source index (edge taps clamped onto the same pixel add up),
    as torch's uint8 kernels see them before rounding the weights."""
    merged_indices = np.zeros_like(indices)
    merged_weights = np.zeros_like(weights)
    for col in range(indices.shape[1]):
        distinct = np.unique(indices[:, col])
        merged_indices[:, col] = distinct[0]
        merged_indices[:len(distinct), col] = distinct
        for row, index in enumerate(distinct):
            merged_weights[row, col] = weights[indices[:, col] == index, col].sum()
    return merged_indices, merged_weights


def apply_tables(x, tables, combine=_weighted_sum):
    """Resample the last len(tables) dims of x, last dim first (torch's horizontal pass before
    the vertical one): out = combine(take(x, idx[k]), w[k]) per dim."""
    nd = len(tables)
    for d in reversed(range(nd)):
        axis = x.ndim - nd + d
        indices, weights = tables[d]
        gathered = jnp.take(x, jnp.asarray(indices.reshape(-1)), axis=axis)
        if weights is None:
            x = gathered
            continue
        if indices.shape[1] == x.shape[axis] and x.dtype == jnp.uint8:
            continue  # torch skips the uint8 pass of a dim whose size does not change
        shape = x.shape[:axis] + indices.shape + x.shape[axis + 1:]
        x = combine(gathered.reshape(shape), weights, axis)
    return x


def interpolate(x, *, output_size, scales, mode, align_corners, antialias):
    """torch.nn.functional.interpolate for nearest, nearest-exact, linear, bilinear, bicubic
    and trilinear modes (area is adaptive average pooling, see nn_pool). uint8 images are
    resampled in torch's fixed-point arithmetic."""
    dtype = np.float64 if x.dtype == jnp.uint8 else opmath_dtype(x.dtype)
    sizes = x.shape[x.ndim - len(output_size):]
    tables = []
    for size, out, scale in zip(sizes, output_size, scales):
        if mode in ("nearest", "nearest-exact"):
            tables.append(nearest_table(size, out, scale, mode == "nearest-exact"))
        elif antialias:
            tables.append(antialias_table(size, out, scale, align_corners, mode == "bicubic",
                                          dtype))
        elif mode == "bicubic":
            tables.append(cubic_table(size, out, scale, align_corners, dtype))
        else:
            tables.append(linear_table(size, out, scale, align_corners, dtype))
    if all(w is None for _, w in tables):
        return apply_tables(x, tables)
    if x.dtype == jnp.uint8:
        return apply_tables(x, [_merge_duplicates(*t) for t in tables], _fixed_point_sum)
    return apply_tables(x.astype(dtype), tables).astype(x.dtype)


# ---- pixel shuffle -------------------------------------------------------------------------


def pixel_shuffle(x, *, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r), torch.nn.functional.pixel_shuffle."""
    r = upscale_factor
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    y = jnp.transpose(y, (*range(n), n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def pixel_unshuffle(x, *, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W), torch.nn.functional.pixel_unshuffle."""
    r = downscale_factor
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = jnp.transpose(y, (*range(n), n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(*lead, c * r * r, h // r, w // r)


# ---- unfold / fold -------------------------------------------------------------------------


def blocks(size, kernel, dilation, padding, stride):
    """Number of sliding blocks along one dim (torch's im2col/col2im formula)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _block_slices(offsets, dilation, counts, stride):
    return tuple(slice(i * d, i * d + (n - 1) * s + 1, s)
                 for i, d, n, s in zip(offsets, dilation, counts, stride))


def unfold(x, *, kernel_size, dilation, padding, stride):
    """torch.nn.functional.unfold (im2col): (N, C, H, W) -> (N, C*kh*kw, L)."""
    batched = x.ndim == 4
    xb = x if batched else x[None]
    n, c = xb.shape[:2]
    counts = [blocks(s, k, d, p, st) for s, k, d, p, st in
              zip(xb.shape[2:], kernel_size, dilation, padding, stride)]
    xp = jnp.pad(xb, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))
    taps = [xp[(slice(None), slice(None)) + _block_slices(o, dilation, counts, stride)]
            for o in itertools.product(*(range(k) for k in kernel_size))]
    cols = jnp.stack(taps, axis=2).reshape(n, c * len(taps), counts[0] * counts[1])
    return cols if batched else cols[0]


def fold(x, *, output_size, kernel_size, dilation, padding, stride):
    """torch.nn.functional.fold (col2im): sums the blocks of (N, C*kh*kw, L) back into
    (N, C, H, W)."""
    batched = x.ndim == 3
    xb = x if batched else x[None]
    n = xb.shape[0]
    k = kernel_size[0] * kernel_size[1]
    c = xb.shape[1] // k
    counts = [blocks(s, kk, d, p, st) for s, kk, d, p, st in
              zip(output_size, kernel_size, dilation, padding, stride)]
    cols = xb.reshape(n, c, k, *counts)
    padded = [s + 2 * p for s, p in zip(output_size, padding)]
    out = jnp.zeros((n, c, *padded), xb.dtype)
    for t, offsets in enumerate(itertools.product(*(range(kk) for kk in kernel_size))):
        index = (slice(None), slice(None)) + _block_slices(offsets, dilation, counts, stride)
        out = out.at[index].add(cols[:, :, t])
    out = out[(slice(None), slice(None)) +
              tuple(slice(p, p + s) for p, s in zip(padding, output_size))]
    return out if batched else out[0]


# ---- grid sampling -------------------------------------------------------------------------


def _unnormalize(coords, size, align_corners):
    """[-1, 1] -> pixel coordinates ([0, size-1] or [-0.5, size-0.5])."""
    if align_corners:
        return (coords + 1) / 2 * (size - 1)
    return ((coords + 1) * size - 1) / 2


def _clip(coords, size):
    """Clamp to [0, size-1] with torch's zero gradient at and beyond the border."""
    return jnp.where(coords <= 0, 0, jnp.where(coords >= size - 1, size - 1, coords))


def _reflect(coords, twice_low, twice_high):
    """torch's reflect_coordinates: fold coords into [low, high] by mirroring."""
    if twice_low == twice_high:
        return jnp.zeros_like(coords)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    coords = jnp.abs(coords - low)
    extra = jnp.fmod(coords, span)
    flips = jnp.floor(coords / span)
    return jnp.where(jnp.fmod(flips, 2) == 0, extra + low, span - extra + low)


def _apply_padding(coords, size, padding_mode, align_corners):
    if padding_mode == "border":
        return _clip(coords, size)
    if padding_mode == "reflection":
        if align_corners:
            coords = _reflect(coords, 0, 2 * (size - 1))
        else:
            coords = _reflect(coords, -1, 2 * size - 1)
        return _clip(coords, size)
    return coords


def _gather_corners(flat, sizes, corners):
    """Values of `flat` (N, C, prod(sizes)) at T integer points per output location (`corners`:
    T lists of one (N, P) coordinate array per spatial dim), zero where out of bounds:
    (N, C, T, P). One gather for all corners keeps the program (and its gradient) small."""
    insides, indices = [], []
    for coords in corners:
        inside = jnp.ones(coords[0].shape, bool)
        index = jnp.zeros(coords[0].shape, jnp.int64)
        for c, size in zip(coords, sizes):
            inside = inside & (c >= 0) & (c < size)
            index = index * size + jnp.clip(c, 0, size - 1).astype(jnp.int64)
        insides.append(inside)
        indices.append(index)
    index = jnp.stack(indices, axis=1)
    n, t, p = index.shape
    values = jnp.take_along_axis(flat, index.reshape(n, 1, t * p), axis=2)
    values = values.reshape(n, flat.shape[1], t, p)
    return jnp.where(jnp.stack(insides, axis=1)[:, None], values, 0)


def grid_sample(x, grid, *, mode, padding_mode, align_corners):
    """torch.nn.functional.grid_sample for 4-D (bilinear, nearest, bicubic) and 5-D
    (trilinear as 'bilinear', nearest) inputs; grid's last dim is (x, y[, z])."""
    n, c, *sizes = x.shape
    nd = len(sizes)
    out_shape = grid.shape[1:-1]
    flat = x.reshape(n, c, -1)
    points = grid.reshape(n, -1, nd)
    # grid's coordinates are ordered (x, y, z): reverse to match the (D, H, W) dims
    raw = [_unnormalize(points[..., nd - 1 - d], sizes[d], align_corners) for d in range(nd)]
    if mode == "bicubic":
        out = _bicubic_sample(flat, sizes, raw, padding_mode, align_corners)
    else:
        coords = [_apply_padding(r, s, padding_mode, align_corners)
                  for r, s in zip(raw, sizes)]
        if mode == "nearest":
            out = _gather_corners(flat, sizes, [[jnp.round(cd) for cd in coords]])[:, :, 0]
        else:
            out = _linear_sample(flat, sizes, coords)
    return out.reshape(n, c, *out_shape)


def _linear_sample(flat, sizes, coords):
    low = [jnp.floor(cd) for cd in coords]
    frac = [cd - lo for cd, lo in zip(coords, low)]
    corners, weights = [], []
    for corner in itertools.product((0, 1), repeat=len(sizes)):
        weight = 1
        for bit, f in zip(corner, frac):
            weight = weight * (f if bit else 1 - f)
        corners.append([lo + bit for lo, bit in zip(low, corner)])
        weights.append(weight)
    values = _gather_corners(flat, sizes, corners)
    return jnp.sum(values * jnp.stack(weights, axis=1)[:, None], axis=2)


def _bicubic_sample(flat, sizes, raw, padding_mode, align_corners):
    """torch's bicubic grid sampling: 4x4 taps, each tap's coordinates padded on its own;
    rows are interpolated along x first, then the rows along y."""
    (h, w), (y, x) = sizes, raw
    y0, x0 = jnp.floor(y), jnp.floor(x)
    ys = [_apply_padding(y0 - 1 + i, h, padding_mode, align_corners) for i in range(4)]
    xs = [_apply_padding(x0 - 1 + j, w, padding_mode, align_corners) for j in range(4)]
    values = _gather_corners(flat, sizes, [[yi, xj] for yi in ys for xj in xs])
    n, c, _, p = values.shape
    values = values.reshape(n, c, 4, 4, p)
    wx = jnp.stack(cubic_coefficients(x - x0), axis=1)[:, None, None]
    wy = jnp.stack(cubic_coefficients(y - y0), axis=1)[:, None]
    rows = jnp.sum(values * wx, axis=3)
    return jnp.sum(rows * wy, axis=2)


def affine_grid(theta, *, size, align_corners):
    """torch.nn.functional.affine_grid: the base grid of normalised (x, y[, z], 1) output
    coordinates times theta^T, as torch's affine_grid_generator."""
    spatial = size[2:]
    axes = []
    for steps in reversed(spatial):  # x varies along the last dim
        if steps <= 1:
            axes.append(np.zeros(max(steps, 1)))
        else:
            a = 1.0 if align_corners else (steps - 1) / steps
            axes.append(np.linspace(-a, a, steps))
    mesh = np.meshgrid(*reversed(axes), indexing="ij")  # in (D, H, W) order
    base = np.stack([*reversed(mesh), np.ones_like(mesh[0])], axis=-1)
    base = jnp.asarray(base.reshape(-1, len(spatial) + 1), theta.dtype)
    grid = jnp.sum(base[None, :, None, :] * theta[:, None, :, :], axis=-1)
    return grid.reshape(size[0], *spatial, len(spatial))


def channel_shuffle(x, *, groups):
    """(N, g*k, *) -> (N, k*g, *): torch.nn.functional.channel_shuffle."""
    n, c, *rest = x.shape
    y = x.reshape(n, groups, c // groups, *rest)
    return jnp.swapaxes(y, 1, 2).reshape(x.shape)
