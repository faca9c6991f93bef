"""F.linear, F.bilinear."""

from __future__ import annotations

from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_linear

__all__ = ["linear", "bilinear"]

_LINEAR = {(2, True): Op(nn_linear.linear, "AddmmBackward0", saves=(0, 1)),
           (2, False): Op(nn_linear.linear, "MmBackward0", saves=(0, 1)),
           (1, False): Op(nn_linear.linear, "SqueezeBackward4", saves=(0, 1))}
_LINEAR_NO_BIAS_ND = Op(nn_linear.linear, "UnsafeViewBackward0", saves=(0, 1))
_LINEAR_BIAS_ND = Op(nn_linear.linear, "ViewBackward0", saves=(0, 1))
_BILINEAR = Op(nn_linear.bilinear, "ViewBackward0", saves=(0, 1, 2))


def linear(input, weight, bias=None):
    """torch.nn.functional.linear: input @ weight.T + bias."""
    has_bias = bias is not None
    op = _LINEAR.get((input.ndim, has_bias)) or (_LINEAR_BIAS_ND if has_bias
                                                  else _LINEAR_NO_BIAS_ND)
    return dispatch(op, (input, weight, bias))


def bilinear(input1, input2, weight, bias=None):
    """torch.nn.functional.bilinear: x1^T A x2 + b."""
    return dispatch(_BILINEAR, (input1, input2, weight, bias))
