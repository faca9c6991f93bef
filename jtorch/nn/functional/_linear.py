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
_BILINEAR = {False: Op(nn_linear.bilinear, "ViewBackward0", saves=(0, 1, 2)),
             True: Op(nn_linear.bilinear, "AddBackward0", saves=(0, 1, 2))}


def linear(input, weight, bias=None):
    """torch.nn.functional.linear: input @ weight.T + bias."""
    has_bias = bias is not None
    op = _LINEAR.get((input.ndim, has_bias)) or (_LINEAR_BIAS_ND if has_bias
                                                  else _LINEAR_NO_BIAS_ND)
    return dispatch(op, (input, weight, bias))


def bilinear(input1, input2, weight, bias=None):
    """torch.nn.functional.bilinear: x1^T A x2 + b, with torch's argument checks."""
    if input1.ndim != input2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.ndim} and "
                           f"{input2.ndim}")
    for d in range(input1.ndim - 1):
        if input1.shape[d] != input2.shape[d]:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: "
                               f"got {input1.shape[d]} and {input2.shape[d]}")
    if weight.ndim != 3:
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[-{max(weight.ndim, 1)}, {max(weight.ndim, 1) - 1}], but got 2)")
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got "
                           f"{input1.shape[-1]} but expected {weight.shape[1]}")
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got "
                           f"{input2.shape[-1]} but expected {weight.shape[2]}")
    if bias is not None and bias.shape[-1] != weight.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got "
                           f"{bias.shape[-1]} but expected {weight.shape[0]}")
    return dispatch(_BILINEAR[bias is not None], (input1, input2, weight, bias))
