"""jtorch.vision.transforms: torchvision.transforms (v1), its automatic augmentation policies
and, in `v2`, its basics."""

from jtorch.vision.transforms import functional  # noqa: F401
from jtorch.vision.transforms.autoaugment import *  # noqa: F401,F403
from jtorch.vision.transforms.autoaugment import __all__ as _autoaugment_all
from jtorch.vision.transforms.transforms import *  # noqa: F401,F403
from jtorch.vision.transforms.transforms import __all__ as _transforms_all

__all__ = _transforms_all + _autoaugment_all
