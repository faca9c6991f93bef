"""Pure pooling math: torch's max/avg/adaptive/LP pooling and max-unpooling.

Every function pools over the last `len(kernel)` (or `len(output_size)`) dims, so batched and
unbatched inputs share the code. Window taps are strided slices of the padded input, one per
kernel offset in row-major order, as torch's CPU kernels visit them: max pooling keeps the
first maximum (strict `>`) unless a later value is NaN, which is what routes gradients to
torch's argmax (ties: first index). Short windows make a chain of elementwise selects (one
fused loop); long ones (adaptive pooling, big kernels) an argmax over the stacked taps and one
gather. Index, mask and divisor tables depend only on shapes: numpy, built at trace time.
"""

from __future__ import annotations

import itertools
import math

import jax.numpy as jnp
import numpy as np
from jax import lax


def output_size(size, kernel, stride, padding, dilation, ceil_mode):
    """torch's pooling_output_shape for one spatial dim."""
    extra = stride - 1 if ceil_mode else 0
    out = (size + 2 * padding - dilation * (kernel - 1) - 1 + extra) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _lowest(dtype):
    if jnp.issubdtype(dtype, jnp.floating):
        return -jnp.inf
    if dtype == jnp.bool_:
        return False
    return jnp.iinfo(dtype).min


def _pad_last(x, pads, fill):
    """Pad the last len(pads) dims by (low, high) pairs (negative crops) with `fill`."""
    config = [(0, 0, 0)] * (x.ndim - len(pads)) + [(lo, hi, 0) for lo, hi in pads]
    return lax.pad(x, jnp.asarray(fill, x.dtype), config)


def _window_taps(x, kernel, stride, dilation, padding, out_sizes, fill):
    """[(offsets, tap)]: for each kernel offset, the input values it meets at every output
    position (shape (..., *out_sizes)), the padded border reading `fill`."""
    nd = len(kernel)
    in_sizes = x.shape[x.ndim - nd:]
    pads = [(p, (o - 1) * s + (k - 1) * d + 1 - n - p)
            for n, k, s, p, d, o in zip(in_sizes, kernel, stride, padding, dilation, out_sizes)]
    xp = _pad_last(x, pads, fill)
    lead = (slice(None),) * (x.ndim - nd)
    taps = []
    for offsets in itertools.product(*(range(k) for k in kernel)):
        window = tuple(slice(i * d, i * d + (o - 1) * s + 1, s)
                       for i, d, o, s in zip(offsets, dilation, out_sizes, stride))
        taps.append((offsets, xp[lead + window]))
    return taps


def _tap_positions(offsets, stride, padding, dilation, out_sizes):
    """Per spatial dim, the input coordinate a kernel offset reads at each output index."""
    return [np.arange(o) * s - p + i * d
            for i, o, s, p, d in zip(offsets, out_sizes, stride, padding, dilation)]


def _flat_index(coords, in_sizes):
    """Row-major flat index within one plane of the coordinate grids `coords` (one 1-d array
    per dim, broadcast against each other)."""
    grids = np.meshgrid(*coords, indexing="ij")
    flat = np.zeros(grids[0].shape, np.int64)
    for grid, n in zip(grids, in_sizes):
        flat = flat * n + grid
    return flat


def _inside(coords, in_sizes):
    grids = np.meshgrid(*coords, indexing="ij")
    mask = np.ones(grids[0].shape, bool)
    for grid, n in zip(grids, in_sizes):
        mask &= (grid >= 0) & (grid < n)
    return mask


_CHAIN_LIMIT = 16  # windows of up to this many taps use the select chain


def _select_chain(taps, indices, masks):
    """torch's max-pool loop over a list of window taps: a value replaces the best so far when
    it is greater or NaN (`val > maxval || isnan(val)`); masked-out taps (padding) never
    count. Elementwise selects, which XLA fuses into one loop."""
    best = taps[0]
    best_index = None if indices is None else jnp.asarray(indices[0])
    seen = None if masks is None else jnp.asarray(masks[0])
    for k in range(1, len(taps)):
        tap = taps[k]
        take = tap > best
        if jnp.issubdtype(tap.dtype, jnp.floating):
            take = take | jnp.isnan(tap)
        if masks is not None:
            mask = jnp.asarray(masks[k])
            take = (take | ~seen) & mask
            seen = seen | mask
        best = jnp.where(take, tap, best)
        if indices is not None:
            best_index = jnp.where(take, jnp.asarray(indices[k]), best_index)
    return best, best_index


