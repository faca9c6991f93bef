"""F.max_pool*, F.avg_pool*, F.adaptive_*_pool*, F.lp_pool*, F.max_unpool*.

Arguments are checked here with torch's messages, then each call is one funnel op named like
torch's backward node (1-d variants are 2-d ones in torch, hence `SqueezeBackward1`).
"""

from __future__ import annotations

import math

import jax
import numpy as np

from jtorch import _dtypes
from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_pool
from jtorch.nn.functional._conv import _ntuple

__all__ = ["max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices",
           "max_pool2d_with_indices", "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d",
           "avg_pool3d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
           "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "adaptive_max_pool3d_with_indices", "lp_pool1d", "lp_pool2d", "lp_pool3d",
           "max_unpool1d", "max_unpool2d", "max_unpool3d", "fractional_max_pool2d",
           "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
           "fractional_max_pool3d_with_indices"]

_NODE = {1: "SqueezeBackward1", 2: "{}2DBackward0", 3: "{}3DBackward0"}


def _ops(fn, kind, saves=(0,)):
    return {nd: Op(fn, _NODE[nd].format(kind), saves=saves) for nd in (1, 2, 3)}


_MAX_POOL = {1: Op(nn_pool.max_pool, "SqueezeBackward1", saves=(0,)),
             2: Op(nn_pool.max_pool, "MaxPool2DWithIndicesBackward0", saves=(0,)),
             3: Op(nn_pool.max_pool, "MaxPool3DWithIndicesBackward0", saves=(0,))}
_AVG_POOL = _ops(nn_pool.avg_pool, "AvgPool", saves=())
_ADAPTIVE_AVG = _ops(nn_pool.adaptive_avg_pool, "AdaptiveAvgPool", saves=())
_ADAPTIVE_MEAN = Op(nn_pool.adaptive_avg_pool, "MeanBackward1")
_ADAPTIVE_MAX = _ops(nn_pool.adaptive_max_pool, "AdaptiveMaxPool")
_MAX_UNPOOL = _ops(nn_pool.max_unpool, "MaxUnpool", saves=(1,))
_LP_POOL = Op(nn_pool.lp_pool, "PowBackward0", saves=(0,))

_WORDS = {1: "one", 2: "two", 3: "three"}
_DIM_NAMES = {1: ("W",), 2: ("H", "W"), 3: ("T", "H", "W")}


# ---- argument checks, with torch's messages -----------------------------------------------

def _expand(value, nd, name, arg, omittable=False):
    values = _ntuple(nd)(value)
    if len(values) != nd:
        if name == "avg_pool1d":
            raise RuntimeError(f"avg_pool1d() argument '{arg}' should contain one int (got "
                               f"{len(values)})")
        if nd == 1:
            raise RuntimeError(f"{name}() {arg} must be an int, list of ints or tuple of ints of "
                               f"size 1 but got size {len(values)}")
        how = "either be omitted, a single int" if omittable else "either be a single int"
        raise RuntimeError(f"{name}: {arg} must {how}, or a tuple of {_WORDS[nd]} ints")
    return values


def _window_args(name, nd, kernel_size, stride, padding, dilation=1):
    kernel = _expand(kernel_size, nd, name, "kernel_size")
    no_stride = stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0)
    stride = kernel if no_stride else _expand(stride, nd, name, "stride", omittable=True)
    return kernel, stride, _expand(padding, nd, name, "padding"), \
        _expand(dilation, nd, name, "dilation")


def _check_dims(input, nd, name, message):
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(message.format(name=name, shape=list(input.shape), ndim=input.ndim))


def _check_window(input, nd, kernel, stride, padding, dilation, ceil_mode):
    """torch's pool{2,3}d_shape_check; returns the output spatial sizes."""
    names = _DIM_NAMES[nd]
    if any(s == 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(k <= 0 for k in kernel):
        got = " ".join(f"k{n}: {k}" for n, k in zip(names, kernel))
        raise RuntimeError(f"kernel size should be greater than zero, but got {got}")
    if any(d <= 0 for d in dilation):
        got = " ".join(f"dilation{n}: {d}" for n, d in zip(names, dilation))
        raise RuntimeError(f"dilation should be greater than zero, but got {got}")
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError("pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")
    spatial = input.shape[input.ndim - nd:]
    out = tuple(nn_pool.output_size(n, k, s, p, d, ceil_mode) for n, k, s, p, d in
                zip(spatial, kernel, stride, padding, dilation))
    if any(o < 1 for o in out):
        planes = input.shape[input.ndim - nd - 1]
        if nd == 1:  # torch runs 1-d pooling as 2-d pooling of height 1
            spatial, out = (1, *spatial), (1, *out)
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (planes, *spatial)))}). "
                           f"Calculated output size: ({'x'.join(map(str, (planes, *out)))}). "
                           "Output size is too small")
    return out


