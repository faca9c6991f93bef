"""F.interpolate (and the deprecated upsample*), pixel_shuffle/pixel_unshuffle, unfold/fold,
grid_sample, affine_grid."""

from __future__ import annotations

import math
import operator
import warnings

from jtorch import _dtypes
from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_vision
from jtorch.nn.functional._conv import _pair
from jtorch.nn.functional._pooling import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
)

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle",
           "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle", "unfold", "fold",
           "grid_sample", "affine_grid"]

_INTERPOLATE_NODES = {("nearest", 1): "UpsampleNearest1DBackward0",
                      ("nearest", 2): "UpsampleNearest2DBackward0",
                      ("nearest", 3): "UpsampleNearest3DBackward0",
                      ("nearest-exact", 1): "UpsampleNearestExact1DBackward0",
                      ("nearest-exact", 2): "UpsampleNearestExact2DBackward0",
                      ("nearest-exact", 3): "UpsampleNearestExact3DBackward0",
                      ("linear", 1): "UpsampleLinear1DBackward0",
                      ("bilinear", 2): "UpsampleBilinear2DBackward0",
                      ("bicubic", 2): "UpsampleBicubic2DBackward0",
                      ("trilinear", 3): "UpsampleTrilinear3DBackward0",
                      ("bilinear-aa", 2): "UpsampleBilinear2DAaBackward0",
                      ("bicubic-aa", 2): "UpsampleBicubic2DAaBackward0"}
_INTERPOLATE = {key: Op(nn_vision.interpolate, name) for key, name in _INTERPOLATE_NODES.items()}
_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_AREA = {1: adaptive_avg_pool1d, 2: adaptive_avg_pool2d, 3: adaptive_avg_pool3d}
# torch's CPU kernel names in its "not implemented for 'Long'" errors
_KERNEL_NAMES = {("nearest", 2): "upsample_nearest2d_channels_last",
                 ("nearest-exact", 2): "upsample_nearest2d_channels_last",
                 ("bilinear", 2): "upsample_bilinear2d_channels_last",
                 ("bicubic", 2): "compute_indices_weights_cubic",
                 ("linear", 1): "compute_indices_weights_linear",
                 ("trilinear", 3): "compute_indices_weights_linear"}


# ---- interpolate ----------------------------------------------------------------------------

def _is_integer(x):
    try:
        operator.index(x)
    except TypeError:
        return False
    return True


