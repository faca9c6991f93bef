"""Pure math behind dropout, embeddings, distances, norms and nn.utils, with torch semantics.

Norms use torch's subgradients: where a norm is 0 its gradient is 0 (jnp.linalg.norm would give
NaN), so normalising or clipping an all-zero vector behaves as in torch.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jtorch import _dtypes
from jtorch._ops.promote import promote, result_dtype
from jtorch._ops.reduction import canonical_dim, canonical_dims

ALPHA_DROPOUT_ALPHA = 1.7580993408473766  # -SELU_SCALE * SELU_ALPHA


# ---- norms ----------------------------------------------------------------------------

def check_norm_input(x):
    d = _dtypes.from_jax(x.dtype)
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_dtypes.title_name(d)}")


def _abs(x):
    """|x| whose gradient at 0 is sign(0) = 0, as torch's (jnp.abs gives 1 there)."""
    if jnp.iscomplexobj(x):
        return jnp.abs(x)
    return x * jnp.sign(x)


def vector_norm(x, p, axis=None, keepdims=False):
    """torch.linalg.vector_norm(x, p, dim=axis) with torch's gradient (0 where the norm is 0)."""
    a = _abs(x)
    if p == math.inf:
        return jnp.max(a, axis=axis, keepdims=keepdims)
    if p == -math.inf:
        return jnp.min(a, axis=axis, keepdims=keepdims)
    if p == 0:
        return lax.stop_gradient(jnp.sum(a != 0, axis=axis, keepdims=keepdims).astype(a.dtype))
    if p == 1:
        return jnp.sum(a, axis=axis, keepdims=keepdims)
    powered = a * a if p == 2 else a ** p
    total = jnp.sum(powered, axis=axis, keepdims=keepdims)
    is_zero = total == 0
    safe = jnp.where(is_zero, jnp.ones((), total.dtype), total)
    root = jnp.sqrt(safe) if p == 2 else safe ** (1.0 / p)
    return jnp.where(is_zero, jnp.zeros((), total.dtype), root)


def _clamp_min(x, low):
    """clamp_min with torch's gradient: it passes where x >= low."""
    low = jnp.asarray(low, x.dtype)
    return jnp.where(x >= low, x, low)


def normalize(x, *, p, dim, eps):
    """F.normalize: x / max(||x||_p over dim, eps)."""
    check_norm_input(x)
    axes = canonical_dims(dim, x.ndim) if x.ndim else ()
    return x / _clamp_min(vector_norm(x, p, axes, keepdims=True), eps)


def norm_except_dim(v, *, pow, dim):
    """torch.norm_except_dim: the p-norm over every dim but `dim` (over all when dim == -1)."""
    if dim == -1:
        return vector_norm(v, pow)
    dim = canonical_dim(dim, v.ndim)
    axes = tuple(a for a in range(v.ndim) if a != dim)
    return vector_norm(v, pow, axes, keepdims=True)


def weight_norm(v, g, *, dim):
    """torch._weight_norm: v * g / ||v|| (norm over every dim but `dim`)."""
    return v * (g / norm_except_dim(v, pow=2, dim=dim))


# ---- dropout ------------------------------------------------------------------------------

def dropout(x, uniform, *, p, noise_shape):
    """torch's _dropout_impl: x * Bernoulli(1 - p) / (1 - p), the Bernoulli draws being
    `uniform < 1 - p`; `uniform` is flat, shaped here to `noise_shape` (which broadcasts: one
    draw per channel for feature dropout)."""
    if p == 1:
        return x * jnp.zeros((), x.dtype)
    keep = (uniform.reshape(noise_shape) < 1 - p).astype(x.dtype)
    return x * (keep / (1 - p))


def alpha_dropout(x, uniform, *, p, noise_shape):
    """Alpha dropout keeps SELU's zero mean and unit variance: dropped values move to the
    negative saturation value, then an affine map restores the moments."""
    keep = (uniform.reshape(noise_shape) < 1 - p).astype(x.dtype)
    a = 1.0 / math.sqrt((ALPHA_DROPOUT_ALPHA ** 2 * p + 1) * (1 - p))
    shift = (keep - 1) * (ALPHA_DROPOUT_ALPHA * a) + ALPHA_DROPOUT_ALPHA * a * p
    return x * (keep * a) + shift


