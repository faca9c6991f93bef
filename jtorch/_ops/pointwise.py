"""Elementwise math with torch's promotion and error rules."""

from __future__ import annotations

import builtins
import math

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
    promote,
    promote_elementwise,
    result_dtype,
    to_float,
)


def add(a, b, alpha=None):
    """a + alpha * b. alpha is a positional Python number (traced, so a changing alpha, as an
    optimizer's learning rate, does not recompile), or None for 1."""
    (a, b), d = promote_elementwise(a, b)
    if alpha is not None:
        _check_alpha(d, alpha)
        b = b * cast(alpha, d)
    if d is _dtypes.bool_:
        return jnp.logical_or(a, b)
    return a + b


def sub(a, b, alpha=None):
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
    if alpha is not None:
        _check_alpha(d, alpha)
        b = b * cast(alpha, d)
    return a - b


def _is_bool(x):
    """A bool operand: a bool array, or a Python bool (a weakly typed bool array under jit)."""
    return isinstance(x, bool) or getattr(x, "dtype", None) == jnp.bool_


def _check_alpha(d, alpha):
    # alpha's kind from its dtype: a Python number here is a weakly typed array under jit
    kind = jnp.result_type(alpha).kind
    if kind == "b" and d is not _dtypes.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if kind in "fc" and not (d.is_floating_point or d.is_complex):
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
    (a, b), d = promote_elementwise(a, b)
    if d.is_floating_point:
        return _pow_real(a, b)
    return jnp.power(a, b)


@jax.custom_jvp
def _pow_real(x, y):
    return jnp.power(x, y)


@_pow_real.defjvp
def _pow_real_jvp(primals, tangents):
    # torch's pow_backward_self/_exponent: d/dx is 0 where the exponent is 0 (JAX: NaN at
    # x = 0), d/dy is 0 where x = 0 and y >= 0.
    (x, y), (dx, dy) = primals, tangents
    out = jnp.power(x, y)
    zero = jnp.zeros((), out.dtype)
    dout_dx = jnp.where(y == 0, zero, y * jnp.power(x, y - 1))
    dout_dy = jnp.where((x == 0) & (y >= 0), zero, out * jnp.log(x))
    return out, dout_dx * dx + dout_dy * dy


def neg(a):
    if a.dtype == jnp.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you "
                           "are trying to invert a mask, use the `~` or `logical_not()` operator "
                           "instead.")
    return -a


def abs(a):
    if a.dtype == jnp.bool_:
        raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
    if _is_real_float(a):
        return _abs_real(a)
    return jnp.abs(a)


@jax.custom_jvp
def _abs_real(x):
    return jnp.abs(x)


@_abs_real.defjvp
def _abs_real_jvp(primals, tangents):
    # torch's abs backward is grad * sgn(x): 0 at x = 0 (JAX's jnp.abs gives 1) and at NaN.
    (x,), (t,) = primals, tangents
    return jnp.abs(x), _sign_real(x) * t


def _is_real_float(a):
    return jnp.issubdtype(a.dtype, jnp.floating)


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


# ---- float-valued unary functions: integer and bool inputs compute in the default float ----

def _float_unary(jfn, name):
    def op(a):
        return jfn(to_float(a))
    op.__name__ = op.__qualname__ = name
    return op


expm1 = _float_unary(jnp.expm1, "expm1")
log1p = _float_unary(jnp.log1p, "log1p")
log2 = _float_unary(jnp.log2, "log2")
log10 = _float_unary(jnp.log10, "log10")
exp2 = _float_unary(jnp.exp2, "exp2")
rsqrt = _float_unary(lax.rsqrt, "rsqrt")
reciprocal = _float_unary(lambda x: 1 / x, "reciprocal")
tan = _float_unary(jnp.tan, "tan")
asin = _float_unary(jnp.arcsin, "asin")
acos = _float_unary(jnp.arccos, "acos")
atan = _float_unary(jnp.arctan, "atan")
sinh = _float_unary(jnp.sinh, "sinh")
cosh = _float_unary(jnp.cosh, "cosh")
asinh = _float_unary(jnp.arcsinh, "asinh")
acosh = _float_unary(jnp.arccosh, "acosh")
atanh = _float_unary(jnp.arctanh, "atanh")
erf = _float_unary(jax.scipy.special.erf, "erf")
erfc = _float_unary(jax.scipy.special.erfc, "erfc")
erfinv = _float_unary(jax.scipy.special.erfinv, "erfinv")
deg2rad = _float_unary(lambda x: x * (math.pi / 180), "deg2rad")
rad2deg = _float_unary(lambda x: x * (180 / math.pi), "rad2deg")


