"""F.pad: constant, reflect, replicate and circular padding, with torch's checks."""

from __future__ import annotations

import operator

from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_vision

__all__ = ["pad"]

_CONSTANT = Op(nn_vision.pad, "ConstantPadNdBackward0")
_CIRCULAR = Op(nn_vision.pad, "torch::autograd::CopySlices")
_REFLECT = {n: Op(nn_vision.pad, f"ReflectionPad{n}DBackward0", saves=(0,)) for n in (1, 2, 3)}
_REPLICATE = {n: Op(nn_vision.pad, f"ReplicationPad{n}DBackward0", saves=(0,))
              for n in (1, 2, 3)}

_UNSUPPORTED = (
    "Padding size {size} is not supported for {ndim}D input tensor.\n"
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
_DIM_NAMES = ("D", "H", "W")


def _check_pad_ints(pad):
    for i, p in enumerate(pad):
        try:
            operator.index(p)
        except TypeError:
            raise TypeError("pad(): argument 'pad' (position 2) must be tuple of ints, but "
                            f"found element of type {type(p).__name__} at pos {i}") from None


def _pairs(pad):
    """torch's pad list (last dim first) as (low, high) pairs in dim order."""
    pairs = [(operator.index(pad[2 * i]), operator.index(pad[2 * i + 1]))
             for i in range(len(pad) // 2)]
    return tuple(reversed(pairs))


def _check_constant(input, pairs):
    first = input.ndim - len(pairs)
    for d, (lo, hi) in enumerate(pairs):
        if input.shape[first + d] + min(lo, 0) + min(hi, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")


def _check_output_size(input, pairs):
    n = len(pairs)
    for d, (lo, hi) in enumerate(pairs):
        size = input.shape[input.ndim - n + d]
        if size + lo + hi < 1:
            name = _DIM_NAMES[3 - n + d]
            raise RuntimeError(f"input ({name}: {size}) is too small. Calculated output "
                               f"{name}: {size + lo + hi}")


def _check_reflect(input, pairs):
    n = len(pairs)
    first = input.ndim - n
    for d in reversed(range(n)):
        lo, hi = pairs[d]
        size = input.shape[first + d]
        if lo >= size or hi >= size:
            raise RuntimeError(f"Argument #{2 + 2 * n}: Padding size should be less than the "
                               "corresponding input dimension, but got: padding "
                               f"({lo}, {hi}) at dimension {first + d} of input "
                               f"{list(input.shape)}")
    _check_output_size(input, pairs)


def _check_replicate(input, pairs):
    n = len(pairs)
    if any(s == 0 for s in input.shape[1:]):
        raise RuntimeError(f"Expected {n + 1}D or {n + 2}D (batch mode) tensor with possibly 0 "
                           "batch size and other non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    _check_output_size(input, pairs)


def _check_circular(input, pairs):
    first = input.ndim - len(pairs)
    for d, (lo, hi) in enumerate(pairs):
        size = input.shape[first + d]
        if lo > size or hi > size:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if size + lo + hi <= 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")


def pad(input, pad, mode="constant", value=None):
    """torch.nn.functional.pad. `pad` lists (left, right) amounts starting from the LAST dim;
    negative amounts crop. Non-constant modes pad the last 1, 2 or 3 dims of a batched or
    unbatched input."""
    pad = tuple(pad)
    _check_pad_ints(pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) > 2 * input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of dimension "
                           f"{input.ndim}")
    pairs = _pairs(pad)
    if mode == "constant":
        _check_constant(input, pairs)
        return dispatch(_CONSTANT, (input,), pads=pairs, mode=mode,
                        value=0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    n = len(pairs)
    if n not in (1, 2, 3) or input.ndim not in (n + 1, n + 2):
        raise NotImplementedError(_UNSUPPORTED.format(size=len(pad), ndim=input.ndim))
    if mode == "reflect":
        _check_reflect(input, pairs)
        op = _REFLECT[n]
    elif mode == "replicate":
        _check_replicate(input, pairs)
        op = _REPLICATE[n]
    else:
        _check_circular(input, pairs)
        op = _CIRCULAR
    return dispatch(op, (input,), pads=pairs, mode=mode, value=0)
