"""Sorting, selection, quantiles, counting and searching with torch's semantics.

Order: NaN sorts after every number (before it when descending), -0.0 equals 0.0, and ties keep
their input order (a stable sort; torch's default unstable sort may order ties differently).
Values are always read at the selected indices, so gradients reach exactly the elements torch
selects. `unique`, `unique_consecutive` and `bincount` have value-dependent output shapes: they
run on concrete arrays only and raise a RuntimeError under tracing.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jtorch import _dtypes
from jtorch._ops.concrete import concrete
from jtorch._ops.promote import promote
from jtorch._ops.reduction import _check_nonempty, _is_inexact, canonical_dim


def _title(x):
    return _dtypes.title_name(_dtypes.from_jax(x.dtype))


def _argsort(x, dim, descending=False):
    return jnp.argsort(x, axis=dim, stable=True, descending=descending).astype(jnp.int64)


def _isnan(x):
    return jnp.isnan(x) if _is_inexact(x) else jnp.zeros(x.shape, bool)


def sort(x, *, dim=-1, descending=False):
    """torch.sort: (values, indices)."""
    dim = canonical_dim(dim, x.ndim)
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    indices = _argsort(x, dim, descending)
    return jnp.take_along_axis(x, indices, axis=dim), indices


def argsort(x, *, dim=-1, descending=False):
    return sort(x, dim=dim, descending=descending)[1]


def msort(x):
    return sort(x, dim=0)[0]


def topk(x, *, k, dim=-1, largest=True):
    """torch.topk (sorted=True order; NaN counts as the largest value)."""
    dim = canonical_dim(dim, x.ndim)
    size = x.shape[dim] if x.ndim else 1
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    indices = lax.slice_in_dim(_argsort(x, dim, descending=largest), 0, k, axis=dim)
    return jnp.take_along_axis(x, indices, axis=dim), indices


def _select(x, indices, dim, keepdim):
    """(values, indices) at `indices` (keepdim-shaped) along dim, squeezed unless keepdim."""
    values = jnp.take_along_axis(x, indices, axis=dim)
    if not keepdim:
        values, indices = jnp.squeeze(values, dim), jnp.squeeze(indices, dim)
    return values, indices


def kthvalue(x, *, k, dim=-1, keepdim=False):
    """torch.kthvalue: the k-th smallest element (1-based) and its index."""
    dim = canonical_dim(dim, x.ndim)
    size = x.shape[dim] if x.ndim else 1
    if x.ndim and size == 0:
        _check_nonempty(x, "kthvalue", dim)
    if not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    order = _argsort(x, dim)
    return _select(x, lax.slice_in_dim(order, k - 1, k, axis=dim), dim, keepdim)


def _median_position(x, dim, ignore_nan):
    """Per row: the position in the stable ascending order of torch's median element (the lower
    median; with NaNs, the first NaN for median, the non-NaN lower median for nanmedian)."""
    n = x.shape[dim]
    valid = jnp.sum(~_isnan(x), axis=dim, keepdims=True)
    if ignore_nan:
        return jnp.maximum(valid - 1, 0) // 2
    return jnp.where(valid < n, valid, (n - 1) // 2)


def median_dim(x, *, dim, keepdim=False, ignore_nan=False):
    """torch.median/nanmedian(x, dim): (values, indices); gradients flow to the index."""
    dim = canonical_dim(dim, x.ndim)
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    _check_nonempty(x, "nanmedian" if ignore_nan else "median", dim)
    order = _argsort(x, dim)
    pos = _median_position(x, dim, ignore_nan)
    return _select(x, jnp.take_along_axis(order, pos, axis=dim), dim, keepdim)


def median(x, *, ignore_nan=False):
    """torch.median/nanmedian(x) over all elements: the lower median (NaN if x has a NaN, for
    median; empty inputs give NaN). The gradient is shared evenly by every element equal to the
    result, as torch's evenly_distribute_backward does."""
    flat = x.reshape(-1)
    if flat.size == 0:
        return jnp.full((), jnp.nan if _is_inexact(x) else jnp.iinfo(x.dtype).min, x.dtype)
    keys = lax.stop_gradient(flat)
    order = _argsort(keys, 0)
    pos = _median_position(keys, 0, ignore_nan)
    value = keys[order[pos[0]]]
    if not _is_inexact(x):
        return value
    mask = jnp.where(jnp.isnan(value), jnp.isnan(keys), keys == value)
    share = jnp.sum(jnp.where(mask, flat - keys, 0)) / jnp.sum(mask)
    return value + share


