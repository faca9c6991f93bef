"""torch.optim.ASGD on Optax."""

from __future__ import annotations

import optax

from jtorch._api.creation import ones, tensor, zeros, zeros_like
from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import l2_penalty_if, negate_if, torch_asgd
from jtorch.optim.optimizer import scalar_dtype

__all__ = ["ASGD"]


class ASGD(TransformOptimizer):
    """torch.optim.ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
    foreach=None, maximize=False, differentiable=False, capturable=False).

    Optax chain: negate (maximize), add_decayed_weights (L2), `torch_asgd` (Optax has no
    averaged SGD): param *= 1 - lambd * eta; param -= eta * g; the average `ax` follows the
    new param; eta and mu follow torch's schedules. State: `step`, `eta`, `mu`, `ax`.
    """

    _state_fields = {"step": "count", "eta": "eta", "mu": "mu", "ax": "ax"}
    _setstate_defaults = {"foreach": None, "maximize": False, "differentiable": False,
                          "capturable": False}

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        return {"step": zeros((), dtype=scalar_dtype()),
                "eta": tensor(float(group["lr"]), dtype=scalar_dtype()),
                "mu": ones((), dtype=scalar_dtype()), "ax": zeros_like(param)}

    def _hyperparameters(self, group):
        return {"lr": group["lr"], "lambd": group["lambd"], "alpha": group["alpha"],
                "t0": group["t0"], "weight_decay": group["weight_decay"]}

    def _options(self, group):
        return {"weight_decay": group["weight_decay"] != 0, "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, weight_decay, maximize):
        return optax.chain(
            negate_if(maximize), l2_penalty_if(weight_decay, hp["weight_decay"]),
            torch_asgd(hp["lr"], hp["lambd"], hp["alpha"], hp["t0"]))
