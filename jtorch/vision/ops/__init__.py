"""torchvision.ops: the layers the classification models are built from.

Only the blocks of torchvision/ops/misc.py and stochastic_depth.py exist so far; the detection
operators (nms, roi_align, box ops, ...) are not implemented.
"""

from jtorch.vision.ops.misc import (  # noqa: F401
    MLP,
    Conv2dNormActivation,
    Conv3dNormActivation,
    FrozenBatchNorm2d,
    Permute,
    SqueezeExcitation,
)
from jtorch.vision.ops.stochastic_depth import StochasticDepth, stochastic_depth  # noqa: F401

__all__ = [
    "Conv2dNormActivation",
    "Conv3dNormActivation",
    "FrozenBatchNorm2d",
    "MLP",
    "Permute",
    "SqueezeExcitation",
    "StochasticDepth",
    "stochastic_depth",
]
