"""F.conv1d/2d/3d and F.conv_transpose1d/2d/3d, plus torch's int-or-tuple argument helpers
(`_single`, `_pair`, `_triple`, `_ntuple`, torch.nn.modules.utils's), shared by the pooling,
padding and vision functionals and modules."""

from __future__ import annotations

import collections.abc
import itertools

from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_conv

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
           "conv_transpose3d"]


def _ntuple(n, name="parse"):
    """torch.nn.modules.utils._ntuple: an iterable becomes a tuple, a scalar is repeated."""
    def parse(x):
        if isinstance(x, collections.abc.Iterable) and not isinstance(x, str):
            return tuple(x)
        return tuple(itertools.repeat(x, n))

    parse.__name__ = name
    return parse


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
_triple = _ntuple(3, "_triple")


def _reverse_repeat_tuple(t, n):
    """(1, 2) -> (2, 2, 1, 1) for n=2: per-dim padding in F.pad's last-dim-first order."""
    return tuple(x for x in reversed(t) for _ in range(n))


_CONV = Op(nn_conv.conv, "ConvolutionBackward0", saves=(0, 1))
_CONV_UNBATCHED = Op(nn_conv.conv, "SqueezeBackward1", saves=(0, 1))
_CONV_T = Op(nn_conv.conv_transpose, "ConvolutionBackward0", saves=(0, 1))
_CONV_T_UNBATCHED = Op(nn_conv.conv_transpose, "SqueezeBackward1", saves=(0, 1))


def _check_input_dims(input, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    return input.ndim == nd + 2


def _padding_pairs(padding, weight, stride, dilation, nd):
    """torch's padding argument as ((low, high), ...): an int or tuple pads both sides;
    'valid' is no padding; 'same' keeps the size (the odd extra element goes on the right)."""
    if not isinstance(padding, str):
        return tuple((p, p) for p in _ntuple(nd)(padding))
    if padding == "valid":
        return ((0, 0),) * nd
    if padding != "same":
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    if any(s != 1 for s in stride):
        raise RuntimeError("padding='same' is not supported for strided convolutions")
    pairs = []
    for k, d in zip(weight.shape[2:], dilation):
        total = d * (k - 1)
        pairs.append((total // 2, total - total // 2))
    return tuple(pairs)


def _conv(input, weight, bias, stride, padding, dilation, groups, nd, name):
    batched = _check_input_dims(input, nd, name)
    stride, dilation = _ntuple(nd)(stride), _ntuple(nd)(dilation)
    pads = _padding_pairs(padding, weight, stride, dilation, nd)
    return dispatch(_CONV if batched else _CONV_UNBATCHED, (input, weight, bias),
                    stride=stride, padding=pads, dilation=dilation, groups=groups)


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd,
                    name):
    batched = _check_input_dims(input, nd, name)
    expand = _ntuple(nd)
    return dispatch(_CONV_T if batched else _CONV_T_UNBATCHED, (input, weight, bias),
                    stride=expand(stride), padding=expand(padding),
                    output_padding=expand(output_padding), groups=groups,
                    dilation=expand(dilation))


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv1d: input (N, C_in, L) or (C_in, L), weight
    (C_out, C_in/groups, k); padding an int, a tuple, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: input (N, C_in, H, W) or (C_in, H, W), weight
    (C_out, C_in/groups, kH, kW); padding an int, a tuple, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv3d: input (N, C_in, D, H, W) or (C_in, D, H, W), weight
    (C_out, C_in/groups, kD, kH, kW); padding an int, a tuple, 'valid' or 'same'."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """torch.nn.functional.conv_transpose1d: weight (C_in, C_out/groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 1, "conv_transpose1d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """torch.nn.functional.conv_transpose2d: weight (C_in, C_out/groups, kH, kW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 2, "conv_transpose2d")


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """torch.nn.functional.conv_transpose3d: weight (C_in, C_out/groups, kD, kH, kW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups,
                           dilation, 3, "conv_transpose3d")
