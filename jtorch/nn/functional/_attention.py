"""F.scaled_dot_product_attention, F.multi_head_attention_forward (one funnel op each)."""

from __future__ import annotations

import warnings

from jtorch import _dtypes
from jtorch._api.creation import default_generator
from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_attention
from jtorch._ops.linalg import _c_name

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_SDPA = Op(nn_attention.scaled_dot_product_attention, "UnsafeViewBackward0")
_MHA = {name: Op(nn_attention.multi_head_attention, name)
        for name in ("ViewBackward0", "TransposeBackward0", "SqueezeBackward1")}
_CANONICAL_MASK = Op(nn_attention.canonical_mask, "MaskedFillBackward0")


def _dropout_key(p):
    return default_generator.next_key() if p > 0 else None


def _check_sdpa_args(query, key, value, attn_mask, is_causal):
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set "
                           "when is_causal=True")
    if query.dim() < 2 or key.dim() < 2 or value.dim() < 2:
        raise RuntimeError("Expected query, key, and value to all be  at least 2 dimensional, "
                           f"but got query.dim: {query.dim()} key.dim: {key.dim()} and "
                           f"value.dim: {value.dim()} instead.")
    if not (query.dtype == key.dtype == value.dtype):
        raise RuntimeError("Expected query, key, and value to have the same dtype, but got "
                           f"query.dtype: {_c_name(query.dtype)} key.dtype: {_c_name(key.dtype)} "
                           f"and value.dtype: {_c_name(value.dtype)} instead.")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found "
                           f"{_dtypes.title_name(query.dtype)}")
    if attn_mask is not None and attn_mask.dtype not in (_dtypes.bool_, query.dtype) \
            and not attn_mask.dtype.is_floating_point:
        raise RuntimeError("Expected attn_mask dtype to be bool or float or to match query "
                           f"dtype, but got attn_mask.dtype: {_c_name(attn_mask.dtype)} and  "
                           f"query.dtype: {_c_name(query.dtype)} instead.")
    if key.size(-1) != query.size(-1):
        batch = 1
        for n in key.shape[:-2]:
            batch *= n
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"{[batch, query.size(-1)]} but got: {[batch, key.size(-1)]}.")


def _check_gqa(query, key, value):
    if query.dim() < 3:
        return
    heads, kv_heads = query.size(-3), key.size(-3)
    if heads % kv_heads or heads % value.size(-3):
        raise RuntimeError("Number of heads in key and value must divide the number of heads "
                           "in ")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0,
                                 is_causal=False, scale=None, enable_gqa=False):
    """torch.nn.functional.scaled_dot_product_attention.

    query (..., L, E), key (..., S, E), value (..., S, Ev) -> (..., L, Ev). A boolean
    attn_mask marks positions that take part; a float one is added to the scores. Dropout
    applies whenever dropout_p > 0 (the function has no training flag, as in torch).
    """
    _check_sdpa_args(query, key, value, attn_mask, is_causal)
    if enable_gqa:
        _check_gqa(query, key, value)
    return dispatch(_SDPA, (query, key, value, attn_mask, _dropout_key(dropout_p)),
                    dropout_p=float(dropout_p), is_causal=bool(is_causal),
                    scale=None if scale is None else float(scale), enable_gqa=bool(enable_gqa))


# ---- masks (torch's private F._canonical_mask / F._none_or_dtype) ---------------------------

def _none_or_dtype(input):
    if input is None:
        return None
    if hasattr(input, "dtype"):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A boolean mask (True = masked out) as a float mask of `target_type` (0 / -inf)."""
    if mask is None:
        return None
    is_float = mask.dtype.is_floating_point
    if mask.dtype != _dtypes.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use "
                      "same type for both instead.", stacklevel=2)
    if is_float:
        return mask
    return dispatch(_CANONICAL_MASK, (mask,), dtype=target_type)


# ---- multi-head attention -----------------------------------------------------------------

def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's _mha_shape_check: whether the input is batched (AssertionErrors as torch)."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be "
                                 f"3-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 2-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, "
                                 f"2-D or 3-D but found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be "
                                 f"2-D but found {key.dim()}-D and {value.dim()}-D tensors "
                                 "respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be "
                                 f"`None` or 1-D but found {key_padding_mask.dim()}-D tensor "
                                 "instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be "
                                     f"`None`, 2-D or 3-D but found {attn_mask.dim()}-D tensor "
                                     "instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.dim() == 3 and tuple(attn_mask.shape) != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got "
                                     f"{attn_mask.shape}")
        return False
    raise AssertionError("query should be unbatched 2D or batched 3D tensor but received "
                         f"{query.dim()}-D query tensor")


def _sizes(x, batched, batch_first):
    """(sequence length, batch, features) of a query/key/value in torch's layout."""
    if not batched:
        return x.shape[0], 1, x.shape[1]
    if batch_first:
        return x.shape[1], x.shape[0], x.shape[2]
    return tuple(x.shape)


