"""Advanced indexing, index_put (`x[key] = v`) and gather."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jtorch import _dtypes
from jtorch._ops.promote import broadcast_shapes, cast
from jtorch._ops.reduction import canonical_dim


def _phases(key, arrays):
    """Split a static key with ("t", k) tensor placeholders into two numpy-style indices.

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
        selects.append(None if kind == "n" else slice(None))
        if kind == "s":
            rest.append(slice(entry[1], entry[2], entry[3]))
        elif kind == "n":
            rest.append(slice(None))
        else:
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
    selects, rest = _phases(tuple(e for e in key if e[0] != "n"), arrays)
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
