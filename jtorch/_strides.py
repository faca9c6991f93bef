"""torch's strided-layout bookkeeping: strides, contiguity and when `view` is possible.

jtorch arrays are immutable JAX arrays with no user-visible layout; these functions keep the
(size, stride, storage_offset) metadata that torch would have, so `stride()`,
`is_contiguous()`, `storage_offset()` and `view`'s errors match torch.
"""

from __future__ import annotations


def contiguous_strides(shape):
    strides = []
    step = 1
    for size in reversed(shape):
        strides.append(step)
        step *= max(size, 1)
    return tuple(reversed(strides))


def is_contiguous(shape, strides):
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size == 1:
            continue
        if size == 0:
            return True
        if stride != expected:
            return False
        expected *= size
    return True


def view_strides(old_shape, old_strides, new_shape):
    """torch's computeStride: the strides a view of new_shape would have, or None if impossible."""
    numel = 1
    for s in old_shape:
        numel *= s
    if numel == 0:
        if tuple(old_shape) == tuple(new_shape):
            return tuple(old_strides)
        return contiguous_strides(new_shape)
    if len(old_shape) == 0:  # a 0-d tensor views as any all-ones shape, strides 1
        return (1,) * len(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_base_stride = old_strides[-1] if old_strides else 1
    tensor_numel = 1
    view_numel = 1
    for tensor_d in range(len(old_shape) - 1, -1, -1):
        tensor_numel *= old_shape[tensor_d]
        if tensor_d == 0 or (old_shape[tensor_d - 1] != 1
                             and old_strides[tensor_d - 1] != tensor_numel * chunk_base_stride):
            while view_d >= 0 and (view_numel < tensor_numel or new_shape[view_d] == 1):
                new_strides[view_d] = view_numel * chunk_base_stride
                view_numel *= new_shape[view_d]
                view_d -= 1
            if view_numel != tensor_numel:
                return None
            if tensor_d > 0:
                chunk_base_stride = old_strides[tensor_d - 1]
                tensor_numel = 1
                view_numel = 1
    if view_d != -1:
        return None
    return tuple(new_strides)


# ---- per-view-op layout rules: (shape, strides, offset, out_shape, **static) -> (strides, offset)

def transpose_rule(shape, strides, offset, out_shape, *, dim0, dim1):
    s = list(strides)
    s[dim0], s[dim1] = s[dim1], s[dim0]
    return tuple(s), offset


def permute_rule(shape, strides, offset, out_shape, *, dims):
    return tuple(strides[d] for d in dims), offset


def squeeze_rule(shape, strides, offset, out_shape, *, dims):
    return tuple(s for i, s in enumerate(strides) if i not in dims), offset


def unsqueeze_rule(shape, strides, offset, out_shape, *, dim):
    new = shape[dim] * strides[dim] if dim < len(shape) else 1
    return tuple(strides[:dim]) + (new,) + tuple(strides[dim:]), offset


def expand_rule(shape, strides, offset, out_shape):
    lead = len(out_shape) - len(shape)
    out = [0] * lead
    for size, stride, new in zip(shape, strides, out_shape[lead:]):
        out.append(stride if size == new else 0)
    return tuple(out), offset


def diagonal_rule(shape, strides, offset, out_shape, *, offset_, dim1, dim2):
    if offset_ >= 0:
        offset += offset_ * strides[dim2]
    else:
        offset -= offset_ * strides[dim1]
    rest = tuple(s for i, s in enumerate(strides) if i not in (dim1, dim2))
    return rest + (strides[dim1] + strides[dim2],), offset


def basic_index_rule(shape, strides, offset, out_shape, *, key):
    """Layout after a normalised basic index (see _ops.shape.basic_index)."""
    out = []
    dim = 0
    for entry in key:
        kind = entry[0]
        if kind == "i":
            offset += entry[1] * strides[dim]
            dim += 1
        elif kind == "s":
            start, _, step = entry[1], entry[2], entry[3]
            offset += start * strides[dim] if shape[dim] else 0
            out.append(strides[dim] * step)
            dim += 1
        else:
            out.append(1)
    out.extend(strides[dim:])
    return tuple(out), offset
