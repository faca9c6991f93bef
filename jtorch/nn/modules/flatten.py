"""Flatten and Unflatten."""

from __future__ import annotations

from jtorch._ops.reduction import canonical_dim
from jtorch.nn.modules.module import Module

__all__ = ["Flatten", "Unflatten"]


class Flatten(Module):
    """torch.nn.Flatten(start_dim=1, end_dim=-1): input.flatten(start_dim, end_dim), keeping
    the batch dim by default."""

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input):
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """torch.nn.Unflatten(dim, unflattened_size): splits dim `dim` into `unflattened_size`
    (one entry may be -1)."""

    def __init__(self, dim, unflattened_size):
        super().__init__()
        _require_tuple_int(unflattened_size)
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input):
        return input.reshape(unflattened_shape(input.shape, self.dim, self.unflattened_size))

    def extra_repr(self):
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


def _require_tuple_int(value):
    if isinstance(value, (tuple, list)):
        for i, element in enumerate(value):
            if not isinstance(element, int):
                raise TypeError("unflattened_size must be tuple of ints, but found element of "
                                f"type {type(element).__name__} at pos {i}")
        return
    raise TypeError(f"unflattened_size must be a tuple of ints, but found type "
                    f"{type(value).__name__}")


def unflattened_shape(shape, dim, sizes):
    """torch.unflatten's result shape, with its errors for sizes that do not multiply out."""
    dim = canonical_dim(dim, len(shape))
    if len(sizes) == 0:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    inferred = list(sizes)
    if inferred.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    fits = known == shape[dim] if -1 not in inferred else known and shape[dim] % known == 0
    if not fits:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({shape[dim]}) in the input tensor")
    if -1 in inferred:
        inferred[inferred.index(-1)] = shape[dim] // known
    return tuple(shape[:dim]) + tuple(inferred) + tuple(shape[dim + 1:])