def logit(a, *, eps=None):
    """log(x / (1 - x)); with eps, x is clamped to [eps, 1 - eps] first (gradient 0 outside,
    as torch's)."""
    x = to_float(a)
    if eps is not None:
        lo, hi = cast(eps, _dtypes.from_jax(x.dtype)), cast(1 - eps, _dtypes.from_jax(x.dtype))
        x = jnp.where(x < lo, lo, jnp.where(x > hi, hi, x))
    return jnp.log(x / (1 - x))


# ---- dtype-preserving unary functions -----------------------------------------------------

def _sign_real(x):
    # torch: (0 < x) - (x < 0), so sign(NaN) = 0 and sign(-0.0) = 0 (jnp.sign gives NaN, -0.0)
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


def sign(a):
    if a.dtype == jnp.bool_:
        return a
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        raise RuntimeError("Unlike NumPy, torch.sign is not intended to support complex numbers. "
                           "Please use torch.sgn instead.")
    return _sign_real(a)


def sgn(a):
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        magnitude = jnp.abs(a)
        return jnp.where(magnitude == 0, jnp.zeros((), a.dtype), a / magnitude)
    return sign(a)


def square(a):
    # torch.square is pow(x, 2): a bool input gives int64
    if a.dtype == jnp.bool_:
        a = a.astype(jnp.int64)
    return a * a


def _not_for_bool(a, kernel):
    if a.dtype == jnp.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _rounding(jfn, name):
    def op(a):
        _not_for_bool(a, f"{name}_vml_cpu")
        if jnp.issubdtype(a.dtype, jnp.integer):
            return a  # integers are already rounded: torch returns them unchanged
        return jfn(a)
    op.__name__ = op.__qualname__ = name
    return op


floor = _rounding(jnp.floor, "floor")
ceil = _rounding(jnp.ceil, "ceil")
trunc = _rounding(jnp.trunc, "trunc")
_round_half_even = _rounding(jnp.round, "round")


def round(a, *, decimals=None):
    """Half to even, as torch. With decimals (floating inputs only), torch's
    nearbyint(x * 10**d) / 10**d (or nearbyint(x / 10**-d) * 10**-d for d < 0)."""
    if decimals is None:
        return _round_half_even(a)
    if not _is_real_float(a):
        d = _dtypes.from_jax(a.dtype)
        raise NotImplementedError(f"\"round_cpu\" not implemented for '{_dtypes.title_name(d)}'")
    if decimals == 0:
        return jnp.round(a)
    ten_pow = cast(10.0 ** builtins.abs(decimals), _dtypes.from_jax(a.dtype))
    if decimals > 0:
        return jnp.round(a * ten_pow) / ten_pow
    return jnp.round(a / ten_pow) * ten_pow


def frac(a):
    if not _is_real_float(a):
        d = _dtypes.from_jax(a.dtype)
        raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_dtypes.title_name(d)}'")
    return a - jnp.trunc(a)


def nan_to_num(a, nan, posinf, neginf):
    """NaN, +inf and -inf replaced (by default with 0 and the dtype's largest finite values);
    integer and bool inputs are returned unchanged. The gradient is 0 where a value was
    replaced, as torch's."""
    if not jnp.issubdtype(a.dtype, jnp.inexact):
        return a
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        return lax.complex(nan_to_num(a.real, nan, posinf, neginf),
                           nan_to_num(a.imag, nan, posinf, neginf))
    d = _dtypes.from_jax(a.dtype)
    finfo = jnp.finfo(a.dtype)
    posinf = finfo.max if posinf is None else posinf
    neginf = finfo.min if neginf is None else neginf
    out = jnp.where(jnp.isnan(a), cast(nan, d), a)
    out = jnp.where(a == jnp.inf, cast(posinf, d), out)
    return jnp.where(a == -jnp.inf, cast(neginf, d), out)


# ---- classification: bool results, never differentiable ------------------------------------

