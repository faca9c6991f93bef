"""default_collate and default_convert, torch's rules for turning samples into a batch.

Output structure and dtypes are torch's: Python ints become int64 (bool for all-bool
batches, the default float dtype if a float hides among them), Python floats float64, numpy
arrays and scalars keep their dtype, strings stay lists, mappings/named tuples/sequences are
collated field by field (tuples become lists, as in torch).

Tensors on the CPU are stacked with numpy into a host tensor (see `host.py`): that is what a
DataLoader worker can do without XLA, and in the main process it replaces 64 small device
arrays by one `device_put` per batch. Tensors on an accelerator or requiring grad are stacked
with `jtorch.stack`, keeping device and autograd.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable

import numpy as np

from jtorch import _dtypes
from jtorch._tensor import Tensor
from jtorch.utils.data._utils import host

np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}"
)


def _as_tensor(data):
    """torch.as_tensor for numpy arrays and scalars: same dtype, host memory."""
    return host.host_tensor(np.asarray(data))


def _python_numbers_tensor(batch, dtype=None):
    """torch.tensor(batch) for Python numbers: ints give int64, bools bool, floats the
    default dtype (unless `dtype` is given)."""
    values = np.asarray(batch)
    if dtype is None:
        if values.dtype.kind == "f":
            dtype = _dtypes.get_default_dtype()
        elif values.dtype.kind in "iu":
            dtype = _dtypes.int64
        elif values.dtype.kind == "c":
            dtype = _dtypes.get_default_dtype().to_complex()
    if values.dtype.kind == "O":
        raise RuntimeError(f"Could not infer dtype of {type(batch[0]).__name__}")
    return host.host_tensor(values if dtype is None else values.astype(dtype.np))


def default_convert(data):
    """torch's default_convert: numpy arrays (and scalars) inside `data` become tensors;
    used when automatic batching is off (`batch_size=None`)."""
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and \
                np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return _as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({key: default_convert(data[key]) for key in data})
                return clone
            return elem_type({key: default_convert(data[key]) for key in data})
        except TypeError:
            return {key: default_convert(data[key]) for key in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]  # torch's backwards compatibility
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return elem_type([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """torch.utils.data._utils.collate.collate: the structural recursion, dispatching leaf
    types through `collate_fn_map` (exact type first, then isinstance in insertion order)."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                  for key in elem}
        try:
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(fields)
                return clone
            return elem_type(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        it = iter(batch)
        elem_size = len(next(it))
        if not all(len(e) == elem_size for e in it):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = [collate(samples, collate_fn_map=collate_fn_map)
                      for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return transposed  # torch's backwards compatibility: tuples become lists
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, samples in enumerate(transposed):
                    clone[i] = samples
                return clone
            return elem_type(transposed)
        except TypeError:
            return transposed
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """torch.stack(batch, 0), with torch's size check and dtype promotion."""
    elem = batch[0]
    shape = tuple(elem.shape)
    for i, t in enumerate(batch):
        if tuple(t.shape) != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(shape)} at entry 0 and {list(t.shape)} at entry {i}")
    on_host = all(host.is_host(t) or t.device.type == "cpu" for t in batch)
    if host.xla_free or (on_host and not any(t.requires_grad for t in batch)):
        dtype = elem.dtype
        for t in batch[1:]:
            if t.dtype is not dtype:
                dtype = _dtypes.promote_types(dtype, t.dtype)
        out = np.empty((len(batch),) + shape, dtype=dtype.np)
        for i, t in enumerate(batch):
            out[i] = host.host_array(t)
        return host.host_tensor(out)
    import jtorch
    return jtorch.stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([_as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return _as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    return _python_numbers_tensor(batch, _dtypes.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return _python_numbers_tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """torch's default_collate: stack a list of samples into a batch (see the module
    docstring for the type rules)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
