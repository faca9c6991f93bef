"""torch.optim.Rprop on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import full_like, zeros, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import negate_if, scale_by_torch_rprop
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["Rprop"]


class Rprop(TransformOptimizer):
    """torch.optim.Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
    capturable=False, foreach=None, maximize=False, differentiable=False).

    Optax chain: negate (maximize), `scale_by_torch_rprop` (the step-size rule of
    optax.scale_by_rprop plus torch's clamp where grad * prev == 0; torch's update
    step_size * sign(g), which optax.scale_by_rprop delays by one step; torch's `prev`),
    scale(-1). State: `step`, `prev` (Optax's prev_updates), `step_size` (step_sizes,
    initialised to lr).
    """

    _state_fields = {"step": None, "prev": "prev_updates", "step_size": "step_sizes"}
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": zeros((), dtype=scalar_dtype()), "prev": zeros_like(param),
                "step_size": full_like(param.grad, float(group["lr"]))}

    def _hyperparameters(self, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        return {"lr": group["lr"], "etaminus": etaminus, "etaplus": etaplus,
                "step_size_min": step_size_min, "step_size_max": step_size_max}

    def _options(self, group):
        return {"maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, maximize):
        return optax.chain(
            negate_if(maximize),
            scale_by_torch_rprop(hp["lr"], hp["etaminus"], hp["etaplus"], hp["step_size_min"],
                                 hp["step_size_max"]),
            optax.scale(-1.0))
