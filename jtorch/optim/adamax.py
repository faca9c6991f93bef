"""torch.optim.Adamax on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import tensor, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import l2_penalty_if, negate_if
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["Adamax"]


class Adamax(TransformOptimizer):
    """torch.optim.Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    foreach=None, *, maximize=False, differentiable=False, capturable=False).

    Optax chain: negate (maximize), add_decayed_weights (L2), scale_by_adamax (Optax's rule
    is torch's: exp_inf = max(b2 * exp_inf, |g| + eps); update exp_avg / bc1 / exp_inf),
    scale(-lr). State: `step`, `exp_avg` (Optax's mu), `exp_inf` (nu).
    """

    _state_fields = {"step": "count", "exp_avg": "mu", "exp_inf": "nu"}
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": tensor(0.0, dtype=scalar_dtype()), "exp_avg": zeros_like(param),
                "exp_inf": zeros_like(param)}

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return {"lr": group["lr"], "beta1": beta1, "beta2": beta2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    def _options(self, group):
        return {"weight_decay": group["weight_decay"] != 0, "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, weight_decay, maximize):
        return optax.chain(
            negate_if(maximize), l2_penalty_if(weight_decay, hp["weight_decay"]),
            optax.scale_by_adamax(b1=hp["beta1"], b2=hp["beta2"], eps=hp["eps"]),
            optax.scale(-hp["lr"]))
