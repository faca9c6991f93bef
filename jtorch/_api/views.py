"""Views (sharing storage with their base, as in torch), cat/stack, and layout methods."""

from __future__ import annotations

import math
import warnings

import jax.numpy as jnp
import numpy as np

from jtorch import _dtypes, _strides
from jtorch._api._register import FUNCTIONS, register
from jtorch._dispatch import (
    MULTI_OUTPUT_VIEW,
    NO_GRAD_VIEW,
    Op,
    ViewOp,
    dispatch,
    dispatch_view,
    make_view,
)
from jtorch._ops import shape as shape_ops
from jtorch._ops.reduction import canonical_dim
from jtorch._tensor import Size, Tensor


def _strides_unchanged(shape, strides, offset, out_shape):
    return strides, offset


def _view_rule(shape, strides, offset, out_shape, *, shape_):
    return _strides.view_strides(shape, strides, out_shape), offset


VIEW = ViewOp(lambda x, *, shape_: x.reshape(shape_), "ViewBackward0", _view_rule,
              reshape_only=True)
RESHAPE_COPY = Op(lambda x, *, shape_: x.reshape(shape_), "UnsafeViewBackward0")
TRANSPOSE = ViewOp(shape_ops.transpose, "TransposeBackward0", _strides.transpose_rule)
T = ViewOp(shape_ops.transpose, "TBackward0", _strides.transpose_rule)
PERMUTE = ViewOp(shape_ops.permute, "PermuteBackward0", _strides.permute_rule)
SQUEEZE_ALL = ViewOp(shape_ops.squeeze, "SqueezeBackward0", _strides.squeeze_rule,
                     reshape_only=True)
SQUEEZE_DIM = ViewOp(shape_ops.squeeze, "SqueezeBackward1", _strides.squeeze_rule,
                     reshape_only=True)
SQUEEZE_DIMS = ViewOp(shape_ops.squeeze, "SqueezeBackward2", _strides.squeeze_rule,
                      reshape_only=True)
UNSQUEEZE = ViewOp(shape_ops.unsqueeze, "UnsqueezeBackward0", _strides.unsqueeze_rule,
                   reshape_only=True)


def _expand_fn(x, *, shape_):
    return shape_ops.expand(x, shape=shape_)


def _expand_rule(shape, strides, offset, out_shape, *, shape_):
    return _strides.expand_rule(shape, strides, offset, out_shape)


EXPAND = ViewOp(_expand_fn, "ExpandBackward0", _expand_rule)


def _diagonal_fn(x, *, offset_, dim1, dim2):
    return shape_ops.diagonal(x, offset=offset_, dim1=dim1, dim2=dim2)


DIAGONAL = ViewOp(_diagonal_fn, "DiagonalBackward0", _strides.diagonal_rule)
INDEX_OPS = {kind: ViewOp(shape_ops.basic_index, name, _strides.basic_index_rule)
             for kind, name in (("i", "SelectBackward0"), ("s", "SliceBackward0"),
                                ("n", "UnsqueezeBackward0"), (None, "AliasBackward0"))}
UNBIND = Op(shape_ops.unbind, "UnbindBackward0")
SPLIT = Op(shape_ops.split, "SplitBackward0")
SPLIT_WITH_SIZES = Op(shape_ops.split, "SplitWithSizesBackward0")
CAT = Op(shape_ops.cat, "CatBackward0")
STACK = Op(shape_ops.stack, "StackBackward0")
CLONE = Op(jnp.copy, "CloneBackward0")


