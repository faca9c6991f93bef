"""Max, average, LP and adaptive pooling modules, and max-unpooling (torch.nn pooling.py).

Hyper-parameters are stored as given (MaxPool, AvgPool2d/3d, LPPool, adaptive) or as tuples
(AvgPool1d, MaxUnpool), exactly as torch stores and prints them.
"""

from __future__ import annotations

from jtorch.nn import functional as F
from jtorch.nn.functional._conv import _pair, _single, _triple
from jtorch.nn.modules.module import Module

__all__ = ["MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
           "AvgPool1d", "AvgPool2d", "AvgPool3d", "LPPool1d", "LPPool2d", "LPPool3d",
           "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d", "AdaptiveAvgPool1d",
           "AdaptiveAvgPool2d", "AdaptiveAvgPool3d", "FractionalMaxPool2d",
           "FractionalMaxPool3d"]


class _MaxPoolNd(Module):
    """MaxPool{1,2,3}d(kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
    ceil_mode=False); stride defaults to kernel_size."""

    _function = ""

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return getattr(F, self._function)(input, self.kernel_size, self.stride, self.padding,
                                          self.dilation, ceil_mode=self.ceil_mode,
                                          return_indices=self.return_indices)

    def extra_repr(self):
        return ("kernel_size={kernel_size}, stride={stride}, padding={padding}, "
                "dilation={dilation}, ceil_mode={ceil_mode}".format(**self.__dict__))


class MaxPool1d(_MaxPoolNd):
    """torch.nn.MaxPool1d: (N, C, L) -> (N, C, L_out)."""

    _function = "max_pool1d"


class MaxPool2d(_MaxPoolNd):
    """torch.nn.MaxPool2d: (N, C, H, W) -> (N, C, H_out, W_out)."""

    _function = "max_pool2d"


class MaxPool3d(_MaxPoolNd):
    """torch.nn.MaxPool3d: (N, C, D, H, W) -> (N, C, D_out, H_out, W_out)."""

    _function = "max_pool3d"


class _MaxUnpoolNd(Module):
    """MaxUnpool{1,2,3}d(kernel_size, stride=None, padding=0); forward(input, indices,
    output_size=None)."""

    _function = ""
    _expand = None

    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        expand = type(self)._expand
        self.kernel_size = expand(kernel_size)
        self.stride = expand(stride if stride is not None else kernel_size)
        self.padding = expand(padding)

    def forward(self, input, indices, output_size=None):
        return getattr(F, self._function)(input, indices, self.kernel_size, self.stride,
                                          self.padding, output_size)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """torch.nn.MaxUnpool1d."""

    _function = "max_unpool1d"
    _expand = staticmethod(_single)


class MaxUnpool2d(_MaxUnpoolNd):
    """torch.nn.MaxUnpool2d: scatters each value to its max_pool2d index, zeros elsewhere."""

    _function = "max_unpool2d"
    _expand = staticmethod(_pair)


class MaxUnpool3d(_MaxUnpoolNd):
    """torch.nn.MaxUnpool3d."""

    _function = "max_unpool3d"
    _expand = staticmethod(_triple)


class _AvgPoolNd(Module):
    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool1d(_AvgPoolNd):
    """torch.nn.AvgPool1d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True)."""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True):
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):
        return F.avg_pool1d(input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad)


class _AvgPoolWithDivisor(_AvgPoolNd):
    """AvgPool{2,3}d(kernel_size, stride=None, padding=0, ceil_mode=False,
    count_include_pad=True, divisor_override=None)."""

    _function = ""

    def __init__(self, kernel_size, stride=None, padding=0, ceil_mode=False,
                 count_include_pad=True, divisor_override=None):
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if stride is not None else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):
        return getattr(F, self._function)(input, self.kernel_size, self.stride, self.padding,
                                          self.ceil_mode, self.count_include_pad,
                                          self.divisor_override)


class AvgPool2d(_AvgPoolWithDivisor):
    """torch.nn.AvgPool2d."""

    _function = "avg_pool2d"


class AvgPool3d(_AvgPoolWithDivisor):
    """torch.nn.AvgPool3d."""

    _function = "avg_pool3d"


class _LPPoolNd(Module):
    """LPPool{1,2,3}d(norm_type, kernel_size, stride=None, ceil_mode=False)."""

    _function = ""

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input):
        return getattr(F, self._function)(input, float(self.norm_type), self.kernel_size,
                                          self.stride, self.ceil_mode)

    def extra_repr(self):
        return ("norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))


class LPPool1d(_LPPoolNd):
    """torch.nn.LPPool1d: (sum over each window of x^p)^(1/p)."""

    _function = "lp_pool1d"


class LPPool2d(_LPPoolNd):
    """torch.nn.LPPool2d."""

    _function = "lp_pool2d"


class LPPool3d(_LPPoolNd):
    """torch.nn.LPPool3d."""

    _function = "lp_pool3d"


class _AdaptiveMaxPoolNd(Module):
    """AdaptiveMaxPool{1,2,3}d(output_size, return_indices=False)."""

    _function = ""

    def __init__(self, output_size, return_indices=False):
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input):
        return getattr(F, self._function)(input, self.output_size, self.return_indices)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """torch.nn.AdaptiveMaxPool1d."""

    _function = "adaptive_max_pool1d"


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """torch.nn.AdaptiveMaxPool2d; None in output_size keeps that input size."""

    _function = "adaptive_max_pool2d"


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """torch.nn.AdaptiveMaxPool3d."""

    _function = "adaptive_max_pool3d"


class _AdaptiveAvgPoolNd(Module):
    """AdaptiveAvgPool{1,2,3}d(output_size)."""

    _function = ""

    def __init__(self, output_size):
        super().__init__()
        self.output_size = output_size

    def forward(self, input):
        return getattr(F, self._function)(input, self.output_size)

    def extra_repr(self):
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """torch.nn.AdaptiveAvgPool1d."""

    _function = "adaptive_avg_pool1d"


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """torch.nn.AdaptiveAvgPool2d: e.g. AdaptiveAvgPool2d((1, 1)) is global average pooling."""

    _function = "adaptive_avg_pool2d"


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """torch.nn.AdaptiveAvgPool3d."""

    _function = "adaptive_avg_pool3d"


class _FractionalMaxPoolNd(Module):
    """FractionalMaxPool{2,3}d: `_random_samples` is a (non-parameter) buffer, None unless
    given; without it every call draws new offsets."""

    _nd = 0
    _expand = None

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        expand = type(self)._expand
        name = type(self).__name__
        self.kernel_size = expand(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = expand(output_size) if output_size is not None else None
        self.output_ratio = expand(output_ratio) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output size, or a pooling "
                             "ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        pool = getattr(F, f"fractional_max_pool{self._nd}d")
        return pool(input, self.kernel_size, self.output_size, self.output_ratio,
                    self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """torch.nn.FractionalMaxPool2d(kernel_size, output_size=None, output_ratio=None,
    return_indices=False, _random_samples=None)."""

    _nd = 2
    _expand = staticmethod(_pair)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """torch.nn.FractionalMaxPool3d(kernel_size, output_size=None, output_ratio=None,
    return_indices=False, _random_samples=None)."""

    _nd = 3
    _expand = staticmethod(_triple)