def _requested_sizes(input, size, scale_factor, dim):
    """torch's size / scale_factor normalisation: (output_size or None, scales or None)."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        if not isinstance(size, (list, tuple)):
            return [size] * dim, None
        if len(size) != dim:
            raise ValueError(
                "Input and output must have the same number of spatial dimensions, but got "
                f"input with spatial dimensions of {spatial} and output size of {size}. Please "
                "provide input tensor in (N, C, d1, d2, ...,dK) format and output size in "
                "(o1, o2, ...,oK) format.")
        if not all(_is_integer(s) for s in size):
            raise TypeError(
                "expected size to be one of int or Tuple[int] or Tuple[int, int] or "
                f"Tuple[int, int, int], but got size with types {[type(s) for s in size]}")
        return list(size), None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if not isinstance(scale_factor, (list, tuple)):
        return None, [scale_factor] * dim
    if len(scale_factor) != dim:
        raise ValueError(
            "Input and scale_factor must have the same number of spatial dimensions, but got "
            f"input with spatial dimensions of {spatial} and scale_factor of shape "
            f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
            "scale_factor in (s1, s2, ...,sK) format.")
    return None, list(scale_factor)


def _check_output_sizes(input, output_size):
    spatial = input.shape[2:]
    if all(s > 0 for s in spatial) and all(o > 0 for o in output_size):
        return
    names = ("D", "H", "W")[3 - len(spatial):]
    given = ", ".join(f"{n}: {s}" for n, s in zip(names, spatial))
    got = ", ".join(f"{n}: {o}" for n, o in zip(names, output_size))
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given}) "
                       f"output ({got})")


def _check_interpolate_dtype(input, mode, dim):
    d = input.dtype
    if d.is_floating_point or (d is _dtypes.uint8 and mode != "area"):
        return
    kernel = _KERNEL_NAMES.get((mode, dim), "compute_indices_weights_nearest")
    raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtypes.title_name(d)}\'')


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """torch.nn.functional.interpolate for 3-D, 4-D and 5-D inputs (N, C, *spatial).

    Output size is `size`, or floor(input size * scale_factor). Unless recompute_scale_factor,
    a given scale_factor also sets the coordinate mapping (1 / scale_factor), as in torch.
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    output_size, scales = _requested_sizes(input, size, scale_factor, dim)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        output_size = [int(n * s) for n, s in zip(input.shape[2:], scales)]
        scales = None
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos "
                         "modes and requires a 4-D tensor as input")
    if output_size is None:
        output_size = [math.floor(n * s) for n, s in zip(input.shape[2:], scales)]
    if mode == "area" and dim in _AREA:
        return _AREA[dim](input, output_size)
    if mode in ("nearest", "nearest-exact") and dim in (1, 2, 3) or _MODE_DIMS.get(mode) == dim:
        return _resample(input, output_size, scales, mode, align_corners, antialias, dim)
    if mode in _MODE_DIMS and dim in (1, 2, 3):
        need = _MODE_DIMS[mode] + 2
        raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {need}D input")
    raise NotImplementedError(
        f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for the "
        "modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area | "
        f"nearest-exact (got {mode})")


def _resample(input, output_size, scales, mode, align_corners, antialias, dim):
    _check_output_sizes(input, output_size)
    _check_interpolate_dtype(input, mode, dim)
    scales = tuple(None if s is None else float(s) for s in (scales or [None] * dim))
    op = _INTERPOLATE[(mode + "-aa" if antialias else mode, dim)]
    return dispatch(op, (input,), output_size=tuple(int(o) for o in output_size),
                    scales=scales, mode=mode, align_corners=bool(align_corners),
                    antialias=bool(antialias))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """torch.nn.functional.upsample (deprecated): interpolate."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` "
                  "instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """torch.nn.functional.upsample_nearest (deprecated)."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """torch.nn.functional.upsample_bilinear (deprecated): bilinear with align_corners."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use "
                  "`nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel shuffle --------------------------------------------------------------------------

_PIXEL_SHUFFLE = Op(nn_vision.pixel_shuffle, "PixelShuffleBackward0")
_PIXEL_UNSHUFFLE = Op(nn_vision.pixel_unshuffle, "PixelUnshuffleBackward0")


def _check_shuffle_input(input, factor, name, what):
    if input.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input "
                           f"with {input.ndim} dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {what}, but got {factor}")


def pixel_shuffle(input, upscale_factor):
    """torch.nn.functional.pixel_shuffle: (*, C*r^2, H, W) -> (*, C, H*r, W*r)."""
    r = operator.index(upscale_factor)
    _check_shuffle_input(input, r, "pixel_shuffle", "upscale_factor")
    if input.shape[-3] % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be "
                           "divisible by the square of upscale_factor, but input.size(-3)="
                           f"{input.shape[-3]} is not divisible by {r * r}")
    return dispatch(_PIXEL_SHUFFLE, (input,), upscale_factor=r)


_CHANNEL_SHUFFLE = Op(nn_vision.channel_shuffle, "ChannelShuffleBackward0", saves=())


def channel_shuffle(input, groups):
    """torch.nn.functional.channel_shuffle: (N, g*k, *) -> (N, k*g, *), the channels of the g
    groups interleaved."""
    groups = operator.index(groups)
    if groups <= 0:
        raise RuntimeError("Number of groups to divide channels in must be positive. Value of "
                           f"groups:{groups}")
    if input.ndim <= 2:
        raise RuntimeError("channel_shuffle expects input with > 2 dims, but got input with "
                           f"sizes {list(input.shape)}")
    if input.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got "
                           f"{input.shape[1]} channels and {groups} groups.")
    return dispatch(_CHANNEL_SHUFFLE, (input,), groups=groups)


