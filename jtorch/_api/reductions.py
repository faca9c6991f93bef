"""Statistical reductions, scans, sorting and counting: std/var, norms, cumsum, sort, topk,
unique, histograms, with torch's signatures, dtypes and named-tuple results.

sum/mean/prod/max/min/amax/amin/argmax live in `_api/math.py`. Where jtorch differs from torch:
sorts are always stable (torch's default unstable sort may order ties differently), topk's
`sorted=False` still returns sorted values, and unique/unique_consecutive/bincount (whose output
shapes depend on values) run eagerly only and are not differentiable.
"""

from __future__ import annotations

import builtins
import math
import warnings

import jax
import numpy as np

from jtorch._api import return_types
from jtorch._api._register import register
from jtorch._api.math import _dims, _dtype_arg, _out
from jtorch._dispatch import OUTPUT, Op, commit_inplace, dispatch
from jtorch._ops import reduction, sorting
from jtorch._tensor import Tensor

# ---- var, std -------------------------------------------------------------------------------

VAR = Op(reduction.var, "VarBackward0", saves=(0,))
STD = Op(reduction.std, "StdBackward0", saves=(0, OUTPUT))
VAR_MEAN = Op(reduction.var_mean, "VarMeanBackward0", saves=(0,))
STD_MEAN = Op(reduction.std_mean, "StdMeanBackward0", saves=(0,))


def _variance_args(name, dim, unbiased, correction):
    """torch's std/var overloads: (dim, unbiased, keepdim), (unbiased) or (dim, *, correction);
    returns (dim, correction)."""
    if isinstance(dim, bool):  # std(x, False): the bool is `unbiased`
        if unbiased is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                        "unbiased and correction")
    if correction is None:
        correction = 0 if unbiased is False else 1
    elif isinstance(correction, bool):
        correction = int(correction)
    return _dims(dim), correction


def _variance(op, name, input, dim, unbiased, keepdim, correction):
    dim, correction = _variance_args(name, dim, unbiased, correction)
    result = dispatch(op, (input,), dim=dim, correction=correction, keepdim=keepdim)
    reduced = input.numel() // builtins.max(1, (result[0] if type(result) is tuple
                                                 else result).numel())
    if reduced - correction <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly "
                      "less than the reduction factor (input numel divided by output numel).",
                      stacklevel=3)
    return result


@register
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """torch.var: Bessel-corrected (correction=1, or unbiased=True) unless told otherwise."""
    return _out(_variance(VAR, "var", input, dim, unbiased, keepdim, correction), out)


@register
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """torch.std; its gradient at zero deviation is 0, as torch's."""
    return _out(_variance(STD, "std", input, dim, unbiased, keepdim, correction), out)


@register(method=False)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """torch.var_mean: a plain tuple (var, mean)."""
    return tuple(_variance(VAR_MEAN, "var_mean", input, dim, unbiased, keepdim, correction))


@register(method=False)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """torch.std_mean: a plain tuple (std, mean)."""
    return tuple(_variance(STD_MEAN, "std_mean", input, dim, unbiased, keepdim, correction))


# ---- logsumexp, nan-aware sums, all/any, counts, aminmax ------------------------------------

LOGSUMEXP = Op(reduction.logsumexp, "LogsumexpBackward0", saves=(0, OUTPUT))
NANSUM = Op(reduction.nansum, "NansumBackward0", saves=(0,))
NANMEAN = Op(reduction.nanmean, "DivBackward0", saves=(0,))
ALL = Op(reduction.all, "", differentiable=False)
ANY = Op(reduction.any, "", differentiable=False)
COUNT_NONZERO = Op(reduction.count_nonzero, "", differentiable=False)
AMINMAX = Op(reduction.aminmax, "AminmaxBackward0", saves=(0, OUTPUT))


@register
def logsumexp(input, dim, keepdim=False, *, out=None):
    """torch.logsumexp: log(sum(exp(x))) over dim, computed stably."""
    return _out(dispatch(LOGSUMEXP, (input,), dim=_dims(dim), keepdim=keepdim), out)


