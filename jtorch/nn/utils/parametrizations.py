"""torch.nn.utils.parametrizations: weight_norm and spectral_norm as parametrizations.

`weight_norm(m)` keeps `parametrizations.weight.original0` (g) and `original1` (v) as
parameters; `spectral_norm(m)` keeps `parametrizations.weight.original` and the power
method's buffers `parametrizations.weight.0._u` / `_v` — the state_dict keys torch uses.

Differs from torch: `orthogonal` is not provided, and weight_norm's load_state_dict hook that
renames old `weight_g`/`weight_v` keys is not installed (jtorch's Module has no load_state_dict
pre-hooks).
"""

from __future__ import annotations

from jtorch._tensor import Tensor
from jtorch.nn import functional as F
from jtorch.nn.modules.module import Module
from jtorch.nn.utils import parametrize
from jtorch.nn.utils.spectral_norm import (
    is_conv_transpose,
    power_iteration_,
    random_unit_vectors,
    spectral_normalize,
)
from jtorch.nn.utils.weight_norm import _weight_norm, norm_except_dim

__all__ = ["spectral_norm", "weight_norm"]


class _WeightNorm(Module):
    """weight = g * v / ||v|| from (g, v) = (original0, original1)."""

    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def weight_norm(module, name="weight", dim=0):
    """Reparametrise `module.<name>` as g * v / ||v|| (norm over every dim but `dim`; over
    the whole tensor with dim=None)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


class _SpectralNorm(Module):
    """weight / sigma, sigma the largest singular value estimated by power iteration (one
    step per access in training mode, 15 at construction)."""

    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, "
                             f"{ndim - 1}] but got {dim})")
        if n_power_iterations <= 0:
            raise ValueError("Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            u, v = random_unit_vectors(weight, self.dim, eps)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(weight, 15)

    def _power_method(self, weight, n_power_iterations):
        power_iteration_(weight, self._u, self._v, self.dim, n_power_iterations, self.eps,
                         u_first=True)

    def forward(self, weight):
        if weight.ndim == 1:
            return F.normalize(weight, dim=0, eps=self.eps)
        if self.training:
            self._power_method(weight, self.n_power_iterations)
        return spectral_normalize(weight, self._u, self._v, self.dim)

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide `module.<name>` by its spectral norm; dim defaults to 1 for ConvTranspose
    modules and 0 otherwise."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if is_conv_transpose(module) else 0
    parametrize.register_parametrization(module, name,
                                         _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
