"""Advanced indexing, index_put (`x[key] = v`) and gather."""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from jtorch import _dtypes
from jtorch._ops.promote import broadcast_shapes, cast
from jtorch._ops.reduction import canonical_dim


def _phases(key, arrays):
    """Split a static key with ("t", k) tensor placeholders (and ("m", k): a new dim indexed
    by tensor k, torch's x[True]/x[False]) into two numpy-style indices.

    torch applies integer indices first (as selects) and then the advanced ones, which places
    result dims differently from numpy when ints and index arrays are separated by a slice;
    indexing in two phases reproduces torch.
    """
    selects, rest = [], []
    for entry in key:
        kind = entry[0]
        if kind == "i":
            selects.append(entry[1])
            continue
        selects.append(None if kind in "nm" else slice(None))
        if kind == "s":
            rest.append(slice(entry[1], entry[2], entry[3]))
        elif kind == "n":
            rest.append(slice(None))
        else:  # "t": an index tensor; "m": a new dim indexed by one (x[False])
            rest.append(arrays[entry[1]])
    return tuple(selects), tuple(rest)


def advanced_index(x, *arrays, key):
    selects, rest = _phases(key, arrays)
    return x[selects][rest]


def index_put(x, value, *arrays, key, accumulate=False):
    """x with x[key] set to (or, with accumulate, increased by) value broadcast to x[key]."""
    value = cast(value, _dtypes.from_jax(x.dtype))
    region = jax.eval_shape(lambda x, *a: advanced_index(x, *a, key=key), x, *arrays).shape
    while value.ndim > len(region) and value.shape[0] == 1:
        value = value[0]
    try:
        value = jnp.broadcast_to(value, region)
    except ValueError:
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(region)}") from None
    if any(e[0] == "m" and arrays[e[1]].size == 0 for e in key):
        return x  # x[False] = value selects nothing
    # new dims (None, True) hold one element each: the write goes to x's own dims
    selects, rest = _phases(tuple(e for e in key if e[0] not in "nm"), arrays)
    sub = x[selects]
    value = value.reshape(sub[rest].shape)
    sub = sub.at[rest].add(value) if accumulate else sub.at[rest].set(value)
    return x.at[selects].set(sub) if selects else sub


def masked_fill_where(x, mask, value):
    """x with `value` where the boolean `mask` (broadcast to x) is set."""
    broadcast_shapes(x.shape, mask.shape)
    return jnp.where(mask, cast(value, _dtypes.from_jax(x.dtype)), x)


def gather(x, index, *, dim):
    if index.dtype not in (jnp.int64, jnp.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if x.ndim != index.ndim and not (x.ndim <= 1 and index.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    dim = canonical_dim(dim, x.ndim)
    if x.ndim == 0:
        return x.reshape(index.shape)
    for d in range(x.ndim):
        if d != dim and index.shape[d] > x.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(index.shape)} to be smaller than self {list(x.shape)} "
                               f"apart from dimension {dim}")
    trimmed = x[tuple(slice(0, n) if d != dim else slice(None)
                      for d, n in enumerate(index.shape))]
    return jnp.take_along_axis(trimmed, index, axis=dim)


# ---- scatter family: out[..., index[p], ...] (at dim) <- src[p] for every position p of index

def _scatter_index(index, dim):
    """The numpy-style index tuple of scatter/gather: `index` at dim, iotas elsewhere."""
    return tuple(index if d == dim else jax.lax.broadcasted_iota(index.dtype, index.shape, d)
                 for d in range(index.ndim))


def _scatter_values(x, index, src):
    """src's leading index.shape block (torch reads only that), or a scalar broadcast to it."""
    if jnp.ndim(src) == 0:
        return jnp.broadcast_to(cast(src, _dtypes.from_jax(x.dtype)), index.shape)
    return src[tuple(slice(0, n) for n in index.shape)]


def _as_1d(fn):
    """Run a scatter on 0-d operands as 1-element vectors, as torch treats them."""
    def wrapped(x, index, src, **kwargs):
        if x.ndim:
            return fn(x, index, src, **kwargs)
        src = src if jnp.ndim(src) == 0 else src.reshape(-1)
        return fn(x.reshape(1), index.reshape(-1), src, **kwargs).reshape(())
    wrapped.__name__ = fn.__name__
    return wrapped