def _stacked_argmax(stacked, indices, masks):
    """The same choice as `_select_chain` for long windows, on taps stacked along axis 0: the
    first maximum among valid taps, or the last NaN; then one gather (which routes the
    gradient to the chosen element)."""
    k = stacked.shape[0]

    def expand(table):  # (K, *out) -> (K, 1, ..., *out) against stacked (K, ..., *out)
        return jnp.asarray(table.reshape((k,) + (1,) * (stacked.ndim - table.ndim)
                                         + table.shape[1:]))

    valid = None if masks is None else expand(masks)
    keyed = stacked if valid is None else jnp.where(valid, stacked, _lowest(stacked.dtype))
    hit = keyed == jnp.max(keyed, axis=0)
    if valid is not None:
        hit = hit & valid
    pick = jnp.argmax(hit, axis=0)
    if jnp.issubdtype(stacked.dtype, jnp.floating):
        nan = jnp.isnan(keyed)
        last_nan = k - 1 - jnp.argmax(nan[::-1], axis=0)
        pick = jnp.where(jnp.any(nan, axis=0), last_nan, pick)
    best = jnp.take_along_axis(stacked, pick[None], axis=0)[0]
    if indices is None:
        return best, None
    table = jnp.broadcast_to(expand(indices), stacked.shape)
    return best, jnp.take_along_axis(table, pick[None], axis=0)[0]


def _window_max(taps, indices, masks, return_indices):
    """Max (and flat argmax index) over window taps, torch's tie and NaN rules.

    taps: a (K, ..., *out) array; indices, masks: numpy (K, *out) tables or None."""
    if len(taps) <= _CHAIN_LIMIT:
        best, index = _select_chain(list(taps), indices, masks)
    else:
        best, index = _stacked_argmax(taps, indices, masks)
    if not return_indices:
        return best
    return best, jnp.broadcast_to(index, best.shape)


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode, return_indices):
    """torch.nn.functional.max_pool{n}d; with return_indices, also the flat index of each
    maximum within its input plane (int64)."""
    nd = len(kernel)
    in_sizes = x.shape[x.ndim - nd:]
    out_sizes = tuple(output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                      zip(in_sizes, kernel, stride, padding, dilation))
    taps, indices, masks = [], [], []
    for offsets, tap in _window_taps(x, kernel, stride, dilation, padding, out_sizes,
                                     _lowest(x.dtype)):
        coords = _tap_positions(offsets, stride, padding, dilation, out_sizes)
        taps.append(tap)
        masks.append(_inside(coords, in_sizes))
        indices.append(_flat_index(coords, in_sizes))
    masks = None if all(m.all() for m in masks) else np.stack(masks)
    indices = np.stack(indices) if return_indices else None
    stacked = taps if len(taps) <= _CHAIN_LIMIT else jnp.stack(taps)
    return _window_max(stacked, indices, masks, return_indices)


def _avg_divisors(in_sizes, kernel, stride, padding, out_sizes, count_include_pad):
    """torch's avg-pool divisor at every output position: the window size clipped to the
    padded input (count_include_pad) or to the input itself."""
    per_dim = []
    for n, k, s, p, o in zip(in_sizes, kernel, stride, padding, out_sizes):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, n + p)
        if count_include_pad:
            per_dim.append(end - start)
        else:
            per_dim.append(np.minimum(end, n) - np.maximum(start, 0))
    grids = np.meshgrid(*per_dim, indexing="ij")
    return math.prod(grids) if grids else np.ones(())


def _accumulation_dtype(dtype):
    return jnp.float32 if dtype in (jnp.float16, jnp.bfloat16) else dtype


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad, divisor_override):
    """torch.nn.functional.avg_pool{n}d: window sums over the zero-padded input divided by
    torch's divisor; integer inputs divide with truncation, as torch's C++ does."""
    nd = len(kernel)
    in_sizes = x.shape[x.ndim - nd:]
    dilation = (1,) * nd
    out_sizes = tuple(output_size(n, k, s, p, 1, ceil_mode) for n, k, s, p in
                      zip(in_sizes, kernel, stride, padding))
    acc = x.astype(_accumulation_dtype(x.dtype))
    taps = _window_taps(acc, kernel, stride, dilation, padding, out_sizes, 0)
    total = taps[0][1]
    for _, tap in taps[1:]:
        total = total + tap
    if divisor_override is not None:
        divisor = np.full(out_sizes, divisor_override)
    else:
        divisor = _avg_divisors(in_sizes, kernel, stride, padding, out_sizes, count_include_pad)
    if jnp.issubdtype(x.dtype, jnp.integer):
        return lax.div(total, jnp.broadcast_to(jnp.asarray(divisor, x.dtype), total.shape))
    return (total / jnp.asarray(divisor, total.dtype)).astype(x.dtype)


