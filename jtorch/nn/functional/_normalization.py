"""F.batch_norm, F.instance_norm, F.layer_norm, F.group_norm, F.rms_norm,
F.local_response_norm.

Each function is one funnel op. In training mode batch_norm and instance_norm also update the
running statistics they are given: the new values are written into the same buffer tensors
in place (under no_grad), as torch's kernels do, so holders of the buffers see them.
"""

from __future__ import annotations

from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._grad_mode import no_grad
from jtorch._ops import nn_norm

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm",
           "local_response_norm"]

_BATCH_NORM_TRAIN = Op(nn_norm.batch_norm_train, "NativeBatchNormBackward0", saves=(0, 1))
_BATCH_NORM_EVAL = Op(nn_norm.batch_norm_eval, "NativeBatchNormBackward0", saves=(0, 1))
# torch runs instance norm as batch norm on a (1, N*C, ...) view: the output is a view
_INSTANCE_NORM_TRAIN = Op(nn_norm.instance_norm_train, "ViewBackward0", saves=(0, 1))
_INSTANCE_NORM_EVAL = Op(nn_norm.batch_norm_eval, "ViewBackward0", saves=(0, 1))
_LAYER_NORM = Op(nn_norm.layer_norm, "NativeLayerNormBackward0", saves=(0, 1, 2))
_GROUP_NORM = Op(nn_norm.group_norm, "NativeGroupNormBackward0", saves=(0, 1))
_RMS_NORM = Op(nn_norm.rms_norm, "MulBackward0", saves=(0, 1))
_LOCAL_RESPONSE_NORM = Op(nn_norm.local_response_norm, "DivBackward0", saves=(0,))


def _verify_batch_size(size):
    """torch's check that training statistics average more than one value per channel."""
    count = size[0]
    for s in size[2:]:
        count *= s
    if count == 1:
        raise ValueError("Expected more than 1 value per channel when training, got input size "
                         f"{size}")


def _verify_spatial_size(size):
    count = 1
    for s in size[2:]:
        count *= s
    if count == 1:
        raise ValueError("Expected more than 1 spatial element when training, got input size "
                         f"{size}")


def _require_channel_dim(input):
    if input.ndim < 2:
        lo, hi = (-input.ndim, input.ndim - 1) if input.ndim else (-1, 0)
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but "
                         "got 1)")


def _commit_running_stats(*updates):
    """Write new running statistics into the existing buffers (same objects, bumped version)."""
    with no_grad():
        for buffer, new_value in updates:
            commit_inplace(buffer, new_value.detach())


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """torch.nn.functional.batch_norm over dim 1 of (N, C, *) inputs.

    In training mode normalizes with the batch statistics and, when running statistics are
    given, updates them in place: running = (1 - momentum) * running + momentum * batch, with
    the unbiased batch variance for running_var. `momentum` may also be a 0-d Tensor (jtorch's
    BatchNorm passes 1 / num_batches_tracked that way for momentum=None, avoiding a host sync).
    """
    if training:
        _verify_batch_size(input.shape)
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    _require_channel_dim(input)
    if not training:
        for name, stat in (("running_mean", running_mean), ("running_var", running_var)):
            if stat is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
        return dispatch(_BATCH_NORM_EVAL, (input, weight, bias, running_mean, running_var),
                        eps=eps)
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be "
                         "None")
    track = running_mean is not None
    out = dispatch(_BATCH_NORM_TRAIN, (input, weight, bias, running_mean, running_var, momentum),
                   eps=eps, track=track)
    if not track:
        return out
    y, new_mean, new_var = out
    _commit_running_stats((running_mean, new_mean), (running_var, new_var))
    return y


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """torch.nn.functional.instance_norm: normalizes each (sample, channel) over its spatial
    dims; with running statistics and use_input_stats, updates them in place with the batch
    average of the instance statistics; without use_input_stats, uses them instead."""
    _require_channel_dim(input)
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when "
                               "use_input_stats is false")
        return dispatch(_INSTANCE_NORM_EVAL, (input, weight, bias, running_mean, running_var),
                        eps=eps)
    _verify_spatial_size(input.shape)
    track = running_mean is not None and running_var is not None
    out = dispatch(_INSTANCE_NORM_TRAIN,
                   (input, weight, bias, running_mean if track else None,
                    running_var if track else None, momentum), eps=eps, track=track)
    if not track:
        return out
    y, new_mean, new_var = out
    _commit_running_stats((running_mean, new_mean), (running_var, new_var))
    return y


def _shape_argument(normalized_shape, name):
    if isinstance(normalized_shape, int) or not hasattr(normalized_shape, "__iter__"):
        raise TypeError(f"{name}(): argument 'normalized_shape' (position 2) must be tuple of "
                        f"ints, not {type(normalized_shape).__name__}")
    return tuple(int(s) for s in normalized_shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """torch.nn.functional.layer_norm: normalizes over the trailing `normalized_shape` dims."""
    shape = _shape_argument(normalized_shape, "layer_norm")
    return dispatch(_LAYER_NORM, (input, weight, bias), normalized_shape=shape, eps=eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """torch.nn.functional.rms_norm; eps=None uses torch.finfo(input's compute dtype).eps."""
    shape = _shape_argument(normalized_shape, "rms_norm")
    return dispatch(_RMS_NORM, (input, weight), normalized_shape=shape, eps=eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """torch.nn.functional.group_norm over (N, C, *) inputs split into num_groups groups."""
    if input.ndim < 2:
        raise RuntimeError("Expected at least 2 dimensions for input tensor but received "
                           f"{input.ndim}")
    size = input.shape
    _verify_batch_size([size[0] * size[1] // num_groups, num_groups] + list(size[2:]))
    return dispatch(_GROUP_NORM, (input, weight, bias), num_groups=num_groups, eps=eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """torch.nn.functional.local_response_norm across channels (dim 1) of 3D+ inputs."""
    dim = input.ndim
    if dim < 3:
        raise ValueError("Expected 3D or higher dimensionality                          input "
                         f"(got {dim} dimensions)")
    if input.numel() == 0:
        return input
    return dispatch(_LOCAL_RESPONSE_NORM, (input,), size=size, alpha=alpha, beta=beta, k=k)
