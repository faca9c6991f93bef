"""Shape and view ops. Arguments arrive normalised by the public layer, which also computes
torch's layout metadata (jtorch/_api/views.py)."""

from __future__ import annotations

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
