"""jtorch.vision.transforms: torchvision.transforms (v1) and, in `v2`, its basics."""

from jtorch.vision.transforms import functional  # noqa: F401
from jtorch.vision.transforms.transforms import *  # noqa: F401,F403
from jtorch.vision.transforms.transforms import __all__  # noqa: F401
