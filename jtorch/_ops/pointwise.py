"""Elementwise math with torch's promotion and error rules."""

from __future__ import annotations

import jax
import jax.numpy as jnp
from jax import lax

from jtorch import _dtypes
from jtorch._ops.promote import (
    broadcast_shapes,
    cast,
    float_dtype,
    is_python_scalar,
    operand_shapes,
    promote_elementwise,
    result_dtype,
    to_float,
)


def add(a, b, *, alpha=1):
    (a, b), d = promote_elementwise(a, b)
    if alpha != 1:
        _check_alpha(d, alpha)
        b = b * cast(alpha, d)
    if d is _dtypes.bool_:
        return jnp.logical_or(a, b)
    return a + b


def sub(a, b, *, alpha=1):
    # torch refuses a bool operand even when the other one promotes the result to a number.
    a_bool, b_bool = (_is_bool(x) for x in (a, b))
    if a_bool and b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if a_bool or b_bool:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    (a, b), d = promote_elementwise(a, b)
    if alpha != 1:
        _check_alpha(d, alpha)
        b = b * cast(alpha, d)
    return a - b


def _is_bool(x):
    """A bool operand: a bool array, or a Python bool (a weakly typed bool array under jit)."""
    return isinstance(x, bool) or getattr(x, "dtype", None) == jnp.bool_


def _check_alpha(d, alpha):
    if isinstance(alpha, float) and not (d.is_floating_point or d.is_complex):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")


def mul(a, b):
    (a, b), d = promote_elementwise(a, b)
    if d is _dtypes.bool_:
        return jnp.logical_and(a, b)
    return a * b


def div(a, b, *, rounding_mode=None):
    broadcast_shapes(*operand_shapes(a, b))
    d = result_dtype(a, b)
    if rounding_mode is None:
        d = float_dtype(d)
        return cast(a, d) / cast(b, d)
    a, b = cast(a, d), cast(b, d)
    if rounding_mode == "trunc":
        if d.is_floating_point:
            return jnp.trunc(a / b)
        return lax.div(a, b)
    if rounding_mode == "floor":
        return jnp.floor_divide(a, b)
    raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but "
                       f"found '{rounding_mode}'")


def remainder(a, b):
    (a, b), _ = promote_elementwise(a, b)
    return jnp.remainder(a, b)


def pow(a, b):
    (a, b), _ = promote_elementwise(a, b)
    return jnp.power(a, b)


def neg(a):
    if a.dtype == jnp.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return -a


def abs(a):
    if a.dtype == jnp.bool_:
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    return jnp.abs(a)


def exp(a):
    return jnp.exp(to_float(a))


def log(a):
    return jnp.log(to_float(a))


def sqrt(a):
    return jnp.sqrt(to_float(a))


def sin(a):
    return jnp.sin(to_float(a))


def cos(a):
    return jnp.cos(to_float(a))


def tanh(a):
    return jnp.tanh(to_float(a))


def sigmoid(a):
    return jax.nn.sigmoid(to_float(a))


def relu(a):
    if a.dtype == jnp.bool_:
        raise NotImplementedError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
    # where, not maximum: torch's gradient at 0 is 0 (maximum's splits ties), and NaN stays NaN.
    return jnp.where(a <= 0, jnp.zeros((), a.dtype), a)


def maximum(a, b):
    (a, b), _ = promote_elementwise(a, b)
    return jnp.maximum(a, b)


def minimum(a, b):
    (a, b), _ = promote_elementwise(a, b)
    return jnp.minimum(a, b)


def clamp(a, lo, hi):
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    scalar_bounds = all(x is None or is_python_scalar(x) for x in (lo, hi))
    (a, lo, hi), d = promote_elementwise(a, lo, hi)
    if d is _dtypes.bool_:
        kernel = "clamp_scalar_cpu" if scalar_bounds else "clamp_cpu"
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')
    # torch applies min then max, so min > max gives max everywhere. Selecting with where
    # (not maximum/minimum, which split ties) gives torch's gradients: a value equal to a
    # bound passes its gradient to the input, not the bound.
    if lo is not None:
        a = jnp.where(a < lo, lo, a)
    if hi is not None:
        a = jnp.where(a > hi, hi, a)
    return a


def where(condition, a, b):
    if condition.dtype != jnp.bool_:
        d = _dtypes.from_jax(condition.dtype)
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtypes.title_name(d)}")
    broadcast_shapes(*operand_shapes(condition, a, b))
    (a, b), _ = promote_elementwise(a, b)
    return jnp.where(condition, a, b)


def _comparison(jfn):
    def compare(a, b):
        (a, b), _ = promote_elementwise(a, b)
        return jfn(a, b)
    compare.__name__ = jfn.__name__
    return compare


eq = _comparison(jnp.equal)
ne = _comparison(jnp.not_equal)
lt = _comparison(jnp.less)
le = _comparison(jnp.less_equal)
gt = _comparison(jnp.greater)
ge = _comparison(jnp.greater_equal)


def logical_not(a):
    return jnp.logical_not(a)


def _bitwise(jfn, name):
    def bitwise(a, b):
        (a, b), d = promote_elementwise(a, b)
        if d.is_floating_point or d.is_complex:
            raise NotImplementedError(f'"{name}_cpu" not implemented for '
                                      f"'{_dtypes.title_name(d)}'")
        return jfn(a, b)
    return bitwise


bitwise_and = _bitwise(jnp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(jnp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(jnp.bitwise_xor, "bitwise_xor")


def bitwise_not(a):
    if a.dtype.kind in "fc" or a.dtype == jnp.bfloat16:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for "
                                  f"'{_dtypes.title_name(_dtypes.from_jax(a.dtype))}'")
    return jnp.invert(a)


def to_dtype(a, *, dtype):
    return cast(a, dtype)


def clone(a):
    return jnp.array(a, copy=True)


def fill(a, value):
    return jnp.full(a.shape, cast(value, _dtypes.from_jax(a.dtype)), a.dtype)
