"""Dropout functions of torch.nn.functional.

The masks come from jtorch's global generator (`default_generator.next_key()`), so they differ
from torch's streams; their statistics are torch's: each element (or channel, for the feature
variants) is zeroed with probability p and the kept ones are scaled by 1 / (1 - p). With
training=False, p == 0 or an empty input the input itself is returned, as in torch.
"""

from __future__ import annotations

import warnings

from jtorch import _dtypes
from jtorch._api.creation import UNIFORM, default_generator
from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._ops import nn_misc

__all__ = ["dropout", "alpha_dropout", "dropout1d", "dropout2d", "dropout3d",
           "feature_alpha_dropout"]

_DROPOUT = Op(nn_misc.dropout, "MulBackward0", saves=(0,))
_ALPHA_DROPOUT = Op(nn_misc.alpha_dropout, "AddBackward0", saves=(0,))


def uniform_noise(like, shape, low=0.0, high=1.0):
    """prod(shape) samples of U(low, high) from the global generator on `like`'s device and in
    its (floating) dtype, flat (the op using them reshapes), as a tensor needing no gradient.

    The random numbers are drawn by their own op, apart from the differentiable one using
    them, so backward reuses the draws instead of recompiling and rerunning the generator;
    drawing them flat compiles the generator once per size rather than per shape.
    """
    dtype = like.dtype if like.dtype.is_floating_point else _dtypes.get_default_dtype()
    size = 1
    for n in shape:
        size *= n
    noise = dispatch(UNIFORM, (default_generator.next_key(), float(low), float(high)),
                     shape=(size,), dtype=dtype)
    device = like.device
    return noise if device.type == "cpu" else noise.to(device)


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _apply(input, p, training, inplace, noise_shape, alpha=False):
    """torch's _dropout_impl: the input untouched when not training (or p == 0, or empty);
    `noise_shape(input)` gives the mask's shape."""
    if p == 0 or not training or input.numel() == 0:
        return input
    op = _ALPHA_DROPOUT if alpha and p != 1 else _DROPOUT
    shape = noise_shape(input)
    uniform = uniform_noise(input, shape) if p != 1 else None
    result = dispatch(op, (input, uniform), p=float(p), noise_shape=shape)
    return commit_inplace(input, result) if inplace else result


def _element_noise(input):
    return tuple(input.shape)


def _feature_noise(input):
    """One mask entry per (sample, channel), as torch's make_feature_noise."""
    if input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return tuple(input.shape[:2]) + (1,) * (input.dim() - 2)


def _unbatched_feature_noise(input):
    """Feature noise of input.unsqueeze(0), without its leading 1: one entry per channel."""
    if input.dim() < 1:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return (input.shape[0],) + (1,) * (input.dim() - 1)


def dropout(input, p=0.5, training=True, inplace=False):
    """F.dropout: zero each element with probability p, scale the rest by 1 / (1 - p)."""
    _check_p(p)
    return _apply(input, p, training, inplace, _element_noise)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """F.alpha_dropout: dropout keeping zero mean and unit variance (for SELU networks)."""
    _check_p(p)
    return _apply(input, p, training, inplace, _element_noise, alpha=True)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """F.dropout1d: zero whole channels of (N, C, L) or (C, L) inputs."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. Note that "
            "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    return _apply(input, p, training, inplace,
                  _feature_noise if ndim == 3 else _unbatched_feature_noise)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """F.dropout2d: zero whole channels of (N, C, H, W) inputs; a 3-D input is read as
    (N, C, L), with torch's warning."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout2d exists to provide "
            "channel-wise dropout on inputs with 2 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D "
            "dropout behavior is desired - input is interpreted as shape (N, C, L), where C is "
            "the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2)
    return _apply(input, p, training, inplace, _feature_noise)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """F.dropout3d: zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated and will "
            "result in an error in a future release. To retain the behavior and silence this "
            "warning, please use dropout instead. Note that dropout3d exists to provide "
            "channel-wise dropout on inputs with 3 spatial dimensions, a channel dimension, "
            "and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _apply(input, p, training, inplace,
                  _feature_noise if ndim == 5 else _unbatched_feature_noise)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """F.feature_alpha_dropout: alpha dropout of whole channels."""
    _check_p(p)
    return _apply(input, p, training, inplace, _feature_noise, alpha=True)
