"""Pointwise math, comparisons, reductions, matrix products and softmax: torch's signatures."""

from __future__ import annotations

from jtorch import _dtypes
from jtorch._api import return_types
from jtorch._api._register import register
from jtorch._dispatch import OUTPUT, Op, dispatch
from jtorch._ops import activation, linalg, pointwise, reduction
from jtorch._tensor import Tensor

ADD = Op(pointwise.add, "AddBackward0", inputs=(0, 1))
SUB = Op(pointwise.sub, "SubBackward0", inputs=(0, 1))
RSUB = Op(pointwise.sub, "RsubBackward1", inputs=(1,))
MUL = Op(pointwise.mul, "MulBackward0", saves=(0, 1))
DIV = Op(pointwise.div, "DivBackward0", saves=(0, 1))
POW_SCALAR = Op(pointwise.pow, "PowBackward0", saves=(0,), inputs=(0,))
POW_TENSOR = Op(pointwise.pow, "PowBackward1", saves=(0, 1, OUTPUT))
POW_BASE = Op(pointwise.pow, "PowBackward2", saves=(1, OUTPUT), inputs=(1,))
REMAINDER = Op(pointwise.remainder, "RemainderBackward0")


def _is_tensor(x):
    return isinstance(x, Tensor)


def _is_integral(x):
    """An integer or bool tensor or Python number (torch's isIntegralType(includeBool=True))."""
    if _is_tensor(x):
        return not (x.dtype.is_floating_point or x.dtype.is_complex)
    return isinstance(x, int)


def number_arg(op_name, arg_name, value):
    """torch's `Scalar` argument (alpha=, value=): a Python number, or a 0-d tensor that does
    not require grad, read as its number; anything else is torch's TypeError."""
    if isinstance(value, Tensor):
        if value.ndim != 0 or value.requires_grad:
            raise TypeError(f"{op_name}(): argument '{arg_name}' must be Number, not Tensor")
        return value.item()
    return value


@register(inplace=True, dunders=("__add__",), rdunders=("__radd__",), idunders=("__iadd__",))
def add(input, other, *, alpha=1, out=None):
    """torch.add: input + alpha * other."""
    return _out(dispatch(ADD, _with_alpha(input, other, number_arg("add", "alpha", alpha))),
                out)


@register(inplace=True, dunders=("__sub__",), idunders=("__isub__",), aliases=("subtract",))
def sub(input, other, *, alpha=1, out=None):
    """torch.sub: input - alpha * other."""
    op = SUB if _is_tensor(input) else RSUB
    return _out(dispatch(op, _with_alpha(input, other, number_arg("sub", "alpha", alpha))), out)


def _with_alpha(input, other, alpha):
    """add/sub's operands: alpha goes in positionally (see _ops.pointwise.add), left out when
    it is the default 1."""
    if type(alpha) is int and alpha == 1:
        return (input, other)
    return (input, other, alpha)


Tensor.__rsub__ = lambda self, other: dispatch(RSUB, (other, self))


@register(inplace=True, dunders=("__mul__",), rdunders=("__rmul__",), idunders=("__imul__",),
          aliases=("multiply",))
def mul(input, other, *, out=None):
    """torch.mul."""
    return _out(dispatch(MUL, (input, other)), out)


@register(inplace=True, dunders=("__truediv__",), idunders=("__itruediv__",),
          aliases=("divide",))
def div(input, other, *, rounding_mode=None, out=None):
    """torch.div: true division (integers give the default float dtype) or rounding_mode."""
    return _out(dispatch(DIV, (input, other), rounding_mode=rounding_mode), out)


@register(inplace=True, dunders=("__floordiv__",), rdunders=("__rfloordiv__",),
          idunders=("__ifloordiv__",))
def floor_divide(input, other, *, out=None):
    return _out(dispatch(DIV, (input, other), rounding_mode="floor"), out)


@register(inplace=True, dunders=("__mod__",), rdunders=("__rmod__",), idunders=("__imod__",))
def remainder(input, other, *, out=None):
    return _out(dispatch(REMAINDER, (input, other)), out)