# ---- embeddings ------------------------------------------------------------------------------

def embedding(indices, weight, *, padding_idx, scale_grad_by_freq):
    """weight[indices]; rows looked up at padding_idx get no gradient, and with
    scale_grad_by_freq each row's gradient is divided by its count in the batch."""
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    out = jnp.take(weight, indices, axis=0, mode="clip")
    if padding_idx is not None:
        blocked = (indices == padding_idx)[..., None]
        out = jnp.where(blocked, lax.stop_gradient(out), out)
    if scale_grad_by_freq:
        counts = jnp.zeros(weight.shape[0], weight.dtype).at[indices.reshape(-1)].add(1)
        scale = (1 / jnp.take(counts, indices, mode="clip"))[..., None]
        frozen = lax.stop_gradient(out)
        out = frozen + (out - frozen) * scale
    return out


def embedding_renorm(weight, indices, *, max_norm, norm_type):
    """torch.embedding_renorm_'s new weight: rows named in `indices` whose norm exceeds
    max_norm are scaled by max_norm / (norm + 1e-7)."""
    named = jnp.zeros(weight.shape[0], jnp.bool_).at[indices.reshape(-1)].set(True)
    norms = vector_norm(weight, norm_type, axis=1, keepdims=True)
    too_long = named[:, None] & (norms > max_norm)
    scale = jnp.where(too_long, max_norm / (norms + 1e-7), jnp.ones((), weight.dtype))
    return weight * scale.astype(weight.dtype)


def embedding_bag(indices, weight, offsets, per_sample_weights, *, mode, num_bags,
                  padding_idx):
    """Sum, mean or max of the embeddings of each bag; bag b holds indices[offsets[b]:
    offsets[b + 1]]. Entries equal to padding_idx are left out; empty bags give zeros."""
    positions = jnp.arange(indices.shape[0])
    bag_of = jnp.searchsorted(offsets, positions, side="right") - 1
    rows = jnp.take(weight, indices, axis=0, mode="clip")
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    used = jnp.ones(indices.shape, jnp.bool_) if padding_idx is None else indices != padding_idx
    counts = jax.ops.segment_sum(used.astype(weight.dtype), bag_of, num_segments=num_bags)
    used = used[:, None]
    if mode == "max":
        lowest = jnp.full((), -jnp.inf, weight.dtype)
        best = jax.ops.segment_max(jnp.where(used, rows, lowest), bag_of, num_segments=num_bags)
        return jnp.where(counts[:, None] > 0, best, jnp.zeros((), weight.dtype))
    zero = jnp.zeros((), weight.dtype)
    total = jax.ops.segment_sum(jnp.where(used, rows, zero), bag_of, num_segments=num_bags)
    if mode == "mean":
        return total / jnp.maximum(counts, 1)[:, None]
    return total


def one_hot(x, *, num_classes):
    return (x[..., None] == jnp.arange(num_classes, dtype=x.dtype)).astype(jnp.int64)


# ---- distances ----------------------------------------------------------------------------

def _broadcast(x1, x2):
    shape1, shape2 = x1.shape, x2.shape
    ndim = max(len(shape1), len(shape2))
    padded1 = (1,) * (ndim - len(shape1)) + shape1
    padded2 = (1,) * (ndim - len(shape2)) + shape2
    for i, (a, b) in enumerate(zip(padded1, padded2)):
        if a != b and a != 1 and b != 1:
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                               f"({b}) at non-singleton dimension {i}")
    return jnp.broadcast_arrays(x1, x2)


def cosine_similarity(x1, x2, *, dim, eps):
    """torch's cosine_similarity: <x1 / max(||x1||, eps), x2 / max(||x2||, eps)> along dim.
    As in torch, the eps clamp is applied without recording it for autograd."""
    d = result_dtype(x1, x2)
    if not d.is_floating_point:
        raise RuntimeError("expected common dtype to be floating point, yet common dtype is "
                           f"{_dtypes.title_name(d)}")
    (x1, x2), _ = promote(x1, x2)
    x1, x2 = _broadcast(x1, x2)
    dim = canonical_dim(dim, x1.ndim)

    def unit(x):
        norm = vector_norm(x, 2, dim, keepdims=True)
        clamped = norm + lax.stop_gradient(jnp.maximum(norm, eps) - norm)
        return x / clamped

    return jnp.sum(unit(x1) * unit(x2), axis=dim)


