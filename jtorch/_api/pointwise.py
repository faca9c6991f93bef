"""Pointwise math beyond the core arithmetic: rounding, trig, special functions, float
classification, logical ops, fused multiply-adds and interpolation. torch's signatures, each
op one registration (function, method, in-place) through the dispatch funnel."""

from __future__ import annotations

from jtorch._api._register import register
from jtorch._api.math import _out, div, number_arg
from jtorch._dispatch import OUTPUT, Op, commit_inplace, dispatch
from jtorch._dtypes import title_name
from jtorch._ops import pointwise
from jtorch._tensor import Tensor


def _tensor_arg(op_name, arg_name, position, value):
    """torch's TypeError for a non-tensor where its signature takes a Tensor."""
    if not isinstance(value, Tensor):
        raise TypeError(f"{op_name}(): argument '{arg_name}' (position {position}) must be "
                        f"Tensor, not {type(value).__name__}")


def _unary(name, fn, backward, saves=(), aliases=(), inplace=True):
    op = Op(fn, backward, saves=saves) if backward else Op(fn, "", differentiable=False)

    def public(input, *, out=None):
        _tensor_arg(name, "input", 1, input)
        return _out(dispatch(op, (input,)), out)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"torch.{name}."
    return register(public, inplace=inplace, aliases=aliases)


# ---- float-valued functions (integer and bool inputs give the default float dtype) --------

expm1 = _unary("expm1", pointwise.expm1, "Expm1Backward0", saves=(OUTPUT,))
log1p = _unary("log1p", pointwise.log1p, "Log1PBackward0", saves=(0,))
log2 = _unary("log2", pointwise.log2, "Log2Backward0", saves=(0,))
log10 = _unary("log10", pointwise.log10, "Log10Backward0", saves=(0,))
exp2 = _unary("exp2", pointwise.exp2, "Exp2Backward0", saves=(OUTPUT,))
rsqrt = _unary("rsqrt", pointwise.rsqrt, "RsqrtBackward0", saves=(OUTPUT,))
reciprocal = _unary("reciprocal", pointwise.reciprocal, "ReciprocalBackward0", saves=(OUTPUT,))


def _rtruediv(self, other):
    """`2 / x`: torch evaluates it as `x.reciprocal() * 2` (a MulBackward0 node)."""
    return reciprocal(self) * other


Tensor.__rtruediv__ = _rtruediv
tan = _unary("tan", pointwise.tan, "TanBackward0", saves=(OUTPUT,))
asin = _unary("asin", pointwise.asin, "AsinBackward0", saves=(0,), aliases=("arcsin",))
acos = _unary("acos", pointwise.acos, "AcosBackward0", saves=(0,), aliases=("arccos",))
atan = _unary("atan", pointwise.atan, "AtanBackward0", saves=(0,), aliases=("arctan",))
sinh = _unary("sinh", pointwise.sinh, "SinhBackward0", saves=(0,))
cosh = _unary("cosh", pointwise.cosh, "CoshBackward0", saves=(0,))
asinh = _unary("asinh", pointwise.asinh, "AsinhBackward0", saves=(0,), aliases=("arcsinh",))
acosh = _unary("acosh", pointwise.acosh, "AcoshBackward0", saves=(0,), aliases=("arccosh",))
atanh = _unary("atanh", pointwise.atanh, "AtanhBackward0", saves=(0,), aliases=("arctanh",))
erf = _unary("erf", pointwise.erf, "ErfBackward0", saves=(0,))
erfc = _unary("erfc", pointwise.erfc, "ErfcBackward0", saves=(0,))
erfinv = _unary("erfinv", pointwise.erfinv, "ErfinvBackward0", saves=(0,))
deg2rad = _unary("deg2rad", pointwise.deg2rad, "Deg2RadBackward0")
rad2deg = _unary("rad2deg", pointwise.rad2deg, "Rad2DegBackward0")

LOGIT = Op(pointwise.logit, "LogitBackward0", saves=(0,))


@register(inplace=True)
def logit(input, eps=None, *, out=None):
    """torch.logit: log(x / (1 - x)), x clamped to [eps, 1 - eps] when eps is given."""
    _tensor_arg("logit", "input", 1, input)
    return _out(dispatch(LOGIT, (input,), eps=None if eps is None else float(eps)), out)


# ---- dtype-preserving functions -------------------------------------------------------------