def _check_avg_pool3d_size(input, kernel):
    spatial = input.shape[-3:]
    if any(n < k for n, k in zip(spatial, kernel)):
        image = " ".join(f"{a}: {n}" for a, n in zip("THW", spatial))
        kernels = " ".join(f"k{a}: {k}" for a, k in zip("THW", kernel))
        raise RuntimeError(f"input image ({image}) smaller than kernel size ({kernels})")


def _check_max_pool1d(input, kernel, stride, padding, dilation, ceil_mode):
    """max_pool1d's own checks (torch runs it without the 2-d machinery)."""
    (k,), (s,), (p,), (d,) = kernel, stride, padding, dilation
    for arg, v in (("kernel_size", k), ("stride", s), ("dilation", d)):
        if v <= 0:
            raise RuntimeError(f"max_pool1d() {arg} must be greater than zero, but got {v}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError("max_pool1d() padding should be at most half of kernel size, but "
                           f"got padding={p} and kernel_size={k}")
    out = nn_pool.output_size(input.shape[-1], k, s, p, d, ceil_mode)
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")


_MAX_DIMS = {
    1: "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
       "input, but got:{shape}",
    2: "non-empty 3D or 4D (batch mode) tensor expected for input",
    3: "non-empty 4D or 5D (batch mode) tensor expected for input"}
_TORCH_ARG_DIMS = ("Expected {lo} to {hi} dimensions, but got {{ndim}}-dimensional tensor for "
                   "argument #1 'self' (while checking arguments for {{name}})")
_AVG_DIMS = {
    1: _TORCH_ARG_DIMS.format(lo=2, hi=3),
    2: "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
       "got:{shape}",
    3: "non-empty 4D or 5D (batch mode) tensor expected for input"}


# ---- max / avg pooling --------------------------------------------------------------------