@register
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.nansum: NaNs count as zero (integers sum to int64, as sum)."""
    return _out(dispatch(NANSUM, (input,), dim=_dims(dim), keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


@register
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.nanmean: the mean of the non-NaN elements."""
    return _out(dispatch(NANMEAN, (input,), dim=_dims(dim), keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


@register
def all(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    """torch.all: bool (uint8 for uint8 input) over all elements, a dim or a tuple of dims."""
    return _out(dispatch(ALL, (input,), dim=_dims(dim), keepdim=keepdim), out)


@register
def any(input, dim=None, keepdim=False, *, out=None):  # noqa: A001
    return _out(dispatch(ANY, (input,), dim=_dims(dim), keepdim=keepdim), out)


@register
def count_nonzero(input, dim=None):
    return dispatch(COUNT_NONZERO, (input,), dim=_dims(dim))


@register
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """torch.aminmax: return_types.aminmax(min, max)."""
    result = dispatch(AMINMAX, (input,), dim=dim, keepdim=keepdim)
    return _out_tuple(result, out, return_types.aminmax)


def _out_tuple(result, out, result_type):
    if out is not None:
        result = tuple(_out(r, o) for r, o in zip(result, out))
    return result_type(*result)


# ---- norms ----------------------------------------------------------------------------------

VECTOR_NORM = Op(reduction.vector_norm, "LinalgVectorNormBackward0", saves=(0, OUTPUT))
NUCLEAR_NORM = Op(reduction.nuclear_norm, "SumBackward1")


@register
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """torch.norm: a vector norm for numeric p (and 'fro' over at most two dims), the nuclear
    norm for p='nuc' over two dims, as torch's linalg.vector_norm / matrix_norm."""
    dims = None if dim is None else ((dim,) if isinstance(dim, int) else tuple(dim))
    dtype = _dtype_arg(dtype)
    if not isinstance(p, str):
        p = 2.0 if p is None else p
        return _out(dispatch(VECTOR_NORM, (input,), ord=p, dim=dims, keepdim=keepdim,
                             dtype=dtype), out)
    if p == "fro" and (dims is None or len(dims) <= 2):
        return _out(dispatch(VECTOR_NORM, (input,), ord=2, dim=dims, keepdim=keepdim,
                             dtype=dtype), out)
    if input.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    dims = tuple(range(input.ndim)) if dims is None else dims
    if len(dims) != 2:
        raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                           + " ".join(str(d) for d in dims))
    if p != "nuc":
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    return _out(dispatch(NUCLEAR_NORM, (input,), dim=dims, keepdim=keepdim, dtype=dtype), out)


# ---- scans ----------------------------------------------------------------------------------

CUMSUM = Op(reduction.cumsum, "CumsumBackward0")
CUMPROD = Op(reduction.cumprod, "CumprodBackward0", saves=(0, OUTPUT))
LOGCUMSUMEXP = Op(reduction.logcumsumexp, "LogcumsumexpBackward0", saves=(0, OUTPUT))
CUMMAX = Op(reduction.cummax, "CummaxBackward0")
CUMMIN = Op(reduction.cummin, "CumminBackward0")


@register
def cumsum(input, dim, *, dtype=None, out=None):
    """torch.cumsum: integer and bool inputs accumulate in int64 unless dtype is given."""
    return _out(dispatch(CUMSUM, (input,), dim=dim, dtype=_dtype_arg(dtype)), out)


@register
def cumprod(input, dim, *, dtype=None, out=None):
    return _out(dispatch(CUMPROD, (input,), dim=dim, dtype=_dtype_arg(dtype)), out)


def _scan_inplace(op, name):
    """Tensor.cumsum_/cumprod_: computed in the tensor's own dtype (torch refuses another
    dtype, and bool tensors)."""
    def inplace(self, dim, *, dtype=None):
        if dtype is not None and _dtype_arg(dtype) != self.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {_c_name(self.dtype)} and "
                               f"output tensor dtype {_c_name(_dtype_arg(dtype))} should match")
        if str(self.dtype) == "torch.bool":
            raise NotImplementedError(f'"{name}_out_cpu" not implemented for \'Bool\'')
        return commit_inplace(self, dispatch(op, (self,), dim=dim, dtype=self.dtype))
    inplace.__name__ = inplace.__qualname__ = name + "_"
    return register(inplace, function=False)


def _c_name(dtype):
    return {"float32": "float", "float64": "double", "int64": "long int"}.get(
        str(dtype).removeprefix("torch."), str(dtype).removeprefix("torch."))


cumsum_ = _scan_inplace(CUMSUM, "cumsum")
cumprod_ = _scan_inplace(CUMPROD, "cumprod")


@register
def logcumsumexp(input, dim, *, out=None):
    return _out(dispatch(LOGCUMSUMEXP, (input,), dim=dim), out)


@register
def cummax(input, dim, *, out=None):
    """torch.cummax: return_types.cummax(values, indices); ties take the later index."""
    return _out_tuple(dispatch(CUMMAX, (input,), dim=dim), out, return_types.cummax)


@register
def cummin(input, dim, *, out=None):
    return _out_tuple(dispatch(CUMMIN, (input,), dim=dim), out, return_types.cummin)


# ---- sorting and selection ------------------------------------------------------------------

SORT = Op(sorting.sort, "SortBackward0")
ARGSORT = Op(sorting.argsort, "", differentiable=False)
MSORT = Op(sorting.msort, "SortBackward0")
TOPK = Op(sorting.topk, "TopkBackward0")
KTHVALUE = Op(sorting.kthvalue, "KthvalueBackward0")
MEDIAN_ALL = Op(sorting.median, "MedianBackward0", saves=(0, OUTPUT))
MEDIAN_DIM = Op(sorting.median_dim, "MedianBackward1")
NANMEDIAN_ALL = Op(sorting.median, "NanmedianBackward0", saves=(0, OUTPUT))
NANMEDIAN_DIM = Op(sorting.median_dim, "NanmedianBackward1")
MODE = Op(sorting.mode, "ModeBackward0")


@register
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """torch.sort: return_types.sort(values, indices); NaN sorts last (first if descending).
    jtorch's sort is always stable."""
    result = dispatch(SORT, (input,), dim=dim, descending=builtins.bool(descending))
    return _out_tuple(result, out, return_types.sort)


@register
def argsort(input, dim=-1, descending=False, *, stable=False):
    return dispatch(ARGSORT, (input,), dim=dim, descending=builtins.bool(descending))


@register
def msort(input, *, out=None):
    return _out(dispatch(MSORT, (input,)), out)


@register
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):  # noqa: A002
    """torch.topk: the k largest (or smallest) elements and their indices, in sorted order."""
    result = dispatch(TOPK, (input,), k=int(k), dim=dim, largest=builtins.bool(largest))
    return _out_tuple(result, out, return_types.topk)


