"""Array creation and random sampling (explicit PRNG keys; the global key lives above)."""

from __future__ import annotations

import jax
import jax.numpy as jnp


def full(*, shape, fill_value, dtype):
    return jnp.full(shape, fill_value, dtype.np)


def arange(*, start, end, step, dtype):
    return jnp.arange(start, end, step, dtype=dtype.np)


def uniform(key, low, high, *, shape, dtype):
    return jax.random.uniform(key, shape, dtype.np, low, high)


def scaled_normal(key, mean, std, *, shape, dtype):
    return jax.random.normal(key, shape, dtype.np) * std + mean


def split_key(key):
    new, sub = jax.random.split(key)
    return new, sub
