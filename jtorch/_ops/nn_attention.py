"""Pure attention math: F.scaled_dot_product_attention and F.multi_head_attention_forward.

Masks follow torch: a boolean mask marks the positions that *take part* in attention for
scaled_dot_product_attention, while a boolean key_padding_mask / attn_mask of multi-head
attention marks the positions to *exclude*; float masks are added to the scores. Rows with
every position masked give zeros from scaled_dot_product_attention (torch's safe softmax) and
NaNs from the explicit softmax multi-head attention uses when it returns the weights, as in
torch.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp


def _safe_softmax(scores):
    """Softmax over the last axis that gives 0 (not NaN) for rows that are all -inf."""
    row_max = jnp.max(scores, axis=-1, keepdims=True)
    row_max = jnp.where(jnp.isfinite(row_max), row_max, jnp.zeros_like(row_max))
    e = jnp.exp(scores - row_max)
    total = jnp.sum(e, axis=-1, keepdims=True)
    return e / jnp.where(total == 0, jnp.ones_like(total), total)


def inverted_dropout(x, key, p):
    """torch's dropout: zero with probability p, scale the rest by 1/(1-p)."""
    if p >= 1:
        return jnp.zeros_like(x)
    keep = jax.random.bernoulli(key, 1.0 - p, x.shape)
    return jnp.where(keep, x / (1.0 - p), jnp.zeros_like(x))


def _additive_mask(mask, dtype):
    """A float mask to add to the scores; booleans mark positions that take part."""
    if mask.dtype == jnp.bool_:
        return jnp.where(mask, jnp.zeros((), dtype), jnp.full((), -jnp.inf, dtype))
    return mask.astype(dtype)


def _causal_mask(q_len, k_len, dtype):
    keep = jnp.tril(jnp.ones((q_len, k_len), jnp.bool_))
    return _additive_mask(keep, dtype)


def scaled_dot_product_attention(q, k, v, attn_mask, dropout_key, *, dropout_p, is_causal,
                                 scale, enable_gqa):
    """softmax(q k^T * scale + mask) v over the last two axes, torch's math path."""
    if enable_gqa and k.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        repeats = q.shape[-3] // k.shape[-3]
        k = jnp.repeat(k, repeats, axis=-3)
        v = jnp.repeat(v, repeats, axis=-3)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = jnp.matmul(q * scale, jnp.swapaxes(k, -1, -2))
    if is_causal:
        scores = scores + _causal_mask(q.shape[-2], k.shape[-2], scores.dtype)
    if attn_mask is not None:
        scores = scores + _additive_mask(attn_mask, scores.dtype)
    weights = _safe_softmax(scores)
    if dropout_p > 0:
        weights = inverted_dropout(weights, dropout_key, dropout_p)
    return jnp.matmul(weights, v)


# ---- multi-head attention -----------------------------------------------------------------

def _exclusion_mask(mask, dtype):
    """torch's _canonical_mask: booleans mark positions to exclude (-inf)."""
    if mask is None or mask.dtype != jnp.bool_:
        return None if mask is None else mask.astype(dtype)
    return jnp.where(mask, jnp.full((), -jnp.inf, dtype), jnp.zeros((), dtype))


def canonical_mask(mask, *, dtype):
    """F._canonical_mask for a boolean mask: 0 where False, -inf where True."""
    return _exclusion_mask(mask, dtype.np)


def _linear(x, w, b):
    y = x @ w.T
    return y if b is None else y + b


def _project(query, key, value, in_proj_weight, in_proj_bias, q_w, k_w, v_w):
    """q, k, v from the packed in_proj_weight or the separate q/k/v_proj_weight."""
    if in_proj_weight is not None:
        q_w, k_w, v_w = jnp.split(in_proj_weight, 3)
    biases = (None,) * 3 if in_proj_bias is None else jnp.split(in_proj_bias, 3)
    return (_linear(query, q_w, biases[0]), _linear(key, k_w, biases[1]),
            _linear(value, v_w, biases[2]))


def _pad_last(mask):
    if mask is None:
        return None
    return jnp.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, 1)])


