"""nn.Parameter and nn.Buffer."""

from __future__ import annotations

from jtorch._tensor import Tensor, from_array


def _fresh(cls, data, requires_grad):
    if data is None:
        from jtorch._api.creation import empty
        data = empty(0)
    t = from_array(data._array, requires_grad=False)
    t.__class__ = cls
    if requires_grad:
        t.requires_grad_(True)
    return t


class Parameter(Tensor):
    """torch.nn.Parameter: a leaf Tensor that Modules register as a parameter.

    jtorch's Parameter holds the data's current values; unlike torch it does not alias the
    tensor it was made from (later writes to that tensor are not seen; see the README).
    """

    _is_param = True

    def __new__(cls, data=None, requires_grad=True):
        return _fresh(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        out = Parameter(self.detach(), self.requires_grad)
        if self._grad is not None:
            out._grad = from_array(self._grad._array)
        memo[id(self)] = out
        return out


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)


class Buffer(Tensor):
    """torch.nn.Buffer: marks a tensor to be registered as a buffer when assigned to a Module."""

    def __new__(cls, data=None, *, persistent=True):
        t = _fresh(Tensor, data, False)
        t.__dict__["_buffer_persistent"] = persistent
        t.__class__ = cls
        return t

    def __init__(self, data=None, *, persistent=True):
        pass
