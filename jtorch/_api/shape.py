"""Shape and indexing ops beyond the core views: repeats, stacks, flips and rolls, scatters,
index_* ops, masks, takes and puts, triangles and diagonals, and the *_scatter embeddings.

Index arguments are checked eagerly (values in range, dtypes) when they are concrete, as torch
does; under `jax.jit` tracing those checks are skipped. Ops whose output shape depends on the
values (nonzero, masked_select, repeat_interleave with a tensor of repeats) need concrete
values and raise a RuntimeError naming the op when traced.
"""

from __future__ import annotations

import builtins

import jax
import jax.numpy as jnp
import numpy as np

from jtorch import _dtypes
from jtorch._api import views
from jtorch._api._register import register
from jtorch._api.indexing import INDEX_PUT, _normalize
from jtorch._api.math import _out
from jtorch._dispatch import Op, dispatch
from jtorch._ops import indexing as index_ops
from jtorch._ops import shape as shape_ops
from jtorch._ops.concrete import concrete
from jtorch._ops.promote import broadcast_shapes
from jtorch._ops.reduction import canonical_dim
from jtorch._tensor import Tensor, from_array

REPEAT = Op(shape_ops.repeat, "RepeatBackward0")
REPEAT_INTERLEAVE = Op(shape_ops.repeat_interleave, "IndexSelectBackward0")
FLIP = Op(shape_ops.flip, "FlipBackward0")
ROLL = Op(shape_ops.roll, "RollBackward0")
ROT90 = Op(shape_ops.rot90, "FlipBackward0")
TRIL = Op(shape_ops.tril, "TrilBackward0")
TRIU = Op(shape_ops.triu, "TriuBackward0")
DIAG = Op(shape_ops.diag, "DiagEmbedBackward0")
DIAG_COPY = Op(shape_ops.diag, "DiagonalBackward0_copy")
DIAG_EMBED = Op(shape_ops.diag_embed, "DiagEmbedBackward0")
TRACE = Op(shape_ops.trace, "TraceBackward0")
NARROW_COPY = Op(shape_ops.narrow_copy, "NarrowCopyBackward0")
SELECT_SCATTER = Op(shape_ops.select_scatter, "SelectScatterBackward0")
SLICE_SCATTER = Op(shape_ops.slice_scatter, "SliceScatterBackward0")
DIAGONAL_SCATTER = Op(shape_ops.diagonal_scatter, "DiagonalScatterBackward0")
SCATTER = Op(index_ops.scatter, "ScatterBackward0", saves=(1,))
SCATTER_VALUE = Op(index_ops.scatter, "ScatterBackward1", saves=(1,))
SCATTER_ADD = Op(index_ops.scatter_add, "ScatterAddBackward0", saves=(1,))
SCATTER_REDUCE = Op(index_ops.scatter_reduce, "ScatterReduceBackward0", saves=(0, 1, 2))
INDEX_SELECT = Op(index_ops.index_select, "IndexSelectBackward0", saves=(1,))
INDEX_ADD = Op(index_ops.index_add, "IndexAddBackward0", saves=(1,))
INDEX_COPY = Op(index_ops.index_copy, "IndexCopyBackward0", saves=(1,))
INDEX_FILL = Op(index_ops.index_fill, "IndexFillBackward0", saves=(1,))
TAKE = Op(index_ops.take, "TakeBackward0", saves=(1,))
PUT = Op(index_ops.put, "PutBackward0", saves=(1,))
TAKE_ALONG_DIM = Op(index_ops.take_along_dim, "GatherBackward0", saves=(1,))
MASKED_SELECT = Op(index_ops.masked_select, "MaskedSelectBackward0")
MASKED_SCATTER = Op(index_ops.masked_scatter, "MaskedScatterBackward0", saves=(1,))

_INDEX_DTYPES = (_dtypes.int64, _dtypes.int32)


# ---- helpers ---------------------------------------------------------------------------------

def _concrete(t, op):
    """t's values as a numpy array (the op's output shape depends on them)."""
    return concrete(t._array, op, "compute it outside the compiled function, or use an op "
                    "with a fixed output shape (torch.where, masked_fill)")


