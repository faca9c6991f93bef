"""torch.optim.AdamW on Optax."""

from __future__ import annotations

from jtorch.optim.adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
    amsgrad=False, *, maximize=False, foreach=None, capturable=False, differentiable=False,
    fused=None): Adam with decoupled weight decay (param *= 1 - lr * weight_decay), as
    optax.adamw composes it (decay next to the Adam direction, not in its moments), with
    torch's float32 rounding of the decay factor. As in torch 2.x, a subclass of Adam with
    `decoupled_weight_decay=True` in its groups.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
