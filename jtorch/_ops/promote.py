"""torch's type promotion applied to operands of pure ops."""

from __future__ import annotations

from jax import lax

from jtorch import _dtypes

_PY_SCALARS = (bool, int, float, complex)


def _scalar_kind_dtype(x):
    if isinstance(x, _PY_SCALARS):
        return _dtypes.scalar_dtype(x)
    kind = x.dtype.kind
    if kind == "b":
        return _dtypes.bool_
    if kind in "iu":
        return _dtypes.int64
    if kind == "f":
        return _dtypes.get_default_dtype()
    return _dtypes.get_default_dtype().to_complex()


def is_python_scalar(x):
    """A Python number operand: a Python scalar, or its weakly-typed stand-in under jit."""
    return isinstance(x, _PY_SCALARS) or (getattr(x, "weak_type", False) and x.ndim == 0)


def result_dtype(*operands) -> _dtypes.dtype:
    """torch.result_type of the operands (None operands are ignored)."""
    tensors, scalars = [], []
    for x in operands:
        if x is None:
            continue
        if is_python_scalar(x):
            scalars.append(_scalar_kind_dtype(x))
        else:
            tensors.append((_dtypes.from_jax(x.dtype), x.ndim))
    return _dtypes.result_type(tensors, scalars)


def cast(x, d: _dtypes.dtype):
    """x as an array of torch dtype d (strongly typed, as every tensor's array is); None, an
    absent optional operand, stays None."""
    if x is None:
        return None
    if not isinstance(x, _PY_SCALARS) and x.dtype == d.np and not getattr(x, "weak_type", False):
        return x
    return lax.convert_element_type(x, d.np)


def promote(*operands):
    """The operands cast to their torch result dtype, and that dtype."""
    d = result_dtype(*operands)
    return tuple(cast(x, d) for x in operands), d


def broadcast_shapes(*shapes):
    """The shape the given shapes broadcast to; torch's error naming the first mismatch."""
    out = ()
    for shape in shapes:
        ndim = max(len(out), len(shape))
        a = (1,) * (ndim - len(out)) + tuple(out)
        b = (1,) * (ndim - len(shape)) + tuple(shape)
        for d, (m, n) in enumerate(zip(a, b)):
            if m != n and m != 1 and n != 1:
                raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b "
                                   f"({n}) at non-singleton dimension {d}")
        out = tuple(m if n == 1 else n for m, n in zip(a, b))
    return out


def operand_shapes(*operands):
    """The shapes of array operands (Python scalars are 0-d; None operands are left out)."""
    return tuple(tuple(getattr(x, "shape", ())) for x in operands if x is not None)


def promote_elementwise(*operands):
    """`promote` for an elementwise op: the operands must broadcast together, as in torch
    (JAX's own shape error would be a ValueError at trace time)."""
    broadcast_shapes(*operand_shapes(*operands))
    return promote(*operands)


def float_dtype(d: _dtypes.dtype) -> _dtypes.dtype:
    """Integral and bool dtypes compute in the default float dtype (torch's unary float ops)."""
    if d.is_floating_point or d.is_complex:
        return d
    return _dtypes.get_default_dtype()


def to_float(x):
    d = result_dtype(x)
    return cast(x, float_dtype(d))