sign = _unary("sign", pointwise.sign, "SignBackward0")
sgn = _unary("sgn", pointwise.sgn, "SgnBackward0", saves=(0, OUTPUT))
square = _unary("square", pointwise.square, "PowBackward0", saves=(0,))
floor = _unary("floor", pointwise.floor, "FloorBackward0")
ceil = _unary("ceil", pointwise.ceil, "CeilBackward0")
trunc = _unary("trunc", pointwise.trunc, "TruncBackward0", aliases=("fix",))
frac = _unary("frac", pointwise.frac, "FracBackward0")

ROUND = Op(pointwise.round, "RoundBackward0")
ROUND_DECIMALS = Op(pointwise.round, "RoundBackward1")


@register(inplace=True)
def round(input, *, decimals=None, out=None):
    """torch.round: half to even; `decimals` rounds to that many decimal places (floating
    point inputs only: an integer input with decimals is torch's NotImplementedError)."""
    _tensor_arg("round", "input", 1, input)
    op = ROUND if decimals is None else ROUND_DECIMALS
    return _out(dispatch(op, (input,), decimals=None if decimals is None else int(decimals)),
                out)


NAN_TO_NUM = Op(pointwise.nan_to_num, "NanToNumBackward0", saves=(0,), inputs=(0,))