@register(inplace=True, dunders=("__pow__",), rdunders=("__rpow__",), idunders=("__ipow__",))
def pow(input, exponent, *, out=None):
    """torch.pow (tensor ** scalar, tensor ** tensor, scalar ** tensor)."""
    if not _is_tensor(input):
        op = POW_BASE
    else:
        op = POW_TENSOR if _is_tensor(exponent) else POW_SCALAR
        if op is POW_SCALAR and _is_integral(input) and _is_integral(exponent) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    return _out(dispatch(op, (input, exponent)), out)


def _unary(fn, name, saves=(), inplace=True, dunder=None, aliases=()):
    op = Op(fn, name, saves=saves)

    def public(input, *, out=None):
        return _out(dispatch(op, (input,)), out)

    public.__name__ = public.__qualname__ = fn.__name__
    public.__doc__ = f"torch.{fn.__name__}."
    return register(public, inplace=inplace, dunders=(dunder,) if dunder else (), aliases=aliases)


neg = _unary(pointwise.neg, "NegBackward0", dunder="__neg__", aliases=("negative",))
abs = _unary(pointwise.abs, "AbsBackward0", saves=(0,), dunder="__abs__", aliases=("absolute",))
exp = _unary(pointwise.exp, "ExpBackward0", saves=(OUTPUT,))
log = _unary(pointwise.log, "LogBackward0", saves=(0,))
sqrt = _unary(pointwise.sqrt, "SqrtBackward0", saves=(OUTPUT,))
sin = _unary(pointwise.sin, "SinBackward0", saves=(0,))
cos = _unary(pointwise.cos, "CosBackward0", saves=(0,))
tanh = _unary(pointwise.tanh, "TanhBackward0", saves=(OUTPUT,))
sigmoid = _unary(pointwise.sigmoid, "SigmoidBackward0", saves=(OUTPUT,))
relu = _unary(pointwise.relu, "ReluBackward0", saves=(OUTPUT,))
logical_not = _unary(pointwise.logical_not, "LogicalNotBackward0", inplace=True)
bitwise_not = _unary(pointwise.bitwise_not, "BitwiseNotBackward0")


def _invert(self):
    """`~x`: torch's TypeError for floating point tensors (torch.bitwise_not raises
    NotImplementedError instead)."""
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return bitwise_not(self)


Tensor.__invert__ = _invert


def _comparison(fn, names, dunder):
    op = Op(fn, "", differentiable=False)

    def public(input, other, *, out=None):
        return _out(dispatch(op, (input, other)), out)

    public.__name__ = public.__qualname__ = names[0]
    public.__doc__ = f"torch.{names[0]}: elementwise comparison giving a bool tensor."
    return register(public, inplace=True, dunders=(dunder,), aliases=names[1:])


eq = _comparison(pointwise.eq, ("eq",), "__eq__")
ne = _comparison(pointwise.ne, ("ne", "not_equal"), "__ne__")
lt = _comparison(pointwise.lt, ("lt", "less"), "__lt__")
le = _comparison(pointwise.le, ("le", "less_equal"), "__le__")
gt = _comparison(pointwise.gt, ("gt", "greater"), "__gt__")
ge = _comparison(pointwise.ge, ("ge", "greater_equal"), "__ge__")


def _bitwise(fn, name, dunder, rdunder, idunder):
    op = Op(fn, "", differentiable=False)

    def public(input, other, *, out=None):
        return _out(dispatch(op, (input, other)), out)

    public.__name__ = public.__qualname__ = name
    return register(public, inplace=True, dunders=(dunder,), rdunders=(rdunder,),
                    idunders=(idunder,))


bitwise_and = _bitwise(pointwise.bitwise_and, "bitwise_and", "__and__", "__rand__", "__iand__")
bitwise_or = _bitwise(pointwise.bitwise_or, "bitwise_or", "__or__", "__ror__", "__ior__")
bitwise_xor = _bitwise(pointwise.bitwise_xor, "bitwise_xor", "__xor__", "__rxor__", "__ixor__")

