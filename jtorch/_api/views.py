"""Views (sharing storage with their base, as in torch), cat/stack, and layout methods."""

from __future__ import annotations

import math

import jax.numpy as jnp

from jtorch import _strides
from jtorch._api._register import register
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


Tensor.T = property(lambda self: permute(self, tuple(range(self.ndim - 1, -1, -1))))
Tensor.mT = property(lambda self: transpose(self, -2, -1))


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
