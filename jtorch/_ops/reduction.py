"""Reductions with torch's dim/keepdim/dtype rules."""

from __future__ import annotations

import builtins
import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

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


# ---- statistics: var/std, logsumexp, norms, nan-aware sums --------------------------------

def _is_inexact(x):
    d = _dtypes.from_jax(x.dtype)
    return d.is_floating_point or d.is_complex


def _reduced_count(x, axes):
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


@jax.custom_jvp
def _sqrt_zero_grad(v):
    """sqrt whose derivative at 0 is 0 (torch's std/norm backward masks a zero result)."""
    return jnp.sqrt(v)


@_sqrt_zero_grad.defjvp
def _sqrt_zero_grad_jvp(primals, tangents):
    (v,), (dv,) = primals, tangents
    y = jnp.sqrt(v)
    return y, jnp.where(y == 0, 0, dv / (2 * jnp.where(y == 0, 1, y)))


def var(x, *, dim=None, correction=1, keepdim=False):
    """torch.var: sum((x - mean)^2) / max(0, N - correction); complex inputs give real results."""
    if not _is_inexact(x):
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = _axes(x, dim)
    centered = x - jnp.mean(x, axis=axes, keepdims=True)
    squares = jnp.real(centered * jnp.conj(centered)) if jnp.iscomplexobj(x) else centered ** 2
    divisor = builtins.max(0, _reduced_count(x, axes) - correction)
    return jnp.sum(squares, axis=axes, keepdims=keepdim) / jnp.asarray(divisor, squares.dtype)


def std(x, *, dim=None, correction=1, keepdim=False):
    return _sqrt_zero_grad(var(x, dim=dim, correction=correction, keepdim=keepdim))


def var_mean(x, *, dim=None, correction=1, keepdim=False):
    return (var(x, dim=dim, correction=correction, keepdim=keepdim),
            jnp.mean(x, axis=_axes(x, dim), keepdims=keepdim))


def std_mean(x, *, dim=None, correction=1, keepdim=False):
    v, m = var_mean(x, dim=dim, correction=correction, keepdim=keepdim)
    return _sqrt_zero_grad(v), m


def logsumexp(x, *, dim=None, keepdim=False):
    """torch.logsumexp: integer and bool inputs give the default float dtype; empty gives -inf."""
    from jtorch._ops.promote import to_float
    x = to_float(x)
    axes = _axes(x, dim)
    peak = jnp.max(x, axis=axes, keepdims=True, initial=-jnp.inf)
    peak = lax.stop_gradient(jnp.where(jnp.isfinite(peak), peak, 0))
    out = jnp.log(jnp.sum(jnp.exp(x - peak), axis=axes, keepdims=True)) + peak
    return out if keepdim else jnp.squeeze(out, axes)


def nansum(x, *, dim=None, keepdim=False, dtype=None):
    if _is_inexact(x):
        x = jnp.where(jnp.isnan(x), jnp.zeros((), x.dtype), x)
    return sum(x, dim=dim, keepdim=keepdim, dtype=dtype)


def nanmean(x, *, dim=None, keepdim=False, dtype=None):
    """torch.nanmean: nansum / number of non-NaN elements (floating point inputs only)."""
    if not _is_inexact(x):
        raise RuntimeError("nanmean(): expected input to have floating point or complex dtype "
                           f"but got {_dtypes.title_name(_dtypes.from_jax(x.dtype))}")
    count = sum(~jnp.isnan(x), dim=dim, keepdim=keepdim)
    total = nansum(x, dim=dim, keepdim=keepdim, dtype=dtype)
    return total / count.astype(total.dtype)


def all(x, *, dim=None, keepdim=False):  # noqa: A001
    """torch.all: bool result, except uint8 inputs which keep uint8 (as torch does)."""
    out = jnp.all(x != 0, axis=_axes(x, dim), keepdims=keepdim)
    return out.astype(jnp.uint8) if x.dtype == jnp.uint8 else out


def any(x, *, dim=None, keepdim=False):  # noqa: A001
    out = jnp.any(x != 0, axis=_axes(x, dim), keepdims=keepdim)
    return out.astype(jnp.uint8) if x.dtype == jnp.uint8 else out


def count_nonzero(x, *, dim=None):
    return jnp.sum(x != 0, axis=_axes(x, dim), dtype=jnp.int64)


def aminmax(x, *, dim=None, keepdim=False):
    """torch.aminmax: (min, max); ties share the gradient evenly, as torch's AminmaxBackward."""
    if x.size == 0 and (dim is None or x.ndim == 0):
        raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the "
                           "operation has no identity.")
    if dim is not None:
        _check_nonempty(x, "aminmax", canonical_dim(dim, x.ndim))
    axes = _axes(x, dim)
    return (jnp.min(x, axis=axes, keepdims=keepdim), jnp.max(x, axis=axes, keepdims=keepdim))


# ---- norms ---------------------------------------------------------------------------------

@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3))
def _p_norm(a, p, axes, keepdim):
    """(sum a^p)^(1/p) of non-negative a; the derivative is 0 where a or the norm is 0 (torch's
    norm backward masks those, JAX's would give NaN)."""
    return jnp.sum(a ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)


