"""Tensor ``repr``/``str`` formatting that reproduces PyTorch's output exactly.

This module is pure numpy (plus the standard library).  It reimplements the
behaviour of PyTorch's ``torch/_tensor_str.py`` for dense tensors:

* a shared column formatter per tensor (fixed point, "integer" mode ``1.``,
  or scientific notation, chosen from the nonzero finite values),
* summarization with ``...`` once ``numel > threshold``,
* nested brackets, indentation and line wrapping at ``linewidth``,
* the ``device=``/``size=``/``dtype=``/``requires_grad``/``grad_fn`` suffixes
  and the way they wrap onto a new line,
* the ``Parameter containing:`` prefix of ``nn.Parameter``,
* module-level print options mirroring ``torch.set_printoptions``.

The public entry point is :func:`tensor_repr`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = [
    "get_printoptions",
    "printoptions",
    "set_printoptions",
    "tensor_repr",
]

_FLOAT_DTYPES = frozenset({"float16", "bfloat16", "float32", "float64"})
_COMPLEX_DTYPES = frozenset({"complex64", "complex128"})
_INT_DTYPES = frozenset({"int8", "int16", "int32", "int64", "uint8"})
_ALL_DTYPES = _FLOAT_DTYPES | _COMPLEX_DTYPES | _INT_DTYPES | {"bool"}


# --------------------------------------------------------------------------
# Print options (torch.set_printoptions / torch._tensor_str.get_printoptions)
# --------------------------------------------------------------------------


@dataclasses.dataclass
class _PrintOptions:
    """Current print options; same fields and defaults as torch's PRINT_OPTS."""

    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_OPTS = _PrintOptions()

