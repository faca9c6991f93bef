"""Array creation and random sampling (explicit PRNG keys; the global key lives above).

Deterministic factories (`full`, `arange`, `linspace`, `logspace`, `eye`) build their values
on the host with numpy and transfer them: nothing is compiled per shape. Samplers are pure
functions of a PRNG key and their parameters, so they run the same eagerly and under `jit`.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp
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


def _host_dtype(dtype):
    """The numpy dtype a host-side kernel computes in (bfloat16 in float32)."""
    return np.dtype(np.float32) if dtype.name == "bfloat16" else dtype.np


def _linspace_values(start, end, steps, dtype):
    """torch's linspace kernel: `start + step * i` for the first half of the points and
    `end - step * (steps - 1 - i)` for the second, so both ends are exact; integer dtypes
    step in double precision and truncate."""
    integral = not (dtype.is_floating_point or dtype.is_complex)
    work = np.float64 if integral else _host_dtype(dtype)
    start, end = np.asarray(start, work), np.asarray(end, work)
    i = np.arange(steps)
    if steps == 1:
        return np.full((1,), start, work)
    step = (end - start) / np.asarray(steps - 1, work)
    head = start + step * i.astype(work)
    tail = end - step * (steps - 1 - i).astype(work)
    return np.where(i < steps // 2, head, tail).astype(work)


def linspace(*, start, end, steps, dtype):
    values = _linspace_values(start, end, steps, dtype)
    return jax.device_put(np.asarray(values).astype(dtype.np))


def logspace(*, start, end, steps, base, dtype):
    """base ** linspace(start, end, steps) (exponents in double precision for integers)."""
    exponents = _linspace_values(start, end, steps, dtype)
    # exponents in the dtype's precision as torch; the power correctly rounded (as powf)
    wide = np.complex128 if dtype.is_complex else np.float64
    values = np.power(np.asarray(base, wide), exponents.astype(wide))
    return jax.device_put(np.asarray(values).astype(dtype.np))


def eye(*, n, m, dtype):
    return jax.device_put(np.eye(n, m, dtype=dtype.np))


def complex_(real, imag):
    return jax.lax.complex(*jnp.broadcast_arrays(real, imag))


def polar(abs, angle):
    abs, angle = jnp.broadcast_arrays(abs, angle)
    return jax.lax.complex(abs * jnp.cos(angle), abs * jnp.sin(angle))


# ---- samplers: (key, parameters) -> values -----------------------------------------------

def split_key(key):
    new, sub = jax.random.split(key)
    return new, sub


def uniform(key, low, high, *, shape, dtype):
    return jax.random.uniform(key, shape, dtype.np, low, high)


def scaled_normal(key, mean, std, *, shape, dtype):
    return jax.random.normal(key, shape, dtype.np) * std + mean


def randint(key, low, high, *, shape, dtype):
    """Integers in [low, high), drawn as int64 and cast (randint, random_)."""
    return jax.random.randint(key, shape, low, high, jnp.int64).astype(dtype.np)


def random_bits(key, *, shape, dtype):
    """random_() on int64: every value of [0, 2**63 - 1], as torch."""
    bits = jax.random.bits(key, shape, jnp.uint64) >> jnp.uint64(1)
    return bits.astype(jnp.int64).astype(dtype.np)


def randperm(key, *, n, dtype):
    return jax.random.permutation(key, n).astype(dtype.np)


def _uniform_like(key, shape, dtype):
    """U[0, 1) in a float dtype at least as precise as float32."""
    work = dtype if jnp.issubdtype(dtype, jnp.floating) and jnp.finfo(dtype).bits >= 32 \
        else jnp.float32
    return jax.random.uniform(key, shape, work)


def bernoulli(key, p, *, shape, dtype):
    """1 with probability p (broadcast to shape), else 0, in `dtype`."""
    p = jnp.asarray(p)
    u = _uniform_like(key, shape, p.dtype)
    return (u < p).astype(dtype.np)


def normal_tensors(key, mean, std, *, dtype):
    """torch.normal with a tensor mean and/or std: one sample per broadcast element."""
    shape = jnp.broadcast_shapes(jnp.shape(mean), jnp.shape(std))
    return (jax.random.normal(key, shape, dtype.np) * std + mean).astype(dtype.np)


def poisson(key, rate, *, dtype):
    return jax.random.poisson(key, rate, jnp.shape(rate)).astype(dtype.np)


def exponential(key, lambd, *, shape, dtype):
    return (jax.random.exponential(key, shape, _host_work(dtype)) / lambd).astype(dtype.np)


def geometric(key, p, *, shape, dtype):
    """Number of Bernoulli(p) trials up to the first success: 1, 2, ..."""
    u = jax.random.uniform(key, shape, jnp.float64, minval=jnp.finfo(jnp.float64).tiny)
    return jnp.ceil(jnp.log(u) / jnp.log1p(-p)).astype(dtype.np)


def log_normal(key, mean, std, *, shape, dtype):
    work = _host_work(dtype)
    return jnp.exp(jax.random.normal(key, shape, work) * std + mean).astype(dtype.np)


def cauchy(key, median, sigma, *, shape, dtype):
    work = _host_work(dtype)
    return (median + sigma * jax.random.cauchy(key, shape, work)).astype(dtype.np)


def _host_work(dtype):
    return jnp.float32 if dtype.np.itemsize < 4 else dtype.np


def multinomial(key, probs, *, num_samples, replacement):
    """Category indices (int64) drawn from the rows of `probs` (1-D or 2-D, unnormalised):
    with replacement by inverse-CDF categorical draws, without by the Gumbel top-k trick."""
    logits = jnp.log(probs.astype(jnp.float64) if probs.dtype == jnp.float64
                     else probs.astype(jnp.float32))
    if replacement:
        shape = (num_samples,) + probs.shape[:-1]
        draws = jax.random.categorical(key, logits, axis=-1, shape=shape)
        return jnp.moveaxis(draws, 0, -1).astype(jnp.int64)
    gumbel = jax.random.gumbel(key, probs.shape, logits.dtype)
    _, indices = jax.lax.top_k(logits + gumbel, num_samples)
    return indices.astype(jnp.int64)
