"""Array creation and random sampling (explicit PRNG keys; the global key lives above)."""

from __future__ import annotations

import jax
import numpy as np


def full(*, shape, fill_value, dtype):
    """Built on the host and transferred: nothing to compile per shape (unlike jnp.full)."""
    for size in shape:
        if size < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {size}: "
                               f"{list(shape)}")
    return jax.device_put(np.full(shape, fill_value, dtype.np))


def arange(*, start, end, step, dtype):
    """Computed on the host in double precision (as torch) and transferred: no compile."""
    wide = np.float64 if dtype.is_floating_point or dtype.is_complex else np.int64
    return jax.device_put(np.arange(start, end, step, dtype=wide).astype(dtype.np))


def uniform(key, low, high, *, shape, dtype):
    return jax.random.uniform(key, shape, dtype.np, low, high)


def scaled_normal(key, mean, std, *, shape, dtype):
    return jax.random.normal(key, shape, dtype.np) * std + mean


def split_key(key):
    new, sub = jax.random.split(key)
    return new, sub
