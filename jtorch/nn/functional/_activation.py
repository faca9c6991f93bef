"""Activation functions of torch.nn.functional: one funnel op each, with torch's in-place forms.

`inplace=True` (and the `relu_`-style functions) compute the result out of place and commit it
into the input through the Tensor in-place machinery, so the input is returned, its version
moves and its grad_fn becomes the activation's node, as in torch.
"""

from __future__ import annotations

import warnings

from jtorch import _dtypes
from jtorch._dispatch import OUTPUT, Op, commit_inplace, dispatch
from jtorch._ops import nn_activation as act
from jtorch._ops import nn_misc
from jtorch.nn.functional._dropout import uniform_noise

__all__ = ["threshold", "threshold_", "relu", "relu_", "glu", "hardtanh", "hardtanh_", "relu6",
           "elu", "elu_", "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_",
           "prelu", "rrelu", "rrelu_", "logsigmoid", "gelu", "hardshrink", "tanhshrink",
           "softsign", "softplus", "softmin", "softmax", "log_softmax", "gumbel_softmax",
           "softshrink", "tanh", "sigmoid", "hardsigmoid", "silu", "mish", "hardswish"]


class _Activation:
    """An elementwise activation: its op, and the op of its in-place form (torch names some
    in-place nodes apart, e.g. `EluBackward1`, because they save the result instead)."""

    def __init__(self, fn, name, inplace_name=None, saves=(0,)):
        self.op = Op(fn, name, saves=saves)
        self.inplace_op = Op(fn, inplace_name, saves=(OUTPUT,)) if inplace_name else self.op

    def __call__(self, input, inplace=False, **static):
        if inplace:
            return commit_inplace(input, dispatch(self.inplace_op, (input,), **static))
        return dispatch(self.op, (input,), **static)


_RELU = _Activation(act.relu, "ReluBackward0", saves=(OUTPUT,))
_THRESHOLD = _Activation(act.threshold, "ThresholdBackward0", "ThresholdBackward1")
_HARDTANH = _Activation(act.hardtanh, "HardtanhBackward0")
_ELU = _Activation(act.elu, "EluBackward0", "EluBackward1", saves=(0, OUTPUT))
_SELU = _Activation(act.selu, "EluBackward0", "EluBackward1", saves=(0, OUTPUT))
_CELU = _Activation(act.celu, "CeluBackward0", "CeluBackward1", saves=(0, OUTPUT))
_LEAKY_RELU = _Activation(act.leaky_relu, "LeakyReluBackward0", "LeakyReluBackward1")
_RRELU_EVAL = _Activation(act.leaky_relu, "RreluWithNoiseBackward0", "RreluWithNoiseBackward1")
_HARDSIGMOID = _Activation(act.hardsigmoid, "HardsigmoidBackward0")
_SILU = _Activation(act.silu, "SiluBackward0")
_MISH = _Activation(act.mish, "MishBackward0")
_HARDSWISH = _Activation(act.hardswish, "HardswishBackward0")
_GELU = Op(act.gelu, "GeluBackward0", saves=(0,))
_SOFTPLUS = Op(act.softplus, "SoftplusBackward0", saves=(0,))
_SOFTSIGN = Op(act.softsign, "DivBackward0", saves=(0,))
_LOGSIGMOID = Op(act.logsigmoid, "LogSigmoidBackward0", saves=(0,))
_TANHSHRINK = Op(act.tanhshrink, "SubBackward0")
_SOFTSHRINK = Op(act.softshrink, "SoftshrinkBackward0", saves=(0,))
_HARDSHRINK = Op(act.hardshrink, "HardshrinkBackward0", saves=(0,))
_GLU = Op(act.glu, "GluBackward0", saves=(0,))
_PRELU = Op(act.prelu, "PreluKernelBackward0", saves=(0, 1))
_RRELU_TRAIN = Op(act.rrelu_with_noise, "RreluWithNoiseBackward0", saves=(0,))
_RRELU_TRAIN_INPLACE = Op(act.rrelu_with_noise, "RreluWithNoiseBackward1", saves=(OUTPUT,))
_SOFTMAX = Op(act.softmax, "SoftmaxBackward0", saves=(OUTPUT,))
_LOG_SOFTMAX = Op(act.log_softmax, "LogSoftmaxBackward0", saves=(OUTPUT,))
_SOFTMIN = Op(act.softmin, "SoftmaxBackward0", saves=(OUTPUT,))
_GUMBEL_SOFTMAX = {False: Op(nn_misc.gumbel_softmax, "SoftmaxBackward0", saves=(OUTPUT,)),
                   True: Op(nn_misc.gumbel_softmax, "AddBackward0")}


def threshold(input, threshold, value, inplace=False):
    """F.threshold: x if x > threshold else value."""
    return _THRESHOLD(input, inplace, threshold=threshold, value=value)


