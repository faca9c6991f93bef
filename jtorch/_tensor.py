"""jtorch.Tensor: a mutable handle around an immutable jax.Array.

Reproduces torch's aliasing on top of immutable arrays:
- an in-place op computes a new array and rebinds the handle (`_raw`), bumping the version
  counter `_vc`, shared by a tensor and its views as in torch;
- a view (`view`, basic indexing, `t()`, `detach()`, `.data`, ...) keeps a reference to its
  root base and the chain of view ops leading to it. A write through a view scatters into the
  base (`_dispatch.commit_inplace`); a read of a view whose base has changed since it last
  looked (`_gen`) recomputes it from the base (`_dispatch.refresh_view`).
Ops and methods are attached by the op registrations in `jtorch/_api/`.
"""

from __future__ import annotations

import numpy as np

from jtorch import _device, _dtypes, _strides
from jtorch._ops.reduction import canonical_dim


class Size(tuple):
    """torch.Size: a tuple of ints that prints as `torch.Size([2, 3])`."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = super().__getitem__(item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


_fresh_object = object.__new__


class Tensor:
    __slots__ = ("_raw", "_base", "_view_chain", "_gen", "_detached", "_vc", "_requires_grad",
                 "grad_fn", "_output_nr", "_grad", "_grad_accumulator", "_retains_grad",
                 "_stride", "_offset", "_creation_meta", "__weakref__", "__dict__")

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(...) legacy constructor: torch.Tensor([1, 2]) or torch.Tensor(2, 3).
        from jtorch._api.creation import legacy_tensor_constructor
        return legacy_tensor_constructor(cls, _dtypes.get_default_dtype(), *args, **kwargs)

    # ---- the array, and views -------------------------------------------------------
    @property
    def _array(self):
        base = self._base
        if base is None or self._gen == base._gen:
            return self._raw
        return _dispatch.refresh_view(self)

    @property
    def _version(self):
        return self._vc[0]

    # ---- metadata -----------------------------------------------------------------
    @property
    def shape(self):
        return Size(self._raw.shape)

    def size(self, dim=None):
        shape = self._raw.shape
        if dim is None:
            return Size(shape)
        return shape[canonical_dim(dim, len(shape))]

    @property
    def dtype(self):
        return _dtypes.from_jax(self._raw.dtype)

    @property
    def device(self):
        try:
            devices = self._raw.devices()
        except Exception:  # a tracer under jit has no concrete device
            return _device.CPU
        return _device.from_jax_device(next(iter(devices)))

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    @property
    def is_cpu(self):
        return self.device.type == "cpu"

    @property
    def ndim(self):
        return self._raw.ndim

    def dim(self):
        return self._raw.ndim

    ndimension = dim

    def numel(self):
        return int(self._raw.size)

    nelement = numel

    def element_size(self):
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.numel() * self.dtype.itemsize

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    def stride(self, dim=None):
        strides = self._stride
        if strides is None:
            strides = self._stride = _strides.contiguous_strides(self._raw.shape)
        if dim is None:
            return strides
        return strides[canonical_dim(dim, len(strides))]

    def storage_offset(self):
        return self._offset

    def is_contiguous(self, memory_format=None):
        return self._stride is None or _strides.is_contiguous(self._raw.shape, self._stride)

    def data_ptr(self):
        root = self._base if self._base is not None else self
        return _storage_address(root) + self._offset * self.dtype.itemsize

    def get_device(self):
        d = self.device
        return -1 if d.type == "cpu" else d.index

    # ---- autograd state ------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        self._set_requires_grad(flag, "only Tensors of floating point and complex dtype can "
                                      "require gradients")

    def requires_grad_(self, requires_grad=True):
        """torch.Tensor.requires_grad_: only leaves, only floating point and complex dtypes."""
        return self._set_requires_grad(
            requires_grad, "only Tensors of floating point dtype can require gradients")

    def _set_requires_grad(self, requires_grad, dtype_message):
        # torch's setter and requires_grad_ word the dtype error differently
        requires_grad = bool(requires_grad)
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach().")
            return self
        if requires_grad and not (self.dtype.is_floating_point or self.dtype.is_complex):
            raise RuntimeError(dtype_message)
        self._requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value.shape != self.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        return self._retains_grad

    @property
    def output_nr(self):
        return self._output_nr

    @property
    def data(self):
        """torch's `.data`: an alias that shares storage but not autograd history or version."""
        return _dispatch.alias_view(self, share_version=False)

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._raw = value._array
        self._stride, self._offset = None, 0
        if self._base is None:
            self._gen += 1

    def detach(self):
        """torch.Tensor.detach: an alias sharing storage and version counter, without history."""
        return _dispatch.alias_view(self, share_version=True)

    def detach_(self):
        if self._base is not None and not self._detached:
            raise RuntimeError("Can't detach views in-place. Use detach() instead.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self):
        from jtorch import _autograd
        _autograd.retain_grad(self)

    def register_hook(self, hook):
        from jtorch import _autograd
        return _autograd.register_tensor_hook(self, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from jtorch import _autograd
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ---- conversion to Python and numpy ---------------------------------------------
    def numpy(self, *, force=False):
        """A numpy copy of the values (torch shares memory; JAX arrays are immutable)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        if not force and self.device.type != "cpu":
            raise TypeError(f"can't convert {self.device} device type tensor to numpy. Use "
                            "Tensor.cpu() to copy the tensor to host memory first.")
        if self.dtype is _dtypes.bfloat16:
            raise TypeError("Got unsupported ScalarType BFloat16")
        return np.array(self._array)

    def __array__(self, dtype=None, copy=None):
        values = np.asarray(self._array)
        return values if dtype is None else values.astype(dtype)

    def item(self):
        if self._raw.size != 1:
            raise RuntimeError(f"a Tensor with {self._raw.size} elements cannot be converted to "
                               "Scalar")
        return _python_scalar(self)

    def tolist(self):
        values = np.asarray(self._array)
        if self.dtype is _dtypes.bfloat16:
            values = values.astype(np.float32)
        return values.tolist()

    def __bool__(self):
        if self._raw.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(_python_scalar(self))

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self.dtype.is_complex or self._raw.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __len__(self):
        if self._raw.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._raw.shape[0]

    def __iter__(self):
        if self._raw.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from jtorch import _printing
        values = np.asarray(self._array)
        if self.dtype is _dtypes.bfloat16:
            values = values.astype(np.float32)
        device = self.device
        return _printing.tensor_repr(
            values, dtype_name=self.dtype.name,
            default_dtype_name=_dtypes.get_default_dtype().name,
            device=None if device.type == "cpu" else str(device),
            requires_grad=self._requires_grad,
            grad_fn_name=None if self.grad_fn is None else type(self.grad_fn).__name__,
            is_parameter=getattr(self, "_is_param", False))

    __str__ = __repr__

    def __format__(self, spec):
        if self._raw.ndim == 0:
            return format(self.item(), spec)
        return format(repr(self), spec)

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support "
                               "the deepcopy protocol at the moment.  If you were attempting to "
                               "deepcopy a module, this may be because of a torch.nn.utils."
                               "weight_norm usage, see https://github.com/pytorch/pytorch/pull/"
                               "103001")
        out = type(self)._from_array(self._array, self._requires_grad) \
            if type(self) is not Tensor else from_array(self._array, self._requires_grad)
        if self._grad is not None:
            out._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = out
        return out


def from_array(array, requires_grad=False) -> Tensor:
    """Wrap a jax.Array as a fresh root Tensor (the only way the funnel creates tensors)."""
    t = _fresh_object(Tensor)
    t._raw = array
    t._base = None
    t._view_chain = ()
    t._gen = 0
    t._detached = False
    t._vc = [0]
    t._requires_grad = requires_grad
    t.grad_fn = None
    t._output_nr = 0
    t._grad = None
    t._grad_accumulator = None
    t._retains_grad = False
    t._stride = None
    t._offset = 0
    t._creation_meta = None
    if creation_observer is not None:
        creation_observer(t)
    return t


creation_observer = None  # set by _dispatch.set_observer while jtorch.compile discovers state


def _python_scalar(t):
    value = np.asarray(t._array).reshape(())
    if t.dtype is _dtypes.bfloat16:
        value = value.astype(np.float32)
    return value.item()


def _storage_address(root):
    """A fake address per storage (the root's identity), so data_ptr() comparisons work."""
    return id(root)


from jtorch import _dispatch  # noqa: E402  (cycle: the funnel wraps results in Tensors)
