"""Pure convolution math: torch's F.conv{1,2,3}d and F.conv_transpose{1,2,3}d.

Layouts are torch's (NC*, weights OI* for convolutions, IO* for transposed ones), given to
`lax.conv_general_dilated` as dimension numbers; XLA chooses the physical layout. Inputs may
be unbatched (one dimension fewer), as torch accepts. Arguments arrive normalised by
`jtorch/nn/functional/_conv.py`: one int per spatial dim, padding as (low, high) pairs.
"""

from __future__ import annotations

import jax.numpy as jnp
from jax import lax

from jtorch import _dtypes

_LAYOUTS = {1: ("NCH", "OIH", "NCH"),
            2: ("NCHW", "OIHW", "NCHW"),
            3: ("NCDHW", "OIDHW", "NCDHW")}

_C_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                 "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
                 "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                 "bool": "bool", "complex64": "c10::complex<float>",
                 "complex128": "c10::complex<double>"}


def _title(x):
    return _dtypes.title_name(_dtypes.from_jax(x.dtype))


def _c_name(x):
    return _C_TYPE_NAMES[_dtypes.from_jax(x.dtype).name]


def _check_dtypes(x, weight, bias):
    """torch's messages for mixed input/weight/bias dtypes (no promotion in convolutions)."""
    if x.dtype != weight.dtype:
        raise RuntimeError(f"expected scalar type {_title(x)} but found {_title(weight)}")
    if bias is not None and bias.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_c_name(x)}) and bias type ({_c_name(bias)}) should "
                           "be the same")
    if x.dtype == jnp.bool_:
        raise NotImplementedError('"slow_conv2d_cpu" not implemented for \'Bool\'')


def _check_params(weight, stride, padding, dilation, groups, output_padding=None):
    nd = weight.ndim - 2
    params = [("stride", stride), ("padding", padding), ("dilation", dilation)]
    if output_padding is not None:
        params.append(("output_padding", output_padding))
    for name, value in params:
        if len(value) != nd:
            raise RuntimeError(
                f"expected {name} to be a single integer value or a list of {nd} values to "
                f"match the convolution dimensions, but got {name}={list(value)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(lo < 0 or hi < 0 for lo, hi in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if weight.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} "
                           f"at dimension 0, but got weight of size [{list(weight.shape)}] "
                           "instead")


def _check_channels(x, weight, groups, in_channels, transposed):
    if x.shape[1] != in_channels:
        given = f"transposed=1, weight of size {list(weight.shape)}" if transposed else \
            f"groups={groups}, weight of size {list(weight.shape)}"
        raise RuntimeError(f"Given {given}, expected input{list(x.shape)} to have "
                           f"{in_channels} channels, but got {x.shape[1]} channels instead")


def _check_bias(weight, bias, out_channels, transposed):
    if bias is not None and (bias.ndim != 1 or bias.shape[0] != out_channels):
        given = "transposed=1, " if transposed else ""
        raise RuntimeError(f"Given {given}weight of size {list(weight.shape)}, expected bias to "
                           f"be 1-dimensional with {out_channels} elements, but got bias of "
                           f"size {list(bias.shape)} instead")


def _check_kernel_fits(x, weight, padding, dilation):
    padded = [n + lo + hi for n, (lo, hi) in zip(x.shape[2:], padding)]
    kernel = [d * (k - 1) + 1 for k, d in zip(weight.shape[2:], dilation)]
    if any(k > p for k, p in zip(kernel, padded)):
        raise RuntimeError(
            f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, kernel))}). Kernel size can't be greater than "
            "actual input size")


def _add_bias(y, bias):
    if bias is None:
        return y
    return y + bias.reshape((1, -1) + (1,) * (y.ndim - 2))


def conv(x, weight, bias, *, stride, padding, dilation, groups):
    """torch.nn.functional.conv{n}d: cross-correlation of x (N, C, *) or (C, *) with weight
    (O, C/groups, *k); `padding` is ((low, high), ...) per spatial dim."""
    _check_dtypes(x, weight, bias)
    _check_params(weight, stride, padding, dilation, groups)
    nd = weight.ndim - 2
    batched = x.ndim == nd + 2
    xb = x if batched else x[None]
    _check_channels(xb, weight, groups, weight.shape[1] * groups, transposed=False)
    _check_bias(weight, bias, weight.shape[0], transposed=False)
    _check_kernel_fits(xb, weight, padding, dilation)
    y = lax.conv_general_dilated(xb, weight, tuple(stride), tuple(padding),
                                 rhs_dilation=tuple(dilation),
                                 dimension_numbers=_LAYOUTS[nd], feature_group_count=groups)
    y = _add_bias(y, bias)
    return y if batched else y[0]


def _transposed_weight_as_forward(weight, groups):
    """(I, O/g, *k) transposed-conv weight -> the (O, I/g, *k) forward weight, flipped."""
    in_channels, out_per_group, *kernel = weight.shape
    w = weight.reshape(groups, in_channels // groups, out_per_group, *kernel)
    w = jnp.swapaxes(w, 1, 2).reshape(groups * out_per_group, in_channels // groups, *kernel)
    return jnp.flip(w, axis=tuple(range(2, w.ndim)))


def _check_output_padding(output_padding, stride, dilation):
    if all(op < s or op < d for op, s, d in zip(output_padding, stride, dilation)):
        return
    if len(stride) == 1:  # torch runs 1-d transposed convolutions as 2-d ones of height 1
        output_padding, stride, dilation = (0, *output_padding), (1, *stride), (1, *dilation)
    names = ("depth", "height", "width")[-len(stride):]
    got = " ".join(f"{what}_{name}: {v}" for what, values in
                   (("output_padding", output_padding), ("stride", stride),
                    ("dilation", dilation)) for name, v in zip(names, values))
    raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got "
                       f"{got}")


def conv_transpose(x, weight, bias, *, stride, padding, output_padding, groups, dilation):
    """torch.nn.functional.conv_transpose{n}d, as the gradient of conv{n}d: a convolution of
    the stride-dilated input with the flipped kernel; output size per dim
    (in - 1) * stride - 2 * padding + dilation * (k - 1) + output_padding + 1."""
    _check_dtypes(x, weight, bias)
    pads = tuple((p, p) for p in padding)
    _check_params(weight, stride, pads, dilation, groups, output_padding)
    nd = weight.ndim - 2
    batched = x.ndim == nd + 2
    xb = x if batched else x[None]
    _check_channels(xb, weight, groups, weight.shape[0], transposed=True)
    _check_bias(weight, bias, weight.shape[1] * groups, transposed=True)
    _check_output_padding(output_padding, stride, dilation)
    forward_weight = _transposed_weight_as_forward(weight, groups)
    conv_pads = tuple((d * (k - 1) - p, d * (k - 1) - p + op) for k, p, op, d in
                      zip(weight.shape[2:], padding, output_padding, dilation))
    y = lax.conv_general_dilated(xb, forward_weight, (1,) * nd, conv_pads,
                                 lhs_dilation=tuple(stride), rhs_dilation=tuple(dilation),
                                 dimension_numbers=_LAYOUTS[nd], feature_group_count=groups)
    y = _add_bias(y, bias)
    return y if batched else y[0]