MAXIMUM = Op(pointwise.maximum, "MaximumBackward0", saves=(0, 1))
MINIMUM = Op(pointwise.minimum, "MinimumBackward0", saves=(0, 1))
CLAMP_SCALAR = Op(pointwise.clamp, "ClampBackward1", saves=(0,), inputs=(0,))
CLAMP_TENSOR = Op(pointwise.clamp, "ClampBackward0", saves=(0, 1, 2))
WHERE = Op(pointwise.where, "WhereBackward0", saves=(0,), inputs=(1, 2))


@register
def maximum(input, other, *, out=None):
    return _out(dispatch(MAXIMUM, (input, other)), out)


@register
def minimum(input, other, *, out=None):
    return _out(dispatch(MINIMUM, (input, other)), out)


@register(inplace=True, aliases=("clip",))
def clamp(input, min=None, max=None, *, out=None):
    """torch.clamp with scalar or tensor bounds (min is applied first, as in torch); one
    tensor and one number bound match neither of torch's overloads (its TypeError)."""
    tensor_bounds = _is_tensor(min) or _is_tensor(max)
    if tensor_bounds and not all(b is None or _is_tensor(b) for b in (min, max)):
        kinds = ", ".join(f"{name}={type(b).__name__}" for name, b in (("min", min), ("max", max))
                          if b is not None)
        raise TypeError(f"clamp() received an invalid combination of arguments - got (Tensor, "
                        f"{kinds}), but expected (Tensor input, Number? min, Number? max) or "
                        "(Tensor input, Tensor? min, Tensor? max)")
    op = CLAMP_TENSOR if tensor_bounds else CLAMP_SCALAR
    return _out(dispatch(op, (input, min, max)), out)


@register(inplace=True)
def clamp_min(input, min):
    return clamp(input, min, None)


@register(inplace=True)
def clamp_max(input, max):
    return clamp(input, None, max)