def isnan(a):
    return jnp.isnan(a) if jnp.issubdtype(a.dtype, jnp.inexact) else jnp.zeros(a.shape, bool)


def isinf(a):
    return jnp.isinf(a) if jnp.issubdtype(a.dtype, jnp.inexact) else jnp.zeros(a.shape, bool)


def isfinite(a):
    return jnp.isfinite(a) if jnp.issubdtype(a.dtype, jnp.inexact) else jnp.ones(a.shape, bool)


def _real_only(a, name):
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        raise RuntimeError(f"{name} does not support complex inputs.")


def isposinf(a):
    _real_only(a, "isposinf")
    return a == jnp.inf if _is_real_float(a) else jnp.zeros(a.shape, bool)


def isneginf(a):
    _real_only(a, "isneginf")
    return a == -jnp.inf if _is_real_float(a) else jnp.zeros(a.shape, bool)


def isreal(a):
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        return a.imag == 0
    return jnp.ones(a.shape, bool)


def _same_dtype(a, b):
    if a.dtype != b.dtype:
        da, db = (_dtypes.title_name(_dtypes.from_jax(x.dtype)) for x in (a, b))
        raise RuntimeError(f"{da} did not match {db}")


def isclose(a, b, *, rtol, atol, equal_nan):
    """|a - b| <= atol + rtol * |b|, or a == b (NaNs equal with equal_nan); torch requires
    both operands of one dtype, and computes the tolerance of integers in the default float."""
    _same_dtype(a, b)
    broadcast_shapes(a.shape, b.shape)
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    close = a == b
    inexact = jnp.issubdtype(a.dtype, jnp.inexact)
    if equal_nan and inexact:
        close = close | (jnp.isnan(a) & jnp.isnan(b))
    if rtol == 0 and atol == 0:
        return close
    if a.dtype == jnp.bool_:
        a, b = (cast(x, _dtypes.get_default_dtype()) for x in (a, b))
    tol_dtype = float_dtype(_dtypes.from_jax(b.dtype))
    allowed = cast(atol, tol_dtype) + jnp.abs(cast(rtol, tol_dtype) * cast(b, tol_dtype))
    actual = jnp.abs(a - b)
    finite = jnp.isfinite(actual) if inexact else True
    return close | (finite & (cast(actual, tol_dtype) <= allowed))


def allclose(a, b, *, rtol, atol, equal_nan):
    return jnp.all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(a, b):
    """True when the shapes match and every element is equal (after promotion)."""
    if a.shape != b.shape:
        return jnp.asarray(False)
    (a, b), _ = promote(a, b)
    return jnp.all(a == b)


# ---- binary functions ---------------------------------------------------------------------

def fmod(a, b):
    (a, b), d = promote_elementwise(a, b)
    if d is _dtypes.bool_:
        raise NotImplementedError("\"fmod_cpu\" not implemented for 'Bool'")
    return jnp.fmod(a, b)


def _promote_float(*operands):
    broadcast_shapes(*operand_shapes(*operands))
    d = float_dtype(result_dtype(*operands))
    return tuple(cast(x, d) for x in operands), d


def atan2(a, b):
    (a, b), _ = _promote_float(a, b)
    return _atan2(a, b)


@jax.custom_jvp
def _atan2(y, x):
    return jnp.arctan2(y, x)


@_atan2.defjvp
def _atan2_jvp(primals, tangents):
    # torch's atan2_backward: grad * (x, -y) / (x² + y²), with 0 (not NaN) at the origin
    (y, x), (dy, dx) = primals, tangents
    denom = y * y + x * x
    recip = jnp.where(denom == 0, jnp.zeros((), denom.dtype), 1 / denom)
    return jnp.arctan2(y, x), (dy * x - dx * y) * recip


def hypot(a, b):
    (a, b), d = promote_elementwise(a, b)
    if not d.is_floating_point:
        raise NotImplementedError(f"\"hypot_cpu\" not implemented for '{_dtypes.title_name(d)}'")
    return _hypot(a, b)


@jax.custom_jvp
def _hypot(x, y):
    return jnp.hypot(x, y)


@_hypot.defjvp
def _hypot_jvp(primals, tangents):
    # torch: grad * x / hypot (NaN at the origin; JAX's gives a finite value)
    (x, y), (dx, dy) = primals, tangents
    out = jnp.hypot(x, y)
    return out, (dx * x + dy * y) / out


