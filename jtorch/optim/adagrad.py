"""torch.optim.Adagrad on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import full_like, tensor
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import l2_penalty_if, negate_if, scale_by_torch_adagrad
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["Adagrad"]


class Adagrad(TransformOptimizer):
    """torch.optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0,
    initial_accumulator_value=0, eps=1e-10, foreach=None, *, maximize=False,
    differentiable=False, fused=None).

    Optax chain: negate (maximize), add_decayed_weights (L2), `scale_by_torch_adagrad`
    (sum += g^2; g / (sqrt(sum) + eps): optax.scale_by_rss puts eps inside the root),
    scale_by_schedule(count -> -lr / (1 + count * lr_decay)), torch's decayed rate with
    count = step - 1. As in torch, the state (`step`, `sum` = initial_accumulator_value) is
    created for every parameter by the constructor.
    """

    _state_fields = {"step": "count", "sum": "sum_of_squares"}
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "fused": None}

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: "
                             f"{initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p].update(self._init_state(p, group))

    def _init_state(self, param, group):
        return {"step": tensor(0.0, dtype=scalar_dtype()),
                "sum": full_like(param, group["initial_accumulator_value"])}

    def _hyperparameters(self, group):
        return {"lr": group["lr"], "lr_decay": group["lr_decay"], "eps": group["eps"],
                "weight_decay": group["weight_decay"]}

    def _options(self, group):
        return {"weight_decay": group["weight_decay"] != 0, "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, weight_decay, maximize):
        lr, lr_decay = hp["lr"], hp["lr_decay"]
        return optax.chain(
            negate_if(maximize), l2_penalty_if(weight_decay, hp["weight_decay"]),
            # the accumulator's initial value is in the state the constructor creates
            scale_by_torch_adagrad(0.0, hp["eps"]),
            optax.scale_by_schedule(lambda count: -lr / (1 + count * lr_decay)))