@_p_norm.defjvp
def _p_norm_jvp(p, axes, keepdim, primals, tangents):
    (a,), (da,) = primals, tangents
    norm = _p_norm(a, p, axes, keepdim)
    kept = norm if keepdim else jnp.expand_dims(norm, axes)
    scale = jnp.where(a == 0, 0, a ** (p - 1)) / jnp.where(kept == 0, 1, kept ** (p - 1))
    scale = jnp.where(kept == 0, 0, scale)
    return norm, jnp.sum(scale * da, axis=axes, keepdims=keepdim)


@jax.custom_jvp
def _abs(x):
    """|x| whose derivative at 0 is 0 (torch's sgn), where JAX's abs takes 1."""
    return jnp.abs(x)


@_abs.defjvp
def _abs_jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    a = jnp.abs(x)
    if jnp.iscomplexobj(x):
        return a, jnp.where(a == 0, 0, jnp.real(jnp.conj(x) * dx) / jnp.where(a == 0, 1, a))
    return a, jnp.sign(x) * dx


def vector_norm(x, *, ord=2, dim=None, keepdim=False, dtype=None):
    """torch.linalg.vector_norm (torch.norm with a numeric p): float and complex inputs only."""
    if not _is_inexact(x):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtypes.title_name(_dtypes.from_jax(x.dtype))}")
    if dtype is not None:
        x = cast(x, dtype)
    axes = _axes(x, dim)
    if ord in (math.inf, -math.inf):
        if (x.size == 0 and dim is None) or builtins.any(x.shape[ax] == 0 for ax in axes):
            raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an empty tensor "
                               "because the operation does not have an identity")
    return norm_kernel(x, ord, axes, keepdim)


def norm_kernel(x, ord, axes, keepdim):
    """The ord-norm of x over `axes` (a real result for complex x), with torch's gradients:
    0 where an element or the norm is 0, shared evenly among ties for ord = +-inf."""
    a = _abs(x)
    if ord in (math.inf, -math.inf):
        reduce = jnp.max if ord > 0 else jnp.min
        return reduce(a, axis=axes, keepdims=keepdim)
    if ord == 0:
        return jnp.sum(a != 0, axis=axes, keepdims=keepdim).astype(a.dtype)
    if ord == 1:
        return jnp.sum(a, axis=axes, keepdims=keepdim)
    return _p_norm(a, float(ord), axes, keepdim)


def nuclear_norm(x, *, dim=(-2, -1), keepdim=False, dtype=None):
    """torch.linalg.matrix_norm(x, 'nuc', dim): the sum of singular values over two dims."""
    if not _is_inexact(x):
        raise RuntimeError("linalg.matrix_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtypes.title_name(_dtypes.from_jax(x.dtype))}")
    if x.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if dtype is not None:
        x = cast(x, dtype)
    d0, d1 = (canonical_dim(d, x.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({d0}, {d1})")
    moved = jnp.moveaxis(x, (d0, d1), (-2, -1))
    out = jnp.sum(jnp.linalg.svd(moved, compute_uv=False), axis=-1)
    if keepdim:
        for d in sorted((d0, d1)):
            out = jnp.expand_dims(out, d)
    return out


# ---- scans ---------------------------------------------------------------------------------

def _scan_dim(x, dim):
    return canonical_dim(dim, x.ndim)


def cumsum(x, *, dim, dtype=None):
    """torch.cumsum: integer and bool inputs accumulate in int64 unless dtype is given."""
    dim = _scan_dim(x, dim)
    x = cast(x, _accumulation_dtype(x, dtype))
    return x if x.ndim == 0 else jnp.cumsum(x, axis=dim)


def cumprod(x, *, dim, dtype=None):
    dim = _scan_dim(x, dim)
    x = cast(x, _accumulation_dtype(x, dtype))
    return x if x.ndim == 0 else jnp.cumprod(x, axis=dim)


def logcumsumexp(x, *, dim):
    dim = _scan_dim(x, dim)
    if not _is_inexact(x):
        raise NotImplementedError('"logcumsumexp_out_cpu" not implemented for '
                                  f"'{_dtypes.title_name(_dtypes.from_jax(x.dtype))}'")
    return x if x.ndim == 0 else lax.cumlogsumexp(x, axis=dim)


def _cumulative_extreme(x, dim, greater):
    """torch.cummax/cummin: running extreme and its index. Ties take the later index, and a NaN
    (each new one) takes over for the rest of the scan, as torch's kernel does. Values are read
    at the indices, so gradients reach only the selected elements."""
    dim = _scan_dim(x, dim)
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    keys = lax.stop_gradient(x)
    nan = jnp.isnan(keys) if _is_inexact(x) else jnp.zeros(x.shape, bool)
    iota = lax.broadcasted_iota(jnp.int64, x.shape, dim)

    def combine(earlier, later):
        (av, ai, an), (bv, bi, bn) = earlier, later
        better = bv >= av if greater else bv <= av
        take = bn | (~an & better)
        return jnp.where(take, bv, av), jnp.where(take, bi, ai), take & bn | ~take & an

    if x.shape[dim] == 0:
        return x, iota
    _, indices, _ = lax.associative_scan(combine, (keys, iota, nan), axis=dim)
    return jnp.take_along_axis(x, indices, axis=dim), indices


def cummax(x, *, dim):
    return _cumulative_extreme(x, dim, greater=True)


def cummin(x, *, dim):
    return _cumulative_extreme(x, dim, greater=False)