def pairwise_distance(x1, x2, *, p, eps, keepdim):
    """torch's pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    (x1, x2), _ = promote(x1, x2)
    x1, x2 = _broadcast(x1, x2)
    (diff, shift), _ = promote(x1 - x2, eps)
    check_norm_input(diff)
    return vector_norm(diff + shift, p, axis=diff.ndim - 1 if diff.ndim else None,
                       keepdims=keepdim)


def pdist(x, *, p):
    """torch.pdist: ||x_i - x_j||_p for every pair of rows i < j, in row-major order."""
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    check_norm_input(x)
    first, second = np.triu_indices(x.shape[0], 1)
    return vector_norm(x[first] - x[second], p, axis=-1)


# ---- gumbel softmax -------------------------------------------------------------------------

def gumbel_softmax(logits, uniform, tau, *, hard, dim):
    """softmax((logits + g) / tau) with Gumbel noise g = -log(Exp(1)) made from `uniform`;
    hard=True gives the one-hot of its argmax with the soft sample's gradient."""
    uniform = uniform.reshape(logits.shape)
    exponential = jnp.maximum(-jnp.log1p(-uniform), jnp.finfo(uniform.dtype).tiny)
    soft = jax.nn.softmax((logits - jnp.log(exponential)) / tau, axis=dim)
    if not hard:
        return soft
    dim = canonical_dim(dim, logits.ndim)
    index = jnp.argmax(soft, axis=dim, keepdims=True)
    positions = lax.broadcasted_iota(index.dtype, soft.shape, dim)
    one_hot_soft = (positions == index).astype(soft.dtype)
    return one_hot_soft - lax.stop_gradient(soft) + soft


# ---- nn.utils -------------------------------------------------------------------------------

def total_norm(*tensors, norm_type):
    """clip_grad_norm_'s total norm: the norm of the per-tensor norms."""
    norms = [vector_norm(t.reshape(-1), norm_type) for t in tensors]
    common = jnp.result_type(*norms)
    return vector_norm(jnp.stack([n.astype(common) for n in norms]), norm_type)


def clip_coefficient(total, *, max_norm):
    """min(max_norm / (total + 1e-6), 1), as clip_grad_norm_ multiplies every gradient by."""
    coef = max_norm / (total + 1e-6)
    return jnp.minimum(coef, jnp.ones((), coef.dtype))


def scale_all(coef, *tensors):
    return tuple(t * coef.astype(t.dtype) for t in tensors)


def clamp_all(*tensors, low, high):
    return tuple(jnp.clip(t, low, high) for t in tensors)


def _weight_matrix(weight, dim):
    """SpectralNorm's view of a weight as a matrix: `dim` first, the rest flattened."""
    return jnp.moveaxis(weight, dim, 0).reshape(weight.shape[dim], -1)


def _unit(x, eps):
    return x / jnp.maximum(vector_norm(x, 2), eps)


def power_iteration(weight, u, v, *, dim, n_iterations, eps, u_first):
    """Spectral norm's power method; u_first runs u <- Wv then v <- W^H u (the
    parametrization), otherwise v <- W^T u then u <- Wv (the hook-based spectral_norm)."""
    mat = _weight_matrix(weight, dim)

    def step(_, uv):
        u, v = uv
        if u_first:
            u = _unit(mat @ v, eps)
            return u, _unit(jnp.conj(mat.T) @ u, eps)
        v = _unit(mat.T @ u, eps)
        return _unit(mat @ v, eps), v

    return lax.fori_loop(0, n_iterations, step, (u, v))


def spectral_normalize(weight, u, v, *, dim):
    """weight / sigma with sigma = u^H W v, the spectral norm estimate."""
    sigma = jnp.vdot(u, _weight_matrix(weight, dim) @ v)
    return weight / sigma