def lp_pool(x, *, norm_type, kernel, stride, ceil_mode):
    """torch.nn.functional.lp_pool{n}d: (sum over the window of x^p)^(1/p), computed as torch
    does from avg_pool of x^p times the kernel volume."""
    nd = len(kernel)
    out = avg_pool(x ** norm_type, kernel=kernel, stride=stride, padding=(0,) * nd,
                   ceil_mode=ceil_mode, count_include_pad=True, divisor_override=None)
    return (out * math.prod(kernel)) ** (1.0 / norm_type)


def adaptive_windows(size, out):
    """torch's adaptive pooling windows along one dim: [floor(i*n/o), ceil((i+1)*n/o))."""
    i = np.arange(out)
    return (i * size) // out, ((i + 1) * size + out - 1) // out


def _gather_windows(x, axis, size, out):
    """x with `axis` replaced by (out, L): the (clamped) elements of each adaptive window,
    with the window lengths and the gathered input coordinates."""
    start, end = adaptive_windows(size, out)
    length = end - start
    width = int(length.max()) if out else 0
    coords = np.minimum(start[:, None] + np.arange(width)[None, :], end[:, None] - 1)
    gathered = jnp.take(x, jnp.asarray(coords.reshape(-1)), axis=axis)
    shape = x.shape[:axis] + (out, width) + x.shape[axis + 1:]
    return gathered.reshape(shape), length, coords, width


