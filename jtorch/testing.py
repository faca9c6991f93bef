"""torch.testing: assert_close with torch's default tolerances and messages, and make_tensor.

`assert_close` follows torch/testing/_comparison.py: inputs are paired up through nested
sequences and mappings; None, bools, Python/numpy numbers and tensor-likes (tensors, numpy
arrays) each compare by torch's rules, and the first failure raises with torch's text
("Tensor-likes are not close!\n\nMismatched elements: ..."). Differences are computed on the
host in the tensors' own dtype, so the numbers printed are torch's.
"""

from __future__ import annotations

import cmath
import collections.abc
import contextlib
import math

import numpy as np

from jtorch import _dtypes
from jtorch._tensor import Tensor

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) per dtype name; other dtypes compare exactly
_DTYPE_PRECISIONS = {"float16": (0.001, 1e-5), "bfloat16": (0.016, 1e-5),
                     "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7),
                     "complex64": (1.3e-6, 1e-5), "complex128": (1e-7, 1e-7)}
_NUMBER_DTYPES = {int: "int64", float: "float64", complex: "complex128"}


class _Failure(Exception):
    """An exception type and message, with the position (`id`) of the failing item."""

    def __init__(self, type, msg, id=()):
        super().__init__(msg)
        self.type, self.msg, self.id = type, msg, id

    def to_error(self, msg=None):
        if isinstance(msg, str):
            return self.type(msg)
        generated = self.msg
        if self.id:
            generated += ("\n\nThe failure occurred for item "
                          f"{''.join(str([item]) for item in self.id)}")
        return self.type(msg(generated) if callable(msg) else generated)


class _Unsupported(Exception):
    """A pair type cannot handle the inputs: try the next one."""


def _tolerances(dtype_names, rtol, atol, id):
    if (rtol is None) ^ (atol is None):
        raise _Failure(ValueError, "Both 'rtol' and 'atol' must be either specified or omitted, "
                       f"but got no {'rtol' if rtol is None else 'atol'}.", id)
    if rtol is not None:
        return rtol, atol
    rtols, atols = zip(*[_DTYPE_PRECISIONS.get(n, (0.0, 0.0)) for n in dtype_names])
    return max(rtols), max(atols)


def _mismatch_msg(default_identifier, identifier, extra, abs_diff, abs_idx, atol, rel_diff,
                  rel_idx, rtol):
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        if idx is None:
            msg = f"{kind.title()} difference: {diff}"
        else:
            msg = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            msg += f" (up to {tol} allowed)"
        return msg + "\n"

    if identifier is None:
        identifier = default_identifier
    elif callable(identifier):
        identifier = identifier(default_identifier)
    msg = f"{identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_mismatch_msg(actual, expected, rtol, atol):
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg("Scalars", None, f"Expected {expected} but got {actual}.", abs_diff,
                         None, atol, rel_diff, None, rtol)


# ---- pairs ---------------------------------------------------------------------------------

def _none_pair(actual, expected, id, **_):
    if not (actual is None or expected is None):
        raise _Unsupported
    if not (actual is None and expected is None):
        raise _Failure(AssertionError, f"None mismatch: {actual} is not {expected}", id)


def _boolean_pair(actual, expected, id, **_):
    if not all(isinstance(x, (bool, np.bool_)) for x in (actual, expected)):
        raise _Unsupported
    actual, expected = bool(actual), bool(expected)
    if actual is not expected:
        raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}", id)


def _number_pair(actual, expected, id, rtol=None, atol=None, equal_nan=False, check_dtype=False,
                 **_):
    kinds = (int, float, complex, np.number)
    if not all(isinstance(x, kinds) and not isinstance(x, bool) for x in (actual, expected)):
        raise _Unsupported
    actual, expected = (x.item() if isinstance(x, np.number) else x for x in (actual, expected))
    rtol, atol = _tolerances([_NUMBER_DTYPES[type(x)] for x in (actual, expected)], rtol, atol,
                             id)
    if check_dtype and type(actual) is not type(expected):
        raise _Failure(AssertionError, f"The (d)types do not match: {type(actual)} != "
                                       f"{type(expected)}.", id)
    if actual == expected:
        return
    if equal_nan and cmath.isnan(actual) and cmath.isnan(expected):
        return
    abs_diff = abs(actual - expected)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(expected):
        return
    raise _Failure(AssertionError, _scalar_mismatch_msg(actual, expected, rtol, atol), id)


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    from jtorch._api.creation import as_tensor
    try:
        return as_tensor(x)
    except Exception:
        raise _Unsupported from None