def _index_values(index):
    """The index's values when concrete, else None (bounds are then not checked)."""
    values = index._array
    if isinstance(values, jax.core.Tracer) or values.size == 0:
        return None
    return np.asarray(values)


def _check_range(index, size, error, message, allow_negative=False):
    """Raise `error(message.format(i=...))` for the first index value out of range."""
    values = _index_values(index)
    if values is None:
        return
    low = -size if allow_negative else 0
    bad = values[(values >= size) | (values < low)]
    if bad.size:
        raise error(message.format(i=int(bad.flat[0])))


def _on_device_of(values, like):
    """A tensor of numpy `values` on the device of the tensor `like`."""
    array = jnp.asarray(values)
    try:
        array = jax.device_put(array, next(iter(like._array.devices())))
    except AttributeError:
        pass
    return from_array(array)


def _dims_arg(dims):
    """A dims argument given as varargs (`x.flip(0, 1)`) or one sequence (`x.flip((0, 1))`)."""
    if len(dims) == 1 and not isinstance(dims[0], int):
        return tuple(int(d) for d in dims[0])
    return tuple(int(d) for d in dims)


def _type_name(t):
    return _dtypes.title_name(t.dtype)


# ---- repeats and stacks ----------------------------------------------------------------------

@register(function=False)
def repeat(self, *sizes):
    """Tensor.repeat: tile the tensor `sizes` times (leading sizes add dims)."""
    sizes = _dims_arg(sizes)
    if len(sizes) < self.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    if any(s < 0 for s in sizes):
        shape = (1,) * (len(sizes) - self.ndim) + tuple(self.shape)
        raise RuntimeError(f"Trying to create tensor with negative dimension "
                           f"{min(s * n for s, n in zip(sizes, shape))}: "
                           f"{[s * n for s, n in zip(sizes, shape)]}")
    return dispatch(REPEAT, (self,), repeats=sizes)


@register
def tile(input, *dims):
    """torch.tile: Tensor.repeat with missing leading repeats taken as 1."""
    dims = _dims_arg(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


@register
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """torch.repeat_interleave: each element (or slice along dim) repeated; `repeats` is an
    int or a tensor of counts. `torch.repeat_interleave(counts)` repeats the indices."""
    if repeats is None:
        repeats, input, dim = input, None, 0
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if repeats.dtype not in _INDEX_DTYPES:
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                      f"'{_type_name(repeats)}'")
    if input is None:
        input = _on_device_of(np.arange(repeats.numel()), repeats)
    if dim is None:
        input, dim = views.flatten(input), 0
    dim = canonical_dim(dim, input.ndim)
    n = input.shape[dim] if input.ndim else 1
    if isinstance(repeats, Tensor):
        if repeats.numel() not in (1, n):
            raise RuntimeError(f"repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {repeats.numel()} and input.size({dim}) = {n}")
        if output_size is None:
            counts = _concrete(repeats, "repeat_interleave")
        else:
            counts = _index_values(repeats)
        total = output_size
        if counts is not None:
            if (counts < 0).any():
                raise RuntimeError("repeats can not be negative")
            total = int(counts.sum()) * (n if counts.size == 1 else 1)
            if output_size is not None and output_size != total:
                raise RuntimeError("allocated size does not match required size")
        repeats = repeats.reshape(-1) if repeats.ndim == 0 else repeats
    else:
        if repeats < 0:
            raise RuntimeError("Repeats must be non-negative")
        total = repeats * n
    if input.ndim == 0:
        input = views.reshape(input, 1)
    return dispatch(REPEAT_INTERLEAVE, (input, repeats), dim=dim, total=total)


