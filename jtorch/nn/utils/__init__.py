"""torch.nn.utils: gradient clipping, parameter/vector conversion, weight and spectral norm,
parametrizations.

`rnn` (pack_padded_sequence & co.) lives in its own file and is imported on first use, so this
package imports whether or not it is present.
"""

import importlib

from jtorch.nn.utils import fusion, parametrizations, parametrize, stateless  # noqa: F401
from jtorch.nn.utils.clip_grad import (  # noqa: F401
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from jtorch.nn.utils.convert_parameters import (  # noqa: F401
    parameters_to_vector,
    vector_to_parameters,
)
from jtorch.nn.utils.fusion import (  # noqa: F401
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from jtorch.nn.utils.init import skip_init  # noqa: F401
from jtorch.nn.utils.spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from jtorch.nn.utils.weight_norm import remove_weight_norm, weight_norm  # noqa: F401

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grads_with_norm_", "clip_grad_value_",
           "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "get_total_norm", "parameters_to_vector",
           "parametrizations", "parametrize", "remove_spectral_norm", "remove_weight_norm",
           "skip_init", "spectral_norm", "stateless", "vector_to_parameters", "weight_norm"]


def __getattr__(name):
    """Import `nn.utils.rnn` lazily (a missing file gives AttributeError, not a broken
    package)."""
    if name == "rnn":
        try:
            return importlib.import_module("jtorch.nn.utils.rnn")
        except ModuleNotFoundError as e:
            if e.name != "jtorch.nn.utils.rnn":
                raise
    raise AttributeError(f"module 'jtorch.nn.utils' has no attribute '{name}'")