def copysign(a, b):
    (a, b), _ = _promote_float(a, b)
    return _copysign(a, b)


@jax.custom_jvp
def _copysign(x, y):
    return jnp.copysign(x, y)


@_copysign.defjvp
def _copysign_jvp(primals, tangents):
    # torch: d/dx = copysign(x, y) / x, 0 at x = 0; no gradient to y
    (x, y), (dx, _) = primals, tangents
    out = jnp.copysign(x, y)
    ratio = jnp.where(x == 0, jnp.zeros((), out.dtype), out / jnp.where(x == 0, 1, x))
    return out, ratio * dx


def xlogy(a, b):
    (a, b), _ = _promote_float(a, b)
    return _xlogy(a, b)


def _xlogy_value(x, y):
    zero = jnp.zeros((), x.dtype)
    return jnp.where(jnp.isnan(y), y, jnp.where(x == 0, zero, x * jnp.log(y)))


@jax.custom_jvp
def _xlogy(x, y):
    return _xlogy_value(x, y)


@_xlogy.defjvp
def _xlogy_jvp(primals, tangents):
    # torch: d/dx = log(y), but 0 where x = 0 and y <= 0; d/dy = x / y
    (x, y), (dx, dy) = primals, tangents
    dout_dx = jnp.where((x == 0) & (y <= 0), jnp.zeros((), x.dtype), jnp.log(y))
    return _xlogy_value(x, y), dout_dx * dx + x / y * dy


def heaviside(a, values):
    if a.dtype != values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if jnp.issubdtype(a.dtype, jnp.complexfloating):
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    broadcast_shapes(a.shape, values.shape)
    return jnp.where(a == 0, values, (a > 0).astype(a.dtype))


def float_power(a, b):
    """pow computed in float64 (complex128 when an operand is complex)."""
    broadcast_shapes(*operand_shapes(a, b))
    complex_ = any(isinstance(x, complex) or jnp.issubdtype(jnp.result_type(x), jnp.complexfloating)
                   for x in (a, b))
    d = _dtypes.complex128 if complex_ else _dtypes.float64
    a, b = cast(a, d), cast(b, d)
    return _pow_real(a, b) if d is _dtypes.float64 else jnp.power(a, b)


def fmax(a, b):
    # NaN-ignoring maximum; ties (and a NaN in b) pass the gradient to a, as torch's
    (a, b), _ = promote_elementwise(a, b)
    return jnp.where((a >= b) | _nan_mask(b), a, b)


def fmin(a, b):
    (a, b), _ = promote_elementwise(a, b)
    return jnp.where((a <= b) | _nan_mask(b), a, b)


def _nan_mask(x):
    return jnp.isnan(x) if jnp.issubdtype(x.dtype, jnp.inexact) else False


def _logical(jfn, name):
    def op(a, b):
        broadcast_shapes(a.shape, b.shape)
        return jfn(a, b)
    op.__name__ = op.__qualname__ = name
    return op


logical_and = _logical(jnp.logical_and, "logical_and")
logical_or = _logical(jnp.logical_or, "logical_or")
logical_xor = _logical(jnp.logical_xor, "logical_xor")

_CTYPE_NAMES = {"float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
                "float64": "double", "complex64": "c10::complex<float>",
                "complex128": "c10::complex<double>", "uint8": "unsigned char",
                "int8": "signed char", "int16": "short int", "int32": "int", "int64": "long int",
                "bool": "bool"}


def _lerp_check(a, x, what):
    if x.dtype != a.dtype:
        want, got = (_CTYPE_NAMES[_dtypes.from_jax(y.dtype).name] for y in (a, x))
        raise RuntimeError(f"expected dtype {want} for `{what}` but got dtype {got}")


def lerp(a, end, weight):
    """a + weight * (end - a), computed as torch does (from the nearer end for |weight| >= 0.5).
    end (and a weight tensor with dims) must have a's dtype; a 0-d weight of any dtype is used
    as a number."""
    _lerp_check(a, end, "end")
    scalar_weight = is_python_scalar(weight)
    if not scalar_weight and weight.ndim > 0:
        _lerp_check(a, weight, "weight")
    d = _dtypes.from_jax(a.dtype)
    if not (d.is_floating_point or d.is_complex):
        kernel = "lerp_kernel_scalar" if scalar_weight else "lerp_kernel_tensor"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_dtypes.title_name(d)}'")
    broadcast_shapes(*operand_shapes(a, end, weight))
    w = cast(weight, d)
    diff = end - a
    return jnp.where(jnp.abs(w) < 0.5, a + w * diff, end - diff * (1 - w))


