"""Tensor indexing: `x[key]` (a view for basic keys), `x[key] = value`, and gather."""

from __future__ import annotations

import jax
import numpy as np

from jtorch import _dtypes
from jtorch._api._register import register
from jtorch._api.views import INDEX_OPS
from jtorch._dispatch import Op, commit_inplace, dispatch, dispatch_view
from jtorch._ops import indexing as index_ops
from jtorch._ops.concrete import concrete
from jtorch._ops.promote import broadcast_shapes
from jtorch._tensor import Tensor, from_array

ADVANCED_INDEX = Op(index_ops.advanced_index, "IndexBackward0", inputs=(0,))
INDEX_PUT = Op(index_ops.index_put, "IndexPutBackward0")
MASKED_FILL = Op(index_ops.masked_fill_where, "MaskedFillBackward0", saves=(1,))
GATHER = Op(index_ops.gather, "GatherBackward0", saves=(1,), inputs=(0,))


def _is_basic(item):
    return item is None or item is Ellipsis or isinstance(item, (int, slice)) and \
        not isinstance(item, bool)


def _as_index_tensor(item):
    if isinstance(item, Tensor):
        return item
    values = np.asarray(item)
    if values.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return from_array(jax.numpy.asarray(values if values.dtype.kind == "b"
                                        else values.astype(np.int64)))


def _dims_consumed(item):
    if item is None or item is Ellipsis:
        return 0
    if isinstance(item, Tensor) and item.dtype is _dtypes.bool_:
        return item.ndim
    return 1


def _expand_ellipsis(key, ndim):
    """Replace `...` (or pad the end) with full slices so every dim has an entry."""
    consumed = sum(_dims_consumed(k) for k in key)
    if consumed > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    ellipses = [i for i, k in enumerate(key) if k is Ellipsis]
    fill = (slice(None),) * (ndim - consumed)
    if ellipses:
        # as torch: the first `...` takes the unindexed dims, any later one stands for none
        i = ellipses[0]
        return key[:i] + fill + tuple(k for k in key[i + 1:] if k is not Ellipsis)
    return key + fill


def _normalize(x, key):
    """Normalise an index into static entries (see _ops.shape.basic_index) and index tensors."""
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(_as_index_tensor(k) if isinstance(k, (list, np.ndarray, bool)) else k
                for k in key)
    key = _expand_ellipsis(key, x.ndim)
    shape = x.shape
    entries, tensors = [], []
    dim = 0
    for item in key:
        if item is None:
            entries.append(("n",))
            continue
        size = shape[dim] if dim < len(shape) else 0  # past the end: only x[True]-like
        if isinstance(item, slice):
            start, stop, step = item.indices(size)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            stop = max(stop, start)
            entries.append(("s", start, stop, step))
            dim += 1
        elif isinstance(item, Tensor):
            if item.dtype is _dtypes.bool_ and item.ndim == 0:
                # as torch: a new dim, indexed by the index tensor [0] (True) or [] (False)
                entries.append(("m", len(tensors)))
                tensors.append(from_array(jax.numpy.zeros(int(bool(_concrete_mask(item))),
                                                          np.int64)))
            elif item.dtype is _dtypes.bool_:
                for array in _mask_positions(item, shape[dim:dim + item.ndim]):
                    entries.append(("t", len(tensors)))
                    tensors.append(array)
                dim += item.ndim
            else:
                if item.dtype.is_floating_point or item.dtype.is_complex:
                    raise IndexError("tensors used as indices must be long, int, byte or bool "
                                     "tensors")
                _check_bounds(item, size, dim)
                entries.append(("t", len(tensors)))
                tensors.append(item)
                dim += 1
        else:
            index = int(item)
            if not -size <= index < size:
                raise IndexError(f"index {index} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            entries.append(("i", index % size))
            dim += 1
    while entries and entries[-1][0] == "s" and entries[-1][1:] == (0, shape[dim - 1], 1):
        entries.pop()
        dim -= 1
    tensors = [_on_device_of(t, x) for t in tensors]
    index_shapes = [tuple(t.shape) for t in tensors]
    try:
        broadcast_shapes(*index_shapes)
    except RuntimeError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(str(list(s)) for s in index_shapes)) from None
    return tuple(entries), tensors


