"""Pure normalization math: batch, instance, layer, group, RMS and local response norm.

Statistics are computed in float32 for float16/bfloat16 inputs (torch's accumulate type) and
the result is cast back to the input dtype. Variances are biased for normalizing; the running
variance is updated with the unbiased one, as torch does.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from jtorch import _dtypes

_LOW_PRECISION = (jnp.dtype(jnp.float16), jnp.dtype(jnp.bfloat16))


def _compute_dtype(x):
    return jnp.float32 if x.dtype in _LOW_PRECISION else x.dtype


def check_floating(x, name):
    """torch's NotImplementedError for norms of integer or bool inputs."""
    d = _dtypes.from_jax(x.dtype)
    if not d.is_floating_point:
        raise NotImplementedError(f'"{name}" not implemented for \'{_dtypes.title_name(d)}\'')


def _channel_shape(x):
    """Shape that broadcasts a per-channel (dim 1) vector against x."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _per_channel(v, x):
    return None if v is None else v.reshape(_channel_shape(x))


def _affine(y, weight, bias):
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


def _check_channels(x, **vectors):
    channels = x.shape[1]
    for name, v in vectors.items():
        if v is not None and v.size != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {v.size}")


def _check_mixed_dtype(x, params, stats):
    """torch CPU: parameters and statistics share the input's dtype, except that a
    float16/bfloat16 input may come with float32 parameters."""
    for v in (*params, *stats):
        if v is None or v.dtype == x.dtype:
            continue
        if x.dtype in _LOW_PRECISION and v.dtype == jnp.float32:
            continue
        raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _moments(x, axes):
    """Mean and biased variance over `axes` (two-pass, in the compute dtype)."""
    mean = jnp.mean(x, axis=axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axis=axes, keepdims=True)
    return mean, var


def _unbiased(var, count):
    return var * (count / (count - 1)) if count > 1 else var * jnp.inf


def _updated(running, momentum, batch_value):
    """torch's running-statistic rule: (1 - momentum) * running + momentum * batch."""
    new = (1 - momentum) * running.astype(jnp.float32 if running.dtype in _LOW_PRECISION
                                          else running.dtype) + momentum * batch_value
    return new.astype(running.dtype)


def batch_norm_train(x, weight, bias, running_mean, running_var, momentum, *, eps, track):
    """Batch norm with batch statistics; with `track`, also returns the updated running mean
    and (unbiased) running variance."""
    check_floating(x, "batch_norm")
    _check_channels(x, running_mean=running_mean, running_var=running_var, weight=weight,
                    bias=bias)
    _check_mixed_dtype(x, (weight, bias), (running_mean, running_var))
    axes = (0,) + tuple(range(2, x.ndim))
    xc = x.astype(_compute_dtype(x))
    mean, var = _moments(xc, axes)
    y = (xc - mean) * lax.rsqrt(var + eps)
    y = _affine(y, _per_channel(weight, x), _per_channel(bias, x)).astype(x.dtype)
    if not track:
        return y
    count = x.size // x.shape[1] if x.shape[1] else 0
    if count == 0:  # an empty batch leaves the running statistics as they are
        return y, running_mean, running_var
    new_mean = _updated(running_mean, momentum, mean.reshape(-1))
    new_var = _updated(running_var, momentum, _unbiased(var, count).reshape(-1))
    return y, new_mean, new_var


def batch_norm_eval(x, weight, bias, running_mean, running_var, *, eps):
    """Batch norm with the running statistics (evaluation mode)."""
    check_floating(x, "batch_norm")
    _check_channels(x, running_mean=running_mean, running_var=running_var, weight=weight,
                    bias=bias)
    _check_mixed_dtype(x, (weight, bias), (running_mean, running_var))
    xc = x.astype(_compute_dtype(x))
    mean = _per_channel(running_mean, x).astype(xc.dtype)
    var = _per_channel(running_var, x).astype(xc.dtype)
    y = (xc - mean) * lax.rsqrt(var + eps)
    return _affine(y, _per_channel(weight, x), _per_channel(bias, x)).astype(x.dtype)


def instance_norm_train(x, weight, bias, running_mean, running_var, momentum, *, eps, track):
    """Instance norm: statistics per sample and channel over the spatial dims; with `track`,
    the running statistics move towards the batch average of the instance statistics (torch
    runs batch norm on the (1, N*C, ...) view and averages the repeated running stats)."""
    check_floating(x, "batch_norm")
    _check_channels(x, weight=weight, bias=bias)
    axes = tuple(range(2, x.ndim))
    xc = x.astype(_compute_dtype(x))
    mean, var = _moments(xc, axes)
    y = (xc - mean) * lax.rsqrt(var + eps)
    y = _affine(y, _per_channel(weight, x), _per_channel(bias, x)).astype(x.dtype)
    if not track:
        return y
    count = x.size // (x.shape[0] * x.shape[1]) if x.shape[0] * x.shape[1] else 0
    new_mean = _updated(running_mean, momentum, jnp.mean(mean.reshape(x.shape[:2]), axis=0))
    unbiased = _unbiased(var, count).reshape(x.shape[:2])
    new_var = _updated(running_var, momentum, jnp.mean(unbiased, axis=0))
    return y, new_mean, new_var


def layer_norm(x, weight, bias, *, normalized_shape, eps):
    """torch.nn.functional.layer_norm over the trailing `normalized_shape` dims."""
    _check_normalized_shape(x, weight, bias, normalized_shape, ", ")
    check_floating(x, "LayerNormKernelImpl")
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    xc = x.astype(_compute_dtype(x))
    mean, var = _moments(xc, axes)
    y = (xc - mean) * lax.rsqrt(var + eps)
    return _affine(y, weight, bias).astype(x.dtype)