def addcmul(a, t1, t2, value):
    (a, t1, t2), d = promote_elementwise(a, t1, t2)
    if d is _dtypes.bool_:
        raise NotImplementedError("\"addcmul_cpu_out\" not implemented for 'Bool'")
    return a + cast(value, d) * t1 * t2


def addcdiv(a, t1, t2, value):
    if not (jnp.issubdtype(t1.dtype, jnp.inexact) or jnp.issubdtype(t2.dtype, jnp.inexact)):
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for floating inputs and as (input + value * tensor1 // tensor2)"
            ".to(input.dtype) for integer inputs.")
    (a, t1, t2), d = promote_elementwise(a, t1, t2)
    return a + cast(value, d) * t1 / t2


# ---- special functions and further binary functions ----------------------------------------

sinc = _float_unary(jnp.sinc, "sinc")
lgamma = _float_unary(jax.scipy.special.gammaln, "lgamma")
i0 = _float_unary(jax.scipy.special.i0, "i0")


def digamma(a):
    # torch: digamma(±0) = ∓inf (the pole's sign follows the zero's); JAX gives NaN
    x = to_float(a)
    pole = jnp.where(jnp.signbit(x), jnp.inf, -jnp.inf).astype(x.dtype)
    return jnp.where(x == 0, pole, jax.scipy.special.digamma(x))


def signbit(a):
    _real_only(a, "signbit")
    if _is_real_float(a):
        return jnp.signbit(a)
    if a.dtype == jnp.bool_ or jnp.issubdtype(a.dtype, jnp.unsignedinteger):
        return jnp.zeros(a.shape, bool)
    return a < 0


def _float_only_binary(jfn, name):
    def op(a, b):
        (a, b), d = promote_elementwise(a, b)
        if not d.is_floating_point:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{_dtypes.title_name(d)}'")
        return jfn(a, b)
    op.__name__ = op.__qualname__ = name
    return op


logaddexp = _float_only_binary(jnp.logaddexp, "logaddexp")
logaddexp2 = _float_only_binary(jnp.logaddexp2, "logaddexp2")


def ldexp(a, b):
    """a * 2**b in the floating dtype of the operands."""
    (a, b), _ = _promote_float(a, b)
    return a * jnp.exp2(b)


def _integer_binary(jfn, name, kernel):
    def op(a, b):
        (a, b), d = promote_elementwise(a, b)
        if d.is_floating_point or d.is_complex or d is _dtypes.bool_:
            raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                      f"'{_dtypes.title_name(d)}'")
        return jfn(a, b)
    op.__name__ = op.__qualname__ = name
    return op


def _shift_left(a, b):
    # torch: 0 for a shift amount < 0 or >= the bit width
    bits = jnp.iinfo(a.dtype).bits
    out_of_range = (b < 0) | (b >= bits)
    out = jnp.left_shift(a, jnp.where(out_of_range, 0, b).astype(a.dtype))
    return jnp.where(out_of_range, jnp.zeros((), a.dtype), out)


def _shift_right(a, b):
    # torch: an out-of-range shift amount shifts by the width - 1 (the sign fill; 0 unsigned)
    bits = jnp.iinfo(a.dtype).bits
    out_of_range = (b < 0) | (b >= bits)
    out = jnp.right_shift(a, jnp.where(out_of_range, bits - 1, b).astype(a.dtype))
    if jnp.issubdtype(a.dtype, jnp.signedinteger):
        return out
    return jnp.where(out_of_range, jnp.zeros((), a.dtype), out)


gcd = _integer_binary(jnp.gcd, "gcd", "gcd_cpu")
lcm = _integer_binary(jnp.lcm, "lcm", "lcm_cpu")
bitwise_left_shift = _integer_binary(_shift_left, "bitwise_left_shift", "lshift_cpu")
bitwise_right_shift = _integer_binary(_shift_right, "bitwise_right_shift", "rshift_cpu")
