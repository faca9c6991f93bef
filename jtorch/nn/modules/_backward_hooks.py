"""Module full backward hooks: identity autograd Functions around a module's inputs and outputs
catch grad_output on the way in and grad_input on the way out (as torch's BackwardHook)."""

from __future__ import annotations

import warnings

from jtorch._tensor import Tensor
from jtorch.autograd.function import Function


class _OutputHook(Function):
    @staticmethod
    def forward(ctx, state, module, *tensors):
        ctx.state, ctx.module = state, module
        return tuple(t.detach() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        module = ctx.module
        for hook in list(module._backward_pre_hooks.values()):
            result = hook(module, grads)
            if result is not None:
                grads = tuple(result)
        ctx.state["grad_output"] = grads
        if not ctx.state["has_inputs"] and module._backward_hooks:
            warnings.warn("Full backward hook is firing when gradients are computed with respect "
                          "to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html"
                          "#torch.nn.Module.register_full_backward_hook for more details.",
                          stacklevel=2)
            for hook in list(module._backward_hooks.values()):
                hook(module, (None,), grads)
        return (None, None, *grads)


class _InputHook(Function):
    @staticmethod
    def forward(ctx, state, module, *tensors):
        ctx.state, ctx.module = state, module
        return tuple(t.detach() for t in tensors)

    @staticmethod
    def backward(ctx, *grads):
        module = ctx.module
        for hook in list(module._backward_hooks.values()):
            result = hook(module, grads, ctx.state.get("grad_output"))
            if result is not None:
                grads = tuple(result)
        return (None, None, *grads)


def _wrap(function, state, module, values):
    """Route every positional tensor through `function` when any of them requires grad (as
    torch does: grad_input then has an entry for each, computed even for those that do not
    require grad)."""
    positions = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
    if not any(values[i].requires_grad for i in positions):
        return values, False
    wrapped = function.apply(state, module, *(values[i] for i in positions))
    values = list(values)
    for i, w in zip(positions, wrapped):
        values[i] = w
    return values, True


def attach_backward_hooks(module, args, kwargs, run_forward):
    state = {}
    args, state["has_inputs"] = _wrap(_InputHook, state, module, args)
    output = run_forward(tuple(args), kwargs)
    single = isinstance(output, Tensor)
    outputs, _ = _wrap(_OutputHook, state, module, [output] if single else list(output)
                       if isinstance(output, tuple) else [output])
    return outputs[0] if single or not isinstance(output, tuple) else tuple(outputs)