def _stack_family(name, min_dims, dim_of):
    def fn(tensors, *, out=None):
        tensors = tuple(tensors)
        if not tensors:
            raise RuntimeError(f"{name} expects a non-empty TensorList")
        tensors = min_dims(tensors)
        return _out(views.cat(tensors, dim_of(tensors)), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: torch.cat after bringing the tensors to enough dims."
    return fn


def _column_dims(tensors):
    return tuple(views.reshape(t, t.numel(), 1) if t.ndim <= 1 else t for t in tensors)


hstack = register(_stack_family("hstack", views.atleast_1d,
                                lambda ts: 0 if ts[0].ndim == 1 else 1), method=False)
vstack = register(_stack_family("vstack", views.atleast_2d, lambda ts: 0), method=False,
                  aliases=("row_stack",))
dstack = register(_stack_family("dstack", views.atleast_3d, lambda ts: 2), method=False)
column_stack = register(_stack_family("column_stack", _column_dims, lambda ts: 1), method=False)


# ---- flips and rolls -------------------------------------------------------------------------

@register
def flip(input, *dims):
    """torch.flip: reverse the order of elements along dims."""
    dims = _dims_arg(dims)
    dims = tuple(canonical_dim(d, input.ndim) for d in dims)
    for d in dims:
        if dims.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return dispatch(FLIP, (input,), dims=tuple(d for d in dims if input.ndim))


@register
def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@register
def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


@register
def roll(input, shifts, dims=None):
    """torch.roll: shift elements along dims (with no dims, of the flattened tensor)."""
    shifts = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    dims = () if dims is None else (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims) and not (not dims and len(shifts) == 1):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:"
                           f"{len(dims)}")
    dims = tuple(canonical_dim(d, input.ndim) for d in dims)
    if input.ndim == 0 or input.numel() == 0:
        return dispatch(ROLL, (input,), shifts=(0,), dims=())
    return dispatch(ROLL, (input,), shifts=shifts, dims=dims)


