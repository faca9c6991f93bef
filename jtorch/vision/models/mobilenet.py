"""torchvision.models.mobilenet: MobileNetV2 and MobileNetV3 under one name."""

from jtorch.vision.models.mobilenetv2 import *  # noqa: F401, F403
from jtorch.vision.models.mobilenetv2 import __all__ as mv2_all
from jtorch.vision.models.mobilenetv3 import *  # noqa: F401, F403
from jtorch.vision.models.mobilenetv3 import __all__ as mv3_all

__all__ = mv2_all + mv3_all