@register(method=False)
def where(condition, input=None, other=None, *, out=None):
    """torch.where(condition, input, other); torch.where(condition) is nonzero(as_tuple=True)."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    return _out(dispatch(WHERE, (condition, input, other)), out)


Tensor.where = lambda self, condition, other: where(condition, self, other)

# ---- reductions ---------------------------------------------------------------------------

SUM_ALL = Op(reduction.sum, "SumBackward0")
SUM_DIM = Op(reduction.sum, "SumBackward1")
PROD_ALL = Op(reduction.prod, "ProdBackward0", saves=(0, OUTPUT))
PROD_DIM = Op(reduction.prod, "ProdBackward1", saves=(0, OUTPUT))
MEAN_ALL = Op(reduction.mean, "MeanBackward0")
MEAN_DIM = Op(reduction.mean, "MeanBackward1")
MAX_ALL = Op(reduction.amax, "MaxBackward1", saves=(0, OUTPUT))
MIN_ALL = Op(reduction.amin, "MinBackward1", saves=(0, OUTPUT))
MAX_DIM = Op(reduction.max_dim, "MaxBackward0", saves=(OUTPUT,))
MIN_DIM = Op(reduction.min_dim, "MinBackward0", saves=(OUTPUT,))
AMAX = Op(reduction.amax, "AmaxBackward0", saves=(0, OUTPUT))
AMIN = Op(reduction.amin, "AminBackward0", saves=(0, OUTPUT))
ARGMAX = Op(reduction.argmax, "", differentiable=False)
ARGMIN = Op(reduction.argmin, "", differentiable=False)


def _dims(dim):
    if dim is None or isinstance(dim, int):
        return dim
    return tuple(dim)


def _dtype_arg(dtype):
    return None if dtype is None else _dtypes.as_dtype(dtype)


@register
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.sum: integer and bool inputs sum to int64 unless dtype is given."""
    op = SUM_ALL if dim is None else SUM_DIM
    return _out(dispatch(op, (input,), dim=_dims(dim), keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


@register
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.prod over all elements or along one dim (integers give int64)."""
    if dim is not None and not isinstance(dim, int):
        raise TypeError("prod(): argument 'dim' must be int, not "
                        f"{type(dim).__name__}")
    op = PROD_ALL if dim is None else PROD_DIM
    return _out(dispatch(op, (input,), dim=dim, keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


@register
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """torch.mean: floating point and complex inputs only, as in torch."""
    op = MEAN_ALL if dim is None else MEAN_DIM
    return _out(dispatch(op, (input,), dim=_dims(dim), keepdim=keepdim,
                         dtype=_dtype_arg(dtype)), out)


def _min_max(input, dim, keepdim, other, out, all_op, dim_op, binary, result):
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return binary(input, other, out=out)
    if dim is None:
        return _out(dispatch(all_op, (input,)), out)
    values, indices = dispatch(dim_op, (input,), dim=dim, keepdim=keepdim)
    return result(values, indices)


@register
def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """torch.max: the maximum, `(values, indices)` along dim, or torch.maximum with a tensor."""
    return _min_max(input, dim, keepdim, other, out, MAX_ALL, MAX_DIM, maximum,
                    return_types.max)


@register
def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """torch.min: the minimum, `(values, indices)` along dim, or torch.minimum with a tensor."""
    return _min_max(input, dim, keepdim, other, out, MIN_ALL, MIN_DIM, minimum,
                    return_types.min)


@register
def amax(input, dim=(), keepdim=False, *, out=None):
    return _out(dispatch(AMAX, (input,), dim=_all_if_empty(dim), keepdim=keepdim), out)


@register
def amin(input, dim=(), keepdim=False, *, out=None):
    return _out(dispatch(AMIN, (input,), dim=_all_if_empty(dim), keepdim=keepdim), out)


def _all_if_empty(dim):
    """amax/amin's dim: the default () reduces every dim (0 is a dim, not "all")."""
    dim = _dims(dim)
    return None if dim == () else dim


@register
def argmax(input, dim=None, keepdim=False):
    return dispatch(ARGMAX, (input,), dim=dim, keepdim=keepdim)


@register
def argmin(input, dim=None, keepdim=False):
    return dispatch(ARGMIN, (input,), dim=dim, keepdim=keepdim)


# ---- matrix products and softmax ----------------------------------------------------------

MM = Op(linalg.mm, "MmBackward0", saves=(0, 1))
MATMUL = {(1, 1): Op(linalg.matmul, "DotBackward0", saves=(0, 1)),
          (2, 1): Op(linalg.matmul, "MvBackward0", saves=(0, 1)),
          (2, 2): MM}
MATMUL_OTHER = Op(linalg.matmul, "UnsafeViewBackward0", saves=(0, 1))


@register
def mm(input, mat2, *, out=None):
    """torch.mm: 2-D matrix product (no broadcasting, no dtype promotion, as in torch)."""
    return _out(dispatch(MM, (input, mat2)), out)


@register(dunders=("__matmul__",))
def matmul(input, other, *, out=None):
    """torch.matmul / `@`: dot, mv, mm or batched matmul by the operands' dims."""
    op = MATMUL.get((input.ndim, other.ndim), MATMUL_OTHER)
    return _out(dispatch(op, (input, other)), out)


Tensor.__rmatmul__ = lambda self, other: matmul(other, self)

SOFTMAX = Op(activation.softmax, "SoftmaxBackward0", saves=(OUTPUT,))
LOG_SOFTMAX = Op(activation.log_softmax, "LogSoftmaxBackward0", saves=(OUTPUT,))


@register
def softmax(input, dim, dtype=None):
    """torch.softmax along dim (dtype casts the input first)."""
    return dispatch(SOFTMAX, (input,), dim=dim, dtype=_dtype_arg(dtype))


@register
def log_softmax(input, dim, dtype=None):
    """torch.log_softmax along dim."""
    return dispatch(LOG_SOFTMAX, (input,), dim=dim, dtype=_dtype_arg(dtype))


def _out(result, out):
    """torch's `out=`: write the result into `out` (resized if it was empty)."""
    if out is None:
        return result
    from jtorch._dispatch import commit_inplace
    if out.shape != result.shape and out.numel() == 0:
        out.data = result.detach()
        return out
    return commit_inplace(out, result)