def _host_values(t):
    """The values of a tensor as numpy (bfloat16 stays bfloat16, as ml_dtypes)."""
    return np.asarray(t.detach()._array)


def _tensor_pair(actual, expected, id, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, **_):
    if not (isinstance(actual, type(expected)) or isinstance(expected, type(actual))):
        raise _Unsupported
    if not allow_subclasses and type(actual) is not type(expected):
        raise _Unsupported
    actual, expected = _as_tensor(actual), _as_tensor(expected)
    rtol, atol = _tolerances([actual.dtype.name, expected.dtype.name], rtol, atol, id)

    def mismatch(attribute, a, e):
        raise _Failure(AssertionError, f"The values for attribute '{attribute}' do not match: "
                                       f"{a} != {e}.", id)

    if actual.shape != expected.shape:
        mismatch("shape", actual.shape, expected.shape)
    if check_stride and actual.stride() != expected.stride():
        mismatch("stride()", actual.stride(), expected.stride())
    if check_device and actual.device != expected.device:
        mismatch("device", actual.device, expected.device)
    if check_dtype and actual.dtype is not expected.dtype:
        mismatch("dtype", actual.dtype, expected.dtype)
    dtype = actual.dtype
    a, e = _host_values(actual), _host_values(expected)
    if actual.dtype is not expected.dtype:
        dtype = _dtypes.promote_types(actual.dtype, expected.dtype)
        a, e = a.astype(dtype.np), e.astype(dtype.np)
    _compare_values(a, e, dtype, rtol, atol, equal_nan, id)


def _isclose(a, e, dtype, rtol, atol, equal_nan):
    """torch.isclose on host arrays of one dtype."""
    if dtype is _dtypes.bool_ or not (dtype.is_floating_point or dtype.is_complex):
        if rtol == 0 and atol == 0:
            return a == e
        a, e = a.astype(np.float64), e.astype(np.float64)
    with np.errstate(all="ignore"):
        close = a == e
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
        if rtol or atol:
            allowed = atol + np.abs(rtol * e)
            diff = np.abs(a - e)
            close |= np.isfinite(diff) & (diff <= allowed)
    return close


def _compare_values(a, e, dtype, rtol, atol, equal_nan, id):
    matches = _isclose(a, e, dtype, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        as_python = (lambda x: float(x)) if dtype is _dtypes.bfloat16 else (lambda x: x.item())
        raise _Failure(AssertionError,
                       _scalar_mismatch_msg(as_python(a), as_python(e), rtol, atol), id)
    raise _Failure(AssertionError, _tensor_mismatch_msg(a, e, matches, dtype, rtol, atol), id)


def _tensor_mismatch_msg(a, e, matches, dtype, rtol, atol):
    """torch's make_tensor_mismatch_msg: differences in the tensors' dtype (integers as
    int64, relative differences of integers in the default float dtype)."""
    shape = matches.shape
    total = matches.size
    mismatches = total - int(matches.sum())
    extra = f"Mismatched elements: {mismatches} / {total} ({mismatches / total:.1%})"
    a, e, matches = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    integral = not (dtype.is_floating_point or dtype.is_complex)
    if integral:
        a, e = a.astype(np.int64), e.astype(np.int64)
    with np.errstate(all="ignore"):
        abs_diff = np.abs(a - e)
        abs_diff[matches] = 0
        denominator = np.abs(e)
        if integral:
            work = _dtypes.get_default_dtype().np
            rel_diff = abs_diff.astype(work) / denominator.astype(work)
        else:
            rel_diff = abs_diff / denominator
        rel_diff[matches] = 0
    abs_idx, rel_idx = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    return _mismatch_msg("Tensor-likes", None, extra, _item(abs_diff[abs_idx]),
                         _unravel(abs_idx, shape), atol, _item(rel_diff[rel_idx]),
                         _unravel(rel_idx, shape), rtol)


def _item(x):
    x = np.asarray(x)
    return float(x) if x.dtype.name == "bfloat16" else x.item()


def _unravel(flat_index, shape):
    if not shape:
        return ()
    index = []
    for size in shape[::-1]:
        flat_index, mod = divmod(flat_index, size)
        index.append(mod)
    return tuple(index[::-1])


_PAIRS = (_none_pair, _boolean_pair, _number_pair, _tensor_pair)


def _originate(actual, expected, id, options):
    """The (actual, expected, id) leaves of nested sequences and mappings, checked for equal
    lengths and keys as torch does."""
    seq = collections.abc.Sequence
    if isinstance(actual, seq) and not isinstance(actual, str) and \
            isinstance(expected, seq) and not isinstance(expected, str):
        if len(actual) != len(expected):
            raise _Failure(AssertionError, f"The length of the sequences mismatch: "
                                           f"{len(actual)} != {len(expected)}", id)
        leaves = []
        for i in range(len(actual)):
            leaves += _originate(actual[i], expected[i], (*id, i), options)
        return leaves
    if isinstance(actual, collections.abc.Mapping) and \
            isinstance(expected, collections.abc.Mapping):
        actual_keys, expected_keys = set(actual.keys()), set(expected.keys())
        if actual_keys != expected_keys:
            raise _Failure(AssertionError,
                           "The keys of the mappings do not match:\n"
                           f"Missing keys in the actual mapping: "
                           f"{sorted(expected_keys - actual_keys)}\n"
                           f"Additional keys in the actual mapping: "
                           f"{sorted(actual_keys - expected_keys)}", id)
        keys = actual_keys
        with contextlib.suppress(Exception):
            keys = sorted(keys)
        leaves = []
        for key in keys:
            leaves += _originate(actual[key], expected[key], (*id, key), options)
        return leaves
    return [(actual, expected, id)]


def _compare_leaf(actual, expected, id, options):
    for pair in _PAIRS:
        try:
            pair(actual, expected, id, **options)
            return
        except _Unsupported:
            continue
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type "
                              f"{type(actual)} and {type(expected)}.", id)


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None,
                 equal_nan=False, check_device=True, check_dtype=True, check_layout=True,
                 check_stride=False, msg=None):
    """torch.testing.assert_close: |actual - expected| <= atol + rtol * |expected| elementwise,
    with torch's per-dtype default tolerances (float32: rtol 1.3e-6, atol 1e-5; float64:
    1e-7, 1e-7; integers and bools: exact), shape/dtype/device checks and messages."""
    __tracebackhide__ = True
    options = dict(allow_subclasses=allow_subclasses, rtol=rtol, atol=atol,
                   equal_nan=equal_nan, check_device=check_device, check_dtype=check_dtype,
                   check_layout=check_layout, check_stride=check_stride)
    try:
        leaves = _originate(actual, expected, (), options)
    except _Failure as failure:
        raise failure.to_error() from None
    for a, e, id in leaves:
        try:
            _compare_leaf(a, e, id, options)
        except _Failure as failure:
            raise failure.to_error(msg) from None


