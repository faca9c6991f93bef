"""F.embedding, F.embedding_bag and F.one_hot.

Index values are checked (range, sign, offsets) on concrete tensors, as torch does when it
runs; inside a traced program (`jtorch.compile`) those data-dependent checks are skipped.
`sparse=True` is accepted and gives dense gradients (jtorch has no sparse tensors).
"""

from __future__ import annotations

import jax
import numpy as np

from jtorch import _dtypes
from jtorch._api.creation import arange
from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._grad_mode import no_grad
from jtorch._ops import nn_misc

__all__ = ["embedding", "embedding_bag", "one_hot"]

_EMBEDDING = Op(nn_misc.embedding, "EmbeddingBackward0", saves=(0,))
_EMBEDDING_RENORM = Op(nn_misc.embedding_renorm, "EmbeddingRenormBackward0",
                       differentiable=False)
_EMBEDDING_BAG = Op(nn_misc.embedding_bag, "EmbeddingBagBackward0", saves=(0, 1, 2, 3))
_ONE_HOT = Op(nn_misc.one_hot, "", differentiable=False)


def _concrete(t):
    """t's values as a numpy array, or None inside a trace (values unknown until run)."""
    array = t._array
    return None if isinstance(array, jax.core.Tracer) else np.asarray(array)


def _check_index_dtype(indices, fn_name):
    if indices.dtype not in (_dtypes.int64, _dtypes.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got "
                           f"torch.{indices.dtype._legacy_name} instead (while checking "
                           f"arguments for {fn_name})")


def _padding_idx_of_embedding(padding_idx, num_embeddings):
    """F.embedding's padding_idx check; a negative one counts from the end."""
    if padding_idx is None:
        return None
    if padding_idx >= num_embeddings or padding_idx < -num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


def _renorm_(weight, indices, max_norm, norm_type):
    """torch.embedding_renorm_ on weight.detach(): rescale, in place, the looked-up rows whose
    norm exceeds max_norm (the weight's version moves, no autograd history is recorded)."""
    with no_grad():
        renormed = dispatch(_EMBEDDING_RENORM, (weight, indices), max_norm=float(max_norm),
                            norm_type=float(norm_type))
        commit_inplace(weight.detach(), renormed)


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """F.embedding: rows of `weight` looked up by the integer `input`, shape (*, dim).

    padding_idx rows get no gradient; max_norm renormalises the looked-up rows of `weight`
    in place first, as torch does.
    """
    padding_idx = _padding_idx_of_embedding(padding_idx, weight.size(0))
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    _check_index_dtype(input, "embedding")
    values = _concrete(input)
    if values is not None and values.size and (values.min() < 0
                                               or values.max() >= weight.size(0)):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _renorm_(weight, input, max_norm, norm_type)
    return dispatch(_EMBEDDING, (input, weight), padding_idx=padding_idx,
                    scale_grad_by_freq=bool(scale_grad_by_freq))


def _bag_inputs(input, offsets, per_sample_weights):
    """torch's normalisation of embedding_bag's arguments to 1-D indices and offsets."""
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated "
                             "is a mini-batch of fixed length sequences. However, found offsets "
                             f"of type {_type_str(offsets)}")
        offsets = arange(0, input.numel(), input.size(1), dtype=input.dtype, device=input.device)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
        return input.reshape(-1), offsets, per_sample_weights, False
    if input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        return input, offsets, per_sample_weights, None
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension "
                     f"{input.dim()}")


def _type_str(obj):
    from jtorch._tensor import Tensor
    return "<class 'torch.Tensor'>" if isinstance(obj, Tensor) else str(type(obj))


def _check_bag_values(indices, offsets, num_embeddings):
    index_values, offset_values = _concrete(indices), _concrete(offsets)
    if offset_values is None or index_values is None:
        return
    if offset_values.size and offset_values[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch "
                           f"has to start from position 0. However, got {offset_values[0]}")
    if offset_values.size and offset_values[-1] > index_values.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length "
                           f"{index_values.size} but got offsets[-1] of {offset_values[-1]}")
    if np.any(np.diff(offset_values) < 0) or (index_values.size and (
            index_values.min() < 0 or index_values.max() >= num_embeddings)):
        raise RuntimeError("Expected i < index_size to be true, but got false.  (an index or "
                           "an offset is out of range)")


def _padding_idx_of_bag(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise RuntimeError("padding_idx must be within the number of embeddings, "
                           f"{-num_embeddings} through {num_embeddings - 1}, but got "
                           f"{padding_idx}")
    return padding_idx % num_embeddings


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2,
                  scale_grad_by_freq=False, mode="mean", sparse=False,
                  per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """F.embedding_bag: the sum, mean or max of each bag of embeddings, shape (B, dim).

    A 2-D input is B bags of equal length; a 1-D input is cut into bags at `offsets`.
    per_sample_weights (mode='sum' only) weight each looked-up row; padding_idx entries are
    left out of their bag (and of the mean's count).
    """
    if weight.dtype is _dtypes.int64 and input.is_floating_point():
        weight, input = input, weight
    if per_sample_weights is not None and input.size() != per_sample_weights.size():
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) "
                         "is not None, then it must have the same shape as the input "
                         f"({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension "
                         f"{weight.dim()}")
    indices, offsets, per_sample_weights, forced_last = _bag_inputs(input, offsets,
                                                                    per_sample_weights)
    if forced_last is not None:
        include_last_offset = forced_last
    _check_bag_mode(mode, scale_grad_by_freq, sparse)
    _check_index_dtype(indices, "embedding_bag")
    _check_bag_values(indices, offsets, weight.size(0))
    padding_idx = _padding_idx_of_bag(padding_idx, weight.size(0))
    if max_norm is not None:
        _renorm_(weight, indices, max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
            f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
            "GitHub.")
    num_bags = offsets.numel() - (1 if include_last_offset else 0)
    return dispatch(_EMBEDDING_BAG, (indices, weight, offsets, per_sample_weights), mode=mode,
                    num_bags=max(num_bags, 0), padding_idx=padding_idx)


def _check_bag_mode(mode, scale_grad_by_freq, sparse):
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")


def one_hot(tensor, num_classes=-1):
    """F.one_hot: int64 tensor of shape (*, num_classes) with a 1 at each class value.

    num_classes=-1 infers max(tensor) + 1, which needs concrete values (not available inside
    a traced program).
    """
    if tensor.dtype is not _dtypes.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel() == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return dispatch(_ONE_HOT, (tensor,), num_classes=int(num_classes))
    values = _concrete(tensor)
    if values is None:
        if num_classes == -1:
            raise RuntimeError("one_hot with num_classes=-1 needs the tensor's values; pass "
                               "num_classes explicitly inside a compiled program.")
    else:
        if values.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if num_classes == -1:
            num_classes = int(values.max()) + 1
        elif values.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    return dispatch(_ONE_HOT, (tensor,), num_classes=int(num_classes))
