"""torchvision.models: the classification architectures with torchvision's module trees (same
state_dict keys, shapes and reprs, so torchvision's weight files load unchanged), their
weights enums, and the registry functions.

Weight files are read from the hub cache (`$TORCH_HOME/hub/checkpoints`); see `_api.py`.
Detection, segmentation, video, optical flow and quantized models are not provided.
"""

from jtorch.vision.models._api import (  # noqa: F401
    Weights,
    WeightsEnum,
    get_model,
    get_model_builder,
    get_model_weights,
    get_weight,
    list_models,
)
from jtorch.vision.models.alexnet import *  # noqa: F401,F403
from jtorch.vision.models.convnext import *  # noqa: F401,F403
from jtorch.vision.models.densenet import *  # noqa: F401,F403
from jtorch.vision.models.efficientnet import *  # noqa: F401,F403
from jtorch.vision.models.googlenet import *  # noqa: F401,F403
from jtorch.vision.models.inception import *  # noqa: F401,F403
from jtorch.vision.models.mobilenet import *  # noqa: F401,F403
from jtorch.vision.models.regnet import *  # noqa: F401,F403
from jtorch.vision.models.resnet import *  # noqa: F401,F403
from jtorch.vision.models.shufflenetv2 import *  # noqa: F401,F403
from jtorch.vision.models.squeezenet import *  # noqa: F401,F403
from jtorch.vision.models.vgg import *  # noqa: F401,F403
from jtorch.vision.models.vision_transformer import *  # noqa: F401,F403
