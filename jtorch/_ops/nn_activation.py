"""Pure activation functions with torch's values, gradients at kinks and dtype rules.

Kinks are written with `jnp.where` on torch's own comparison (`x > 0`, `x <= min_val`, ...) so
that the gradient JAX derives at the kink is the one torch's backward formula gives (JAX's
`maximum`/`clip` would split ties 50/50).
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
from jax import lax

from jtorch import _dtypes
from jtorch._ops import activation
from jtorch._ops.promote import cast, to_float
from jtorch._ops.reduction import canonical_dim

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _torch_dtype(x):
    return _dtypes.from_jax(x.dtype)


def require_float(x, kernel):
    """torch's NotImplementedError for a float-only CPU kernel given an integral tensor."""
    d = _torch_dtype(x)
    if not (d.is_floating_point or d.is_complex):
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_dtypes.title_name(d)}\'')
    return x


def _scalar(value, x):
    """A Python number as a 0-d array of x's dtype (torch casts scalar arguments this way)."""
    return cast(value, _torch_dtype(x))


def relu(x):
    if x.dtype == jnp.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return jnp.where(x > 0, x, jnp.zeros((), x.dtype))


def hardtanh(x, *, min_val, max_val):
    if x.dtype == jnp.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    lo, hi = _scalar(min_val, x), _scalar(max_val, x)
    return jnp.where(x <= lo, lo, jnp.where(x >= hi, hi, x))


def threshold(x, *, threshold, value):
    if x.dtype == jnp.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return jnp.where(x > _scalar(threshold, x), x, _scalar(value, x))


def leaky_relu(x, *, negative_slope, kernel="leaky_relu_cpu"):
    require_float(x, kernel)
    return jnp.where(x > 0, x, x * _scalar(negative_slope, x))


def prelu(x, weight):
    """max(0, x) + weight * min(0, x); a 1-D weight runs along dim 1 (the channels)."""
    require_float(x, "prelu_cpu")
    if weight.ndim > 1:
        raise RuntimeError("prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.ndim}")
    if weight.dtype != x.dtype:
        raise RuntimeError("prelu: Type promoting not supported. Got "
                           f"{_dtypes.title_name(_torch_dtype(x))} and "
                           f"{_dtypes.title_name(_torch_dtype(weight))}")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if weight.size != 1 and weight.size != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {weight.size} and channel size = {channels}.")
    if weight.size == 1:
        w = weight.reshape(())
    else:
        w = weight.reshape((channels,) + (1,) * (x.ndim - 2))
    return jnp.where(x > 0, x, w * x)


def elu(x, *, alpha, scale=1.0, input_scale=1.0):
    """torch's elu: scale * x for x > 0, else scale * alpha * (exp(x * input_scale) - 1)."""
    require_float(x, "elu_cpu")
    negative = _scalar(scale * alpha, x) * jnp.expm1(x * _scalar(input_scale, x))
    return jnp.where(x > 0, x * _scalar(scale, x), negative)


def selu(x):
    return elu(x, alpha=SELU_ALPHA, scale=SELU_SCALE)


def celu(x, *, alpha):
    return elu(x, alpha=alpha, input_scale=1.0 / alpha)


def gelu(x, *, approximate):
    require_float(x, "GeluKernelImpl")
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * x * x * x)
        return 0.5 * x * (1 + jnp.tanh(inner))
    return 0.5 * x * (1 + lax.erf(x * (1 / math.sqrt(2.0))))


def silu(x):
    require_float(x, "silu_cpu")
    return x * jax.nn.sigmoid(x)


def mish(x):
    require_float(x, "mish_cpu")
    return x * jnp.tanh(jax.nn.softplus(x))


def hardsigmoid(x):
    require_float(x, "hardsigmoid_cpu")
    return jnp.where(x <= -3, jnp.zeros((), x.dtype),
                     jnp.where(x >= 3, jnp.ones((), x.dtype), x / 6 + 0.5))


def hardswish(x):
    """Branches split as torch's backward does: x <= -3, -3 < x < 3, x >= 3."""
    require_float(x, "hardswish_cpu")
    return jnp.where(x <= -3, jnp.zeros((), x.dtype), jnp.where(x >= 3, x, x * (x + 3) / 6))


def softplus(x, *, beta, threshold):
    """log(1 + exp(beta x)) / beta, linear once beta * x > threshold."""
    require_float(x, "softplus_cpu")
    scaled = x * _scalar(beta, x)
    smooth = jnp.logaddexp(scaled, jnp.zeros((), x.dtype)) / _scalar(beta, x)
    return jnp.where(scaled > _scalar(threshold, x), x, smooth)


def softsign(x):
    x = to_float(x)
    return x / (1 + jnp.abs(x))


def logsigmoid(x):
    require_float(x, "log_sigmoid_cpu")
    return jax.nn.log_sigmoid(x)


def tanhshrink(x):
    x = to_float(x)
    return x - jnp.tanh(x)


def softshrink(x, *, lambd):
    require_float(x, "softshrink_check")
    if lambd < 0:
        raise RuntimeError(f"lambda must be in range [0, {float(jnp.finfo(x.dtype).max):g}] "
                           f"for input dtype {_dtypes.title_name(_torch_dtype(x))}, but found "
                           f"{lambd:g}")
    lam = _scalar(lambd, x)
    return jnp.where(x > lam, x - lam, jnp.where(x < -lam, x + lam, jnp.zeros((), x.dtype)))


def hardshrink(x, *, lambd):
    require_float(x, "hardshrink_cpu")
    lam = _scalar(lambd, x)
    return jnp.where((x >= -lam) & (x <= lam), jnp.zeros((), x.dtype), x)


def glu(x, *, dim):
    require_float(x, "glu_cpu")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = canonical_dim(dim, x.ndim)
    if x.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size "
                           f"{x.shape[dim]}")
    a, b = jnp.split(x, 2, axis=dim)
    return a * jax.nn.sigmoid(b)


def rrelu_with_noise(x, slopes):
    """Training-mode rrelu: inputs x <= 0 are scaled by their slopes (drawn from
    U(lower, upper), flat)."""
    require_float(x, "rrelu_with_noise_out_cpu")
    return jnp.where(x <= 0, x * slopes.reshape(x.shape), x)


def softmin(x, *, dim, dtype=None):
    """softmax(-x) as one op (torch records NegBackward0 then SoftmaxBackward0)."""
    if dtype is not None:
        x = cast(x, dtype)
    require_float(x, "softmax_lastdim_kernel_impl")
    return activation.softmax(-x, dim=dim)


def softmax(x, *, dim, dtype=None):
    if dtype is not None:
        x = cast(x, dtype)
    require_float(x, "softmax_lastdim_kernel_impl")
    return activation.softmax(x, dim=dim)


def log_softmax(x, *, dim, dtype=None):
    if dtype is not None:
        x = cast(x, dtype)
    require_float(x, "log_softmax_lastdim_kernel_impl")
    return activation.log_softmax(x, dim=dim)
