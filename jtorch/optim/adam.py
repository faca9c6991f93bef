"""torch.optim.Adam on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import tensor, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import negate_if, scale_by_torch_amsgrad, weight_decay_terms
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["Adam"]


class Adam(TransformOptimizer):
    """torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    amsgrad=False, *, foreach=None, maximize=False, capturable=False, differentiable=False,
    fused=None, decoupled_weight_decay=False).

    Optax chain: negate (maximize), add_decayed_weights (L2 weight decay in the gradient),
    scale_by_adam (its m / bc1 / (sqrt(v / bc2) + eps) is torch's update; eps outside the
    root, bias corrections from the step count), scale(-lr). `decoupled_weight_decay=True`
    (AdamW) instead applies torch's param *= 1 - lr * weight_decay with the update
    (`decoupled_weight_decay`, which keeps torch's float32 rounding of the factor).
    `amsgrad=True` uses `scale_by_torch_amsgrad` (torch keeps the max of the raw second
    moment; optax.scale_by_amsgrad the max of the corrected one).
    State: `step` (a float 0-d tensor), `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq` (amsgrad).
    """

    _state_fields = {"step": "count", "exp_avg": "mu", "exp_avg_sq": "nu",
                     "max_exp_avg_sq": "nu_max"}
    _setstate_defaults = {"amsgrad": False, "maximize": False, "foreach": None,
                          "capturable": False, "differentiable": False,
                          "decoupled_weight_decay": False, "fused": None}

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
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
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _state_keys(self, group):
        keys = ("step", "exp_avg", "exp_avg_sq")
        return keys + ("max_exp_avg_sq",) if group["amsgrad"] else keys

    def _init_state(self, param, group):
        state = {"step": tensor(0.0, dtype=scalar_dtype()), "exp_avg": zeros_like(param),
                 "exp_avg_sq": zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(param)
        return state

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return {"lr": group["lr"], "beta1": beta1, "beta2": beta2, "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    def _options(self, group):
        return {"amsgrad": group["amsgrad"], "maximize": group["maximize"],
                "weight_decay": group["weight_decay"] != 0,
                "decoupled": group["decoupled_weight_decay"]}

    @staticmethod
    def _transform(hp, state, *, amsgrad, maximize, weight_decay, decoupled):
        decay_before, decay_after = weight_decay_terms(weight_decay, decoupled,
                                                       hp["weight_decay"], hp["lr"])
        moments = (scale_by_torch_amsgrad if amsgrad else optax.scale_by_adam)(
            hp["beta1"], hp["beta2"], hp["eps"])
        return optax.chain(negate_if(maximize), decay_before, moments, optax.scale(-hp["lr"]),
                           decay_after)