@register
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """torch.kthvalue: the k-th smallest element (1-based) along dim and its index."""
    result = dispatch(KTHVALUE, (input,), k=int(k), dim=dim, keepdim=keepdim)
    return _out_tuple(result, out, return_types.kthvalue)


def _median(input, dim, keepdim, out, ignore_nan, all_op, dim_op, result_type):
    if dim is None:
        return _out(dispatch(all_op, (input,), ignore_nan=ignore_nan), out)
    result = dispatch(dim_op, (input,), dim=dim, keepdim=keepdim, ignore_nan=ignore_nan)
    return _out_tuple(result, out, result_type)


@register
def median(input, dim=None, keepdim=False, *, out=None):
    """torch.median: the lower median of all elements (NaN if there is a NaN), or
    return_types.median(values, indices) along dim."""
    return _median(input, dim, keepdim, out, False, MEDIAN_ALL, MEDIAN_DIM, return_types.median)


@register
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """torch.nanmedian: median ignoring NaNs."""
    return _median(input, dim, keepdim, out, True, NANMEDIAN_ALL, NANMEDIAN_DIM,
                   return_types.nanmedian)


@register
def mode(input, dim=-1, keepdim=False, *, out=None):
    """torch.mode: return_types.mode(values, indices) of the most frequent value along dim."""
    return _out_tuple(dispatch(MODE, (input,), dim=dim, keepdim=keepdim), out, return_types.mode)