# ---- make_tensor ---------------------------------------------------------------------------

def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):
    """torch.testing.make_tensor: values uniform in [low, high) (defaults [-9, 9] for floats,
    [-9, 10) for integers, the dtype's range clamped), drawn from jtorch's global generator."""
    from jtorch._api.creation import default_generator, tensor
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    dtype = _dtypes.as_dtype(dtype)
    if low is not None and high is not None and low > high:
        raise ValueError(f"`low` must be less than or equal to `high`, but got {low} > {high}")
    for name, value in (("low", low), ("high", high)):
        if value is not None and isinstance(value, float) and math.isnan(value):
            raise ValueError(f"`{name}` cannot be NaN, but got {name}={value}")
    key = np.asarray(default_generator.next_key()).astype(np.uint64)
    rng = np.random.default_rng([int(k) for k in key])
    if dtype is _dtypes.bool_:
        values = rng.integers(0, 2, shape).astype(bool)
    elif dtype.is_floating_point or dtype.is_complex:
        lo = -9.0 if low is None else float(low)
        hi = 9.0 if high is None else float(high)
        if dtype.is_complex:
            values = rng.uniform(lo, hi, shape) + 1j * rng.uniform(lo, hi, shape)
        else:
            values = rng.uniform(lo, hi, shape)
        if exclude_zero:
            tiny = np.finfo(np.float32 if dtype.name in ("float16", "bfloat16") else
                            dtype.to_real().np).eps
            values = np.where(values == 0, tiny, values)
    else:
        info = np.iinfo(dtype.np)
        lo = max(-9 if low is None else math.ceil(low), int(info.min))
        hi = min(10 if high is None else math.ceil(high), int(info.max) + 1)
        if hi <= lo:
            hi = lo + 1
        values = rng.integers(lo, hi, shape)
        if exclude_zero:
            values = np.where(values == 0, 1, values)
    out = tensor(np.asarray(values).astype(dtype.np if dtype.name != "bfloat16" else np.float32),
                 dtype=dtype, device=device)
    if noncontiguous and out.numel() > 1:
        out = out.repeat_interleave(2, dim=-1)[..., ::2]
    if requires_grad:
        out.requires_grad_(True)
    return out