def threshold_(input, threshold, value):
    return _THRESHOLD(input, True, threshold=threshold, value=value)


def relu(input, inplace=False):
    """F.relu: max(0, x); the gradient at 0 is 0, as torch's."""
    return _RELU(input, inplace)


def relu_(input):
    return _RELU(input, True)


def glu(input, dim=-1):
    """F.glu: a * sigmoid(b), with input split in halves a, b along dim."""
    return dispatch(_GLU, (input,), dim=dim)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """F.hardtanh: x clamped to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _HARDTANH(input, inplace, min_val=min_val, max_val=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """F.relu6: hardtanh(x, 0, 6) (torch records HardtanhBackward0)."""
    return _HARDTANH(input, inplace, min_val=0.0, max_val=6.0)


def elu(input, alpha=1.0, inplace=False):
    return _ELU(input, inplace, alpha=alpha)


def elu_(input, alpha=1.0):
    return _ELU(input, True, alpha=alpha)


def selu(input, inplace=False):
    return _SELU(input, inplace)


def selu_(input):
    return _SELU(input, True)


def celu(input, alpha=1.0, inplace=False):
    return _CELU(input, inplace, alpha=alpha)


def celu_(input, alpha=1.0):
    return _CELU(input, True, alpha=alpha)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    return _LEAKY_RELU(input, inplace, negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return _LEAKY_RELU(input, True, negative_slope=negative_slope)


def prelu(input, weight):
    """F.prelu: max(0, x) + weight * min(0, x), a 1-D weight running along dim 1."""
    return dispatch(_PRELU, (input, weight))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """F.rrelu: negative inputs scaled by slopes from U(lower, upper) in training, by
    (lower + upper) / 2 otherwise."""
    if not training:
        return _RRELU_EVAL(input, inplace, negative_slope=(lower + upper) / 2)
    slopes = uniform_noise(input, input.shape, lower, upper)
    if inplace:
        return commit_inplace(input, dispatch(_RRELU_TRAIN_INPLACE, (input, slopes)))
    return dispatch(_RRELU_TRAIN, (input, slopes))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def logsigmoid(input):
    return dispatch(_LOGSIGMOID, (input,))


def gelu(input, approximate="none"):
    """F.gelu: x * Phi(x), or its tanh approximation with approximate='tanh'."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return dispatch(_GELU, (input,), approximate=approximate)


def hardshrink(input, lambd=0.5):
    return dispatch(_HARDSHRINK, (input,), lambd=lambd)


def tanhshrink(input):
    return dispatch(_TANHSHRINK, (input,))


def softsign(input):
    return dispatch(_SOFTSIGN, (input,))


def softplus(input, beta=1.0, threshold=20.0):
    """F.softplus: log(1 + exp(beta x)) / beta, linear where beta * x > threshold."""
    return dispatch(_SOFTPLUS, (input,), beta=beta, threshold=threshold)


def _get_softmax_dim(name, ndim, stacklevel):
    """torch's implicit dim (deprecated, with its warning): 0 for 0-, 1- and 3-d inputs, else 1."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_family(op, name, input, dim, stacklevel, dtype):
    if dim is None:
        dim = _get_softmax_dim(name, input.dim(), stacklevel + 1)
    return dispatch(op, (input,), dim=dim, dtype=None if dtype is None else _dtypes.as_dtype(dtype))


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """F.softmin: softmax(-x) along dim."""
    return _softmax_family(_SOFTMIN, "softmin", input, dim, _stacklevel, dtype)


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """F.softmax along dim (dtype casts the input first)."""
    return _softmax_family(_SOFTMAX, "softmax", input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """F.log_softmax along dim (dtype casts the input first)."""
    return _softmax_family(_LOG_SOFTMAX, "log_softmax", input, dim, _stacklevel, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """F.gumbel_softmax: softmax((logits + Gumbel noise) / tau); with hard=True the one-hot of
    its argmax, differentiated as the soft sample (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    uniform = uniform_noise(logits, logits.shape)
    return dispatch(_GUMBEL_SOFTMAX[bool(hard)], (logits, uniform, tau), hard=bool(hard),
                    dim=dim)


def softshrink(input, lambd=0.5):
    return dispatch(_SOFTSHRINK, (input,), lambd=lambd)


def tanh(input):
    return input.tanh()


def sigmoid(input):
    return input.sigmoid()


def hardsigmoid(input, inplace=False):
    return _HARDSIGMOID(input, inplace)


def silu(input, inplace=False):
    """F.silu: x * sigmoid(x)."""
    return _SILU(input, inplace)


def mish(input, inplace=False):
    """F.mish: x * tanh(softplus(x))."""
    return _MISH(input, inplace)


def hardswish(input, inplace=False):
    return _HARDSWISH(input, inplace)