@register(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """torch.nan_to_num: NaN, +inf, -inf replaced by nan, posinf, neginf (default: 0 and the
    dtype's largest finite values); integer and bool tensors are returned as they are."""
    _tensor_arg("nan_to_num", "input", 1, input)
    return _out(dispatch(NAN_TO_NUM, (input, nan, posinf, neginf)), out)


@register
def positive(input):
    """torch.positive: `input` itself (torch returns the same tensor); bool is an error."""
    _tensor_arg("positive", "input", 1, input)
    if input.dtype.name == "bool":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


Tensor.__pos__ = positive

# ---- classification and comparison: bool results ------------------------------------------

isnan = _unary("isnan", pointwise.isnan, "", inplace=False)
isinf = _unary("isinf", pointwise.isinf, "", inplace=False)
isfinite = _unary("isfinite", pointwise.isfinite, "", inplace=False)
isposinf = _unary("isposinf", pointwise.isposinf, "", inplace=False)
isneginf = _unary("isneginf", pointwise.isneginf, "", inplace=False)
isreal = _unary("isreal", pointwise.isreal, "", inplace=False)

ISCLOSE = Op(pointwise.isclose, "", differentiable=False)
ALLCLOSE = Op(pointwise.allclose, "", differentiable=False)
EQUAL = Op(pointwise.equal, "", differentiable=False)


@register
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.isclose: |input - other| <= atol + rtol * |other| elementwise (same dtypes)."""
    _tensor_arg("isclose", "input", 1, input)
    _tensor_arg("isclose", "other", 2, other)
    return dispatch(ISCLOSE, (input, other), rtol=float(rtol), atol=float(atol),
                    equal_nan=bool(equal_nan))


@register
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """torch.allclose: whether isclose holds everywhere, as a Python bool."""
    _tensor_arg("allclose", "input", 1, input)
    _tensor_arg("allclose", "other", 2, other)
    return bool(dispatch(ALLCLOSE, (input, other), rtol=float(rtol), atol=float(atol),
                         equal_nan=bool(equal_nan)).item())


@register
def equal(input, other):
    """torch.equal: True when the shapes match and all elements are equal (a Python bool;
    different shapes give False, not an error)."""
    _tensor_arg("equal", "input", 1, input)
    _tensor_arg("equal", "other", 2, other)
    return bool(dispatch(EQUAL, (input, other)).item())


@register
def is_nonzero(input):
    """torch.is_nonzero: the truth of a one-element tensor."""
    _tensor_arg("is_nonzero", "input", 1, input)
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input.item())


@register(method=False)
def is_floating_point(input):
    """torch.is_floating_point (Tensor.is_floating_point is defined on the class)."""
    _tensor_arg("is_floating_point", "input", 1, input)
    return input.is_floating_point()


@register(method=False)
def is_complex(input):
    """torch.is_complex."""
    _tensor_arg("is_complex", "input", 1, input)
    return input.is_complex()


# ---- binary functions ---------------------------------------------------------------------

def _binary(name, fn, backward, saves=(), scalar_backward=None, scalar_saves=(),
            tensor_other=False, aliases=(), inplace=True):
    """A function (input, other) of two tensors, or of a tensor and a Python number when
    `scalar_backward` names the node torch records for that overload."""
    if backward:
        op = Op(fn, backward, saves=saves)
        scalar_op = Op(fn, scalar_backward, saves=scalar_saves, inputs=(0,)) \
            if scalar_backward else op
    else:
        op = scalar_op = Op(fn, "", differentiable=False)

    def public(input, other, *, out=None):
        _tensor_arg(name, "input", 1, input)
        if tensor_other:
            _tensor_arg(name, "other", 2, other)
        return _out(dispatch(op if isinstance(other, Tensor) else scalar_op, (input, other)), out)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"torch.{name}."
    return register(public, inplace=inplace, aliases=aliases)


fmod = _binary("fmod", pointwise.fmod, "FmodBackward1", saves=(0, 1),
               scalar_backward="FmodBackward0")
atan2 = _binary("atan2", pointwise.atan2, "Atan2Backward0", saves=(0, 1), tensor_other=True,
                aliases=("arctan2",))
hypot = _binary("hypot", pointwise.hypot, "HypotBackward0", saves=(0, 1, OUTPUT),
                tensor_other=True)
copysign = _binary("copysign", pointwise.copysign, "CopysignBackward0", saves=(0, OUTPUT),
                   scalar_backward="CopysignBackward1", scalar_saves=(0, OUTPUT))
fmax = _binary("fmax", pointwise.fmax, "FmaxBackward0", saves=(0, 1), tensor_other=True,
               inplace=False)
fmin = _binary("fmin", pointwise.fmin, "FminBackward0", saves=(0, 1), tensor_other=True,
               inplace=False)
logical_and = _binary("logical_and", pointwise.logical_and, "", tensor_other=True)
logical_or = _binary("logical_or", pointwise.logical_or, "", tensor_other=True)
logical_xor = _binary("logical_xor", pointwise.logical_xor, "", tensor_other=True)

HEAVISIDE = Op(pointwise.heaviside, "", differentiable=False)


@register(inplace=True)
def heaviside(input, values, *, out=None):
    """torch.heaviside: 0 below zero, 1 above, `values` at zero (same dtypes; torch does not
    differentiate it)."""
    _tensor_arg("heaviside", "input", 1, input)
    _tensor_arg("heaviside", "values", 2, values)
    return _out(dispatch(HEAVISIDE, (input, values)), out)


XLOGY = Op(pointwise.xlogy, "XlogyBackward0", saves=(0, 1))
XLOGY_SCALAR_SELF = Op(pointwise.xlogy, "XlogyBackward1", saves=(1,), inputs=(1,))
XLOGY_SCALAR_OTHER = Op(pointwise.xlogy, "XlogyBackward2", saves=(0,), inputs=(0,))


@register(inplace=True)
def xlogy(input, other, *, out=None):
    """torch.xlogy: input * log(other), 0 where input is 0 (NaN where other is NaN); either
    operand may be a Python number, not both."""
    if isinstance(input, Tensor):
        op = XLOGY if isinstance(other, Tensor) else XLOGY_SCALAR_OTHER
    else:
        _tensor_arg("xlogy", "other", 2, other)
        op = XLOGY_SCALAR_SELF
    return _out(dispatch(op, (input, other)), out)


FLOAT_POWER = Op(pointwise.float_power, "PowBackward1")
FLOAT_POWER_SCALAR = Op(pointwise.float_power, "PowBackward0", inputs=(0,))
FLOAT_POWER_BASE = Op(pointwise.float_power, "PowBackward2", inputs=(1,))


@register
def float_power(input, exponent, *, out=None):
    """torch.float_power: pow computed (and returned) in float64, or complex128."""
    if isinstance(input, Tensor):
        op = FLOAT_POWER if isinstance(exponent, Tensor) else FLOAT_POWER_SCALAR
    else:
        _tensor_arg("float_power", "exponent", 2, exponent)
        op = FLOAT_POWER_BASE
    return _out(dispatch(op, (input, exponent)), out)


def _float_power_(self, exponent):
    """Tensor.float_power_: only a tensor already of the result dtype can hold the result."""
    result = float_power(self, exponent)
    if result.dtype != self.dtype:
        raise RuntimeError(f"the base given to float_power_ has dtype {title_name(self.dtype)} "
                           f"but the operation's result requires dtype "
                           f"{title_name(result.dtype)}")
    return commit_inplace(self, result)


Tensor.float_power_ = _float_power_


@register(inplace=True)
def true_divide(input, other, *, out=None):
    """torch.true_divide: div without rounding_mode."""
    return div(input, other, out=out)


# ---- interpolation and fused multiply-adds ------------------------------------------------

LERP_SCALAR = Op(pointwise.lerp, "LerpBackward0", inputs=(0, 1))
LERP_TENSOR = Op(pointwise.lerp, "LerpBackward1", saves=(0, 1, 2))


@register(inplace=True)
def lerp(input, end, weight, *, out=None):
    """torch.lerp: input + weight * (end - input); end a tensor of input's dtype, weight a
    number or a tensor."""
    _tensor_arg("lerp", "input", 1, input)
    _tensor_arg("lerp", "end", 2, end)
    op = LERP_TENSOR if isinstance(weight, Tensor) else LERP_SCALAR
    return _out(dispatch(op, (input, end, weight)), out)


ADDCMUL = Op(pointwise.addcmul, "AddcmulBackward0", saves=(1, 2), inputs=(0, 1, 2))
ADDCDIV = Op(pointwise.addcdiv, "AddcdivBackward0", saves=(1, 2), inputs=(0, 1, 2))


def _fused(name, op, doc):
    def public(input, tensor1, tensor2, *, value=1, out=None):
        _tensor_arg(name, "input", 1, input)
        _tensor_arg(name, "tensor1", 2, tensor1)
        _tensor_arg(name, "tensor2", 3, tensor2)
        value = number_arg(name, "value", value)
        # value goes in positionally (traced), so a changing step size does not recompile
        return _out(dispatch(op, (input, tensor1, tensor2, value)), out)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = doc
    return register(public, inplace=True)


addcmul = _fused("addcmul", ADDCMUL, "torch.addcmul: input + value * tensor1 * tensor2.")
addcdiv = _fused("addcdiv", ADDCDIV, "torch.addcdiv: input + value * tensor1 / tensor2 (two "
                 "integer tensors are torch's RuntimeError).")


# ---- special functions, log-sum-exp, integer functions and shifts --------------------------

sinc = _unary("sinc", pointwise.sinc, "SincBackward0", saves=(0,))
lgamma = _unary("lgamma", pointwise.lgamma, "LgammaBackward0", saves=(0,))
digamma = _unary("digamma", pointwise.digamma, "DigammaBackward0", saves=(0,))
i0 = _unary("i0", pointwise.i0, "I0Backward0", saves=(0,))
signbit = _unary("signbit", pointwise.signbit, "", inplace=False)

logaddexp = _binary("logaddexp", pointwise.logaddexp, "LogaddexpBackward0", saves=(0, 1),
                    tensor_other=True, inplace=False)
logaddexp2 = _binary("logaddexp2", pointwise.logaddexp2, "Logaddexp2Backward0", saves=(0, 1),
                     tensor_other=True, inplace=False)
ldexp = _binary("ldexp", pointwise.ldexp, "LdexpBackward0", saves=(0, 1), tensor_other=True)
gcd = _binary("gcd", pointwise.gcd, "", tensor_other=True)
lcm = _binary("lcm", pointwise.lcm, "", tensor_other=True)


def _shift(name, fn, dunder, rdunder, idunder):
    op = Op(fn, "", differentiable=False)

    def public(input, other, *, out=None):
        if not (isinstance(input, Tensor) or isinstance(other, Tensor)):
            _tensor_arg(name, "other", 2, other)
        return _out(dispatch(op, (input, other)), out)

    public.__name__ = public.__qualname__ = name
    public.__doc__ = f"torch.{name} (`{dunder}`): out-of-range shift amounts as torch's CPU."
    return register(public, inplace=True, dunders=(dunder,), rdunders=(rdunder,),
                    idunders=(idunder,))


bitwise_left_shift = _shift("bitwise_left_shift", pointwise.bitwise_left_shift, "__lshift__",
                            "__rlshift__", "__ilshift__")
bitwise_right_shift = _shift("bitwise_right_shift", pointwise.bitwise_right_shift,
                             "__rshift__", "__rrshift__", "__irshift__")