native_channel_shuffle = channel_shuffle


def pixel_unshuffle(input, downscale_factor):
    """torch.nn.functional.pixel_unshuffle: (*, C, H*r, W*r) -> (*, C*r^2, H, W)."""
    r = operator.index(downscale_factor)
    _check_shuffle_input(input, r, "pixel_unshuffle", "downscale_factor")
    for axis, name in ((-2, "height"), (-1, "width")):
        if input.shape[axis] % r:
            raise RuntimeError(f"pixel_unshuffle expects {name} to be divisible by "
                               f"downscale_factor, but input.size({axis})={input.shape[axis]} "
                               f"is not divisible by {r}")
    return dispatch(_PIXEL_UNSHUFFLE, (input,), downscale_factor=r)


# ---- unfold / fold --------------------------------------------------------------------------

_UNFOLD = Op(nn_vision.unfold, "Im2ColBackward0")
_FOLD = Op(nn_vision.fold, "Col2ImBackward0")


def _block_args(kernel_size, dilation, padding, stride):
    args = {"kernel_size": _pair(kernel_size), "dilation": _pair(dilation),
            "padding": _pair(padding), "stride": _pair(stride)}
    for name, value in args.items():
        if len(value) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(value)}")
    checks = (("kernel_size", "kernel size", "kernel"), ("dilation", "dilation", "dilation"),
              ("stride", "stride", "stride"))
    for key, what, label in checks:
        if any(v <= 0 for v in args[key]):
            h, w = args[key]
            raise RuntimeError(f"{what} should be greater than zero, but got {label}_height: "
                               f"{h} {label}_width: {w}")
    if any(p < 0 for p in args["padding"]):
        h, w = args["padding"]
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {h} "
                           f"pad_width: {w}")
    return args


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """torch.nn.functional.unfold (im2col): (N, C, H, W) -> (N, C*prod(kernel_size), L)."""
    if input.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-input.ndim}, "
                         f"{input.ndim - 1}], but got {input.ndim})")
    args = _block_args(kernel_size, dilation, padding, stride)
    if input.ndim > 4 or any(s == 0 for s in input.shape[-3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size "
                           f"and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    spatial = tuple(input.shape[-2:])
    counts = tuple(nn_vision.blocks(s, k, d, p, st) for s, k, d, p, st in
                   zip(spatial, *(args[n] for n in ("kernel_size", "dilation", "padding",
                                                     "stride"))))
    if any(c < 1 for c in counts):
        raise RuntimeError(
            f"Given input with spatial size {spatial}, kernel_size={args['kernel_size']}, "
            f"dilation={args['dilation']}, padding={args['padding']}, calculated shape of the "
            f"array of sliding blocks as {counts}, but its components must be at least one.")
    _check_float_kernel(input, "im2col_out_cpu")
    return dispatch(_UNFOLD, (input,), **args)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """torch.nn.functional.fold (col2im): sums sliding blocks (N, C*kh*kw, L) into
    (N, C, *output_size)."""
    args = _block_args(kernel_size, dilation, padding, stride)
    output_size = _pair(output_size)
    if input.ndim not in (2, 3) or any(s == 0 for s in input.shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 "
                           "batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    kh, kw = args["kernel_size"]
    channels = input.shape[-2]
    if channels % (kh * kw):
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product "
                           f"of kernel_size, but got input.size(1)={channels} and "
                           f"kernel_size={args['kernel_size']}.")
    counts = [nn_vision.blocks(s, k, d, p, st) for s, k, d, p, st in
              zip(output_size, *(args[n] for n in ("kernel_size", "dilation", "padding",
                                                    "stride")))]
    if input.shape[-1] != counts[0] * counts[1] or any(c < 1 for c in counts):
        raise RuntimeError(
            f"Given output_size={output_size}, kernel_size={args['kernel_size']}, "
            f"dilation={args['dilation']}, padding={args['padding']}, stride={args['stride']}, "
            "expected size of input's dimension 2 to match the calculated number of sliding "
            f"blocks {counts[0]} * {counts[1]} = {counts[0] * counts[1]}, but got "
            f"input.size(2)={input.shape[-1]}.")
    _check_float_kernel(input, "col2im_out_cpu")
    return dispatch(_FOLD, (input,), output_size=tuple(output_size), **args)


def _check_float_kernel(input, kernel):
    d = input.dtype
    if not (d.is_floating_point or d.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtypes.title_name(d)}\'')


# ---- grid_sample / affine_grid --------------------------------------------------------------

_GRID_SAMPLE = {4: Op(nn_vision.grid_sample, "GridSampler2DBackward0", saves=(0, 1)),
                5: Op(nn_vision.grid_sample, "GridSampler3DBackward0", saves=(0, 1))}
_AFFINE_GRID = Op(nn_vision.affine_grid, "AffineGridGeneratorBackward0")

_ALIGN_CORNERS_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since "
    "1.3.0. Please specify align_corners=True if the old behavior is desired. See the "
    "documentation of grid_sample for details.")


