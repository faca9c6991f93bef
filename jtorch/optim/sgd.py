"""torch.optim.SGD on Optax."""

from __future__ import annotations

import optax

from jtorch.optim._optax_step import TransformOptimizer
from jtorch.optim._transforms import l2_penalty_if, negate_if

__all__ = ["SGD"]


class SGD(TransformOptimizer):
    """torch.optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
    nesterov=False, *, maximize=False, foreach=None, differentiable=False, fused=None).

    Optax chain: negate (maximize), add_decayed_weights (L2 in the gradient), trace
    (momentum; `nesterov` as Optax's, g + momentum * buf, which is torch's), scale(-lr).
    Dampening: torch's first step sets buf = g undamped, later steps buf = momentum * buf +
    (1 - dampening) * g; Optax's trace has no dampening, so the gradient is scaled by
    (1 - dampening) before it on every step but the first (the buffer starts at zero, so the
    first trace step gives buf = g exactly). State: `momentum_buffer`, created by the first
    step when momentum != 0, as in torch.
    """

    _state_fields = {"momentum_buffer": "trace"}
    _tensor_step = False
    _setstate_defaults = {"nesterov": False, "maximize": False, "foreach": None,
                          "differentiable": False, "fused": False}

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _state_keys(self, group):
        return ("momentum_buffer",) if group["momentum"] != 0 else ()

    def _hyperparameters(self, group):
        return {"lr": group["lr"], "momentum": group["momentum"],
                "dampening": group["dampening"], "weight_decay": group["weight_decay"]}

    def _options(self, group):
        return {"momentum": group["momentum"] != 0, "weight_decay": group["weight_decay"] != 0,
                "nesterov": group["nesterov"], "maximize": group["maximize"]}

    @staticmethod
    def _transform(hp, state, *, momentum, weight_decay, nesterov, maximize):
        parts = [negate_if(maximize), l2_penalty_if(weight_decay, hp["weight_decay"])]
        if momentum:
            if state["momentum_buffer"] is not None:
                parts.append(optax.scale(1 - hp["dampening"]))
            parts.append(optax.trace(decay=hp["momentum"], nesterov=nesterov))
        return optax.chain(*parts, optax.scale(-hp["lr"]))
