"""torch.autograd.Function: user-defined forward/backward as one graph node."""

from __future__ import annotations

import jax.numpy as jnp

from jtorch import _autograd
from jtorch._grad_mode import state as _grad_state
from jtorch._tensor import Tensor, from_array


class FunctionCtx:
    """The `ctx` of a custom Function: save_for_backward, saved_tensors, needs_input_grad."""

    def __init__(self):
        self._saved = ()
        self._saved_versions = ()
        self._released = False
        self._materialize = True
        self._non_differentiable = set()
        self.needs_input_grad = ()

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._saved_versions = tuple(_autograd._SavedVersion(t) for t in tensors
                                     if isinstance(t, Tensor))

    @property
    def saved_tensors(self):
        if self._released:
            raise RuntimeError(_autograd._FREED_MESSAGE)
        for saved in self._saved_versions:
            saved.check()
        return self._saved

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        pass

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class _FunctionNode(_autograd.Node):
    """The graph node of one custom Function call: runs the user's backward. Each Function
    class gets its own subclass, named like torch's (`ExpBackward` for `class Exp`)."""

    def __init__(self, cls, ctx, edges, outputs):
        super().__init__()
        self._cls, self.ctx = cls, ctx
        self._next = edges
        self._outputs = [(o._raw.shape, o._raw.dtype) for o in outputs]
        self.n_outputs = len(outputs)

    def release(self):
        self.ctx._released = True

    def apply(self, grads):
        if self.ctx._materialize:
            grads = [from_array(jnp.zeros(shape, dtype)) if g is None else g
                     for g, (shape, dtype) in zip(grads, self._outputs)]
        result = self._cls.backward(self.ctx, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        if len(result) < len(self._next):
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {len(self._next)}, got {len(result)})")
        return [g if e is not None else None for g, e in zip(result, self._next)]


def _backward_class(cls):
    node_cls = cls.__dict__.get("_backward_cls")
    if node_cls is None:
        node_cls = type(cls.__name__ + "Backward", (_FunctionNode,), {})
        cls._backward_cls = node_cls
    return node_cls


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grads)`; call `apply`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        prev = _grad_state.grad_enabled
        _grad_state.grad_enabled = False
        try:
            if cls.setup_context is not Function.setup_context:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, outputs)
            else:
                outputs = cls.forward(ctx, *args, **kwargs)
        finally:
            _grad_state.grad_enabled = prev
        if not (prev and any(ctx.needs_input_grad)):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = [outputs] if single else list(outputs)
        tensors = [o for o in outs if isinstance(o, Tensor)]
        edges = tuple(_autograd.grad_edge(a) if needs else None
                      for a, needs in zip(args, ctx.needs_input_grad))
        node = _backward_class(cls)(cls, ctx, edges, tensors)
        nr = 0
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                continue
            if any(o is a for a in args):
                o = outs[i] = from_array(o._array)
            if id(o) not in ctx._non_differentiable and (o.dtype.is_floating_point
                                                         or o.dtype.is_complex):
                o._requires_grad, o.grad_fn, o._output_nr = True, node, nr
                for saved in ctx._saved_versions:  # a saved output names this node
                    if saved.tensor is not None and saved.tensor() is o:
                        saved.mark_output(node, nr)
            nr += 1
        return outs[0] if single else tuple(outs)


class once_differentiable:  # noqa: N801  (torch's name)
    """torch.autograd.function.once_differentiable: a no-op decorator in jtorch."""

    def __new__(cls, fn):
        return fn