def mode(x, *, dim=-1, keepdim=False):
    """torch.mode: the most frequent value along dim (the smallest among equally frequent ones)
    and the index of its last occurrence."""
    dim = canonical_dim(dim, x.ndim)
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    _check_nonempty(x, "mode", dim)
    keys = lax.stop_gradient(x)
    ordered = jnp.take_along_axis(keys, _argsort(keys, dim), axis=dim)
    n = x.shape[dim]
    iota = lax.broadcasted_iota(jnp.int64, x.shape, dim)
    previous = jnp.concatenate([lax.slice_in_dim(ordered, 0, 1, axis=dim),
                                lax.slice_in_dim(ordered, 0, n - 1, axis=dim)], axis=dim)
    starts = (iota == 0) | (ordered != previous)
    run_start = lax.cummax(jnp.where(starts, iota, 0), axis=dim)
    run_length = iota - run_start + 1
    best = jnp.argmax(run_length, axis=dim, keepdims=True)  # first: the smallest value
    value = jnp.take_along_axis(ordered, best, axis=dim)
    index = jnp.max(jnp.where(keys == value, iota, -1), axis=dim, keepdims=True)
    return _select(x, index, dim, keepdim)


# ---- quantiles -----------------------------------------------------------------------------

INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(x, q, *, dim=None, keepdim=False, interpolation="linear", ignore_nan=False):
    """torch.quantile/nanquantile, computed as torch does: sort, rank = q * (n - 1) (n counting
    non-NaN values for nanquantile; a NaN row gives NaN for quantile), interpolate. A 1-D q
    adds a leading dimension."""
    q = jnp.asarray(q, x.dtype)
    if dim is None:
        rows = x.reshape(1, -1)
        out_shape = (1,) * x.ndim if keepdim else ()
    elif x.ndim == 0:
        canonical_dim(dim, 0)
        rows, out_shape = x.reshape(1, 1), ()
    else:
        dim = canonical_dim(dim, x.ndim)
        rows = jnp.moveaxis(x, dim, -1).reshape(-1, x.shape[dim])
        out_shape = tuple(1 if d == dim else s for d, s in enumerate(x.shape)
                          if keepdim or d != dim)
    n = rows.shape[-1]
    ordered = jnp.take_along_axis(rows, _argsort(lax.stop_gradient(rows), -1), axis=-1)
    nan = jnp.isnan(lax.stop_gradient(rows))
    qs = q.reshape(1, -1)  # (1, len(q))
    if ignore_nan:
        valid = jnp.sum(~nan, axis=-1, keepdims=True).astype(x.dtype)
        ranks = jnp.maximum(qs * (valid - 1), 0)
    else:
        ranks = jnp.where(jnp.any(nan, axis=-1, keepdims=True), n - 1, qs * (n - 1))
    if interpolation == "lower":
        ranks = jnp.floor(ranks)
    elif interpolation == "higher":
        ranks = jnp.ceil(ranks)
    elif interpolation == "nearest":
        ranks = jnp.round(ranks)
    below = ranks.astype(jnp.int64)
    values = jnp.take_along_axis(ordered, below, axis=-1)
    if interpolation in ("linear", "midpoint"):
        above = jnp.take_along_axis(ordered, jnp.ceil(ranks).astype(jnp.int64), axis=-1)
        weights = ranks - below if interpolation == "linear" else jnp.where(
            below == ranks, 0, 0.5).astype(x.dtype)
        # torch's lerp: the formula depends on which end the weight is nearer
        values = jnp.where(weights < 0.5, values + weights * (above - values),
                           above - (above - values) * (1 - weights))
    values = jnp.moveaxis(values, -1, 0)  # (len(q), rows)
    if q.ndim == 0:
        return values.reshape(out_shape)
    return values.reshape((q.shape[0],) + out_shape)


# ---- histograms and searching --------------------------------------------------------------

