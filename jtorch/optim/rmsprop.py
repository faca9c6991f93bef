"""torch.optim.RMSprop on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import zeros, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import l2_penalty_if, negate_if
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["RMSprop"]


class RMSprop(TransformOptimizer):
    """torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0,
    momentum=0, centered=False, capturable=False, foreach=None, maximize=False,
    differentiable=False).

    Optax chain: negate (maximize), add_decayed_weights (L2), scale_by_rms(decay=alpha,
    eps_in_sqrt=False) — torch adds eps outside the root: g / (sqrt(v) + eps); Optax's
    default puts it inside — or, `centered=True`, scale_by_stddev(eps_in_sqrt=False):
    g / (sqrt(v - mean_g^2) + eps); then trace(decay=momentum) when momentum > 0 (torch's
    buf = momentum * buf + g / avg), scale(-lr). State: `step`, `square_avg`,
    `momentum_buffer` (momentum > 0), `grad_avg` (centered).
    """

    _state_fields = {"step": None, "square_avg": "nu", "momentum_buffer": "trace",
                     "grad_avg": "mu"}
    _setstate_defaults = {"momentum": 0, "centered": False, "foreach": None, "maximize": False,
                          "differentiable": False, "capturable": False}

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        keys = ("step", "square_avg")
        if group["momentum"] > 0:
            keys += ("momentum_buffer",)
        return keys + ("grad_avg",) if group["centered"] else keys

    def _init_state(self, param, group):
        state = {"step": zeros((), dtype=scalar_dtype()), "square_avg": zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = zeros_like(param)
        return state

    def _hyperparameters(self, group):
        return {"lr": group["lr"], "alpha": group["alpha"], "eps": group["eps"],
                "weight_decay": group["weight_decay"], "momentum": group["momentum"]}

    def _options(self, group):
        return {"centered": group["centered"], "momentum": group["momentum"] > 0,
                "weight_decay": group["weight_decay"] != 0, "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, centered, momentum, weight_decay, maximize):
        scale_by = optax.scale_by_stddev if centered else optax.scale_by_rms
        return optax.chain(
            negate_if(maximize), l2_penalty_if(weight_decay, hp["weight_decay"]),
            scale_by(decay=hp["alpha"], eps=hp["eps"], eps_in_sqrt=False),
            optax.trace(decay=hp["momentum"]) if momentum else optax.identity(),
            optax.scale(-hp["lr"]))