@_as_1d
def scatter(x, index, src, *, dim, reduce=None):
    """torch.scatter (src tensor or scalar value), with the legacy reduce="add"/"multiply"."""
    ref = x.at[_scatter_index(index, dim)]
    values = _scatter_values(x, index, src)
    if reduce is None:
        return ref.set(values)
    if reduce == "add":
        return ref.add(values)
    return ref.multiply(values)


@_as_1d
def scatter_add(x, index, src, *, dim):
    return x.at[_scatter_index(index, dim)].add(_scatter_values(x, index, src))


_IDENTITY = {"sum": 0, "mean": 0, "prod": 1}


def _reduce_identity(dtype, reduce):
    if reduce in _IDENTITY:
        return _IDENTITY[reduce]
    if dtype == jnp.bool_:
        return reduce == "amin"
    if jnp.issubdtype(dtype, jnp.inexact):
        return -jnp.inf if reduce == "amax" else jnp.inf
    info = jnp.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce_plain(x, index, src, dim, reduce, include_self):
    idx = _scatter_index(index, dim)
    values = _scatter_values(x, index, src)
    scattered = jnp.zeros(x.shape, bool).at[idx].set(True)
    if not include_self:
        x = jnp.where(scattered, jnp.asarray(_reduce_identity(x.dtype, reduce), x.dtype), x)
    ref = x.at[idx]
    if reduce in ("sum", "mean"):
        out = ref.add(values)
    elif reduce == "prod":
        out = ref.multiply(values)
    elif reduce == "amax":
        out = ref.max(values)
    else:
        out = ref.min(values)
    if reduce != "mean":
        return out
    count = jnp.zeros(x.shape, x.dtype).at[idx].add(jnp.ones_like(values))
    own = jnp.ones((), x.dtype) if include_self else jnp.where(scattered, 0, 1).astype(x.dtype)
    count = count + own
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return out / count
    return jnp.floor_divide(out, count)


@functools.partial(jax.custom_vjp, nondiff_argnums=(3, 4))
def _scatter_prod(x, index, src, dim, include_self):
    return _scatter_reduce_plain(x, index, src, dim, "prod", include_self)


def _scatter_prod_fwd(x, index, src, dim, include_self):
    out = _scatter_prod(x, index, src, dim, include_self)
    return out, (x, index, src, out)


def _scatter_prod_bwd(dim, include_self, saved, grad):
    """torch's ScatterReduceBackward0 for prod: exclusive products where an input is zero."""
    x, index, src, out = saved
    idx = _scatter_index(index, dim)
    src = _scatter_values(x, index, src)
    masked_x = jnp.where(x == 0, 1, x)
    grad_x = grad * _scatter_reduce_plain(masked_x, index, src, dim, "prod", include_self) \
        / masked_x
    if not include_self:
        grad_x = jnp.where(jnp.zeros(x.shape, bool).at[idx].set(True), 0, grad_x)
    src_zero = src == 0
    zeros_at = jnp.zeros(x.shape, jnp.int64).at[idx].add(src_zero.astype(jnp.int64))[idx]
    single_zero = src_zero & (zeros_at == 1)
    masked_src_out = _scatter_reduce_plain(x, index, jnp.where(single_zero, 1, src), dim, "prod",
                                           include_self)
    grad_src = jnp.where(single_zero, (grad * masked_src_out)[idx],
                         (grad * out)[idx] / jnp.where(src_zero, 1, src))
    return grad_x, None, grad_src


_scatter_prod.defvjp(_scatter_prod_fwd, _scatter_prod_bwd)


@functools.partial(jax.custom_vjp, nondiff_argnums=(3, 4, 5))
def _scatter_extremal(x, index, src, dim, reduce, include_self):
    return _scatter_reduce_plain(x, index, src, dim, reduce, include_self)


def _scatter_extremal_fwd(x, index, src, dim, reduce, include_self):
    out = _scatter_extremal(x, index, src, dim, reduce, include_self)
    return out, (x, index, src, out)