def histc(x, *, bins=100, min=0, max=0):  # noqa: A002
    """torch.histc: `bins` equal-width bins over [min, max] (the data's range when min == max,
    widened by 1 each way if still equal); elements outside are ignored."""
    if not jnp.issubdtype(x.dtype, jnp.floating):
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{_title(x)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc: max must be larger than min")
    lo, hi = jnp.asarray(min, x.dtype), jnp.asarray(max, x.dtype)
    if min == max:
        data = lax.stop_gradient(x)
        lo = jnp.where(x.size > 0, jnp.min(data, initial=jnp.inf), lo).astype(x.dtype)
        hi = jnp.where(x.size > 0, jnp.max(data, initial=-jnp.inf), hi).astype(x.dtype)
        same = lo == hi
        lo, hi = jnp.where(same, lo - 1, lo), jnp.where(same, hi + 1, hi)
    flat = x.reshape(-1)
    inside = (flat >= lo) & (flat <= hi)
    position = ((flat - lo) * bins / (hi - lo))
    position = jnp.where(inside, position, 0).astype(jnp.int64)
    position = jnp.minimum(position, bins - 1)
    return jnp.zeros(bins, x.dtype).at[position].add(inside.astype(x.dtype))


def searchsorted(boundaries, values, sorter=None, *, right=False, out_int32=False):
    """torch.searchsorted: 1-D boundaries, or boundaries whose leading dims match the values'."""
    values_shape = jnp.shape(values)
    if boundaries.ndim > 1 and (len(values_shape) != boundaries.ndim
                                or values_shape[:-1] != boundaries.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(boundaries.shape)} and input value tensor "
            f"{list(values_shape)}")
    if sorter is not None:
        if sorter.shape != boundaries.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got "
                f"boundary tensor {list(boundaries.shape)}and got sorter tensor "
                f"{list(sorter.shape)}")
        boundaries = jnp.take_along_axis(boundaries, sorter.astype(jnp.int64), axis=-1)
    (boundaries, values), _ = promote(boundaries, values)
    side = "right" if right else "left"
    if boundaries.ndim <= 1:
        out = jnp.searchsorted(boundaries, values, side=side)
    else:
        rows_b = boundaries.reshape(-1, boundaries.shape[-1])
        rows_v = values.reshape(rows_b.shape[0], -1)
        out = jax.vmap(lambda b, v: jnp.searchsorted(b, v, side=side))(rows_b, rows_v)
        out = out.reshape(values.shape)
    return out.astype(jnp.int32 if out_int32 else jnp.int64)


def bucketize(values, boundaries, *, right=False, out_int32=False):
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, values, right=right, out_int32=out_int32)


# ---- value-dependent shapes: eager only ----------------------------------------------------

def _concrete(name, *arrays):
    """numpy copies of the arrays (torch's output shape here depends on the values)."""
    return [None if a is None else concrete(a, f"{name}()") for a in arrays]


def _as_jax(a, dtype=None):
    return jnp.asarray(a, dtype=dtype)


def _unique_rows(flat, consecutive):
    """(first-row positions of each group in `order`, group id per row, order) for rows of a
    2-D array: sorted unique rows (NaNs never equal), or runs of equal consecutive rows."""
    n = flat.shape[0]
    if consecutive:
        order = np.arange(n)
    else:
        keys = [flat[:, j] for j in reversed(range(flat.shape[1]))]
        order = np.lexsort(keys) if keys else np.arange(n)
    ordered = flat[order]
    changed = np.ones(n, bool)
    if n > 1:
        changed[1:] = np.any(ordered[1:] != ordered[:-1], axis=1)
    group = np.cumsum(changed) - 1
    inverse = np.empty(n, np.int64)
    inverse[order] = group
    return np.flatnonzero(changed), inverse, order


def unique(x, *, sorted=True, return_inverse=False, return_counts=False, dim=None,  # noqa: A002
           consecutive=False):
    """torch.unique / unique_consecutive: (values, inverse, counts), all three computed; the
    caller picks those asked for. NaNs are never equal to each other, as in torch."""
    name = "unique_consecutive" if consecutive else "unique"
    (a,) = _concrete(name, x)
    if dim is None:
        flat, moved_shape = a.reshape(-1, 1), None
    else:
        dim = canonical_dim(dim, a.ndim)
        moved = np.moveaxis(a, dim, 0)
        moved_shape = moved.shape
        flat = moved.reshape(moved.shape[0], -1)
    starts, inverse, order = _unique_rows(flat, consecutive)
    counts = np.diff(np.append(starts, flat.shape[0])).astype(np.int64)
    rows = flat[order][starts]
    if dim is None:
        values = rows.reshape(-1)
        inverse = inverse.reshape(a.shape)
    else:
        values = np.moveaxis(rows.reshape((len(starts),) + moved_shape[1:]), 0, dim)
    return _as_jax(values, x.dtype), _as_jax(inverse, jnp.int64), _as_jax(counts, jnp.int64)


def bincount(x, weights=None, *, minlength=0):
    """torch.bincount: counts (int64), or sums of weights (float32 weights stay float32, any
    other dtype sums in float64) of each non-negative integer in a 1-D input."""
    if not jnp.issubdtype(x.dtype, jnp.integer):
        raise NotImplementedError(f"\"bincount_cpu\" not implemented for '{_title(x)}'")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    a, w = _concrete("bincount", x, weights)
    if a.ndim != 1 or (a.size and a.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if w is not None and (w.ndim != 1 or w.shape[0] != a.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    length = max(int(a.max()) + 1 if a.size else 0, minlength)
    if w is None:
        return _as_jax(np.bincount(a, minlength=length).astype(np.int64))
    out_dtype = np.float32 if w.dtype == np.float32 else np.float64
    totals = np.zeros(length, out_dtype)
    np.add.at(totals, a, w.astype(out_dtype))
    return _as_jax(totals)
