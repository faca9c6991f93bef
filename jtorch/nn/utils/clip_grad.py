"""Gradient clipping (torch.nn.utils.clip_grad): clip_grad_norm_, clip_grad_value_,
get_total_norm, clip_grads_with_norm_.

Gradients are rescaled in place (each `p.grad` keeps its identity), computed by one funnel op
over all the gradients; `foreach` is accepted and has no effect (every path is fused).
"""

from __future__ import annotations

import math
import types
import warnings

from jtorch._api.creation import tensor
from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._grad_mode import no_grad
from jtorch._ops import nn_misc
from jtorch._tensor import Tensor

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "get_total_norm",
           "clip_grads_with_norm_"]

_TOTAL_NORM = Op(nn_misc.total_norm, "LinalgVectorNormBackward0")
_CLIP_COEFFICIENT = Op(nn_misc.clip_coefficient, "ClampBackward1")
_SCALE_ALL = Op(nn_misc.scale_all, "MulBackward0")
_CLAMP_ALL = Op(nn_misc.clamp_all, "ClampBackward1")


def _as_list(tensors):
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _commit_all(targets, values):
    for target, value in zip(targets, values):
        commit_inplace(target, value)


@no_grad()
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the norms of `tensors` (as if concatenated into one vector)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    total = dispatch(_TOTAL_NORM, tuple(tensors), norm_type=norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`")
    return total


@no_grad()
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by min(max_norm / (total_norm + 1e-6), 1), in place."""
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if not grads:
        return
    coefficient = dispatch(_CLIP_COEFFICIENT, (total_norm,), max_norm=float(max_norm))
    _commit_all(grads, dispatch(_SCALE_ALL, (coefficient, *grads)))


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):
    """torch.nn.utils.clip_grad_norm_: rescale the gradients in place so that their total
    norm is at most max_norm; returns the total norm before clipping (a tensor)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.",
                          stacklevel=3)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                   foreach=None):
    """Deprecated alias of clip_grad_norm_ (torch's FutureWarning)."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
                  "`torch.nn.utils.clip_grad_norm_`.", FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """torch.nn.utils.clip_grad_value_: clamp every gradient to [-clip_value, clip_value] in
    place."""
    clip_value = float(clip_value)
    grads = [p.grad for p in _as_list(parameters) if p.grad is not None]
    if grads:
        _commit_all(grads, dispatch(_CLAMP_ALL, tuple(grads), low=-clip_value,
                                    high=clip_value))