def adaptive_avg_pool(x, *, output_size):
    """torch.nn.functional.adaptive_avg_pool{n}d, one spatial dim at a time (the mean over a
    box is separable); evenly dividing sizes reduce with a reshape."""
    nd = len(output_size)
    acc = x.astype(_accumulation_dtype(x.dtype))
    for d, out in enumerate(output_size):
        axis = x.ndim - nd + d
        size = acc.shape[axis]
        if out and size % out == 0:
            split = acc.shape[:axis] + (out, size // out) + acc.shape[axis + 1:]
            acc = jnp.mean(acc.reshape(split), axis=axis + 1)
            continue
        gathered, length, _, width = _gather_windows(acc, axis, size, out)
        mask = (np.arange(width)[None, :] < length[:, None])
        shape = (out, width) + (1,) * (acc.ndim - axis - 1)
        total = jnp.sum(gathered * jnp.asarray(mask.reshape(shape), acc.dtype), axis=axis + 1)
        acc = total / jnp.asarray(length.reshape((out,) + shape[2:]), acc.dtype)
    return acc.astype(x.dtype)


def adaptive_max_pool(x, *, output_size, return_indices):
    """torch.nn.functional.adaptive_max_pool{n}d (+ flat argmax indices, int64)."""
    nd = len(output_size)
    lead = x.ndim - nd
    in_sizes = x.shape[lead:]
    if 0 in output_size:
        empty = jnp.zeros(x.shape[:lead] + tuple(output_size), x.dtype)
        return (empty, empty.astype(jnp.int64)) if return_indices else empty
    gathered, coords = x, []
    for d, out in enumerate(output_size):
        gathered, _, c, _ = _gather_windows(gathered, lead + 2 * d, in_sizes[d], out)
        coords.append(c)
    # (..., o1, L1, o2, L2, ...) -> (L1 * L2 * ..., ..., o1, o2, ...): one tap per window offset
    window_axes = [lead + 2 * d + 1 for d in range(nd)]
    rest = [a for a in range(gathered.ndim) if a not in window_axes]
    stacked = jnp.transpose(gathered, window_axes + rest)
    stacked = stacked.reshape((-1,) + stacked.shape[nd:])
    indices = _adaptive_index_table(coords, in_sizes) if return_indices else None
    return _window_max(stacked, indices, None, return_indices)


def _adaptive_index_table(coords, in_sizes):
    """(K, *out) flat input index of each window offset at each output position, from the
    per-dim (out, L) coordinate tables."""
    nd = len(coords)
    flat = np.zeros((), np.int64)
    for d, (c, n) in enumerate(zip(coords, in_sizes)):
        shape = [1] * (2 * nd)
        shape[d], shape[nd + d] = c.shape[1], c.shape[0]
        flat = flat * n + c.T.reshape(shape)
    window = [c.shape[1] for c in coords]
    out = [c.shape[0] for c in coords]
    return np.broadcast_to(flat, window + out).reshape((-1, *out))


def max_unpool(x, indices, *, output_size):
    """torch.nn.functional.max_unpool{n}d: zeros of `output_size` (spatial) per plane, with each
    input value written at its flat index."""
    nd = len(output_size)
    lead = x.shape[:x.ndim - nd]
    planes = math.prod(lead)
    values = x.reshape(planes, -1)
    flat = indices.reshape(planes, -1)
    out = jnp.zeros((planes, math.prod(output_size)), x.dtype)
    out = out.at[jnp.arange(planes)[:, None], flat].set(values, mode="drop")
    return out.reshape(lead + tuple(output_size))



# ---- fractional max pooling ---------------------------------------------------------------

def _fractional_starts(sample, in_size, out_size, kernel):
    """torch's generate_intervals: window starts (..., out_size) from one uniform sample per
    plane, computed in the sample's dtype as torch's scalar_t arithmetic."""
    if out_size == 1:
        return jnp.full(sample.shape + (1,), in_size - kernel, jnp.int64)
    alpha = jnp.asarray(in_size - kernel, sample.dtype) / jnp.asarray(out_size - 1, sample.dtype)
    steps = jnp.arange(out_size - 1, dtype=sample.dtype)
    s = sample[..., None]
    starts = (jnp.trunc((steps + s) * alpha).astype(jnp.int64)
              - jnp.trunc(s * alpha).astype(jnp.int64))
    last = jnp.full(sample.shape + (1,), in_size - kernel, jnp.int64)
    return jnp.concatenate([starts, last], axis=-1)


def fractional_max_pool(x, samples, *, kernel_size, output_size, sample_dims,
                        return_indices):
    """torch.nn.functional.fractional_max_pool{2,3}d on (N, C, *in) (or unbatched (C, *in)).

    `samples` is (N, C, nd) uniform in [0, 1); sample_dims[j] is the spatial dim sample j
    drives (torch's 2-d kernel uses sample 0 for the width, 1 for the height). Each window's
    maximum is gathered at its argmax (first maximum), so its gradient goes to that element
    only, accumulating where windows overlap, as torch's backward does."""
    nd = len(kernel_size)
    unbatched = x.ndim == nd + 1
    if unbatched:
        x = x[None]
    n, c = x.shape[:2]
    in_sizes = x.shape[2:]
    if 0 in output_size or x.size == 0:
        empty = jnp.zeros((n, c) + tuple(output_size), x.dtype)
        out = (empty, empty.astype(jnp.int64))
    else:
        starts = [None] * nd
        for j, d in enumerate(sample_dims):
            starts[d] = _fractional_starts(samples[:, :, j].astype(x.dtype), in_sizes[d],
                                           output_size[d], kernel_size[d])
        gathered = x
        for d in range(nd):
            idx = (starts[d][..., None] + jnp.arange(kernel_size[d])).reshape(n, c, -1)
            shape = [n, c] + [1] * nd
            shape[2 + d] = idx.shape[-1]
            gathered = jnp.take_along_axis(gathered, idx.reshape(shape), axis=2 + d)
        split = [n, c]
        for o, k in zip(output_size, kernel_size):
            split += [o, k]
        gathered = gathered.reshape(split)
        order = [0, 1] + [2 + 2 * d for d in range(nd)] + [3 + 2 * d for d in range(nd)]
        taps = jnp.transpose(gathered, order).reshape(n, c, *output_size, -1)
        best = jnp.argmax(taps, axis=-1)
        values = jnp.take_along_axis(taps, best[..., None], axis=-1)[..., 0]
        flat = jnp.zeros_like(best)
        rest = best
        offsets = []
        for k in reversed(kernel_size):
            offsets.append(rest % k)
            rest = rest // k
        offsets.reverse()
        for d in range(nd):
            view = [n, c] + [1] * nd
            view[2 + d] = output_size[d]
            flat = flat * in_sizes[d] + starts[d].reshape(view) + offsets[d]
        out = (values, flat)
    if unbatched:
        out = tuple(o[0] for o in out)
    return out if return_indices else out[0]
