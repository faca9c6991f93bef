"""jtorch: the PyTorch API on JAX and XLA.

`import jtorch as torch` gives torch's namespace: Tensor, dtypes, devices, ops, autograd.
JAX runs with 64-bit types enabled and CPU as the default device, matching torch's defaults
(int64 integers, float64 available, tensors created on the CPU unless moved).
"""

import jax as _jax

# a process launched as one rank of a job (torchrun's variables) joins it before JAX starts
from jtorch.distributed._bootstrap import initialize_from_env as _join_job  # noqa: E402

_join_job()
_jax.config.update("jax_enable_x64", True)
try:
    _jax.config.update("jax_default_device", _jax.local_devices(backend="cpu")[0])
except RuntimeError:  # no CPU backend (unusual); JAX's own default then
    pass

from jtorch._dtypes import (  # noqa: E402,F401
    bfloat16, can_cast, complex64, complex128, dtype, float16, float32, float64,
    get_default_dtype, int8, int16, int32, int64, promote_types, set_default_dtype, uint8,
)
from jtorch._dtypes import bool_ as bool  # noqa: E402,F401,A001
from jtorch._device import device  # noqa: E402,F401
from jtorch._grad_mode import (  # noqa: E402,F401
    enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
    set_grad_enabled,
)
from jtorch._tensor import Size, Tensor  # noqa: E402,F401
from jtorch._api import creation, indexing, math, views  # noqa: E402,F401
from jtorch._api import linalg as _api_linalg, pointwise as _api_pointwise  # noqa: E402,F401
from jtorch._api import random as _api_random, reductions as _api_reductions  # noqa: E402,F401
from jtorch._api import complex as _api_complex, shape as _api_shape  # noqa: E402,F401
from jtorch import _storage  # noqa: E402,F401  (Tensor.storage, resize_)
from jtorch._storage import TypedStorage, UntypedStorage  # noqa: E402,F401
from jtorch._api._register import FUNCTIONS as _FUNCTIONS  # noqa: E402
from jtorch._api.creation import Generator, default_generator  # noqa: E402,F401
from jtorch._api import return_types  # noqa: E402,F401
from jtorch._printing import get_printoptions, set_printoptions  # noqa: E402,F401
from jtorch import accelerator, autograd, backends, cuda, distributed, nn, optim  # noqa: E402,F401
from jtorch import hub, utils  # noqa: E402,F401  (torch.hub, torch.utils.data)
from jtorch import fft, func, linalg, random, testing  # noqa: E402,F401
from jtorch._memory_format import (  # noqa: E402,F401
    channels_last, channels_last_3d, contiguous_format, memory_format, preserve_format,
)
from jtorch._api.legacy import CPU_TYPES as _LEGACY_TYPES  # noqa: E402
from jtorch._aliasing import install_as_torch  # noqa: E402,F401

globals().update(_FUNCTIONS)

half, float, double = float16, float32, float64  # noqa: A001
cfloat, cdouble = complex64, complex128
short, int, long = int16, int32, int64  # noqa: A001


def result_type(tensor1, tensor2):
    """torch.result_type of two operands (tensors or Python numbers)."""
    from jtorch._ops.promote import result_dtype
    return result_dtype(*(t._array if isinstance(t, Tensor) else t for t in (tensor1, tensor2)))


def is_storage(obj):
    return False


__version__ = "0.1.0"


from jtorch._compile import compile  # noqa: E402,F401,A001
from jtorch import serialization  # noqa: E402,F401
from jtorch.serialization import load, save  # noqa: E402,F401

globals().update(_LEGACY_TYPES)  # torch.FloatTensor, torch.LongTensor, ...
from jtorch.nn.functional import channel_shuffle  # noqa: E402,F401
