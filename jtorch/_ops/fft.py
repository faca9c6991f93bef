"""Discrete Fourier transforms with torch's dtype rules, sizes, dims and norms."""

from __future__ import annotations

import jax.numpy as jnp

from jtorch import _dtypes
from jtorch._ops.promote import cast
from jtorch._ops.reduction import canonical_dim

_NORMS = ("backward", "ortho", "forward")
_SWAPPED = {"backward": "forward", "forward": "backward", "ortho": "ortho", None: "forward"}


def _check_norm(norm):
    if norm is not None and norm not in _NORMS:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm or "backward"


def _input_dtype(x, name, real_only=False):
    """torch's FFT input dtype: integers and bools become the default float dtype, half
    precision is refused, real-input transforms refuse complex tensors."""
    d = _dtypes.from_jax(x.dtype)
    if d.is_complex:
        if real_only:
            raise RuntimeError(f"{name} expects a real input tensor, but got "
                               f"{_dtypes.title_name(d)}")
        return d
    if d in (_dtypes.float16, _dtypes.bfloat16):
        raise RuntimeError(f"Unsupported dtype {_dtypes.title_name(d)}")
    return d if d.is_floating_point else _dtypes.get_default_dtype()


def _as_complex(x, name):
    return cast(x, _input_dtype(x, name).to_complex())


def _as_real(x, name):
    return cast(x, _input_dtype(x, name, real_only=True))


def _check_size(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _dim_1d(x, dim):
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return canonical_dim(dim, x.ndim)


def _dims_nd(x, s, dim, default_ndim=None):
    """torch's (s, dim) resolution for the n-dimensional transforms: dim defaults to the last
    len(s) dims (or every dim, or the last `default_ndim` for fft2 and friends); -1 in s keeps
    the input's size."""
    if dim is None:
        if s is not None:
            dims = tuple(range(x.ndim - len(s), x.ndim))
        elif default_ndim is not None:
            dims = tuple(range(x.ndim - default_ndim, x.ndim))
        else:
            dims = tuple(range(x.ndim))
    else:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if s is not None and len(s) != len(dims):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
    if x.ndim == 0 and dims:
        raise IndexError(f"Dimension specified as {dims[0]} but tensor has no dimensions")
    dims = tuple(canonical_dim(d, x.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("FFT dims must be unique")
    if s is None:
        sizes = tuple(x.shape[d] for d in dims)
    else:
        if len(s) > x.ndim:
            raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has "
                               f"{x.ndim} dimensions.")
        sizes = tuple(x.shape[d] if n == -1 else n for n, d in zip(s, dims))
    return sizes, dims


# ---- one-dimensional ------------------------------------------------------------------------

def fft_c2c(x, *, n=None, dim=-1, norm=None, inverse=False, name="fft"):
    norm = _check_norm(norm)
    x = _as_complex(x, name)
    d = _dim_1d(x, dim)
    n = x.shape[d] if n is None else n
    _check_size(n)
    fn = jnp.fft.ifft if inverse else jnp.fft.fft
    return fn(x, n=n, axis=d, norm=norm)


def fft_r2c(x, *, n=None, dim=-1, norm=None, name="rfft"):
    norm = _check_norm(norm)
    x = _as_real(x, name)
    d = _dim_1d(x, dim)
    n = x.shape[d] if n is None else n
    _check_size(n)
    return jnp.fft.rfft(x, n=n, axis=d, norm=norm)


def fft_c2r(x, *, n=None, dim=-1, norm=None, name="irfft"):
    norm = _check_norm(norm)
    x = _as_complex(x, name)
    d = _dim_1d(x, dim)
    n = 2 * (x.shape[d] - 1) if n is None else n
    _check_size(n)
    return jnp.fft.irfft(x, n=n, axis=d, norm=norm)


def hfft(x, *, n=None, dim=-1, norm=None):
    """hfft: the real signal whose one-sided spectrum (of a Hermitian signal) is x."""
    norm = _check_norm(norm)
    x = _as_complex(x, "hfft")
    d = _dim_1d(x, dim)
    n = 2 * (x.shape[d] - 1) if n is None else n
    _check_size(n)
    return jnp.fft.irfft(jnp.conj(x), n=n, axis=d, norm=_SWAPPED[norm])


def ihfft(x, *, n=None, dim=-1, norm=None):
    norm = _check_norm(norm)
    x = _as_real(x, "ihfft")
    d = _dim_1d(x, dim)
    n = x.shape[d] if n is None else n
    _check_size(n)
    return jnp.conj(jnp.fft.rfft(x, n=n, axis=d, norm=_SWAPPED[norm]))


# ---- n-dimensional --------------------------------------------------------------------------

def fftn_c2c(x, *, s=None, dim=None, norm=None, inverse=False, default_ndim=None,
             name="fftn"):
    norm = _check_norm(norm)
    x = _as_complex(x, name)
    sizes, dims = _dims_nd(x, s, dim, default_ndim)
    for n in sizes:
        _check_size(n)
    if not dims:
        return x
    fn = jnp.fft.ifftn if inverse else jnp.fft.fftn
    return fn(x, s=sizes, axes=dims, norm=norm)


def fftn_r2c(x, *, s=None, dim=None, norm=None, default_ndim=None, name="rfftn"):
    norm = _check_norm(norm)
    x = _as_real(x, name)
    sizes, dims = _dims_nd(x, s, dim, default_ndim)
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    for n in sizes:
        _check_size(n)
    return jnp.fft.rfftn(x, s=sizes, axes=dims, norm=norm)


def _c2r_sizes(x, s, dim, default_ndim, name):
    sizes, dims = _dims_nd(x, s, dim, default_ndim)
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    if s is None or s[-1] == -1:
        sizes = sizes[:-1] + (2 * (x.shape[dims[-1]] - 1),)
    for n in sizes:
        _check_size(n)
    return sizes, dims


def fftn_c2r(x, *, s=None, dim=None, norm=None, default_ndim=None, name="irfftn"):
    norm = _check_norm(norm)
    x = _as_complex(x, name)
    sizes, dims = _c2r_sizes(x, s, dim, default_ndim, name)
    return jnp.fft.irfftn(x, s=sizes, axes=dims, norm=norm)


def hfftn(x, *, s=None, dim=None, norm=None, default_ndim=None, name="hfftn"):
    norm = _check_norm(norm)
    x = _as_complex(x, name)
    sizes, dims = _c2r_sizes(x, s, dim, default_ndim, name)
    return jnp.fft.irfftn(jnp.conj(x), s=sizes, axes=dims, norm=_SWAPPED[norm])


def ihfftn(x, *, s=None, dim=None, norm=None, default_ndim=None, name="ihfftn"):
    norm = _check_norm(norm)
    x = _as_real(x, name)
    sizes, dims = _dims_nd(x, s, dim, default_ndim)
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    for n in sizes:
        _check_size(n)
    return jnp.conj(jnp.fft.rfftn(x, s=sizes, axes=dims, norm=_SWAPPED[norm]))


# ---- helpers --------------------------------------------------------------------------------

def _shift_dims(x, dim):
    if dim is None:
        return tuple(range(x.ndim))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return tuple(canonical_dim(d, x.ndim) for d in dims)


def fftshift(x, *, dim=None):
    return jnp.fft.fftshift(x, axes=_shift_dims(x, dim)) if x.ndim else x


def ifftshift(x, *, dim=None):
    return jnp.fft.ifftshift(x, axes=_shift_dims(x, dim)) if x.ndim else x
