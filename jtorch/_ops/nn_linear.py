"""Pure linear-layer math: F.linear and F.bilinear."""

from __future__ import annotations

import jax.numpy as jnp

from jtorch._ops.linalg import _same_dtype


def linear(x, weight, bias):
    """y = x @ weight.T + bias, torch's F.linear (any number of leading dims)."""
    if x.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D "
                           f"and {weight.ndim}D")
    in_features = weight.shape[-1] if weight.ndim else 1
    if x.shape[-1] != in_features:
        rows = x.size // x.shape[-1] if x.shape[-1] else 0
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{x.shape[-1]} "
                           f"and {weight.shape[-1]}x{weight.shape[0]})")
    _same_dtype(x, weight, "mat1", "mat2")
    y = jnp.matmul(x, weight.T)
    return y if bias is None else y + bias


def bilinear(x1, x2, weight, bias):
    """y = x1^T A x2 + b, torch's F.bilinear."""
    y = jnp.einsum("...i,oij,...j->...o", x1, weight, x2)
    return y if bias is None else y + bias