def _max_pool(input, nd, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    name = f"max_pool{nd}d"
    kernel, stride, padding, dilation = _window_args(name, nd, kernel_size, stride, padding,
                                                     dilation)
    _check_dims(input, nd, name, _MAX_DIMS[nd])
    if nd == 1:
        _check_max_pool1d(input, kernel, stride, padding, dilation, ceil_mode)
    else:
        _check_window(input, nd, kernel, stride, padding, dilation, ceil_mode)
    return dispatch(_MAX_POOL[nd], (input,), kernel=kernel, stride=stride, padding=padding,
                    dilation=dilation, ceil_mode=bool(ceil_mode),
                    return_indices=bool(return_indices))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """torch.nn.functional.max_pool1d over (N, C, L) or (C, L); stride defaults to
    kernel_size; with return_indices also the argmax positions (int64)."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """torch.nn.functional.max_pool2d over (N, C, H, W) or (C, H, W); the gradient goes to
    each window's first maximum, as torch's."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """torch.nn.functional.max_pool3d over (N, C, D, H, W) or (C, D, H, W)."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool1d_with_indices: (values, indices)."""
    return _max_pool(input, 1, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool2d_with_indices: (values, indices)."""
    return _max_pool(input, 2, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=False):
    """torch.nn.functional.max_pool3d_with_indices: (values, indices)."""
    return _max_pool(input, 3, kernel_size, stride, padding, dilation, ceil_mode, True)


def _avg_pool(input, nd, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):
    name = f"avg_pool{nd}d"
    kernel, stride, padding, dilation = _window_args(name, nd, kernel_size, stride, padding)
    _check_dims(input, nd, name, _AVG_DIMS[nd])
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    if nd == 3:
        _check_avg_pool3d_size(input, kernel)
    _check_window(input, nd, kernel, stride, padding, dilation, ceil_mode)
    return dispatch(_AVG_POOL[nd], (input,), kernel=kernel, stride=stride, padding=padding,
                    ceil_mode=bool(ceil_mode), count_include_pad=bool(count_include_pad),
                    divisor_override=divisor_override)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """torch.nn.functional.avg_pool1d over (N, C, L) or (C, L)."""
    return _avg_pool(input, 1, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """torch.nn.functional.avg_pool2d; padding counts in the divisor when count_include_pad,
    windows hanging past the padding (ceil_mode) never do."""
    return _avg_pool(input, 2, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """torch.nn.functional.avg_pool3d."""
    return _avg_pool(input, 3, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


# ---- adaptive pooling ---------------------------------------------------------------------

def _adaptive_output_size(input, nd, output_size, name):
    if nd == 1:
        sizes = _ntuple(1)(output_size)
        if len(sizes) != 1:
            raise RuntimeError(f"{name}() argument 'output_size' should contain one int (got "
                               f"{len(sizes)})")
    else:
        sizes = _ntuple(nd)(output_size)
        if len(sizes) != nd:
            raise RuntimeError(f"{name}: output_size must be {nd}")
    spatial = input.shape[input.ndim - nd:]
    sizes = tuple(n if s is None else int(s) for s, n in zip(sizes, spatial))
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{', '.join(map(str, sizes))}}}")
    return sizes


def _check_adaptive_dims(input, nd, name):
    if input.ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(_TORCH_ARG_DIMS.format(lo=2, hi=3).format(ndim=input.ndim,
                                                                         name=name))
        sep = ": " if "max" in name else " "
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got"
                           f"{sep}{list(input.shape)}")


def _check_not_integral(input, name):
    """torch's kernels for these ops exist for floating types only."""
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        kernel = f"{name}_cpu" if name.endswith("3d") else name
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{_dtypes.title_name(input.dtype)}'")


def _adaptive_avg_pool(input, nd, output_size):
    name = f"adaptive_avg_pool{nd}d"
    _check_adaptive_dims(input, nd, name)
    sizes = _adaptive_output_size(input, nd, output_size, name)
    _check_not_integral(input, name)
    op = _ADAPTIVE_AVG[nd]
    if nd > 1 and all(s == 1 for s in sizes):
        op = _ADAPTIVE_MEAN  # torch computes a 1x1 output as a mean
    return dispatch(op, (input,), output_size=sizes)


def adaptive_avg_pool1d(input, output_size):
    """torch.nn.functional.adaptive_avg_pool1d: windows [floor(i*L/o), ceil((i+1)*L/o))."""
    return _adaptive_avg_pool(input, 1, output_size)


def adaptive_avg_pool2d(input, output_size):
    """torch.nn.functional.adaptive_avg_pool2d; None in output_size keeps that input size."""
    return _adaptive_avg_pool(input, 2, output_size)


def adaptive_avg_pool3d(input, output_size):
    """torch.nn.functional.adaptive_avg_pool3d."""
    return _adaptive_avg_pool(input, 3, output_size)


def _adaptive_max_pool(input, nd, output_size, return_indices):
    name = f"adaptive_max_pool{nd}d"
    _check_adaptive_dims(input, nd, name)
    sizes = _adaptive_output_size(input, nd, output_size, name)
    _check_not_integral(input, name)
    return dispatch(_ADAPTIVE_MAX[nd], (input,), output_size=sizes,
                    return_indices=bool(return_indices))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """torch.nn.functional.adaptive_max_pool1d (+ argmax indices)."""
    return _adaptive_max_pool(input, 1, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """torch.nn.functional.adaptive_max_pool2d (+ argmax indices)."""
    return _adaptive_max_pool(input, 2, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """torch.nn.functional.adaptive_max_pool3d (+ argmax indices)."""
    return _adaptive_max_pool(input, 3, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, 1, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, 2, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _adaptive_max_pool(input, 3, output_size, True)


# ---- LP pooling -----------------------------------------------------------------------------

def _lp_pool(input, nd, norm_type, kernel_size, stride, ceil_mode):
    if norm_type == math.inf:
        return _max_pool(input.abs(), nd, kernel_size, stride, 0, 1, ceil_mode, False)
    if norm_type == -math.inf:
        return -_max_pool(-input.abs(), nd, kernel_size, stride, 0, 1, ceil_mode, False)
    name = f"avg_pool{nd}d"
    kernel, stride, padding, dilation = _window_args(name, nd, kernel_size, stride, 0)
    _check_dims(input, nd, name, _AVG_DIMS[nd])
    _check_window(input, nd, kernel, stride, padding, dilation, ceil_mode)
    return dispatch(_LP_POOL, (input,), norm_type=float(norm_type), kernel=kernel,
                    stride=stride, ceil_mode=bool(ceil_mode))


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch.nn.functional.lp_pool1d: (sum of x^p over each window)^(1/p)."""
    return _lp_pool(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch.nn.functional.lp_pool2d."""
    return _lp_pool(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """torch.nn.functional.lp_pool3d."""
    return _lp_pool(input, 3, norm_type, kernel_size, stride, ceil_mode)


# ---- max unpooling --------------------------------------------------------------------------

def _unpool_output_size(input, kernel, stride, padding, output_size):
    """torch.nn.functional._unpool_output_size."""
    nd = len(kernel)
    default = [(input.shape[input.ndim - nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
               for d in range(nd)]
    if output_size is None:
        return tuple(default)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} "
                         f"elements, but it has a length of '{len(output_size)}'")
    for d in range(nd):
        lo, hi = default[d] - stride[d], default[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between '
                             f"{lo} and {hi})")
    return tuple(int(s) for s in output_size)


def _max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    kernel = _ntuple(nd)(kernel_size)
    stride = kernel if stride is None else _ntuple(nd)(stride)
    padding = _ntuple(nd)(padding)
    sizes = _unpool_output_size(input, kernel, stride, padding, output_size)
    if indices.dtype is not _dtypes.int64:
        raise RuntimeError("elements in indices should be type int64 but got: "
                           f"{_dtypes.title_name(indices.dtype)}")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d "
                           f"Tensor, but got a tensor with {input.ndim} dimensions.")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError("Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: "
                           f"{list(indices.shape)}")
    _check_unpool_indices(indices, sizes)
    return dispatch(_MAX_UNPOOL[nd], (input, indices), output_size=sizes)


def _check_unpool_indices(indices, sizes):
    """torch's check that every index falls in the output plane; it reads the values, so
    it runs eagerly only (under jtorch.compile out-of-range indices are dropped)."""
    array = indices._array
    if isinstance(array, jax.core.Tracer) or array.size == 0:
        return
    values = np.asarray(array)
    plane = math.prod(sizes)
    bad = values[(values < 0) | (values >= plane)]
    if bad.size:
        raise RuntimeError(f"Found an invalid max index: {int(bad[0])} (output volumes are of "
                           f"size {'x'.join(map(str, sizes))})")


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool1d: the inverse of max_pool1d given its indices."""
    return _max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool2d: zeros except at `indices`, which get `input`."""
    return _max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool3d."""
    return _max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


# ---- fractional max pooling -----------------------------------------------------------------

_FRACTIONAL = {2: Op(nn_pool.fractional_max_pool, "FractionalMaxPool2DBackward0", saves=(0,)),
               3: Op(nn_pool.fractional_max_pool, "FractionalMaxPool3DBackward0", saves=(0,))}
# which spatial dim each random sample drives, as torch's kernels read them
_FRACTIONAL_SAMPLE_DIMS = {2: (1, 0), 3: (0, 1, 2)}
_FRACTIONAL_DIM_WORDS = {2: ("height", "width"), 3: ("time", "height", "width")}


def _fractional_max_pool(input, nd, kernel_size, output_size, output_ratio, return_indices,
                         _random_samples):
    name = f"fractional_max_pool{nd}d"
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: "
                           f"{list(input.shape)}")
    if output_size is None:
        ratio = _ntuple(nd)(output_ratio)
        output_size = [int(input.size(d - nd) * r) for d, r in enumerate(ratio)]
    kernel = _expand(kernel_size, nd, name, "kernel_size")
    sizes = _expand(output_size, nd, name, "output_size")
    in_sizes = input.shape[-nd:]
    for dim, k, out, size in zip(_FRACTIONAL_DIM_WORDS[nd], kernel, sizes, in_sizes):
        if out + k - 1 > size:
            suffix = "" if nd == 2 else "_out"
            raise RuntimeError(f"{name}{suffix}(): pool {dim} {k} too large relative to input "
                               f"{dim} {size}")
    batch = 1 if input.ndim == nd + 1 else input.size(0)
    channels = input.size(-nd - 1)
    if _random_samples is None:
        from jtorch._api.creation import rand
        _random_samples = rand(batch, channels, nd, dtype=input.dtype, device=input.device)
    elif (_random_samples.ndim != 3 or _random_samples.size(0) != batch
          or _random_samples.size(1) != channels or _random_samples.size(2) != nd):
        raise RuntimeError(f"Expect _random_samples of shape ({batch}, {channels}, {nd}); got "
                           f"{list(_random_samples.shape)}.")
    return dispatch(_FRACTIONAL[nd], (input, _random_samples), kernel_size=kernel,
                    output_size=sizes, sample_dims=_FRACTIONAL_SAMPLE_DIMS[nd],
                    return_indices=bool(return_indices))


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """torch.nn.functional.fractional_max_pool2d: max over kH x kW windows at pseudo-random,
    increasing offsets chosen so the output is output_size (or output_ratio * input size).
    jtorch draws the offsets from its own generator; pass _random_samples (N, C, 2) in [0, 1)
    to get torch's exact result."""
    return _fractional_max_pool(input, 2, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):
    """torch.nn.functional.fractional_max_pool3d; _random_samples is (N, C, 3)."""
    return _fractional_max_pool(input, 3, kernel_size, output_size, output_ratio,
                                return_indices, _random_samples)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional_max_pool(input, 2, kernel_size, output_size, output_ratio, True,
                                _random_samples)


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _fractional_max_pool(input, 3, kernel_size, output_size, output_ratio, True,
                                _random_samples)
