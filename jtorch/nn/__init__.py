"""torch.nn: modules, parameters, functional, init, utils."""

from jtorch.nn import functional, init, parallel, utils  # noqa: F401
from jtorch.nn.modules import *  # noqa: F401,F403
from jtorch.nn.modules import (  # noqa: F401
    Container,
    Module,
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from jtorch.nn.parallel import DataParallel  # noqa: F401
from jtorch.nn.parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
