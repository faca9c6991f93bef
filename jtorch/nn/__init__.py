"""torch.nn: modules, parameters, functional, init."""

from jtorch.nn import functional, init  # noqa: F401
from jtorch.nn.modules import *  # noqa: F401,F403
from jtorch.nn.modules import (  # noqa: F401,E501
    Module,
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from jtorch.nn.parameter import Buffer, Parameter  # noqa: F401
