"""Shape and view ops. Arguments arrive normalised by the public layer, which also computes
torch's layout metadata (jtorch/_api/views.py)."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jtorch._ops.promote import promote
from jtorch._ops.reduction import canonical_dim


def reshape(x, *, shape):
    return jnp.reshape(x, shape)


def transpose(x, *, dim0, dim1):
    return jnp.swapaxes(x, dim0, dim1)


def permute(x, *, dims):
    return jnp.transpose(x, dims)


def squeeze(x, *, dims):
    return jnp.squeeze(x, dims) if dims else x


def unsqueeze(x, *, dim):
    return jnp.expand_dims(x, dim)


def expand(x, *, shape):
    return jnp.broadcast_to(x, shape)


def diagonal(x, *, offset, dim1, dim2):
    return jnp.diagonal(x, offset, dim1, dim2)


def basic_index(x, *, key):
    """x[key] for a normalised basic key: ("i", n) select, ("s", start, stop, step) slice,
    ("n",) new axis; one entry per consumed or created dim, in order."""
    index = []
    for entry in key:
        kind = entry[0]
        if kind == "i":
            index.append(entry[1])
        elif kind == "s":
            index.append(slice(entry[1], entry[2], entry[3]))
        else:
            index.append(None)
    return x[tuple(index)] if index else x


def unbind(x, *, dim):
    return tuple(jnp.moveaxis(x, dim, 0))


def split(x, *, dim, sizes):
    out, start = [], 0
    for size in sizes:
        out.append(_narrow(x, dim, start, size))
        start += size
    return tuple(out)


def _narrow(x, dim, start, length):
    index = [slice(None)] * x.ndim
    index[dim] = slice(start, start + length)
    return x[tuple(index)]


def cat(*xs, dim):
    """torch.cat: promotes dtypes; legacy 1-D empty tensors are skipped."""
    xs, _ = promote(*xs)
    kept = [x for x in xs if not (x.ndim == 1 and x.shape[0] == 0)] or list(xs[:1])
    ref = kept[0]
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    dim = canonical_dim(dim, ref.ndim)
    for i, x in enumerate(kept):
        if x.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{x.ndim}")
        for d in range(ref.ndim):
            if d != dim and x.shape[d] != ref.shape[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. "
                                   f"Expected size {ref.shape[d]} but got size {x.shape[d]} for "
                                   f"tensor number {i} in the list.")
    return jnp.concatenate(kept, axis=dim)


def stack(*xs, dim):
    xs, _ = promote(*xs)
    for i, x in enumerate(xs):
        if x.shape != xs[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"{list(xs[0].shape)} at entry 0 and {list(x.shape)} at entry {i}")
    return jnp.stack(xs, axis=canonical_dim(dim, xs[0].ndim + 1))


def flip(x, *, dims):
    return jnp.flip(x, dims) if dims else x


def roll(x, *, shifts, dims):
    """torch.roll; no dims rolls the flattened tensor."""
    if not dims:
        return jnp.roll(x.reshape(-1), shifts[0]).reshape(x.shape)
    return jnp.roll(x, shifts, dims)


def rot90(x, *, k, dims):
    return jnp.rot90(x, k, axes=dims)


def repeat(x, *, repeats):
    """Tensor.repeat: tile after adding leading dims (len(repeats) >= x.ndim)."""
    x = x.reshape((1,) * (len(repeats) - x.ndim) + x.shape)
    return jnp.tile(x, repeats)


def repeat_interleave(x, repeats, *, dim, total):
    """x's slices along dim repeated `repeats` times (an int, or an int array of length
    x.shape[dim]); `total` is the output length along dim (static, for jit)."""
    if dim is None:
        x, dim = x.reshape(-1), 0
    if jnp.ndim(repeats) == 1 and repeats.shape[0] == 1:
        repeats = repeats[0]
    return jnp.repeat(x, repeats, axis=dim, total_repeat_length=total)


def tril(x, *, diagonal):
    return jnp.tril(x, diagonal)


def triu(x, *, diagonal):
    return jnp.triu(x, diagonal)


def diag_embed(x, *, offset, dim1, dim2):
    """Matrices with x's last dim on their `offset` diagonal, in output dims dim1 and dim2."""
    m = x.shape[-1]
    n = m + abs(offset)
    rows = jnp.arange(m) + max(-offset, 0)
    cols = jnp.arange(m) + max(offset, 0)
    out = jnp.zeros(x.shape[:-1] + (n, n), x.dtype).at[..., rows, cols].set(x)
    return jnp.moveaxis(out, (-2, -1), (dim1, dim2))


def diag(x, *, diagonal):
    """torch.diag: a 1-D input gives a square matrix, a 2-D input its diagonal (a copy)."""
    if x.ndim == 1:
        return diag_embed(x, offset=diagonal, dim1=0, dim2=1)
    return jnp.diagonal(x, diagonal)


def trace(x):
    """Sum of the main diagonal; integer and bool inputs give int64, as torch.sum does."""
    dtype = x.dtype if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.int64
    return jnp.trace(x).astype(dtype) if x.size else jnp.zeros((), dtype)


def narrow_copy(x, *, dim, start, length):
    return _narrow(x, dim, start, length)


def select_scatter(x, src, *, dim, index):
    key = (slice(None),) * dim + (index,)
    return x.at[key].set(src.astype(x.dtype))


def slice_scatter(x, src, *, dim, start, end, step):
    key = (slice(None),) * dim + (slice(start, end, step),)
    return x.at[key].set(src.astype(x.dtype))


def diagonal_scatter(x, src, *, offset, dim1, dim2):
    """x with its `offset` diagonal over dim1 and dim2 replaced by src."""
    positions = jnp.arange(x.size, dtype=jnp.int64).reshape(x.shape)
    positions = jnp.diagonal(positions, offset, dim1, dim2)
    flat = x.reshape(-1).at[positions.reshape(-1)].set(src.astype(x.dtype).reshape(-1))
    return flat.reshape(x.shape)


def as_strided(x, *, size, stride, storage_offset, x_strides, x_offset):
    """torch.as_strided read on the tensor's own elements: the element at storage position
    `storage_offset + sum(i * stride)` of x (whose elements sit at
    `x_offset + sum(j * x_strides)`); the public layer checks every position is one of x's."""
    x_positions = jnp.full(x.shape, x_offset, jnp.int64)
    for d, s in enumerate(x_strides):
        x_positions = x_positions + jax.lax.broadcasted_iota(jnp.int64, x.shape, d) * s
    wanted = jnp.full(size, storage_offset, jnp.int64)
    for d, s in enumerate(stride):
        wanted = wanted + jax.lax.broadcasted_iota(jnp.int64, size, d) * s
    flat_positions = x_positions.reshape(-1)
    order = jnp.argsort(flat_positions)
    logical = order[jnp.searchsorted(flat_positions[order], wanted.reshape(-1))]
    return x.reshape(-1)[logical].reshape(size)
