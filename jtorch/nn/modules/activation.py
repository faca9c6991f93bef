"""Activation modules (torch.nn.modules.activation): thin wrappers over the F. functions with
torch's constructor arguments, defaults and reprs."""

from __future__ import annotations

import warnings

from jtorch._api.creation import empty
from jtorch.nn import functional as F
from jtorch.nn import init as nn_init
from jtorch.nn.modules.module import Module
from jtorch.nn.parameter import Parameter

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh",
           "SiLU", "Mish", "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink",
           "LeakyReLU", "LogSigmoid", "Softplus", "Softshrink", "PReLU", "Softsign",
           "Tanhshrink", "Softmin", "Softmax", "Softmax2d", "LogSoftmax"]


def _inplace_suffix(inplace, first=False):
    """torch's reprs mention inplace only when it is True."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _InplaceActivation(Module):
    """An activation whose only argument is `inplace` (ReLU, SELU, SiLU, ...)."""

    _function = None

    def __init__(self, inplace=False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._function(input, inplace=self.inplace)

    def extra_repr(self):
        return _inplace_suffix(self.inplace, first=True)


class ReLU(_InplaceActivation):
    """torch.nn.ReLU(inplace=False): max(0, x)."""

    _function = F.relu


class SELU(_InplaceActivation):
    """torch.nn.SELU(inplace=False): scale * elu(x, alpha) with SELU's constants."""

    _function = F.selu


class SiLU(_InplaceActivation):
    """torch.nn.SiLU(inplace=False): x * sigmoid(x)."""

    _function = F.silu


class Mish(_InplaceActivation):
    """torch.nn.Mish(inplace=False): x * tanh(softplus(x))."""

    _function = F.mish


class Hardsigmoid(_InplaceActivation):
    """torch.nn.Hardsigmoid(inplace=False); torch's repr shows no arguments."""

    _function = F.hardsigmoid

    def extra_repr(self):
        return ""


class Hardswish(_InplaceActivation):
    """torch.nn.Hardswish(inplace=False); torch's repr shows no arguments."""

    _function = F.hardswish

    def extra_repr(self):
        return ""


class _Stateless(Module):
    """An activation without arguments (Sigmoid, Tanh, ...)."""

    _function = None

    def forward(self, input):
        return type(self)._function(input)


class Sigmoid(_Stateless):
    _function = F.sigmoid


class Tanh(_Stateless):
    _function = F.tanh


class LogSigmoid(_Stateless):
    _function = F.logsigmoid


class Softsign(_Stateless):
    _function = F.softsign


class Tanhshrink(_Stateless):
    _function = F.tanhshrink


class Threshold(Module):
    """torch.nn.Threshold(threshold, value, inplace=False): x if x > threshold else value."""

    def __init__(self, threshold, value, inplace=False):
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self):
        return f"threshold={self.threshold}, value={self.value}" + _inplace_suffix(self.inplace)


class RReLU(Module):
    """torch.nn.RReLU(lower=1/8, upper=1/3, inplace=False): random negative slopes in
    training, their mean in eval."""

    def __init__(self, lower=1.0 / 8, upper=1.0 / 3, inplace=False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self):
        return f"lower={self.lower}, upper={self.upper}" + _inplace_suffix(self.inplace)


class Hardtanh(Module):
    """torch.nn.Hardtanh(min_val=-1, max_val=1, inplace=False); min_value/max_value are
    torch's deprecated spellings."""

    def __init__(self, min_val=-1.0, max_val=1.0, inplace=False, min_value=None,
                 max_value=None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`",
                          FutureWarning, stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`",
                          FutureWarning, stacklevel=2)
            max_val = max_value
        self.min_val = min_val
        self.max_val = max_val
        self.inplace = inplace
        if self.max_val <= self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val "
                                 f"({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self):
        return f"min_val={self.min_val}, max_val={self.max_val}" + _inplace_suffix(self.inplace)


class ReLU6(Hardtanh):
    """torch.nn.ReLU6(inplace=False): hardtanh(x, 0, 6)."""

    def __init__(self, inplace=False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self):
        return _inplace_suffix(self.inplace, first=True)


class _AlphaActivation(Module):
    """ELU and CELU: an alpha and inplace."""

    _function = None

    def __init__(self, alpha=1.0, inplace=False):
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):
        return type(self)._function(input, self.alpha, self.inplace)

    def extra_repr(self):
        return f"alpha={self.alpha}" + _inplace_suffix(self.inplace)


class ELU(_AlphaActivation):
    """torch.nn.ELU(alpha=1.0, inplace=False)."""

    _function = F.elu


class CELU(_AlphaActivation):
    """torch.nn.CELU(alpha=1.0, inplace=False)."""

    _function = F.celu


class GLU(Module):
    """torch.nn.GLU(dim=-1): a * sigmoid(b) for the halves a, b of the input along dim."""

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class GELU(Module):
    """torch.nn.GELU(approximate='none'|'tanh')."""

    def __init__(self, approximate="none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self):
        return f"approximate={self.approximate!r}"


class _Shrink(Module):
    """Hardshrink and Softshrink: a lambd, shown bare in the repr as torch does."""

    _function = None

    def __init__(self, lambd=0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return type(self)._function(input, self.lambd)

    def extra_repr(self):
        return str(self.lambd)


class Hardshrink(_Shrink):
    _function = F.hardshrink


class Softshrink(_Shrink):
    _function = F.softshrink


class LeakyReLU(Module):
    """torch.nn.LeakyReLU(negative_slope=0.01, inplace=False)."""

    def __init__(self, negative_slope=1e-2, inplace=False):
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}" + _inplace_suffix(self.inplace)


class Softplus(Module):
    """torch.nn.Softplus(beta=1.0, threshold=20.0)."""

    def __init__(self, beta=1.0, threshold=20.0):
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self):
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """torch.nn.PReLU(num_parameters=1, init=0.25): max(0, x) + a * min(0, x) with a learnable
    `weight` of shape (num_parameters,), one slope per channel (dim 1) or one shared."""

    def __init__(self, num_parameters=1, init=0.25, device=None, dtype=None):
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, device=device, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self):
        nn_init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self):
        return f"num_parameters={self.num_parameters}"


class _SoftmaxFamily(Module):
    """Softmax, Softmin, LogSoftmax: a dim (None picks torch's deprecated implicit dim)."""

    _function = None

    def __init__(self, dim=None):
        super().__init__()
        self.dim = dim

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):
        return type(self)._function(input, self.dim, _stacklevel=5)

    def extra_repr(self):
        return f"dim={self.dim}"


class Softmin(_SoftmaxFamily):
    _function = F.softmin


class Softmax(_SoftmaxFamily):
    _function = F.softmax


class LogSoftmax(_SoftmaxFamily):
    _function = F.log_softmax


class Softmax2d(Module):
    """torch.nn.Softmax2d: softmax over the channels of (N, C, H, W) or (C, H, W) input."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D "
                             "instead")
        return F.softmax(input, -3, _stacklevel=5)


def __getattr__(name):
    """torch.nn.modules.activation.MultiheadAttention lives in transformer.py here."""
    if name == "MultiheadAttention":
        from jtorch.nn.modules.transformer import MultiheadAttention
        return MultiheadAttention
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