_PROFILES: dict[str, dict[str, Any]] = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set print options, with the semantics of ``torch.set_printoptions``.

    A ``profile`` ("default", "short", "full") is applied first and the
    explicit arguments override it.  As in torch, ``sci_mode`` is always
    assigned, so omitting it resets it to automatic (``None``); an unknown
    profile name is silently ignored.
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(_OPTS, name, value)
    if precision is not None:
        _OPTS.precision = precision
    if threshold is not None:
        _OPTS.threshold = threshold
    if edgeitems is not None:
        _OPTS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTS.linewidth = linewidth
    _OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """Return the current options as a dict usable as ``set_printoptions(**d)``."""
    return dataclasses.asdict(_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs) -> Iterator[None]:
    """Temporarily change print options (torch._tensor_str.printoptions)."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# --------------------------------------------------------------------------
# Element formatting (torch's _Formatter)
# --------------------------------------------------------------------------


class _Formatter:
    """Formats single values of one tensor to a common width.

    Reproduces ``torch._tensor_str._Formatter.format``: non-floating values use
    ``str``; floating values use ``{:.Pe}`` in sci mode, ``{:.0f}`` plus a
    trailing ``.`` (finite values only) in int mode, else ``{:.Pf}``.  Every
    result is right-aligned to ``width`` (never truncated).
    """

    def __init__(self, floating, *, int_mode=True, sci_mode=False, width=1):
        self.floating = floating
        self.int_mode = int_mode
        self.sci_mode = sci_mode
        self.width = width
        self.precision = _OPTS.precision

    def format(self, value) -> str:
        """Format one Python scalar (float, int or bool)."""
        if not self.floating:
            text = f"{value}"
        elif self.sci_mode:
            text = f"{value:.{self.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{self.precision}f}"
        return text.rjust(self.width)


def _plain_formatter(flat: np.ndarray) -> _Formatter:
    """Formatter for integer/bool tensors: width of the longest ``str(value)``."""
    width = max([1] + [len(f"{v}") for v in flat.tolist()])
    return _Formatter(False, width=width)


def _auto_sci_mode(nonzero_abs: np.ndarray) -> bool:
    """torch's automatic sci-mode rule on the nonzero finite magnitudes.

    Scientific notation when max/min > 1000, max > 1e8 or min < 1e-4
    (computed in double precision, as torch does).
    """
    lo = nonzero_abs.min()
    hi = nonzero_abs.max()
    with np.errstate(all="ignore"):
        ratio = hi / lo
    return bool(ratio > 1000.0 or hi > 1.0e8 or lo < 1.0e-4)


def _float_formatter(flat: np.ndarray) -> _Formatter:
    """Formatter for a floating tensor (values given as float64).

    Mirrors torch: only nonzero finite values are inspected; if there are
    none the defaults (int mode, no sci mode, width 1) are kept.  Int mode
    holds when every such value is integral; the width is the longest
    formatted such value (+1 for the trailing ``.`` in plain int mode).
    """
    finite = flat[np.isfinite(flat) & (flat != 0)]
    if finite.size == 0:
        return _Formatter(True)

    int_mode = bool(np.all(finite == np.ceil(finite)))
    sci_mode = _OPTS.sci_mode
    if sci_mode is None:
        sci_mode = _auto_sci_mode(np.abs(finite))

    precision = _OPTS.precision
    values = finite.tolist()
    if sci_mode:
        width = max(len(f"{v:.{precision}e}") for v in values)
    elif int_mode:
        width = max(len(f"{v:.0f}") + 1 for v in values)
    else:
        width = max(len(f"{v:.{precision}f}") for v in values)
    return _Formatter(True, int_mode=int_mode, sci_mode=sci_mode, width=max(1, width))


def _make_formatter(flat: np.ndarray, floating: bool) -> _Formatter:
    """Choose the float or int/bool formatter for a flat array of values."""
    return _float_formatter(flat) if floating else _plain_formatter(flat)


# --------------------------------------------------------------------------
# Summarization (torch's get_summarized_data)
# --------------------------------------------------------------------------


def _summarized_values(arr: np.ndarray) -> np.ndarray:
    """Flat array of the values that will be shown when summarizing.

    Reproduces ``get_summarized_data``: the formatter only looks at the
    ``edgeitems`` leading/trailing entries of every dimension.  Quirks kept:
    for 1-d data with ``edgeitems == 0`` torch's ``t[-0:]`` selects the whole
    vector, while for >= 2-d data ``edgeitems == 0`` selects nothing.
    """
    edge = _OPTS.edgeitems
    if arr.ndim == 0:
        return arr.reshape(-1)
    if arr.ndim == 1:
        if arr.shape[0] > 2 * edge:
            return np.concatenate((arr[:edge], arr[-edge:]))
        return arr
    if not edge:
        return arr.reshape(-1)[:0]
    rows = range(arr.shape[0])
    if arr.shape[0] > 2 * edge:
        rows = list(range(edge)) + list(range(arr.shape[0] - edge, arr.shape[0]))
    return np.concatenate([_summarized_values(arr[i]) for i in rows])


# --------------------------------------------------------------------------
# Layout of the values (torch's _scalar_str / _vector_str / _tensor_str)
# --------------------------------------------------------------------------


def _format_element(value, fmt: _Formatter, imag_fmt: _Formatter | None) -> str:
    """One element; complex values render as ``real`` + signed ``imag`` + ``j``."""
    if imag_fmt is None:
        return fmt.format(value)
    real_text = fmt.format(value.real)
    imag_text = (imag_fmt.format(value.imag) + "j").lstrip()
    if imag_text[0] in "+-":
        return real_text + imag_text
    return real_text + "+" + imag_text


def _vector_str(arr, indent, summarize, fmt, imag_fmt) -> str:
    """A 1-d row: ``[a, b, ...]`` wrapped to ``linewidth`` (torch's _vector_str).

    The number of elements per line is computed from the common element
    width (plus ``", "``), and the ``" ..."`` marker counts as an element.
    """
    element_length = fmt.width + 2
    if imag_fmt is not None:
        element_length += imag_fmt.width + 1
    per_line = max(1, math.floor((_OPTS.linewidth - indent) / element_length))

    edge = _OPTS.edgeitems

    def render(part):
        return [_format_element(v, fmt, imag_fmt) for v in part.tolist()]

    if summarize and not edge:
        items = ["..."]
    elif summarize and arr.shape[0] > 2 * edge:
        items = render(arr[:edge]) + [" ..."] + render(arr[-edge:])
    else:
        items = render(arr)

    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _nested_str(arr, indent, summarize, fmt, imag_fmt) -> str:
    """Recursive bracket layout (torch's _tensor_str_with_formatter).

    Sub-tensors of a d-dim tensor are separated by ``,`` followed by d-1
    newlines and indented one column deeper than the enclosing bracket.
    """
    if arr.ndim == 0:
        return _format_element(arr.item(), fmt, imag_fmt)
    if arr.ndim == 1:
        return _vector_str(arr, indent, summarize, fmt, imag_fmt)

    edge = _OPTS.edgeitems
    size = arr.shape[0]
    if summarize and size > 2 * edge:
        head = [_nested_str(arr[i], indent + 1, summarize, fmt, imag_fmt) for i in range(edge)]
        tail = [
            _nested_str(arr[i], indent + 1, summarize, fmt, imag_fmt)
            for i in range(size - edge, size)
        ]
        parts = head + ["..."] + tail
    else:
        parts = [_nested_str(arr[i], indent + 1, summarize, fmt, imag_fmt) for i in range(size)]
    separator = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _values_str(arr: np.ndarray, dtype_name: str, indent: int) -> str:
    """Body of a non-empty tensor (torch's _tensor_str).

    Complex tensors get independent formatters for the real and imaginary
    parts; formatters only see the summarized values when summarizing.
    """
    summarize = arr.size > _OPTS.threshold

    def formatter_for(part, floating):
        data = _summarized_values(part) if summarize else part.reshape(-1)
        return _make_formatter(data, floating)

    if dtype_name in _COMPLEX_DTYPES:
        data = arr.astype(np.complex128)
        real_fmt = formatter_for(data.real, True)
        imag_fmt = formatter_for(data.imag, True)
        return _nested_str(data, indent, summarize, real_fmt, imag_fmt)
    if dtype_name in _FLOAT_DTYPES:
        data = arr.astype(np.float64)
        return _nested_str(data, indent, summarize, formatter_for(data, True), None)
    return _nested_str(arr, indent, summarize, formatter_for(arr, False), None)


# --------------------------------------------------------------------------
# Suffixes and the full repr (torch's _add_suffixes / _str_intern)
# --------------------------------------------------------------------------


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items and the closing ``)`` (torch's _add_suffixes).

    A suffix moves to a new line (indented by ``indent``) when the current
    last line length + 2 + len(suffix) would exceed ``linewidth``.  The
    initial "last line length" is computed exactly like torch, including its
    off-by-two for single-line text.
    """
    pieces = [text]
    last_line_len = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def _hides_dtype(dtype_name: str, default_dtype_name: str) -> bool:
    """Whether a non-empty tensor omits ``dtype=``.

    torch hides it for the default float dtype, its complex counterpart
    (complex128 if the default is float64, else complex64), int64 and bool.
    """
    default_complex = "complex128" if default_dtype_name == "float64" else "complex64"
    return dtype_name in (default_dtype_name, default_complex, "int64", "bool")


def _shape_str(shape) -> str:
    """``str(tuple(shape))`` with plain Python ints, e.g. ``(0,)`` or ``(2, 3)``."""
    return str(tuple(int(s) for s in shape))


def tensor_repr(
    values,
    *,
    dtype_name,
    default_dtype_name="float32",
    device=None,
    requires_grad=False,
    grad_fn_name=None,
    is_parameter=False,
) -> str:
    """Return what ``repr(tensor)`` prints in PyTorch for a dense tensor.

    ``values`` is a numpy array with the tensor's values (bfloat16 tensors
    pass their values as float32).  ``dtype_name`` is torch's dtype name
    without ``torch.``.  ``device`` is ``None`` for nothing printed, else a
    string printed as ``device='...'``.  ``grad_fn_name`` takes precedence
    over ``requires_grad``.  ``is_parameter`` adds ``nn.Parameter``'s
    ``Parameter containing:`` line.
    """
    if dtype_name not in _ALL_DTYPES:
        raise ValueError(f"unsupported dtype name: {dtype_name!r}")
    arr = np.asarray(values)
    prefix = "tensor("
    indent = len(prefix)
    dtype_suffix = "dtype=torch." + dtype_name

    suffixes = []
    if device is not None:
        suffixes.append(f"device='{device}'")

    if arr.size == 0:
        # Empty tensors: show the shape unless it is (0,), and show the dtype
        # whenever it differs from the default float dtype (even int64/bool).
        if arr.ndim != 1:
            suffixes.append("size=" + _shape_str(arr.shape))
        if dtype_name != default_dtype_name:
            suffixes.append(dtype_suffix)
        body = "[]"
    else:
        if not _OPTS.edgeitems:
            suffixes.append("size=" + _shape_str(arr.shape))
        if not _hides_dtype(dtype_name, default_dtype_name):
            suffixes.append(dtype_suffix)
        body = _values_str(arr, dtype_name, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    text = _add_suffixes(prefix + body, suffixes, indent)
    if is_parameter:
        text = "Parameter containing:\n" + text
    return text
