"""Padding modules: Zero/Constant/Reflection/Replication/CircularPad{1,2,3}d, all F.pad.

`padding` is an int (same amount on every side) or a tuple in F.pad's order (left, right,
top, bottom, front, back), stored as a tuple and printed as torch prints it.
"""

from __future__ import annotations

from jtorch.nn import functional as F
from jtorch.nn.functional._conv import _ntuple
from jtorch.nn.modules.module import Module

__all__ = ["CircularPad1d", "CircularPad2d", "CircularPad3d", "ConstantPad1d", "ConstantPad2d",
           "ConstantPad3d", "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d",
           "ReplicationPad1d", "ReplicationPad2d", "ReplicationPad3d", "ZeroPad1d", "ZeroPad2d",
           "ZeroPad3d"]


class _PadNd(Module):
    """A padding module over the last `_dims` dims; `padding` expands to 2 * _dims ints."""

    _dims = 0
    _mode = ""

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(2 * self._dims)(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        if input.dim() not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"expected {self._dims + 1}D or {self._dims + 2}D input (got "
                             f"{input.dim()}D input)")
        return F.pad(input, self.padding, "circular")


class CircularPad1d(_CircularPadNd):
    """torch.nn.CircularPad1d: wraps the last dim around."""

    _dims = 1


class CircularPad2d(_CircularPadNd):
    """torch.nn.CircularPad2d."""

    _dims = 2


class CircularPad3d(_CircularPadNd):
    """torch.nn.CircularPad3d."""

    _dims = 3


class _ConstantPadNd(_PadNd):
    _mode = "constant"

    def __init__(self, padding, value):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """torch.nn.ConstantPad1d(padding, value)."""

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """torch.nn.ConstantPad2d(padding, value)."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """torch.nn.ConstantPad3d(padding, value)."""

    _dims = 3


class ZeroPad1d(ConstantPad1d):
    """torch.nn.ZeroPad1d(padding): ConstantPad1d with value 0.0."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """torch.nn.ZeroPad2d(padding)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """torch.nn.ZeroPad3d(padding)."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadNd):
    """torch.nn.ReflectionPad1d: mirrors without repeating the edge."""

    _dims = 1
    _mode = "reflect"


class ReflectionPad2d(_PadNd):
    """torch.nn.ReflectionPad2d."""

    _dims = 2
    _mode = "reflect"


class ReflectionPad3d(_PadNd):
    """torch.nn.ReflectionPad3d."""

    _dims = 3
    _mode = "reflect"


class ReplicationPad1d(_PadNd):
    """torch.nn.ReplicationPad1d: repeats the edge value."""

    _dims = 1
    _mode = "replicate"


class ReplicationPad2d(_PadNd):
    """torch.nn.ReplicationPad2d."""

    _dims = 2
    _mode = "replicate"


class ReplicationPad3d(_PadNd):
    """torch.nn.ReplicationPad3d."""

    _dims = 3
    _mode = "replicate"
