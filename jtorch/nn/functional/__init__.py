"""torch.nn.functional: each family of functions lives in a private submodule."""

from jtorch.nn.functional._activation import *  # noqa: F401,F403
from jtorch.nn.functional._attention import *  # noqa: F401,F403
from jtorch.nn.functional._conv import *  # noqa: F401,F403
from jtorch.nn.functional._distance import *  # noqa: F401,F403
from jtorch.nn.functional._dropout import *  # noqa: F401,F403
from jtorch.nn.functional._linear import *  # noqa: F401,F403
from jtorch.nn.functional._loss import *  # noqa: F401,F403
from jtorch.nn.functional._normalization import *  # noqa: F401,F403
from jtorch.nn.functional._padding import *  # noqa: F401,F403
from jtorch.nn.functional._pooling import *  # noqa: F401,F403
from jtorch.nn.functional._sparse import *  # noqa: F401,F403
from jtorch.nn.functional._vision import *  # noqa: F401,F403
