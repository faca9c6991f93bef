"""torch.optim.Adadelta on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import zeros, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import l2_penalty_if, negate_if
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["Adadelta"]


class Adadelta(TransformOptimizer):
    """torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0,
    foreach=None, *, capturable=False, maximize=False, differentiable=False).

    Optax chain: negate (maximize), add_decayed_weights (L2), scale_by_adadelta(rho, eps)
    (Optax's rule is torch's: delta = sqrt(acc_delta + eps) / sqrt(square_avg + eps) * g),
    scale(-lr). State: `step`, `square_avg` (Optax's e_g), `acc_delta` (e_x).
    """

    _state_fields = {"step": None, "square_avg": "e_g", "acc_delta": "e_x"}
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": zeros((), dtype=scalar_dtype()), "square_avg": zeros_like(param),
                "acc_delta": zeros_like(param)}

    def _hyperparameters(self, group):
        return {"lr": group["lr"], "rho": group["rho"], "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    def _options(self, group):
        return {"weight_decay": group["weight_decay"] != 0, "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, weight_decay, maximize):
        return optax.chain(
            negate_if(maximize), l2_penalty_if(weight_decay, hp["weight_decay"]),
            optax.scale_by_adadelta(rho=hp["rho"], eps=hp["eps"]), optax.scale(-hp["lr"]))
