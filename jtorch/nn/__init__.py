"""torch.nn: modules, parameters, functional, init."""

from jtorch.nn.parameter import Buffer, Parameter  # noqa: F401
from jtorch.nn.modules import *  # noqa: F401,F403
from jtorch.nn.modules import Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401,E501
from jtorch.nn import functional, init  # noqa: F401