def _check_grid(input, grid, mode):
    """torch's grid_sampler checks, in torch's order."""
    shapes = (f"input with sizes {list(input.shape)} and grid with sizes "
              f"{list(grid.shape)}")
    if input.shape[0] != grid.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, "
                           f"but got {shapes}")
    nd = input.ndim - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last "
                           f"dimension, but got grid with sizes {list(grid.shape)}")
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        which = f"{input.ndim}D" if input.ndim in (4, 5) else "4D or 5D"
        raise RuntimeError(f"grid_sampler(): expected {which} input and grid with same number "
                           f"of dimensions, but got {shapes}")
    if mode == "bicubic" and nd == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype is not grid.dtype:
        raise RuntimeError(f"expected scalar type {_dtypes.title_name(input.dtype)} but found "
                           f"{_dtypes.title_name(grid.dtype)}")


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """torch.nn.functional.grid_sample: samples input (N, C, H, W) at the normalised
    coordinates grid (N, H_out, W_out, 2) (5-D: volumetric)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', "
                         f"'nearest' or 'bicubic', but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', "
                         f"'border', or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_WARNING, stacklevel=2)
        align_corners = False
    _check_grid(input, grid, mode)
    _check_float_kernel(input, f"grid_sampler_{input.ndim - 2}d_cpu_kernel_impl")
    return dispatch(_GRID_SAMPLE[input.ndim], (input, grid), mode=mode,
                    padding_mode=padding_mode, align_corners=bool(align_corners))


def affine_grid(theta, size, align_corners=None):
    """torch.nn.functional.affine_grid: the sampling grid (N, H, W, 2) (or (N, D, H, W, 3))
    of the affine maps theta (N, 2, 3) (or (N, 3, 4)) for an output of `size`."""
    if align_corners is None:
        warnings.warn(_ALIGN_CORNERS_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(int(s) for s in size)
    if len(size) in (4, 5):
        nd = len(size) - 2
        if theta.ndim != 3 or tuple(theta.shape[-2:]) != (nd, nd + 1):
            raise ValueError(f"Expected a batch of {nd}D affine matrices of shape "
                             f"Nx{nd}x{nd + 1} for size {size}. Got {theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D "
                                  f"affine transforms, respectively. Got size {size}.")
    if align_corners and min(size[2:]) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size "
                      "grids when align_corners=True. This is not an intended use case of "
                      "affine_grid. See the documentation of affine_grid for details.",
                      stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return dispatch(_AFFINE_GRID, (theta,), size=size, align_corners=bool(align_corners))