def _check_normalized_shape(x, weight, bias, normalized_shape, star_sep):
    shape = list(normalized_shape)
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and list(v.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got "
                               f"{name} of shape {list(v.shape)} and normalized_shape = {shape}")
    n = len(shape)
    if n == 0 or x.ndim < n or list(x.shape[x.ndim - n:]) != shape:
        expected = ", ".join(str(s) for s in shape)
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*{star_sep}{expected}], but got input of size{list(x.shape)}")


def rms_norm(x, weight, *, normalized_shape, eps):
    """torch.nn.functional.rms_norm: x / sqrt(mean(x^2) + eps) * weight; eps=None means the
    machine epsilon of the compute dtype (float32 for half inputs), as in torch."""
    _check_normalized_shape(x, weight, None, normalized_shape, "")
    compute = _compute_dtype(x)
    if eps is None:
        eps = float(jnp.finfo(compute).eps)
    axes = tuple(range(x.ndim - len(normalized_shape), x.ndim))
    xc = x.astype(compute)
    y = (xc * lax.rsqrt(jnp.mean(jnp.square(xc), axis=axes, keepdims=True) + eps))
    y = y.astype(x.dtype)
    return y if weight is None else y * weight


def group_norm(x, weight, bias, *, num_groups, eps):
    """torch.nn.functional.group_norm: statistics per sample over each group of channels."""
    n, c = x.shape[0], x.shape[1]
    if c % num_groups:
        raise RuntimeError("Expected number of channels in input to be divisible by num_groups, "
                           f"but got input of shape {list(x.shape)} and num_groups={num_groups}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and (v.ndim != 1 or v.size != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of "
                               f"channels in input, but got {name} of shape {list(v.shape)} and "
                               f"input of shape {list(x.shape)}")
    check_floating(x, "GroupNormKernelImpl")
    xc = x.astype(_compute_dtype(x)).reshape(n, num_groups, -1)
    mean, var = _moments(xc, (2,))
    y = ((xc - mean) * lax.rsqrt(var + eps)).reshape(x.shape)
    return _affine(y, _per_channel(weight, x), _per_channel(bias, x)).astype(x.dtype)


def local_response_norm(x, *, size, alpha, beta, k):
    """x / (k + alpha * mean of squares over `size` neighbouring channels)^beta, zero-padded
    as torch's avg_pool over the padded channel axis (count includes the padding)."""
    window = (1, size) + (1,) * (x.ndim - 2)
    padding = ((0, 0), (size // 2, (size - 1) // 2)) + ((0, 0),) * (x.ndim - 2)
    sums = lax.reduce_window(x * x, np.zeros((), x.dtype), lax.add, window, (1,) * x.ndim,
                             padding)
    return x / jnp.power(sums / size * alpha + k, beta)


# ---- CrossMapLRN2d (torch's legacy autograd.Function) ---------------------------------------

def _channel_window_sums(v, lo, hi):
    """sum of v[:, lo[c]:hi[c]] along dim 1 for every channel c (lo/hi static numpy)."""
    zero = jnp.zeros_like(v[:, :1])
    cumulative = jnp.concatenate([zero, jnp.cumsum(v, axis=1)], axis=1)
    return jnp.take(cumulative, hi, axis=1) - jnp.take(cumulative, lo, axis=1)


def _cross_map_scale(x, size, alpha, k):
    # torch's running-window loop: channel c sums the squares over [lo, hi), plus channel 0
    # once the window has moved past it (the loop never subtracts channel 0's square)
    channels = x.shape[1]
    pre_pad = int((size - 1) / 2 + 1)
    c = np.arange(channels)
    lo = np.where(c > pre_pad, c - pre_pad + 1, 0)
    hi = np.minimum(c + pre_pad, channels)
    squares = x * x
    sums = _channel_window_sums(squares, lo, hi)
    sums = sums + jnp.where((c > pre_pad).reshape(1, -1, 1, 1), squares[:, :1], 0)
    return sums * (alpha / size) + k


@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3, 4))
def _cross_map_lrn2d(x, size, alpha, beta, k):
    return x * _cross_map_scale(x, size, alpha, k) ** -beta


def _cross_map_lrn2d_fwd(x, size, alpha, beta, k):
    scale = _cross_map_scale(x, size, alpha, k)
    out = x * scale ** -beta
    return out, (x, scale, out)


def _cross_map_lrn2d_bwd(size, alpha, beta, k, saved, grad):
    # torch's hand-written backward (a centred window of `size` channels), which is not the
    # exact derivative of its forward: reproduced as is
    x, scale, out = saved
    channels = x.shape[1]
    first = int(size - (size - 1) / 2)
    c = np.arange(channels)
    lo = np.clip(c - first, 0, channels)
    hi = np.clip(c + size - first, 0, channels)
    accum = _channel_window_sums(grad * out / scale, lo, hi)
    return (scale ** -beta * grad - (2 * alpha * beta / size) * x * accum,)


_cross_map_lrn2d.defvjp(_cross_map_lrn2d_fwd, _cross_map_lrn2d_bwd)


def cross_map_lrn2d(x, *, size, alpha, beta, k):
    """torch.nn.CrossMapLRN2d on (N, C, H, W)."""
    return _cross_map_lrn2d(x, size, alpha, beta, k)