def _scatter_extremal_bwd(dim, reduce, include_self, saved, grad):
    """torch's ScatterReduceBackward0 for amax/amin: the gradient is shared evenly by every
    value equal to the result, counting the position's own value even when include_self is
    False (which then gets none of it)."""
    x, index, src, out = saved
    idx = _scatter_index(index, dim)
    self_is = (x == out).astype(grad.dtype)
    src_is = (src == out[idx]).astype(grad.dtype)
    share = grad / self_is.at[idx].add(src_is)
    grad_x = self_is * share
    if not include_self:
        grad_x = jnp.where(jnp.zeros(x.shape, bool).at[idx].set(True), 0, grad_x)
    return grad_x, None, src_is * share[idx]


_scatter_extremal.defvjp(_scatter_extremal_fwd, _scatter_extremal_bwd)


@_as_1d
def scatter_reduce(x, index, src, *, dim, reduce, include_self=True):
    """torch.scatter_reduce: sum, prod, mean (integers floor-divide), amax or amin of the
    values scattered to each position, with or without the position's own value."""
    if jnp.issubdtype(x.dtype, jnp.inexact) and reduce in ("prod", "amax", "amin"):
        src = src[tuple(slice(0, n) for n in index.shape)]
        if reduce == "prod":
            return _scatter_prod(x, index, src, dim, include_self)
        return _scatter_extremal(x, index, src, dim, reduce, include_self)
    return _scatter_reduce_plain(x, index, src, dim, reduce, include_self)


# ---- index_* ops along one dim -------------------------------------------------------------

def _along(dim, index):
    return (slice(None),) * dim + (index,)


def index_select(x, index, *, dim):
    if x.ndim == 0:
        return x
    return jnp.take(x, index.reshape(-1), axis=dim)


def _0d_safe(fn):
    """index_add/copy/fill on a 0-d tensor act on it as a 1-element vector."""
    def wrapped(x, index, *rest, **kwargs):
        if x.ndim:
            return fn(x, index, *rest, **kwargs)
        rest = tuple(r.reshape(-1) if jnp.ndim(r) else r for r in rest)
        return fn(x.reshape(1), index.reshape(-1), *rest, **kwargs).reshape(())
    wrapped.__name__ = fn.__name__
    return wrapped


@_0d_safe
def index_add(x, index, source, *, dim, alpha=1):
    source = source * alpha if alpha != 1 else source
    if source.ndim == 0:
        source = source.reshape(1)
    return x.at[_along(dim, index.reshape(-1))].add(source.astype(x.dtype))


@_0d_safe
def index_copy(x, index, source, *, dim):
    if source.ndim == 0:
        source = source.reshape(1)
    return x.at[_along(dim, index.reshape(-1))].set(source)


@_0d_safe
def index_fill(x, index, value, *, dim):
    value = cast(value, _dtypes.from_jax(x.dtype))
    return x.at[_along(dim, index.reshape(-1))].set(value)


# ---- flat and masked ops -------------------------------------------------------------------

def take(x, index):
    return x.reshape(-1)[index]


def put(x, index, source, *, accumulate=False):
    ref = x.reshape(-1).at[index.reshape(-1)]
    source = source.reshape(-1)
    out = ref.add(source) if accumulate else ref.set(source)
    return out.reshape(x.shape)


def take_along_dim(x, index, *, dim):
    return jnp.take_along_axis(x, index, axis=dim)


def masked_select(x, positions, *, shape):
    """The elements of x (broadcast to `shape`) at the flat `positions` the mask selects."""
    return jnp.broadcast_to(x, shape).reshape(-1)[positions]


def masked_scatter(x, mask, source, *, shape):
    """x (broadcast to `shape`) with the masked positions filled, in order, from source."""
    x = jnp.broadcast_to(x, shape).reshape(-1)
    mask = jnp.broadcast_to(mask, shape).reshape(-1)
    source = source.reshape(-1)
    if source.size == 0:
        return x.reshape(shape)
    which = jnp.clip(jnp.cumsum(mask) - 1, 0, source.size - 1)
    return jnp.where(mask, source[which], x).reshape(shape)
