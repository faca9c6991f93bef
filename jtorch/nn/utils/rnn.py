"""torch.nn.utils.rnn: PackedSequence and packing/padding of variable-length sequences.

Packing layouts are torch's: `data` holds the time steps of all sequences interleaved
(sorted by decreasing length), `batch_sizes[t]` counts the sequences still running at step t,
and `sorted_indices`/`unsorted_indices` map between the caller's batch order and the sorted
one. The row bookkeeping depends only on the lengths, so it is computed on the host with
numpy; each function then moves the values with one jitted gather or scatter op.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from jtorch import _dtypes
from jtorch._api.creation import tensor as _tensor
from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_rnn
from jtorch._tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence",
           "pad_sequence", "unpad_sequence", "pack_sequence", "unpack_sequence"]

_PACK = Op(nn_rnn.gather_rows, "PackPaddedSequenceBackward0", saves=())
_PAD_SORTED = Op(nn_rnn.scatter_rows, "torch::autograd::CopySlices")
_PAD_UNSORTED = Op(nn_rnn.scatter_rows, "IndexSelectBackward0")
_PAD_SEQUENCE = Op(nn_rnn.pad_sequences, "torch::autograd::CopySlices")
_UNPAD = Op(nn_rnn.unpad_sequences, "IndexBackward0")


class _PackedSequenceFields(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceFields):
    """torch.nn.utils.rnn.PackedSequence(data, batch_sizes, sorted_indices, unsorted_indices).

    A named tuple; build it with pack_padded_sequence / pack_sequence. `unsorted_indices` is
    derived from `sorted_indices` when not given, as in torch.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        elif batch_sizes.device.type != "cpu":
            raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence "
                             "should never be created manually. They should be instantiated by "
                             "functions like pack_sequence and pack_padded_sequences in "
                             "nn.utils.rnn. https://pytorch.org/docs/stable/nn.html"
                             "#torch.nn.utils.rnn.pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """Move/cast `data` (indices follow its device; batch_sizes stay on the CPU)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        move = lambda t: None if t is None else t.to(data.device)
        return type(self)(data, self.batch_sizes, move(self.sorted_indices),
                          move(self.unsorted_indices))

    def cuda(self, *args, **kwargs):
        return type(self)(self.data.cuda(*args, **kwargs), self.batch_sizes,
                          *(None if t is None else t.cuda(*args, **kwargs)
                            for t in (self.sorted_indices, self.unsorted_indices)))

    def cpu(self, *args, **kwargs):
        return self.to("cpu")

    def double(self):
        return self.to(dtype=_dtypes.float64)

    def float(self):
        return self.to(dtype=_dtypes.float32)

    def half(self):
        return self.to(dtype=_dtypes.float16)

    def long(self):
        return self.to(dtype=_dtypes.int64)

    def int(self):
        return self.to(dtype=_dtypes.int32)

    def short(self):
        return self.to(dtype=_dtypes.int16)

    def char(self):
        return self.to(dtype=_dtypes.int8)

    def byte(self):
        return self.to(dtype=_dtypes.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The inverse of an index permutation (None stays None)."""
    if permutation is None:
        return None
    order = np.asarray(permutation.tolist(), dtype=np.int64)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return _tensor(inverse, device=permutation.device)


def _int64(values):
    return _tensor(np.asarray(values, dtype=np.int64))


def _lengths_on_host(lengths):
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                               f"{lengths.dim()}D {lengths.device.type} Long tensor")
        return np.asarray(lengths.tolist(), dtype=np.int64)
    values = np.asarray(lengths, dtype=np.int64)
    if values.ndim != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{values.ndim}D cpu Long tensor")
    return values


def _check_lengths(lengths, batch, steps, enforce_sorted):
    if lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.size} (batch_size={batch})")
    if np.any(lengths <= 0):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element "
                           "in 'lengths' that is <= 0")
    if enforce_sorted and np.any(np.diff(lengths) > 0):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when "
                           "`enforce_sorted` is True. You can pass `enforce_sorted=False` to "
                           "pack_padded_sequence and/or pack_sequence to sidestep this "
                           "requirement if you do not need ONNX exportability.")
    if lengths.max() > steps:
        # torch reads past the end of the input here; jtorch refuses
        raise RuntimeError(f"Expected all lengths to be at most the padded sequence length "
                           f"{steps}, but got a length of {lengths.max()}")


def _packed_rows(sorted_lengths, order, steps, batch, batch_first):
    """Flat row (in the padded input) of every packed element, in packed order."""
    t = np.arange(sorted_lengths[0])[:, None]
    running = sorted_lengths[None, :] > t
    b = np.broadcast_to(order[None, :], running.shape)
    t = np.broadcast_to(t, running.shape)
    rows = b * steps + t if batch_first else t * batch + b
    return rows[running], running.sum(axis=1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """torch.nn.utils.rnn.pack_padded_sequence: (T, B, *) (or (B, T, *)) -> PackedSequence.

    With enforce_sorted=False the batch is sorted by decreasing length (stably, as torch's
    sort does) and the permutation is recorded in the PackedSequence.
    """
    lengths = _lengths_on_host(lengths)
    batch_dim = 0 if batch_first else 1
    batch, steps = input.shape[batch_dim], input.shape[1 - batch_dim]
    _check_lengths(lengths, batch, steps, enforce_sorted)
    if enforce_sorted:
        order, sorted_indices = np.arange(batch), None
    else:
        order = np.argsort(-lengths, kind="stable")
        sorted_indices = _tensor(order, device=input.device)
    rows, batch_sizes = _packed_rows(lengths[order], order, steps, batch, batch_first)
    data = dispatch(_PACK, (input, rows))
    return PackedSequence(data, _int64(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """torch.nn.utils.rnn.pad_packed_sequence: PackedSequence -> (padded, lengths).

    `padded` is (T, B, *) (or (B, T, *)) in the caller's original batch order, T being
    `total_length` when given; `lengths` is an int64 tensor.
    """
    batch_sizes = np.asarray(sequence.batch_sizes.tolist(), dtype=np.int64)
    steps = batch_sizes.size
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest "
                             f"sequence in input, but got total_length={total_length} and max "
                             f"sequence length being {steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    sorted_lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)
    unsorted = sequence.unsorted_indices
    if unsorted is None:
        order, lengths = np.arange(batch), sorted_lengths
    else:
        unsorted = np.asarray(unsorted.tolist(), dtype=np.int64)
        order, lengths = np.argsort(unsorted), sorted_lengths[unsorted]
    rows, _ = _packed_rows(sorted_lengths, order, steps, batch, batch_first)
    data = sequence.data
    shape = ((batch, steps) if batch_first else (steps, batch)) + tuple(data.shape[1:])
    op = _PAD_SORTED if sequence.unsorted_indices is None else _PAD_UNSORTED
    padded = dispatch(op, (data, rows), shape=shape, padding_value=float(padding_value))
    return padded, _int64(lengths)


def _check_copy_broadcast(target, shape):
    """torch's errors for copying a `shape` tensor into a `target`-shaped slice."""
    n = max(len(target), len(shape))
    a = (1,) * (n - len(target)) + target
    b = (1,) * (n - len(shape)) + shape
    for dim, (x, y) in enumerate(zip(a, b)):
        if x != y and 1 not in (x, y):
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b "
                               f"({y}) at non-singleton dimension {dim}")
    broadcast = [max(x, y) for x, y in zip(a, b)]
    if tuple(broadcast) != target:
        raise RuntimeError(f"output with shape {list(target)} doesn't match the broadcast shape "
                           f"{broadcast}")


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """torch.nn.utils.rnn.pad_sequence: a list of (L_i, *) tensors -> (max L, B, *) (or
    (B, max L, *)), padded with `padding_value` on `padding_side`; each sequence is
    broadcast to the trailing dims of the first, as torch's copy into the output does."""
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of "
                           f"type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        _check_copy_broadcast((s.shape[0],) + trailing, tuple(s.shape))
    return dispatch(_PAD_SEQUENCE, sequences, batch_first=batch_first,
                    padding_value=float(padding_value), padding_side=padding_side)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """torch.nn.utils.rnn.unpad_sequence: the list of unpadded sequences.

    torch transposes `padded_sequences` in place when batch_first=False; jtorch leaves it
    unchanged.
    """
    lengths = tuple(int(n) for n in _lengths_on_host(lengths))
    out = dispatch(_UNPAD, (padded_sequences,), lengths=lengths, batch_first=batch_first)
    return list(out) if isinstance(out, tuple) else [out]


def pack_sequence(sequences, enforce_sorted=True):
    """torch.nn.utils.rnn.pack_sequence: a list of (L_i, *) tensors -> PackedSequence."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """torch.nn.utils.rnn.unpack_sequence: PackedSequence -> list of (L_i, *) tensors."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