def _size_args(size):
    """torch accepts view(2, 3), view((2, 3)) and view(torch.Size([2, 3]))."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def infer_size(shape, numel):
    """Resolve a single -1 in a requested shape; torch's errors for invalid shapes."""
    shape = list(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[unknown[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


@register(function=False)
def view(self, *shape):
    """Tensor.view: a view with a new shape; torch's error when the layout does not allow it."""
    if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, Size)):
        raise NotImplementedError("Tensor.view(dtype) is not supported by jtorch yet")
    shape = infer_size(_size_args(shape), self.numel())
    if _strides.view_strides(self.shape, self.stride(), shape) is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return dispatch_view(VIEW, self, shape_=shape)


@register
def reshape(input, *shape):
    """torch.reshape: a view when torch would return one, else a copy."""
    shape = infer_size(_size_args(shape), input.numel())
    if _strides.view_strides(input.shape, input.stride(), shape) is not None:
        return dispatch_view(VIEW, input, shape_=shape)
    # torch copies with clone() and views the copy (_unsafe_view): two graph nodes
    return dispatch(RESHAPE_COPY, (dispatch(CLONE, (input,)),), shape_=shape)


@register(function=False)
def view_as(self, other):
    return view(self, other.shape)


@register(function=False)
def reshape_as(self, other):
    return reshape(self, other.shape)


@register(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1):
    nd = input.ndim
    dim0, dim1 = canonical_dim(dim0, nd), canonical_dim(dim1, nd)
    if nd == 0:
        return dispatch_view(INDEX_OPS[None], input, key=())
    return dispatch_view(TRANSPOSE, input, dim0=dim0, dim1=dim1)


@register
def t(input):
    """torch.t: transpose of a tensor with at most 2 dims."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    if input.ndim < 2:
        return dispatch_view(INDEX_OPS[None], input, key=())
    return dispatch_view(T, input, dim0=0, dim1=1)


def _numpy_t(self):
    """Tensor.T: all dims reversed (torch deprecates it for other than 2-D, with a warning)."""
    if self.ndim not in (0, 2):
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their "
                      "shape is deprecated and it will throw an error in a future release. "
                      "Consider `x.mT` to transpose batches of matrices or `x.permute(*torch."
                      "arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                      UserWarning, stacklevel=2)
    return permute(self, tuple(range(self.ndim - 1, -1, -1)))


def _zero_dim_identity(self, what, advice):
    warnings.warn(f"{what} is deprecated on 0-D tensors. {advice}", UserWarning, stacklevel=3)
    return _conj_view(alias(self))


def _matrix_t(self):
    if self.ndim == 0:
        return _zero_dim_identity(self, "Tensor.mT", "This function is the identity in these "
                                                     "cases.")
    if self.ndim < 2:
        raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {self.ndim}-D tensor.")
    return transpose(self, -2, -1)


CONJ = ViewOp(jnp.conj, "ConjBackward0", _strides_unchanged)


def _conj_view(x):
    return dispatch_view(CONJ, x) if x.dtype.is_complex else x


def _adjoint_of(self, name):
    if self.ndim == 0:
        return _zero_dim_identity(self, name, "Consider using x.conj().")
    if self.ndim < 2:
        raise RuntimeError(f"{name.replace('Tensor.', 'tensor.')} is only supported on matrices "
                           f"or batches of matrices. Got {self.ndim}-D tensor.")
    return _conj_view(transpose(self, -2, -1))


def _adjoint(self):
    return _adjoint_of(self, "tensor.adjoint()" if self.ndim else "adjoint()")


def _hermitian_t(self):
    if self.ndim == 0:
        return _zero_dim_identity(self, "Tensor.H", "Consider using x.conj().")
    if self.ndim != 2:
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got "
                           f"{self.ndim}-D tensor." + (" For batches of matrices, consider using "
                                                       "tensor.mH" if self.ndim > 2 else ""))
    return _conj_view(transpose(self, 0, 1))


Tensor.T = property(_numpy_t)
Tensor.mT = property(_matrix_t)
Tensor.H = property(_hermitian_t)
Tensor.mH = property(lambda self: _adjoint_of(self, "Tensor.mH"))
Tensor.adjoint = _adjoint


@register
def permute(input, *dims):
    dims = _size_args(dims)
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does "
                           f"not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(canonical_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return dispatch_view(PERMUTE, input, dims=dims)


@register
def squeeze(input, dim=None):
    """torch.squeeze: drop size-1 dims (all, one, or a tuple); other dims are left alone."""
    shape = input.shape
    if dim is None:
        op, dims = SQUEEZE_ALL, tuple(i for i, s in enumerate(shape) if s == 1)
    elif isinstance(dim, int):
        op, dims = SQUEEZE_DIM, (canonical_dim(dim, input.ndim),)
    else:
        op, dims = SQUEEZE_DIMS, tuple(canonical_dim(d, input.ndim) for d in dim)
    dims = tuple(d for d in dims if input.ndim and shape[d] == 1)
    return dispatch_view(op, input, dims=dims)


@register
def unsqueeze(input, dim):
    dim = canonical_dim(dim, input.ndim + 1)
    return dispatch_view(UNSQUEEZE, input, dim=dim)


@register(function=False)
def expand(self, *sizes):
    """Tensor.expand: broadcast size-1 dims (stride 0) and add leading dims; -1 keeps a size."""
    sizes = _size_args(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(self.shape)}}}, size={list(sizes)}): "
                           "the number of sizes provided "
                           f"({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({self.ndim})")
    lead = len(sizes) - self.ndim
    out = list(sizes)
    for i, size in enumerate(self.shape):
        target = sizes[lead + i]
        if target == -1:
            out[lead + i] = size
        elif size != 1 and size != target:
            raise RuntimeError(f"The expanded size of the tensor ({target}) must match the "
                               f"existing size ({size}) at non-singleton dimension {lead + i}.  "
                               f"Target sizes: {list(sizes)}.  Tensor sizes: {list(self.shape)}")
    return dispatch_view(EXPAND, self, shape_=tuple(out))


@register(function=False)
def expand_as(self, other):
    return expand(self, other.shape)


@register
def flatten(input, start_dim=0, end_dim=-1):
    nd = input.ndim
    if nd == 0:
        return reshape(input, 1)
    start, end = canonical_dim(start_dim, nd), canonical_dim(end_dim, nd)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


@register
def select(input, dim, index):
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input.shape)} at dimension {dim}")
    key = (("s", 0, None, 1),) * dim + (("i", index % size),)
    return dispatch_view(INDEX_OPS["i"], input, key=key)


@register
def narrow(input, dim, start, length):
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    start = int(start)
    if start < 0:
        start += size
    if not 0 <= start <= size or length < 0 or start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    key = (("s", 0, None, 1),) * dim + (("s", start, start + length, 1),)
    return dispatch_view(INDEX_OPS["s"], input, key=key)


@register
def diagonal(input, offset=0, dim1=0, dim2=1):
    nd = input.ndim
    dim1, dim2 = canonical_dim(dim1, nd), canonical_dim(dim2, nd)
    if dim1 == dim2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return dispatch_view(DIAGONAL, input, offset_=offset, dim1=dim1, dim2=dim2)


def _views_of(outputs, source, pieces):
    """Mark the outputs of a multi-output op (unbind/split) as views, one basic index each;
    as in torch, they may not be modified in place once autograd recorded the op."""
    meta = MULTI_OUTPUT_VIEW if outputs and outputs[0].grad_fn is not None else NO_GRAD_VIEW
    for out, key in zip(outputs, pieces):
        make_view(out, source, INDEX_OPS[key[-1][0]], (("key", key),), meta)
    return outputs


@register
def unbind(input, dim=0):
    dim = canonical_dim(dim, input.ndim)
    outs = dispatch(UNBIND, (input,), dim=dim)
    lead = (("s", 0, None, 1),) * dim
    return _views_of(outs, input, [lead + (("i", i),) for i in range(input.shape[dim])])


@register
def split(tensor, split_size_or_sections, dim=0):
    """torch.split: chunks of a given size, or of the listed sizes."""
    dim = canonical_dim(dim, tensor.ndim)
    size = tensor.shape[dim]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step <= 0 and size > 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {size}")
        sizes = tuple(min(step, size - s) for s in range(0, size, step)) if size else (0,)
        op = SPLIT
    else:
        sizes = tuple(split_size_or_sections)
        if sum(sizes) != size:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {size} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={list(sizes)}")
        op = SPLIT_WITH_SIZES
    outs = dispatch(op, (tensor,), dim=dim, sizes=sizes)
    lead = (("s", 0, None, 1),) * dim
    keys, start = [], 0
    for n in sizes:
        keys.append(lead + (("s", start, start + n, 1),))
        start += n
    return _views_of(outs, tensor, keys)


@register
def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    size = input.shape[canonical_dim(dim, input.ndim)]
    return split(input, max(1, -(-size // chunks)), dim)


@register(method=False, aliases=("concat", "concatenate"))
def cat(tensors, dim=0, *, out=None):
    """torch.cat: concatenate along an existing dim (dtypes promote, as in torch)."""
    tensors = tuple(tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return _finish(dispatch(CAT, tensors, dim=dim), out)


@register(method=False)
def stack(tensors, dim=0, *, out=None):
    """torch.stack: join equal-shaped tensors along a new dim."""
    tensors = tuple(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    return _finish(dispatch(STACK, tensors, dim=dim), out)


def _finish(result, out):
    from jtorch._api.math import _out
    return _out(result, out)


@register
def clone(input, *, memory_format=None):
    return dispatch(CLONE, (input,))


@register(function=False)
def contiguous(self, memory_format=None):
    """Tensor.contiguous: self when already contiguous, else a contiguous copy."""
    if self.is_contiguous():
        return self
    return dispatch(CLONE, (self,))


# ---- more views: movedim, unflatten, as_strided, broadcasting, atleast_nd, tensor_split --------

def _dim_list(dims):
    return (dims,) if isinstance(dims, int) else tuple(dims)


@register(aliases=("moveaxis",))
def movedim(input, source, destination):
    """torch.movedim: move the dims in `source` to the positions in `destination` (a permute
    view); the other dims keep their order."""
    source, destination = _dim_list(source), _dim_list(destination)
    if len(source) != len(destination):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(source)} "
                           f"dims) should contain the same number of dims as destination "
                           f"({list(destination)} dims)")
    nd = input.ndim
    if nd == 0:
        for d in source + destination:
            canonical_dim(d, nd)
        return alias(input)
    src = [canonical_dim(d, nd) for d in source]
    dst = [canonical_dim(d, nd) for d in destination]
    for name, dims, given in (("source", src, source), ("destination", dst, destination)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(given)})")
    order = [None] * nd
    for s, d in zip(src, dst):
        order[d] = s
    rest = iter(d for d in range(nd) if d not in src)
    order = tuple(next(rest) if o is None else o for o in order)
    return dispatch_view(PERMUTE, input, dims=order)


def alias(input):
    return dispatch_view(INDEX_OPS[None], input, key=())


@register
def unflatten(input, dim, sizes):
    """torch.unflatten: split one dim into `sizes` (one -1 is inferred); always a view."""
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim] if input.ndim else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten: only one dimension can be inferred")
    known = math.prod(s for s in sizes if s != -1)
    if -1 in sizes and known and size % known == 0:
        sizes = tuple(size // known if s == -1 else s for s in sizes)
    if math.prod(sizes) != size or -1 in sizes:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the "
                           f"size of dim {dim} ({size}) in the input tensor")
    shape = input.shape
    return dispatch_view(VIEW, input, shape_=tuple(shape[:dim]) + sizes + tuple(shape[dim + 1:]))


def _as_strided_fn(x, *, size, stride, storage_offset, x_strides, x_offset):
    return shape_ops.as_strided(x, size=size, stride=stride, storage_offset=storage_offset,
                                x_strides=x_strides, x_offset=x_offset)


def _as_strided_rule(shape, strides, offset, out_shape, *, size, stride, storage_offset,
                     x_strides, x_offset):
    return stride, storage_offset


AS_STRIDED_VIEW = ViewOp(_as_strided_fn, "AsStridedBackward0", _as_strided_rule)


def _storage_positions(shape, strides, offset):
    positions = np.full(shape, offset, np.int64)
    for d, s in enumerate(strides):
        positions = positions + np.arange(shape[d]).reshape((-1,) + (1,) * (len(shape) - d - 1)) * s
    return positions


@register
def as_strided(input, size, stride, storage_offset=None):
    """Tensor.as_strided: a view with torch's (size, stride, storage_offset) layout.

    jtorch has no user-visible storage: the view reads the input's own elements at the given
    storage positions (which is exactly torch's result whenever those positions are elements of
    the input, e.g. for any contiguous input); a position outside the input raises."""
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: "
                           f"{list(size)}")
    offset = input.storage_offset() if storage_offset is None else int(storage_offset)
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    wanted = _storage_positions(size, stride, offset)
    have = _storage_positions(tuple(input.shape), input.stride(), input.storage_offset())
    missing = np.setdiff1d(wanted, have)
    if missing.size:
        raise RuntimeError(
            f"as_strided: size {list(size)}, stride {list(stride)} and storage offset {offset} "
            f"read storage position {int(missing[0])}, which is out of bounds for the input "
            f"(jtorch's as_strided reads only the input tensor's own elements)")
    return dispatch_view(AS_STRIDED_VIEW, input, size=size, stride=stride, storage_offset=offset,
                         x_strides=tuple(input.stride()), x_offset=input.storage_offset())


@register(function=True, method=True)
def broadcast_to(input, size):
    """torch.broadcast_to: Tensor.expand under torch's function name."""
    return expand(input, tuple(size))


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the torch.Size the shapes (ints or sequences) broadcast to."""
    shapes = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    ndim = max((len(s) for s in shapes), default=0)
    out = [1] * ndim
    for shape in shapes:
        for i in range(-1, -len(shape) - 1, -1):
            if shape[i] < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension "
                                   f"{shape[i]}: {list(shape)}")
            if shape[i] == 1 or shape[i] == out[i]:
                continue
            if out[i] != 1:
                raise RuntimeError("Shape mismatch: objects cannot be broadcast to a single "
                                   "shape")
            out[i] = shape[i]
    for i, shape in enumerate(shapes):
        for j in range(-1, -len(shape) - 1, -1):
            if shape[j] != out[j] and shape[j] != 1:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {shape[j]} "
                                   f"at {j}! Mismatching argument at index {i} had {shape}; but "
                                   f"expected shape should be broadcastable to {out}")
    return Size(out)


FUNCTIONS["broadcast_shapes"] = broadcast_shapes


@register(method=False)
def broadcast_tensors(*tensors):
    """torch.broadcast_tensors: expand views of the tensors to their common shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    from jtorch._ops.promote import broadcast_shapes as common_shape
    shape = common_shape(*(tuple(t.shape) for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


@register(method=False)
def meshgrid(*tensors, indexing=None):
    """torch.meshgrid: expand views of 0-D/1-D tensors to the grid of their sizes ("ij", the
    default, or "xy" with the first two dims swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the "
                      "indexing argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f'{indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {list(t.shape)}")
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("torch.meshgrid: Expected all tensors in the tensor list to have "
                               "the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        tensors = (tensors[1], tensors[0]) + tuple(tensors[2:])
    shape = tuple(t.numel() for t in tensors)
    grids = []
    for i, t in enumerate(tensors):
        lined = view(t, tuple(n if j == i else 1 for j, n in enumerate(shape)))
        grids.append(expand(lined, shape))
    if swap:
        grids[0], grids[1] = grids[1], grids[0]
    return tuple(grids)


def _atleast(n, reshape_small):
    def atleast(*tensors):
        single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
        if len(tensors) == 1 and not single:
            tensors = tuple(tensors[0])
        out = tuple(t if t.ndim >= n else reshape_small(t) for t in tensors)
        return out[0] if single else out
    atleast.__name__ = atleast.__qualname__ = f"atleast_{n}d"
    atleast.__doc__ = (f"torch.atleast_{n}d: tensors with fewer than {n} dims viewed with more; "
                       "others returned as they are.")
    return register(atleast, method=False)


atleast_1d = _atleast(1, lambda t: reshape(t, 1))
atleast_2d = _atleast(2, lambda t: reshape(t, 1, 1) if t.ndim == 0 else unsqueeze(t, 0))
atleast_3d = _atleast(3, lambda t: reshape(t, 1, 1, 1) if t.ndim == 0 else
                      unsqueeze(unsqueeze(t, 0), -1) if t.ndim == 1 else unsqueeze(t, -1))


def _slice_view(input, dim, start, stop):
    key = (("s", 0, None, 1),) * dim + (("s", start, stop, 1),)
    return dispatch_view(INDEX_OPS["s"], input, key=key)


@register
def tensor_split(input, indices_or_sections, dim=0):
    """torch.tensor_split: `n` near-equal pieces (the first size % n one longer) or pieces
    between the given indices; each piece is a slice view."""
    if isinstance(indices_or_sections, Tensor):
        if indices_or_sections.dtype.is_floating_point or indices_or_sections.dtype.is_complex \
                or indices_or_sections.dtype is _dtypes.bool_:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have "
                               f"integer dtype, but got {indices_or_sections.dtype}")
        if indices_or_sections.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a "
                               f"zero-dimensional or one-dimensional tensor, but got a tensor "
                               f"with {indices_or_sections.ndim} dims")
        values = indices_or_sections.tolist()
        indices_or_sections = values if indices_or_sections.ndim else int(values)
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a "
                           "tensor with 0 dims")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim]
    if isinstance(indices_or_sections, int):
        sections = indices_or_sections
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        small, extra = divmod(size, sections)
        bounds, start = [], 0
        for i in range(sections):
            bounds.append((start, start + small + (i < extra)))
            start = bounds[-1][1]
    else:
        cuts = [0] + [int(i) for i in indices_or_sections] + [size]
        bounds = []
        for a, b in zip(cuts, cuts[1:]):
            a = min(max(a + size if a < 0 else a, 0), size)
            b = min(max(b + size if b < 0 else b, 0), size)
            bounds.append((a, max(a, b)))
    return tuple(_slice_view(input, dim, a, b) for a, b in bounds)


def _split_family(name, dim, min_ndim):
    def fn(input, indices_or_sections):
        if input.ndim < min_ndim:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {min_ndim} "
                               f"dimension, but got a tensor with {input.ndim} dimensions!")
        d = 0 if name == "hsplit" and input.ndim == 1 else dim
        if isinstance(indices_or_sections, int):
            size = input.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(f"torch.{name} attempted to split along dimension {d}, but "
                                   f"the size of the dimension {size} is not divisible by the "
                                   f"split_size {indices_or_sections}!")
        return tensor_split(input, indices_or_sections, d)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: tensor_split along dim {dim} (whole sections only)."
    return register(fn)


hsplit = _split_family("hsplit", 1, 1)
vsplit = _split_family("vsplit", 0, 2)
dsplit = _split_family("dsplit", 2, 3)
