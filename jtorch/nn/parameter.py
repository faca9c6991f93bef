"""nn.Parameter, nn.Buffer, and the placeholders of lazy modules (UninitializedParameter,
UninitializedBuffer)."""

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


_UNINITIALIZED_USE = (
    "Attempted to use an uninitialized parameter in {}. This error happens when you are using a "
    "`LazyModule` or explicitly manipulating `torch.nn.parameter.{}` objects. When using "
    "LazyModules Call `forward` with a dummy batch to initialize the parameters before calling "
    "torch functions")


class UninitializedTensorMixin:
    """torch's placeholder for a tensor whose shape a lazy module infers on its first call.

    It holds an empty array of the requested dtype and device; `materialize(shape)` gives it
    real (uninitialized) storage and turns it into `cls_to_become`. Reading its values (every op
    goes through `_array`) raises torch's ValueError, its shape torch's RuntimeError; dtype and
    device conversions keep it uninitialized.
    """

    cls_to_become = None

    @property
    def _array(self):
        raise ValueError(_UNINITIALIZED_USE.format("an operation", type(self).__name__))

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes.")

    def size(self, dim=None):
        return self.shape

    def materialize(self, shape, device=None, dtype=None):
        """Give the placeholder storage of `shape` (values undefined, as torch.empty) and make it
        a plain Parameter/Tensor."""
        from jtorch._api.creation import empty
        data = empty(tuple(shape), device=device if device is not None else self.device,
                     dtype=dtype if dtype is not None else self.dtype)
        self._raw = data._raw
        self._stride, self._offset = None, 0
        self._gen += 1
        self.__class__ = self.cls_to_become

    def to(self, *args, **kwargs):
        from jtorch._api.creation import _parse_to
        device, dtype, _ = _parse_to(args, dict(kwargs))
        return type(self)._placeholder(self.requires_grad, device or self.device,
                                       dtype or self.dtype)

    def half(self):
        return self.to(_float_dtype("float16"))

    def float(self):
        return self.to(_float_dtype("float32"))

    def double(self):
        return self.to(_float_dtype("float64"))

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else device)

    def detach(self):
        return type(self)._placeholder(False, self.device, self.dtype)

    def share_memory_(self):
        raise RuntimeError(
            "Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
            "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)._placeholder(self.requires_grad, self.device, self.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, protocol):
        return (type(self), (self.requires_grad,))


def _float_dtype(name):
    from jtorch import _dtypes
    return getattr(_dtypes, name)


def _empty_placeholder(cls, requires_grad, device, dtype):
    from jtorch._api.creation import empty
    t = from_array(empty(0, device=device, dtype=dtype)._raw, requires_grad=False)
    t.__class__ = cls
    if requires_grad:
        Tensor.requires_grad_(t, True)
    return t


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """torch.nn.UninitializedParameter(requires_grad=True, device=None, dtype=None): a
    Parameter whose shape is not known yet; materialize() makes it a Parameter."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return cls._placeholder(requires_grad, device, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    @classmethod
    def _placeholder(cls, requires_grad, device, dtype):
        return _empty_placeholder(cls, requires_grad, device, dtype)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """torch.nn.UninitializedBuffer(requires_grad=False, device=None, dtype=None): a buffer
    whose shape is not known yet; materialize() makes it a Tensor."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None):
        return cls._placeholder(requires_grad, device, dtype)

    def __init__(self, requires_grad=False, device=None, dtype=None):
        pass

    @classmethod
    def _placeholder(cls, requires_grad, device, dtype):
        return _empty_placeholder(cls, requires_grad, device, dtype)


def is_lazy(param):
    """Whether `param` is an uninitialized placeholder of a lazy module."""
    return isinstance(param, UninitializedTensorMixin)