# ---- quantiles ------------------------------------------------------------------------------

QUANTILE = Op(sorting.quantile, "SqueezeBackward4")


def _quantile(name, input, q, dim, keepdim, interpolation, out, ignore_nan):
    if str(input.dtype) not in ("torch.float32", "torch.float64"):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q.dtype != input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        values = q._array
        if not isinstance(values, jax.core.Tracer) and (
                np.any(np.asarray(values) < 0) or np.any(np.asarray(values) > 1)):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    elif not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    if input.numel() == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if interpolation not in sorting.INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest, but got {interpolation}")
    q = builtins.float(q) if not isinstance(q, Tensor) else q
    result = dispatch(QUANTILE, (input, q), dim=dim, keepdim=keepdim,
                      interpolation=interpolation, ignore_nan=ignore_nan)
    return _out(result, out)


@register
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """torch.quantile: q-th quantiles (q a float or 1-D tensor) with torch's interpolations."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, out, False)


@register
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """torch.nanquantile: quantile ignoring NaNs (NaN where a row has no number)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, out, True)


# ---- counting and searching -----------------------------------------------------------------

UNIQUE = Op(sorting.unique, "", differentiable=False, jit=False)
BINCOUNT = Op(sorting.bincount, "", differentiable=False, jit=False)
HISTC = Op(sorting.histc, "", differentiable=False)
SEARCHSORTED = Op(sorting.searchsorted, "", differentiable=False)
BUCKETIZE = Op(sorting.bucketize, "", differentiable=False)


def _unique_result(values, inverse, counts, return_inverse, return_counts):
    picked = (values,) + ((inverse,) if return_inverse else ()) + \
        ((counts,) if return_counts else ())
    return picked[0] if len(picked) == 1 else picked


@register
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """torch.unique: the sorted distinct values (or slices along dim), optionally the inverse
    indices and counts. Eager only: the output size depends on the values."""
    result = dispatch(UNIQUE, (input,), dim=dim, consecutive=False)
    return _unique_result(*result, return_inverse, return_counts)


@register
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """torch.unique_consecutive: collapse runs of equal consecutive values (or slices)."""
    result = dispatch(UNIQUE, (input,), dim=dim, consecutive=True)
    return _unique_result(*result, return_inverse, return_counts)


@register
def bincount(input, weights=None, minlength=0):
    """torch.bincount: occurrences (or summed weights) of each value of a 1-D non-negative
    integer tensor. Eager only: the output size depends on the values."""
    return dispatch(BINCOUNT, (input, weights), minlength=int(minlength))


@register
def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002
    """torch.histc: a histogram of equal-width bins (the data's range when min == max)."""
    if min == max and input.dtype.is_floating_point and input.numel():
        values = input._array
        if not isinstance(values, jax.core.Tracer) and not np.all(np.isfinite(np.asarray(values))):
            lo, hi = np.nanmin(np.asarray(values)), np.nanmax(np.asarray(values))
            raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    if not (math.isfinite(min) and math.isfinite(max)):
        raise RuntimeError(f"torch.histc: range of [{min}, {max}] is not finite")
    return _out(dispatch(HISTC, (input,), bins=int(bins), min=min, max=max), out)


@register(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None,
                 sorter=None):
    """torch.searchsorted: insertion indices of `input` in the innermost dim of the sorted
    sequence (left: first position, right=True or side='right': last)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but "
                               f"got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, "
                               "got side of left while right was True")
        right = side == "right"
    if sorter is not None and str(sorter.dtype) != "torch.int64":
        raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype")
    result = dispatch(SEARCHSORTED, (sorted_sequence, input, sorter), right=builtins.bool(right),
                      out_int32=builtins.bool(out_int32))
    return _out(result, out)


@register(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """torch.bucketize: the bucket of each input element among 1-D boundaries."""
    result = dispatch(BUCKETIZE, (input, boundaries), right=builtins.bool(right),
                      out_int32=builtins.bool(out_int32))
    return _out(result, out)


@register
def dist(input, other, p=2):
    """torch.dist: the p-norm of `input - other` (broadcast), a 0-d tensor."""
    return norm(input - other, p)