def _on_device_of(index, x):
    """The index tensor on x's device: as torch, indexing accepts index tensors on another
    device (a CPU index into an accelerator tensor)."""
    array, target = index._array, x._array
    if isinstance(array, jax.core.Tracer) or isinstance(target, jax.core.Tracer):
        return index
    devices = target.devices()
    if array.devices() == devices or not getattr(array, "committed", True):
        return index
    return from_array(jax.device_put(array, next(iter(devices))))


def _concrete_mask(mask):
    return concrete(mask._array, "boolean mask indexing", "use torch.where or masked_fill")


def _mask_positions(mask, dims):
    """The integer index tensors a boolean mask selects (needs concrete values, as torch's
    data-dependent output shape does)."""
    if tuple(mask.shape) != tuple(dims):
        raise IndexError(f"The shape of the mask {list(mask.shape)} at index 0 does not match the "
                         f"shape of the indexed tensor {list(dims)} at index 0")
    return [from_array(jax.numpy.asarray(p, dtype=np.int64))
            for p in np.nonzero(_concrete_mask(mask))]


def _check_bounds(index, size, dim, error=IndexError):
    """Index values within [-size, size) (concrete indices only); indexing raises IndexError,
    gather torch's RuntimeError."""
    values = index._array
    if isinstance(values, jax.core.Tracer) or values.size == 0:
        return
    values = np.asarray(values)
    bad = values[(values >= size) | (values < -size)]
    if bad.size:
        raise error(f"index {int(bad.flat[0])} is out of bounds for dimension {dim} with size "
                    f"{size}")


def getitem(self, key):
    """Tensor.__getitem__: basic keys give views; tensors, lists and masks give copies."""
    entries, tensors = _normalize(self, key)
    if not tensors:
        op = INDEX_OPS[entries[-1][0] if entries else None]
        return dispatch_view(op, self, key=entries)
    return dispatch(ADVANCED_INDEX, (self, *tensors), key=entries)


def setitem(self, key, value):
    """Tensor.__setitem__: `x[key] = value`, written through to x's base if x is a view."""
    if isinstance(key, Tensor) and key.dtype is _dtypes.bool_ and tuple(key.shape) == \
            tuple(self.shape) and (not isinstance(value, Tensor) or value.numel() == 1):
        if isinstance(value, Tensor):
            value = value.reshape(())
        result = dispatch(MASKED_FILL, (self, _on_device_of(key, self), value))
    elif all(_is_basic(k) for k in (key if isinstance(key, tuple) else (key,))):
        # basic indexing: torch writes into the indexed view (`x[key].copy_(value)`), which
        # records CopySlices and touches only that part of x
        view = getitem(self, key)
        if isinstance(value, Tensor):
            view.copy_(_setitem_value(value, view.shape))
        else:
            view.fill_(value)
        return
    else:
        entries, tensors = _normalize(self, key)
        if not isinstance(value, Tensor):
            value = from_array(jax.numpy.asarray(value, dtype=self.dtype.np))
        result = dispatch(INDEX_PUT, (self, value, *tensors), key=entries)
    commit_inplace(self, result)


def _setitem_value(value, shape):
    """torch's setitem value: leading size-1 dims beyond the target's are dropped, the rest
    must expand to the target's shape."""
    while value.ndim > len(shape) and value.shape[0] == 1:
        value = value.squeeze(0)
    if value.ndim > len(shape):
        raise RuntimeError(f"expand({value.type()}{{{list(value.shape)}}}, size={list(shape)}): "
                           f"the number of sizes provided ({len(shape)}) must be greater or "
                           f"equal to the number of dimensions in the tensor ({value.ndim})")
    for i, (have, want) in enumerate(zip(reversed(value.shape), reversed(shape))):
        if have != want and have != 1:
            dim = len(shape) - 1 - i
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the "
                               f"existing size ({have}) at non-singleton dimension {dim}.  "
                               f"Target sizes: {list(shape)}.  Tensor sizes: "
                               f"{list(value.shape)}")
    return value


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


@register
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """torch.gather: out[i][j] = input[index[i][j]][j] (for dim=0)."""
    if isinstance(index, Tensor) and index.dtype in (_dtypes.int64, _dtypes.int32):
        _check_bounds(index, input.shape[dim] if input.ndim else 1, dim, error=RuntimeError)
    return dispatch(GATHER, (input, index), dim=dim)


@register(inplace=True)
def masked_fill(input, mask, value):
    """torch.masked_fill: value where mask (broadcast to input) is True."""
    if mask.dtype is not _dtypes.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{mask.dtype}")
    return dispatch(MASKED_FILL, (input, mask, value))
