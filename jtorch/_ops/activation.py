"""softmax and log_softmax with torch's dtype rules."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jtorch import _dtypes
from jtorch._ops.promote import cast
from jtorch._ops.reduction import canonical_dim


def _input(x, dim, dtype, name):
    if dtype is not None:
        x = cast(x, dtype)
    d = _dtypes.from_jax(x.dtype)
    if not (d.is_floating_point or d.is_complex):
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for '
                                  f"'{_dtypes.title_name(d)}'")
    return x, (canonical_dim(dim, x.ndim) if x.ndim else None)


def softmax(x, *, dim, dtype=None):
    x, dim = _input(x, dim, dtype, "softmax")
    return jax.nn.softmax(x, axis=dim) if dim is not None else jnp.ones_like(x)


def log_softmax(x, *, dim, dtype=None):
    x, dim = _input(x, dim, dtype, "log_softmax")
    return jax.nn.log_softmax(x, axis=dim) if dim is not None else jnp.zeros_like(x)