@register
def rot90(input, k=1, dims=(0, 1)):
    """torch.rot90: rotate by 90 degrees k times, from the first dim towards the second."""
    dims = tuple(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (canonical_dim(d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and "
                           f"dim1 = {d1}")
    return dispatch(ROT90, (input,), k=k % 4, dims=(d0, d1))


# ---- scatter family --------------------------------------------------------------------------

def _check_scatter(name, input, dim, index, src):
    """torch's checks of scatter/scatter_add/scatter_reduce arguments; the canonical dim."""
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    if isinstance(src, Tensor):
        if src.dtype != input.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        if src.ndim != index.ndim and index.numel():
            raise RuntimeError("Index tensor must have the same number of dimensions as src "
                               "tensor")
    if index.ndim != input.ndim and index.numel() and not (index.ndim <= 1 and input.ndim <= 1):
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    dim = canonical_dim(dim, input.ndim)
    if index.numel() and input.ndim:
        for d in range(index.ndim):
            if d != dim and index.shape[d] > input.shape[d]:
                raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than "
                                   f"self {list(input.shape)} apart from dimension {dim}")
            if isinstance(src, Tensor) and index.shape[d] > src.shape[d]:
                raise RuntimeError(f"Expected index {list(index.shape)} to be no larger than "
                                   f"src {list(src.shape)}")
    size = input.shape[dim] if input.ndim else 1
    _check_range(index, size, RuntimeError,
                 f"index {{i}} is out of bounds for dimension {dim} with size {size}")
    return dim


@register(inplace=True)
def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """torch.scatter: src's values (or a scalar value) written at index along dim; the legacy
    reduce="add"/"multiply" combines instead of overwriting."""
    if src is None:
        src = value
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    dim = _check_scatter("scatter", input, dim, index, src)
    op = SCATTER if isinstance(src, Tensor) else SCATTER_VALUE
    if index.numel() == 0:
        return views.clone(input)
    return dispatch(op, (input, index, src), dim=dim, reduce=reduce)


@register(inplace=True)
def scatter_add(input, dim, index, src):
    """torch.scatter_add: src's values added at index along dim."""
    dim = _check_scatter("scatter", input, dim, index, src)
    if index.numel() == 0:
        return views.clone(input)
    return dispatch(SCATTER_ADD, (input, index, src), dim=dim)


_SCATTER_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


@register(inplace=True)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """torch.scatter_reduce: the sum, prod, mean, amax or amin of the values scattered to each
    position (and of its own value, with include_self)."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # torch's legacy names
    if reduce not in _SCATTER_REDUCTIONS:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got "
                           f"{reduce}")
    dim = _check_scatter("scatter", input, dim, index, src)
    if index.numel() == 0:
        return views.clone(input)
    return dispatch(SCATTER_REDUCE, (input, index, src), dim=dim, reduce=reduce,
                    include_self=bool(include_self))


# ---- index_* ops along one dim ---------------------------------------------------------------

def _check_index_vector(name, index, error=IndexError):
    if index.ndim > 1:
        raise error(f"{name}(): Index is supposed to be a vector")


@register
def index_select(input, dim, index, *, out=None):
    """torch.index_select: the slices along dim at the (1-D) index."""
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    _check_index_vector("index_select", index)
    dim = canonical_dim(dim, input.ndim)
    if input.ndim == 0 and index.numel() != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                           f"{index.numel()} value(s)")
    size = input.shape[dim] if input.ndim else 1
    _check_range(index, size, IndexError, "index out of range in self")
    return _out(dispatch(INDEX_SELECT, (input, index), dim=dim), out)


def _check_index_source(name, input, dim, index, source):
    """The shared checks of index_add and index_copy; the canonical dim."""
    dim = canonical_dim(dim, input.ndim)
    if source.dtype != input.dtype:
        if name == "index_copy_":
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                               f"but got (self) {_type_name(input)} and (source) "
                               f"{_type_name(source)}")
        raise RuntimeError(f"{name}(): self ({_type_name(input)}) and source "
                           f"({_type_name(source)}) must have the same scalar type")
    n = source.shape[dim] if source.ndim else 1
    if index.numel() != n:
        error = IndexError if name == "index_copy_" else RuntimeError
        raise error(f"{name}(): Number of indices ({index.numel()}) should be equal to "
                    f"source.size(dim): ({n}), for dim: {dim}")
    same_rank = source.ndim == input.ndim or (source.ndim <= 1 and input.ndim <= 1)
    if not same_rank or any(a != b for d, (a, b) in enumerate(zip(input.shape, source.shape))
                            if d != dim):
        if name == "index_copy_" and not same_rank and input.ndim and source.ndim:
            raise IndexError(f"index_copy_(): When source and destination are not scalars, "
                             f"their dimensionality must match. Source dimensionality "
                             f"({source.ndim}), destination dimensionality ({input.ndim})")
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(input.shape)} "
                           f"source.shape = {list(source.shape)}")
    return dim


@register(inplace=True)
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """torch.index_add: alpha * source's slices added at index along dim."""
    if index.dtype not in _INDEX_DTYPES:
        raise RuntimeError(f"index_add_(): Expected dtype int32/int64 for index but got: "
                           f"{_type_name(index)}")
    _check_index_vector("index_add_", index)
    dim = _check_index_source("index_add_", input, dim, index, source)
    size = input.shape[dim] if input.ndim else 1
    _check_range(index, size, RuntimeError,
                 f"index {{i}} is out of bounds for dimension {dim} with size {size}")
    return _out(dispatch(INDEX_ADD, (input, index, source), dim=dim, alpha=alpha), out)


@register(inplace=True)
def index_copy(input, dim, index, source, *, out=None):
    """torch.index_copy: source's slices written at index along dim."""
    if index.dtype is not _dtypes.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_type_name(index)}")
    _check_index_vector("index_copy_", index)
    dim = _check_index_source("index_copy_", input, dim, index, source)
    size = input.shape[dim] if input.ndim else 1
    _check_range(index, size, IndexError,
                 f"index_copy_(): index {{i}} is out of bounds for dimension {dim} with size "
                 f"{size}")
    return _out(dispatch(INDEX_COPY, (input, index, source), dim=dim), out)


@register(inplace=True)
def index_fill(input, dim, index, value):
    """torch.index_fill: value (a scalar or 0-d tensor) written at index along dim."""
    if index.dtype is not _dtypes.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    _check_index_vector("index_fill_", index)
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value.ndim} dimension(s).")
    dim = canonical_dim(dim, input.ndim)
    size = input.shape[dim] if input.ndim else 1
    _check_range(index, size, IndexError,
                 f"index {{i}} is out of bounds for dimension {dim} with size {size}",
                 allow_negative=True)
    if isinstance(value, Tensor):
        value = value.to(input.dtype) if value.dtype != input.dtype else value
    return dispatch(INDEX_FILL, (input, index, value), dim=dim)


