"""torch.autograd: backward, grad, Function, and the grad-mode switches."""

from jtorch._autograd import backward as _tensor_backward
from jtorch._autograd import grad
from jtorch._grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from jtorch.autograd import graph  # noqa: F401
from jtorch.autograd.function import Function, FunctionCtx


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """torch.autograd.backward: accumulate gradients of `tensors` into the leaves' .grad."""
    _tensor_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=inputs)


def Variable(data, requires_grad=False, volatile=False):
    """The deprecated torch.autograd.Variable: returns the tensor itself, as torch does."""
    if requires_grad:
        data.requires_grad_(True)
    return data


__all__ = ["backward", "grad", "Function", "FunctionCtx", "Variable", "no_grad", "enable_grad",
           "set_grad_enabled", "inference_mode"]
