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
    """Softmax over the last axis that gives 0 (not NaN) for rows that are all -inf.

    The row maximum is a constant shift (softmax does not depend on it), so its gradient is
    stopped, as jax.nn.softmax does: the backward pass is then softmax's plain one.
    """
    row_max = jax.lax.stop_gradient(jnp.max(scores, axis=-1, keepdims=True))
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


def _causal_keep(q_len, k_len):
    """Boolean (q_len, k_len) lower triangle: the positions a causal query attends to."""
    return jnp.tril(jnp.ones((q_len, k_len), jnp.bool_))


def _softmax(scores, mask, causal):
    """Softmax of scores + mask (mask: None, or float to add), restricted to the causal
    triangle when `causal`. Without a mask no row can be fully masked (the causal triangle
    keeps column 0), so jax.nn.softmax suffices; with one, fully masked rows give zeros."""
    if causal:
        keep = _causal_keep(scores.shape[-2], scores.shape[-1])
        scores = jnp.where(keep, scores, jnp.full((), -jnp.inf, scores.dtype))
    if mask is None:
        return jax.nn.softmax(scores, axis=-1)
    return _safe_softmax(scores + mask)


def scaled_dot_product_attention(q, k, v, attn_mask, dropout_key, *, dropout_p, is_causal,
                                 scale, enable_gqa):
    """softmax(q k^T * scale + mask) v over the last two axes, torch's math path."""
    if enable_gqa and k.ndim >= 3 and k.shape[-3] != q.shape[-3]:
        repeats = q.shape[-3] // k.shape[-3]
        k = jnp.repeat(k, repeats, axis=-3)
        v = jnp.repeat(v, repeats, axis=-3)
    scale = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = jnp.matmul(q * scale, jnp.swapaxes(k, -1, -2))
    mask = None if attn_mask is None else _additive_mask(attn_mask, scores.dtype)
    weights = _softmax(scores, mask, is_causal)
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


def _pad_last(mask, n):
    if mask is None or n == 0:
        return mask
    return jnp.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, n)])


def multi_head_attention(query, key, value, in_proj_weight, in_proj_bias, bias_k, bias_v,
                         out_proj_weight, out_proj_bias, q_proj_weight, k_proj_weight,
                         v_proj_weight, key_padding_mask, attn_mask, static_k, static_v,
                         dropout_key, *, num_heads, add_zero_attn, dropout_p, need_weights,
                         average_attn_weights, is_causal, batched, batch_first):
    """torch's F.multi_head_attention_forward (plus nn.MultiheadAttention's batch_first).

    Returns attn_output, or (attn_output, attn_weights) when need_weights.

    The heads stay in the projections' layout, (B, S, H, hd) for batch_first and (S, B, H, hd)
    otherwise (a free reshape of the last axis), and the two attention products are einsums
    over those layouts, so no (S, B, E) <-> (B * H, S, hd) transposes are materialised.
    static_k / static_v come in torch's (B * H, S, hd) layout and are read as (B, H, S, hd).
    """
    if not batched:
        query, key, value = query[None], key[None], value[None]
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask[None]
        batch_first = True
    seq_axis = 1 if batch_first else 0
    tgt_len, bsz, embed_dim = (query.shape[1], query.shape[0], query.shape[2]) if batch_first \
        else query.shape
    head_dim = embed_dim // num_heads
    dtype = query.dtype
    key_padding_mask = _exclusion_mask(key_padding_mask, dtype)
    causal = is_causal and key_padding_mask is None and not need_weights
    attn_mask = None if causal else _exclusion_mask(attn_mask, dtype)

    # projections, in the input layout
    if in_proj_weight is not None and query is key and key is value:
        qkv = _linear(query, in_proj_weight, in_proj_bias)  # self-attention: one product
        q, k, v = jnp.split(qkv, 3, axis=-1)
    else:
        q, k, v = _project(query, key, value, in_proj_weight, in_proj_bias, q_proj_weight,
                           k_proj_weight, v_proj_weight)
    n_extra = 0
    if bias_k is not None and bias_v is not None:
        shape = (bsz, 1, embed_dim) if batch_first else (1, bsz, embed_dim)
        k = jnp.concatenate([k, jnp.broadcast_to(bias_k, shape).astype(k.dtype)], seq_axis)
        v = jnp.concatenate([v, jnp.broadcast_to(bias_v, shape).astype(v.dtype)], seq_axis)
        n_extra += 1

    # heads: a reshape of the last axis; the layout letters name the axes for einsum
    q_spec = "bqhd" if batch_first else "qbhd"
    q = q.reshape(q.shape[:2] + (num_heads, head_dim))
    kv_spec = "bkhd" if batch_first else "kbhd"
    k_seq = seq_axis
    if static_k is None and static_v is None:
        k = k.reshape(k.shape[:2] + (num_heads, head_dim))
        v = v.reshape(v.shape[:2] + (num_heads, head_dim))
        k_spec = v_spec = kv_spec
    else:
        # torch's (B * H, S, hd) heads layout; mixed static/projected: use it for both
        def heads(x):
            x = x.reshape(x.shape[:2] + (num_heads, head_dim))
            x = jnp.moveaxis(x, 0 if batch_first else 1, 0)  # (B, S, H, hd)
            return jnp.swapaxes(x, 1, 2).reshape(bsz * num_heads, -1, head_dim)
        k = heads(k) if static_k is None else static_k
        v = heads(v) if static_v is None else static_v
        k = k.reshape(bsz, num_heads, -1, head_dim)
        v = v.reshape(bsz, num_heads, -1, v.shape[-1])
        k_spec = v_spec = "bhkd"
        k_seq = 2
    if add_zero_attn:
        pad = [(0, 0)] * k.ndim
        pad[k_seq] = (0, 1)
        k, v = jnp.pad(k, pad), jnp.pad(v, pad)
        n_extra += 1
    src_len = k.shape[k_seq]

    # one additive (broadcastable to (B, H, L, S)) mask, as torch merges them
    mask = None
    if attn_mask is not None:
        mask = attn_mask if attn_mask.ndim == 2 else attn_mask.reshape(
            bsz, num_heads, tgt_len, -1)
        mask = _pad_last(mask, n_extra)
    if key_padding_mask is not None:
        kpm = _pad_last(key_padding_mask, n_extra)[:, None, None, :]
        mask = kpm if mask is None else mask + kpm

    q = q * (1.0 / math.sqrt(head_dim))
    scores = jnp.einsum(f"{q_spec},{k_spec}->bhqk", q, k)
    if need_weights:  # explicit softmax: NaN for fully masked rows, as torch
        weights = jax.nn.softmax(scores if mask is None else scores + mask, axis=-1)
    else:
        weights = _softmax(scores, mask, causal)
    if dropout_p > 0:
        weights = inverted_dropout(weights, dropout_key, dropout_p)
    out = jnp.einsum(f"bhqk,{v_spec}->{q_spec}", weights, v)
    out = _linear(out.reshape(out.shape[:2] + (-1,)), out_proj_weight, out_proj_bias)
    if not batched:
        out = out[0]
    if not need_weights:
        return out
    weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
    if average_attn_weights:
        weights = weights.mean(axis=1)
    if not batched:
        weights = weights[0]
    return out, weights
