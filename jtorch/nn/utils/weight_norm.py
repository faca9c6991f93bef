"""The hook-based weight normalisation (torch.nn.utils.weight_norm, deprecated in torch in
favour of parametrizations.weight_norm): `weight` becomes `weight_g * weight_v / ||weight_v||`,
with parameters `weight_g` and `weight_v`, recomputed before every forward."""

from __future__ import annotations

import warnings

from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_misc
from jtorch.nn.parameter import Parameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]

_WEIGHT_NORM_FUSED = Op(nn_misc.weight_norm, "WeightNormInterfaceBackward0", saves=(0, 1))
_WEIGHT_NORM_COMPOSITE = Op(nn_misc.weight_norm, "MulBackward0", saves=(0, 1))
_NORM_EXCEPT_DIM = Op(nn_misc.norm_except_dim, "NormBackward1", saves=(0,))


def _weight_norm(v, g, dim=0):
    """torch._weight_norm: v * g / norm_except_dim(v, 2, dim). torch uses its fused kernel
    (WeightNormInterfaceBackward0) for the first and last dim only."""
    fused = dim == 0 or dim == v.dim() - 1
    return dispatch(_WEIGHT_NORM_FUSED if fused else _WEIGHT_NORM_COMPOSITE, (v, g), dim=dim)


def norm_except_dim(v, pow=2, dim=0):
    """torch.norm_except_dim: the norm over every dim but `dim`, kept as size-1 dims (a 0-d
    norm of everything when dim == -1)."""
    return dispatch(_NORM_EXCEPT_DIM, (v,), pow=pow, dim=dim)


class WeightNorm:
    """The forward pre-hook recomputing `module.<name>` from `<name>_g` and `<name>_v`."""

    def __init__(self, name, dim):
        if dim is None:
            dim = -1
        self.name = name
        self.dim = dim

    def compute_weight(self, module):
        g = getattr(module, self.name + "_g")
        v = getattr(module, self.name + "_v")
        return _weight_norm(v, g, self.dim)

    @staticmethod
    def apply(module, name, dim):
        warnings.warn("`torch.nn.utils.weight_norm` is deprecated in favor of "
                      "`torch.nn.utils.parametrizations.weight_norm`.", FutureWarning,
                      stacklevel=3)
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same "
                                   f"parameter {name}")
        if dim is None:
            dim = -1
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module):
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module, inputs):
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module, name="weight", dim=0):
    """Reparametrise `module.<name>` as g * v / ||v||, the norm taken over every dim but `dim`
    (over the whole tensor with dim=None); adds parameters `<name>_g`, `<name>_v`."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module, name="weight"):
    """Fold the weight norm back into one parameter `<name>`."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
