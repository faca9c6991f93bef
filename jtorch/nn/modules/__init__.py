"""torch.nn.modules: one file per family, as in torch."""

from jtorch.nn.modules.activation import *  # noqa: F401,F403
from jtorch.nn.modules.batchnorm import *  # noqa: F401,F403
from jtorch.nn.modules.channelshuffle import *  # noqa: F401,F403
from jtorch.nn.modules.container import (  # noqa: F401
    Container,
    ModuleDict,
    ModuleList,
    ParameterDict,
    ParameterList,
    Sequential,
)
from jtorch.nn.modules.conv import *  # noqa: F401,F403
from jtorch.nn.modules.distance import *  # noqa: F401,F403
from jtorch.nn.modules.dropout import *  # noqa: F401,F403
from jtorch.nn.modules.flatten import *  # noqa: F401,F403
from jtorch.nn.modules.instancenorm import *  # noqa: F401,F403
from jtorch.nn.modules.lazy import LazyModuleMixin  # noqa: F401
from jtorch.nn.modules.linear import *  # noqa: F401,F403
from jtorch.nn.modules.loss import *  # noqa: F401,F403
from jtorch.nn.modules.module import Module  # noqa: F401
from jtorch.nn.modules.normalization import *  # noqa: F401,F403
from jtorch.nn.modules.padding import *  # noqa: F401,F403
from jtorch.nn.modules.pooling import *  # noqa: F401,F403
from jtorch.nn.modules.rnn import *  # noqa: F401,F403
from jtorch.nn.modules.sparse import *  # noqa: F401,F403
from jtorch.nn.modules.transformer import *  # noqa: F401,F403
from jtorch.nn.modules.upsampling import *  # noqa: F401,F403
