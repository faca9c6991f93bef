"""Reductions with torch's dim/keepdim/dtype rules."""

from __future__ import annotations

import jax.numpy as jnp

from jtorch import _dtypes
from jtorch._ops.promote import cast


def canonical_dim(dim, ndim):
    """Wrap a negative dim; torch's IndexError when out of range (0-d tensors accept 0 and -1)."""
    lo, hi = (-ndim, ndim - 1) if ndim > 0 else (-1, 0)
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but "
                         f"got {dim})")
    return dim % ndim if ndim > 0 else 0


def canonical_dims(dim, ndim):
    """None -> all dims; int or sequence -> sorted tuple of wrapped dims, rejecting repeats."""
    if dim is None or (isinstance(dim, tuple) and len(dim) == 0):
        return tuple(range(ndim))
    if isinstance(dim, int):
        dim = (dim,)
    out = tuple(canonical_dim(d, ndim) for d in dim)
    for d in out:
        if out.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return tuple(sorted(out))


def _axes(x, dim):
    return tuple(a for a in canonical_dims(dim, x.ndim) if a < x.ndim) if x.ndim else ()


def _accumulation_dtype(x, dtype):
    """torch's sum/prod dtype: the given one, else int64 for integer and bool inputs."""
    if dtype is not None:
        return dtype
    d = _dtypes.from_jax(x.dtype)
    return d if d.is_floating_point or d.is_complex else _dtypes.int64


def sum(x, *, dim=None, keepdim=False, dtype=None):
    dtype = _accumulation_dtype(x, dtype)
    return jnp.sum(cast(x, dtype), axis=_axes(x, dim), keepdims=keepdim)


def prod(x, *, dim=None, keepdim=False, dtype=None):
    """torch.prod: integer and bool inputs multiply in int64 unless dtype is given."""
    dtype = _accumulation_dtype(x, dtype)
    return jnp.prod(cast(x, dtype), axis=_axes(x, dim), keepdims=keepdim)


def mean(x, *, dim=None, keepdim=False, dtype=None):
    d = dtype or _dtypes.from_jax(x.dtype)
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: " + _dtypes.title_name(d))
    return jnp.mean(cast(x, d), axis=_axes(x, dim), keepdims=keepdim)


def _check_nonempty(x, name, dim, unspecified_error=RuntimeError):
    """torch refuses to reduce an empty tensor over every dim, or over a dim of size 0."""
    if x.size != 0:
        return
    if dim is None:
        raise unspecified_error(f"{name}(): Expected reduction dim to be specified for "
                                "input.numel() == 0. Specify the reduction dim with the 'dim' "
                                "argument.")
    for d in canonical_dims(dim, x.ndim):
        if x.shape[d] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


def amax(x, *, dim=None, keepdim=False, name="max"):
    _check_nonempty(x, name, dim)
    return jnp.max(x, axis=_axes(x, dim), keepdims=keepdim)


def amin(x, *, dim=None, keepdim=False, name="min"):
    _check_nonempty(x, name, dim)
    return jnp.min(x, axis=_axes(x, dim), keepdims=keepdim)


def _arg_reduce(x, dim, keepdim, jfn, name):
    if dim is None:
        _check_nonempty(x, name, None, unspecified_error=IndexError)
        out = jfn(x.reshape(-1))
        return out.reshape((1,) * x.ndim) if keepdim else out
    dim = canonical_dim(dim, x.ndim)
    _check_nonempty(x, name, dim)
    if x.ndim == 0:
        return jnp.zeros((), jnp.int64)
    return jfn(x, axis=dim, keepdims=keepdim).astype(jnp.int64)


def argmax(x, *, dim=None, keepdim=False):
    return _arg_reduce(x, dim, keepdim, jnp.argmax, "argmax").astype(jnp.int64)


def argmin(x, *, dim=None, keepdim=False):
    return _arg_reduce(x, dim, keepdim, jnp.argmin, "argmin").astype(jnp.int64)


def _value_index(x, dim, keepdim, arg_fn, name):
    """torch.max/min(x, dim): values taken at the indices, so gradients reach only them."""
    indices = arg_fn(x, dim=dim, keepdim=True)
    if x.ndim == 0:
        return x, indices.reshape(())
    dim = canonical_dim(dim, x.ndim)
    values = jnp.take_along_axis(x, indices, axis=dim)
    if not keepdim:
        values, indices = jnp.squeeze(values, dim), jnp.squeeze(indices, dim)
    return values, indices


def max_dim(x, *, dim, keepdim=False):
    return _value_index(x, dim, keepdim, argmax, "max")


def min_dim(x, *, dim, keepdim=False):
    return _value_index(x, dim, keepdim, argmin, "min")