def _heads(x, batch, num_heads, head_dim):
    """(S, B, E) -> (B * heads, S, head_dim), torch's view + transpose."""
    return jnp.swapaxes(x.reshape(x.shape[0], batch * num_heads, head_dim), 0, 1)


def _attend_with_weights(q, k, v, mask, key, dropout_p):
    """The need_weights path: explicit softmax (NaN for fully masked rows, as torch)."""
    q = q * math.sqrt(1.0 / q.shape[-1])
    scores = q @ jnp.swapaxes(k, -1, -2)
    if mask is not None:
        scores = scores + mask
    weights = jax.nn.softmax(scores, axis=-1)
    if dropout_p > 0:
        weights = inverted_dropout(weights, key, dropout_p)
    return weights @ v, weights


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, bias_k, bias_v,
                         out_proj_weight, out_proj_bias, q_proj_weight, k_proj_weight,
                         v_proj_weight, key_padding_mask, attn_mask, static_k, static_v,
                         dropout_key, *, num_heads, add_zero_attn, dropout_p, need_weights,
                         average_attn_weights, is_causal, batched, batch_first):
    """torch's F.multi_head_attention_forward (plus nn.MultiheadAttention's batch_first).

    Returns attn_output, or (attn_output, attn_weights) when need_weights.
    """
    if not batched:
        query, key, value = query[:, None], key[:, None], value[:, None]
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask[None]
    elif batch_first:
        query, key, value = (jnp.swapaxes(x, 0, 1) for x in (query, key, value))
    tgt_len, bsz, embed_dim = query.shape
    head_dim = embed_dim // num_heads
    dtype = query.dtype
    key_padding_mask = _exclusion_mask(key_padding_mask, dtype)
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # torch lets scaled_dot_product_attention build the causal mask
    else:
        attn_mask = _exclusion_mask(attn_mask, dtype)
        if key_padding_mask is not None:
            is_causal = False
    q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, q_proj_weight,
                       k_proj_weight, v_proj_weight)
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask[None]
    if bias_k is not None and bias_v is not None:
        k = jnp.concatenate([k, jnp.broadcast_to(bias_k, (1, bsz, embed_dim))])
        v = jnp.concatenate([v, jnp.broadcast_to(bias_v, (1, bsz, embed_dim))])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    q = _heads(q, bsz, num_heads, head_dim)
    k = _heads(k, bsz, num_heads, head_dim) if static_k is None else static_k
    v = _heads(v, bsz, num_heads, head_dim) if static_v is None else static_v
    if add_zero_attn:
        zeros = jnp.zeros((bsz * num_heads, 1, head_dim), k.dtype)
        k = jnp.concatenate([k, zeros], axis=1)
        v = jnp.concatenate([v, zeros.astype(v.dtype)], axis=1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:
        per_head = jnp.broadcast_to(key_padding_mask[:, None, None, :],
                                    (bsz, num_heads, 1, src_len))
        per_head = per_head.reshape(bsz * num_heads, 1, src_len)
        attn_mask = per_head if attn_mask is None else attn_mask + per_head
    if need_weights:
        out, weights = _attend_with_weights(q, k, v, attn_mask, dropout_key, dropout_p)
        out = jnp.swapaxes(out, 0, 1).reshape(tgt_len * bsz, embed_dim)
    else:
        if attn_mask is not None:
            attn_mask = (attn_mask[None] if attn_mask.shape[0] == 1
                         else attn_mask.reshape(bsz, num_heads, -1, src_len))
        q4, k4, v4 = (x.reshape(bsz, num_heads, -1, head_dim) for x in (q, k, v))
        out = scaled_dot_product_attention(q4, k4, v4, attn_mask, dropout_key,
                                           dropout_p=dropout_p, is_causal=is_causal,
                                           scale=None, enable_gqa=False)
        out = jnp.transpose(out, (2, 0, 1, 3)).reshape(bsz * tgt_len, embed_dim)
    out = _linear(out, out_proj_weight, out_proj_bias).reshape(tgt_len, bsz, -1)
    if not batched:
        out = out[:, 0]
    elif batch_first:
        out = jnp.swapaxes(out, 0, 1)
    if not need_weights:
        return out
    weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(axis=1)
    if not batched:
        weights = weights[0]
    return out, weights
