"""Tensor.storage(), untyped_storage() and resize_(): torch's storage view of a tensor.

jtorch has no separate storage object (a root Tensor owns its array; views read and write
through the root), so a storage here is a window onto the root: it reads the root's elements
in memory order (the root's strides) and writes go through the root with the in-place
machinery, so every view of it sees them, as in torch.
"""

from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor


def _root(tensor):
    return tensor._base if tensor._base is not None else tensor


def _memory_order(root):
    """The root's elements as a flat numpy array in storage order."""
    values = np.asarray(root.detach().numpy())
    flat = np.empty(values.size, values.dtype)
    if values.size:
        strides = tuple(s * values.itemsize for s in root.stride())
        np.lib.stride_tricks.as_strided(flat, values.shape, strides)[...] = values
    return flat


class TypedStorage:
    """torch.TypedStorage of a tensor's root: indexing, len, tolist, size, dtype, printing."""

    def __init__(self, tensor):
        self._root = _root(tensor)

    @property
    def dtype(self):
        return self._root.dtype

    @property
    def device(self):
        return self._root.device

    def size(self):
        return self._root.numel()

    __len__ = size

    def element_size(self):
        return self.dtype.itemsize

    def nbytes(self):
        return self.size() * self.element_size()

    def data_ptr(self):
        return self._root.data_ptr()

    def tolist(self):
        return _memory_order(self._root).tolist()

    def __iter__(self):
        return iter(self.tolist())

    def __getitem__(self, index):
        values = _memory_order(self._root)
        if isinstance(index, slice):
            from jtorch._api.creation import tensor
            return tensor(values[index], dtype=self.dtype)
        return values[index].item()

    def __setitem__(self, index, value):
        import jax.numpy as jnp

        from jtorch import no_grad
        from jtorch._dispatch import commit_inplace
        from jtorch._tensor import from_array

        root = self._root
        flat = _memory_order(root)
        flat[index] = value
        values = np.empty(tuple(root.shape), flat.dtype)
        if flat.size:
            strides = tuple(s * flat.itemsize for s in root.stride())
            values[...] = np.lib.stride_tricks.as_strided(flat, values.shape, strides)
        with no_grad():
            commit_inplace(root.detach(), from_array(jnp.asarray(values, root._raw.dtype)))

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist()) if self.size() else " "
        return (f"{body}\n[torch.storage.TypedStorage(dtype={self.dtype}, "
                f"device={self.device}) of size {self.size()}]")


class UntypedStorage(TypedStorage):
    """torch.UntypedStorage: the same window counted in bytes."""

    def size(self):
        return self._root.numel() * self._root.dtype.itemsize

    __len__ = size

    def nbytes(self):
        return self.size()


def storage(self):
    """torch.Tensor.storage: the TypedStorage of the tensor's root."""
    return TypedStorage(self)


def untyped_storage(self):
    return UntypedStorage(self)


def resize_(self, *sizes, memory_format=None):
    """torch.Tensor.resize_: a contiguous tensor of the new shape over the same storage
    elements (from the tensor's storage offset on); elements past the old storage are zero
    (torch leaves them uninitialised). A view that is resized stops aliasing its base (torch
    keeps sharing the storage): jtorch's views are windows onto the base's shape."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    sizes = tuple(int(s) for s in sizes)
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: "
                           f"{list(sizes)}")
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    import jax.numpy as jnp
    n = int(np.prod(sizes))
    flat = _memory_order(_root(self))[self.storage_offset():]
    if n > flat.size:
        flat = np.concatenate([flat, np.zeros(n - flat.size, flat.dtype)])
    self._raw = jnp.asarray(flat[:n].reshape(sizes), self._raw.dtype)
    if self._base is not None:
        self._base, self._view_chain, self._detached = None, (), False
        self._vc = [self._vc[0]]
    self._stride, self._offset = None, 0
    self._gen += 1
    self._vc[0] += 1
    return self


Tensor.storage = storage
Tensor.untyped_storage = untyped_storage
Tensor.resize_ = resize_