@register(inplace=True)
def index_put(input, indices, values, accumulate=False):
    """torch.index_put: `input[indices] = values` (or `+=` with accumulate) out of place."""
    if values.dtype != input.dtype:
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                           f"{_type_name(input)} for the destination and {_type_name(values)} "
                           f"for the source.")
    key = tuple(slice(None) if i is None else i for i in indices)
    entries, tensors = _normalize(input, key)
    return dispatch(INDEX_PUT, (input, values, *tensors), key=entries,
                    accumulate=bool(accumulate))


# ---- flat and masked ops ---------------------------------------------------------------------

def _check_flat_index(name, input, index):
    if index.dtype is not _dtypes.int64:
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{_type_name(index)}")
    n = input.numel()
    _check_range(index, n, IndexError,
                 f"out of range: tried to access index {{i}} on a tensor of {n} elements.",
                 allow_negative=True)


@register
def take(input, index):
    """torch.take: elements of the flattened input at index (negative indices count back)."""
    _check_flat_index("take", input, index)
    return dispatch(TAKE, (input, index))


@register(inplace=True)
def put(input, index, source, accumulate=False):
    """torch.put: source's values written (or added) at flat indices of input."""
    if source.dtype != input.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got "
                           f"self.dtype = {_type_name(input)} and source.dtype = "
                           f"{_type_name(source)}")
    if source.numel() != index.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of "
                         f"elements, but got source.numel() = {source.numel()}, index.numel() = "
                         f"{index.numel()}")
    _check_flat_index("put_", input, index)
    return dispatch(PUT, (input, index, source), accumulate=bool(accumulate))


@register
def take_along_dim(input, indices, dim=None, *, out=None):
    """torch.take_along_dim: gather along dim after broadcasting input and indices (with no
    dim, along the flattened tensors)."""
    if indices.dtype is not _dtypes.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_type_name(indices)}")
    if dim is None:
        input, indices, dim = views.reshape(input, -1), views.reshape(indices, -1), 0
    elif input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same "
                           f"number of dimensions, but got {input.ndim} dimensions for input, "
                           f"and {indices.ndim} dimensions for indices")
    dim = canonical_dim(dim, input.ndim)
    if input.ndim:
        in_shape, idx_shape = list(input.shape), list(indices.shape)
        in_shape[dim] = idx_shape[dim]
        target = list(broadcast_shapes(tuple(in_shape), tuple(idx_shape)))
        indices = views.broadcast_to(indices, target)
        target[dim] = input.shape[dim]
        input = views.broadcast_to(input, target)
        size = input.shape[dim]
        _check_range(indices, size, RuntimeError,
                     f"index {{i}} is out of bounds for dimension {dim} with size {size}",
                     allow_negative=True)
    return _out(dispatch(TAKE_ALONG_DIM, (input, indices), dim=dim), out)


def _check_bool_mask(mask, message):
    if mask.dtype is not _dtypes.bool_:
        raise RuntimeError(message.format(dtype=_type_name(mask)))


@register
def masked_select(input, mask, *, out=None):
    """torch.masked_select: the 1-D tensor of input's elements where mask (broadcast with
    input) is True. The output size depends on mask's values: computed eagerly."""
    _check_bool_mask(mask, "masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    chosen = np.broadcast_to(_concrete(mask, "masked_select"), shape).reshape(-1)
    positions = np.flatnonzero(chosen)
    return _out(dispatch(MASKED_SELECT, (input, jnp.asarray(positions)), shape=shape), out)


@register(inplace=True)
def masked_scatter(input, mask, source):
    """torch.masked_scatter: input with the positions where mask is True filled, in order,
    from source's elements."""
    _check_bool_mask(mask, "masked_scatter_ only supports boolean masks, but got mask with "
                           "dtype {dtype}")
    if source.dtype != input.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but "
                           f"got{_type_name(input)} and {_type_name(source)}")
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape))
    values = _index_values(mask)
    if values is not None and np.broadcast_to(values, shape).sum() > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return dispatch(MASKED_SCATTER, (input, mask, source), shape=shape)


