"""parameters_to_vector and vector_to_parameters (torch.nn.utils.convert_parameters)."""

from __future__ import annotations

from jtorch._api.views import cat
from jtorch._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param, old_param_device):
    """torch's check that all parameters live on one device (-1 stands for the CPU)."""
    device = param.get_device() if param.device.type == "cuda" else -1
    if old_param_device is None:
        return device
    if device != old_param_device:
        raise TypeError("Found two parameters on different devices, this is currently not "
                        "supported.")
    return old_param_device


def _typename(obj):
    """torch.typename of a non-tensor: `list`, `numpy.ndarray`, ..."""
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"


def parameters_to_vector(parameters):
    """One flat vector of all parameters, concatenated in order (differentiable)."""
    param_device = None
    flat = []
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        flat.append(param.view(-1))
    return cat(flat)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of `vec` into the parameters' data, in order."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    param_device = None
    pointer = 0
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        num_param = param.numel()
        param.data = vec[pointer:pointer + num_param].view_as(param).data
        pointer += num_param
