"""The hook-based spectral normalisation (torch.nn.utils.spectral_norm): `weight` becomes
`weight_orig / sigma`, sigma estimated by power iteration on buffers `weight_u`, `weight_v`
(one step per forward in training mode).

Differs from torch: the state_dict metadata version hooks (for loading checkpoints of the
pre-1.0 format) are not installed.
"""

from __future__ import annotations

from jtorch._dispatch import Op, dispatch
from jtorch._grad_mode import no_grad
from jtorch._ops import nn_misc
from jtorch.nn.parameter import Parameter

__all__ = ["SpectralNorm", "spectral_norm", "remove_spectral_norm"]

_POWER_ITERATION = Op(nn_misc.power_iteration, "", differentiable=False)
_SPECTRAL_NORMALIZE = Op(nn_misc.spectral_normalize, "DivBackward0", saves=(0,))
_UNIT = Op(nn_misc.normalize, "", differentiable=False)


def power_iteration_(weight, u, v, dim, n_iterations, eps, u_first):
    """Advance the power method's u and v buffers in place (no autograd history)."""
    with no_grad():
        new_u, new_v = dispatch(_POWER_ITERATION, (weight, u, v), dim=dim,
                                n_iterations=n_iterations, eps=float(eps), u_first=u_first)
        u.copy_(new_u)
        v.copy_(new_v)


def spectral_normalize(weight, u, v, dim):
    """weight / (u^H W v), W the weight as a matrix with `dim` first."""
    return dispatch(_SPECTRAL_NORMALIZE, (weight, u, v), dim=dim)


def random_unit_vectors(weight, dim, eps):
    """Normalised N(0, 1) starting vectors u (rows of the weight matrix) and v (columns)."""
    height = weight.shape[dim]
    width = weight.numel() // height if height else 0
    with no_grad():
        return tuple(dispatch(_UNIT, (weight.new_empty(n).normal_(0, 1),), p=2.0, dim=0,
                              eps=float(eps)) for n in (height, width))


def is_conv_transpose(module):
    from jtorch.nn.modules import conv
    classes = tuple(getattr(conv, name) for name in
                    ("ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d")
                    if hasattr(conv, name))
    return bool(classes) and isinstance(module, classes)


class SpectralNorm:
    """The forward pre-hook setting `module.<name>` to `<name>_orig / sigma`."""

    _version = 1

    def __init__(self, name="weight", n_power_iterations=1, dim=0, eps=1e-12):
        self.name = name
        self.dim = dim
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.n_power_iterations = n_power_iterations
        self.eps = eps

    def compute_weight(self, module, do_power_iteration):
        weight = getattr(module, self.name + "_orig")
        u = getattr(module, self.name + "_u")
        v = getattr(module, self.name + "_v")
        if do_power_iteration:
            power_iteration_(weight, u, v, self.dim, self.n_power_iterations, self.eps,
                             u_first=False)
        return spectral_normalize(weight, u, v, self.dim)

    def remove(self, module):
        with no_grad():
            weight = self.compute_weight(module, do_power_iteration=False)
        delattr(module, self.name)
        delattr(module, self.name + "_u")
        delattr(module, self.name + "_v")
        delattr(module, self.name + "_orig")
        module.register_parameter(self.name, Parameter(weight.detach()))

    def __call__(self, module, inputs):
        setattr(module, self.name,
                self.compute_weight(module, do_power_iteration=module.training))

    @staticmethod
    def apply(module, name, n_power_iterations, dim, eps):
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, SpectralNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two spectral_norm hooks on the same "
                                   f"parameter {name}")
        fn = SpectralNorm(name, n_power_iterations, dim, eps)
        weight = module._parameters[name]
        if weight is None:
            raise ValueError(f"`SpectralNorm` cannot be applied as parameter `{name}` is None")
        u, v = random_unit_vectors(weight, dim, fn.eps)
        delattr(module, fn.name)
        module.register_parameter(fn.name + "_orig", weight)
        setattr(module, fn.name, weight.data)
        module.register_buffer(fn.name + "_u", u)
        module.register_buffer(fn.name + "_v", v)
        module.register_forward_pre_hook(fn)
        return fn


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide `module.<name>` by its spectral norm; dim defaults to 1 for ConvTranspose
    modules and 0 otherwise."""
    if dim is None:
        dim = 1 if is_conv_transpose(module) else 0
    SpectralNorm.apply(module, name, n_power_iterations, dim, eps)
    return module


def remove_spectral_norm(module, name="weight"):
    """Fold the spectral norm back into one parameter `<name>`."""
    for key, hook in module._forward_pre_hooks.items():
        if isinstance(hook, SpectralNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[key]
            return module
    raise ValueError(f"spectral_norm of '{name}' not found in {module}")