@register
def nonzero(input, *, out=None, as_tuple=False):
    """torch.nonzero: the (n, ndim) int64 indices of the nonzero elements, or with as_tuple one
    1-D tensor per dim. Computed eagerly: the size depends on the values."""
    values = _concrete(input, "nonzero")
    if as_tuple:
        return tuple(_on_device_of(p.astype(np.int64), input)
                     for p in np.nonzero(values.reshape(-1) if values.ndim == 0 else values))
    return _out(_on_device_of(np.argwhere(values).astype(np.int64), input), out)


@register
def argwhere(input):
    """torch.argwhere: torch.nonzero(input)."""
    return nonzero(input)


# ---- triangles and diagonals -----------------------------------------------------------------

def _triangle(name, op):
    def fn(input, diagonal=0, *, out=None):
        if input.ndim < 2:
            raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
        return _out(dispatch(op, (input,), diagonal=int(diagonal)), out)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"torch.{name}: the {'lower' if name == 'tril' else 'upper'} triangle of the " \
                 "last two dims (diagonal shifts it), the rest zeroed."
    return register(fn, inplace=True)


tril = _triangle("tril", TRIL)
triu = _triangle("triu", TRIU)


@register
def diag(input, diagonal=0, *, out=None):
    """torch.diag: a 1-D input gives the square matrix with it on the `diagonal`; a 2-D input
    gives a copy of that diagonal."""
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    op = DIAG if input.ndim == 1 else DIAG_COPY
    return _out(dispatch(op, (input,), diagonal=int(diagonal)), out)


@register
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """torch.diag_embed: matrices (in output dims dim1, dim2) with input's last dim on their
    `offset` diagonal."""
    nd = input.ndim + 1
    d1, d2 = canonical_dim(dim1, nd), canonical_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if input.ndim == 0:
        canonical_dim(-2, 1)  # torch's IndexError: a 0-d input has no dim to embed
    return dispatch(DIAG_EMBED, (input,), offset=int(offset), dim1=d1, dim2=d2)


@register
def diagflat(input, offset=0):
    """torch.diagflat: the flattened input on the `offset` diagonal of a square matrix."""
    return dispatch(DIAG_EMBED, (views.reshape(input, -1),), offset=int(offset), dim1=0, dim2=1)


@register
def trace(input):
    """torch.trace: the sum of a matrix's main diagonal (integers sum to int64)."""
    if input.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input.ndim}")
    if input.dtype is _dtypes.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    return dispatch(TRACE, (input,))


# ---- copies and embeddings of slices ---------------------------------------------------------

@register
def narrow_copy(input, dim, start, length):
    """torch.narrow_copy: a copy of input.narrow(dim, start, length)."""
    views.narrow(input, dim, start, length)  # torch's checks
    dim = canonical_dim(dim, input.ndim)
    start = int(start) + (input.shape[dim] if start < 0 else 0)
    return dispatch(NARROW_COPY, (input,), dim=dim, start=start, length=int(length))


def _check_embedding(src, piece):
    if tuple(src.shape) != tuple(piece.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src.shape)}, slice size = {list(piece.shape)}")


@register
def select_scatter(input, src, dim, index):
    """torch.select_scatter: input with input.select(dim, index) replaced by src."""
    _check_embedding(src, views.select(input, dim, index))
    dim = canonical_dim(dim, input.ndim)
    return dispatch(SELECT_SCATTER, (input, src), dim=dim, index=index % input.shape[dim])


@register
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """torch.slice_scatter: input with input[start:end:step] along dim replaced by src."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    dim = canonical_dim(dim, input.ndim)
    start, end, step = slice(start, end, step).indices(input.shape[dim])
    key = (slice(None),) * dim + (slice(start, builtins.max(start, end), step),)
    _check_embedding(src, input[key])
    return dispatch(SLICE_SCATTER, (input, src), dim=dim, start=start, end=end, step=step)


@register
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """torch.diagonal_scatter: input with its `offset` diagonal over dim1, dim2 replaced by
    src."""
    _check_embedding(src, views.diagonal(input, offset, dim1, dim2))
    d1, d2 = canonical_dim(dim1, input.ndim), canonical_dim(dim2, input.ndim)
    return dispatch(DIAGONAL_SCATTER, (input, src), offset=int(offset), dim1=d1, dim2=d2)
