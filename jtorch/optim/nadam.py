"""torch.optim.NAdam on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import tensor, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import negate_if, scale_by_torch_nadam, weight_decay_terms
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["NAdam"]


class NAdam(TransformOptimizer):
    """torch.optim.NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
    momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False,
    capturable=False, differentiable=False).

    Optax chain: negate (maximize), weight decay (L2, or decoupled as in AdamW),
    `scale_by_torch_nadam`, scale(-lr). optax.nadam is a different rule (Adam with a Nesterov
    look-ahead, no momentum schedule), so torch's — the mu_t = b1 (1 - 0.96^(t psi) / 2)
    schedule with its running product `mu_product` in state — is written on Optax's moment
    helpers. State: `step`, `mu_product`, `exp_avg`, `exp_avg_sq`.
    """

    _state_fields = {"step": "count", "mu_product": "mu_product", "exp_avg": "mu",
                     "exp_avg_sq": "nu"}
    _setstate_defaults = {"maximize": False, "foreach": None, "capturable": False,
                          "differentiable": False, "decoupled_weight_decay": False}

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay,
                    "decoupled_weight_decay": decoupled_weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": tensor(0.0, dtype=scalar_dtype()),
                "mu_product": tensor(1.0, dtype=scalar_dtype()),
                "exp_avg": zeros_like(param), "exp_avg_sq": zeros_like(param)}

    def _hyperparameters(self, group):
        beta1, beta2 = group["betas"]
        return {"lr": group["lr"], "beta1": beta1, "beta2": beta2, "eps": group["eps"],
                "weight_decay": group["weight_decay"],
                "momentum_decay": group["momentum_decay"]}

    def _options(self, group):
        return {"weight_decay": group["weight_decay"] != 0,
                "decoupled": group["decoupled_weight_decay"], "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, weight_decay, decoupled, maximize):
        decay_before, decay_after = weight_decay_terms(weight_decay, decoupled,
                                                       hp["weight_decay"], hp["lr"])
        return optax.chain(
            negate_if(maximize), decay_before,
            scale_by_torch_nadam(hp["beta1"], hp["beta2"], hp["eps"], hp["momentum_decay"]),
            optax.scale(-hp["lr"]), decay_after)