def _check_mha_args(query, key, value, embed_dim_to_check, num_heads, use_separate_proj_weight,
                    in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, bias_k, bias_v,
                    static_k, static_v, attn_mask, key_padding_mask, add_zero_attn, batched,
                    batch_first):
    tgt_len, bsz, embed_dim = _sizes(query, batched, batch_first)
    src_len = _sizes(key, batched, batch_first)[0]
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but "
                             f"got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:-1] != value.shape[:-1]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match "
                                 f"value's {value.shape[:2]}")
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight "
                                     "is None")
    else:
        if key.shape != value.shape:
            raise AssertionError(f"key shape {key.shape} does not match value shape "
                                 f"{value.shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
    if attn_mask is not None:
        if attn_mask.dim() == 2 and tuple(attn_mask.shape) != (tgt_len, src_len):
            raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should "
                               f"be {(tgt_len, src_len)}.")
        if attn_mask.dim() == 3 and tuple(attn_mask.shape) != (bsz * num_heads, tgt_len,
                                                                src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should "
                               f"be {(bsz * num_heads, tgt_len, src_len)}.")
    if (bias_k is None) != (bias_v is None):
        which = "bias_k is set but bias_v is None" if bias_v is None else \
            "bias_v is set but bias_k is None"
        raise AssertionError(which)
    if bias_k is not None and (static_k is not None or static_v is not None):
        raise AssertionError("bias cannot be added to static key." if static_k is not None
                             else "bias cannot be added to static value.")
    for name, static in (("static_k", static_k), ("static_v", static_v)):
        if static is None:
            continue
        if static.size(0) != bsz * num_heads:
            raise AssertionError(f"expecting {name}.size(0) of {bsz * num_heads}, but got "
                                 f"{static.size(0)}")
        if static.size(2) != head_dim:
            raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got "
                                 f"{static.size(2)}")
    if key_padding_mask is not None:
        keys = (static_k.size(1) if static_k is not None else src_len + (bias_k is not None))
        keys += bool(add_zero_attn)
        kpm_batch = key_padding_mask.shape[0] if batched else 1
        kpm_len = key_padding_mask.shape[-1] + (bias_k is not None) + bool(add_zero_attn)
        if kpm_batch != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{kpm_batch}")
        if kpm_len != keys:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {keys}, but got "
                                 f"{kpm_len}")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads,
                                 in_proj_weight, in_proj_bias, bias_k, bias_v, add_zero_attn,
                                 dropout_p, out_proj_weight, out_proj_bias, training=True,
                                 key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None,
                                 k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights=True, is_causal=False):
    """torch.nn.functional.multi_head_attention_forward: (attn_output, attn_weights or None).

    query (L, N, E), key (S, N, E_k), value (S, N, E_v), or unbatched (L, E), (S, E_k),
    (S, E_v). Boolean masks mark the positions to exclude; float masks are added.
    """
    return _multi_head_attention(
        query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k,
        bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training,
        key_padding_mask, need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
        k_proj_weight, v_proj_weight, static_k, static_v, average_attn_weights, is_causal,
        batch_first=False)


def _check_mha_masks(key_padding_mask, attn_mask, is_causal):
    for name, mask in (("key_padding_mask", key_padding_mask), ("attn_mask", attn_mask)):
        if mask is not None and mask.dtype != _dtypes.bool_ \
                and not mask.dtype.is_floating_point:
            raise AssertionError(f"only bool and floating types of {name} are supported")
    if key_padding_mask is not None and attn_mask is not None \
            and key_padding_mask.dtype != attn_mask.dtype:
        warnings.warn("Support for mismatched key_padding_mask and attn_mask is deprecated. Use "
                      "same type for both instead.", stacklevel=3)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the "
                           "Transformer module method `generate_square_subsequent_mask` to "
                           "create this mask.")


def _multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight,
                          in_proj_bias, bias_k, bias_v, add_zero_attn, dropout_p,
                          out_proj_weight, out_proj_bias, training, key_padding_mask,
                          need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
                          k_proj_weight, v_proj_weight, static_k, static_v,
                          average_attn_weights, is_causal, batch_first):
    """multi_head_attention_forward as one funnel op; `batch_first` (nn.MultiheadAttention's)
    takes (N, L, E) inputs and gives (N, L, E) outputs without separate transposes."""
    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    batch_first = batch_first and batched
    _check_mha_masks(key_padding_mask, attn_mask, is_causal)
    _check_mha_args(query, key, value, embed_dim_to_check, num_heads, use_separate_proj_weight,
                    in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight, bias_k, bias_v,
                    static_k, static_v, attn_mask, key_padding_mask, add_zero_attn, batched,
                    batch_first)
    if not use_separate_proj_weight:
        q_proj_weight = k_proj_weight = v_proj_weight = None
    else:
        in_proj_weight = None
    dropout_p = float(dropout_p) if training else 0.0
    name = ("SqueezeBackward1" if not batched
            else "TransposeBackward0" if batch_first else "ViewBackward0")
    out = dispatch(_MHA[name], (query, key, value, in_proj_weight, in_proj_bias, bias_k, bias_v,
                                out_proj_weight, out_proj_bias, q_proj_weight, k_proj_weight,
                                v_proj_weight, key_padding_mask, attn_mask, static_k, static_v,
                                _dropout_key(dropout_p)),
                   num_heads=num_heads, add_zero_attn=bool(add_zero_attn), dropout_p=dropout_p,
                   need_weights=bool(need_weights),
                   average_attn_weights=bool(average_attn_weights), is_causal=bool(is_causal),
                   batched=batched, batch_first=batch_first)
    return out if need_weights else (out, None)
