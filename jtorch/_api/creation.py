"""Tensor creation, random sampling, dtype/device conversion and fill/copy."""

from __future__ import annotations

import math
import numbers

import jax
import jax.numpy as jnp
import numpy as np

from jtorch import _device, _dtypes
from jtorch._api._register import register
from jtorch._api.views import _size_args
from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._grad_mode import no_grad as _no_grad
from jtorch._ops import creation as creation_ops
from jtorch._ops import pointwise
from jtorch._tensor import Tensor, from_array

FULL = Op(creation_ops.full, "", differentiable=False, jit=False)
ARANGE = Op(creation_ops.arange, "", differentiable=False, jit=False)
UNIFORM = Op(creation_ops.uniform, "", differentiable=False)
SCALED_NORMAL = Op(creation_ops.scaled_normal, "", differentiable=False)
SPLIT_KEY = Op(creation_ops.split_key, "", differentiable=False)
TO_DTYPE = Op(pointwise.to_dtype, "ToCopyBackward0")
FILL = Op(pointwise.fill, "FillBackward1")


def _device_put(x, *, device):
    return jax.device_put(x, _device.to_jax_device(device))


TO_DEVICE = Op(_device_put, "ToCopyBackward0", jit=False)


def _place(t, device, requires_grad):
    """Finish a factory: move to `device` (CPU by default, as torch) and set requires_grad."""
    if device is not None:
        device = _device.as_device(device)
        if device.type != "cpu":
            t = from_array(_device_put(t._raw, device=device))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_or_default(dtype):
    return _dtypes.get_default_dtype() if dtype is None else _dtypes.as_dtype(dtype)


# ---- from data --------------------------------------------------------------------------

def _to_numpy(data):
    """Nested Python data (possibly holding tensors) as a numpy array, and whether it came
    from Python numbers (whose float64/complex128 become torch's default dtypes)."""
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, Tensor):
        return np.asarray(data._array), False
    if isinstance(data, np.ndarray):
        return data, False
    if isinstance(data, np.generic):
        return np.asarray(data), False
    if isinstance(data, (list, tuple)):
        if data and any(isinstance(d, Tensor) for d in data):
            parts = [_to_numpy(d)[0] for d in data]
            return np.stack(parts) if parts else np.zeros((0,)), False
    try:
        values = np.asarray(data)
    except ValueError:  # ragged nested lists
        raise ValueError(f"expected sequence of length {len(data[0])} at dim 1") from None
    if values.dtype == object:
        bad = next((x for x in np.ravel(np.asarray(data, dtype=object))
                    if not isinstance(x, (numbers.Number, np.generic))), data)
        raise RuntimeError(f"Could not infer dtype of {type(bad).__name__}")
    return values, True


def _infer_dtype(values, from_python):
    if values.dtype.kind in "US":
        raise ValueError("too many dimensions 'str'")
    if from_python:
        if values.dtype.kind == "f":
            return _dtypes.get_default_dtype()
        if values.dtype.kind == "c":
            return _dtypes.get_default_dtype().to_complex()
        if values.dtype.kind in "iu":
            return _dtypes.int64
    return _dtypes.from_jax(values.dtype)


def _array_from_data(data, dtype):
    values, from_python = _to_numpy(data)
    dtype = _infer_dtype(values, from_python) if dtype is None else _dtypes.as_dtype(dtype)
    # device_put transfers without compiling anything (jnp.asarray compiles per shape)
    return jax.device_put(np.asarray(values, dtype=dtype.np))


@register(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: a new tensor copying `data` (ints give int64, floats the default dtype)."""
    return _place(from_array(_array_from_data(data, dtype)), device, requires_grad)


@register(method=False)
def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    return tensor(data, dtype=dtype, device=device)


@register(method=False)
def from_numpy(ndarray):
    """torch.from_numpy (a copy: JAX arrays are immutable; see the README)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return from_array(jnp.asarray(ndarray))


def legacy_tensor_constructor(cls, dtype, *args, device=None, **kwargs):
    """torch.Tensor(...) / torch.FloatTensor(...): sizes give zeros, data gives a copy."""
    if not args:
        return from_array(jnp.zeros((0,), dtype.np))
    if all(isinstance(a, numbers.Integral) and not isinstance(a, bool) for a in args) or (
            len(args) == 1 and isinstance(args[0], tuple) and type(args[0]).__name__ == "Size"):
        return zeros(*args, dtype=dtype, device=device)
    if len(args) == 1:
        return tensor(args[0], dtype=dtype, device=device)
    raise TypeError(f"new() received an invalid combination of arguments - got {args}")


# ---- factories ----------------------------------------------------------------------------

def _full(size, value, dtype, device, requires_grad):
    t = dispatch(FULL, (), shape=_size_args(size), fill_value=value, dtype=dtype)
    return _place(t, device, requires_grad)


@register(method=False)
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    return _full(size, 0, _dtype_or_default(dtype), device, requires_grad)


@register(method=False)
def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    return _full(size, 1, _dtype_or_default(dtype), device, requires_grad)


@register(method=False)
def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, memory_format=None):
    """torch.empty: jtorch fills with zeros (uninitialised memory has no JAX equivalent)."""
    return _full(size, 0, _dtype_or_default(dtype), device, requires_grad)


@register(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False):
    if dtype is None:
        dtype = _dtypes.scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) \
            else fill_value.dtype
    return _full((tuple(size),), fill_value, _dtypes.as_dtype(dtype), device, requires_grad)


def _like(name, value):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None):
        d = input.dtype if dtype is None else _dtypes.as_dtype(dtype)
        return _full((tuple(input.shape),), value, d,
                     input.device if device is None else device, requires_grad)
    like.__name__ = like.__qualname__ = name
    like.__doc__ = f"torch.{name}: same shape, dtype and device as input unless given."
    return register(like, method=False)


zeros_like = _like("zeros_like", 0)
ones_like = _like("ones_like", 1)
empty_like = _like("empty_like", 0)


@register(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    d = input.dtype if dtype is None else _dtypes.as_dtype(dtype)
    return _full((tuple(input.shape),), fill_value, d,
                 input.device if device is None else device, requires_grad)


def _new_factory(name, value):
    def new(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False):
        d = self.dtype if dtype is None else _dtypes.as_dtype(dtype)
        return _full(size, value, d, self.device if device is None else device, requires_grad)
    new.__name__ = name
    setattr(Tensor, name, new)


_new_factory("new_zeros", 0)
_new_factory("new_ones", 1)
_new_factory("new_empty", 0)
Tensor.new_full = lambda self, size, fill_value, *, dtype=None, device=None, \
    requires_grad=False: full(size, fill_value, dtype=dtype or self.dtype,
                              device=device or self.device, requires_grad=requires_grad)
Tensor.new_tensor = lambda self, data, *, dtype=None, device=None, requires_grad=False: \
    tensor(data, dtype=dtype or self.dtype, device=device or self.device,
           requires_grad=requires_grad)


@register(method=False)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """torch.arange: int64 for integer arguments, the default float dtype otherwise."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        dtype = _dtypes.get_default_dtype() if is_float else _dtypes.int64
    t = dispatch(ARANGE, (), start=values[0], end=values[1], step=values[2],
                 dtype=_dtypes.as_dtype(dtype))
    return _place(t, device, requires_grad)


# ---- randomness ---------------------------------------------------------------------------

class Generator:
    """torch.Generator: a JAX PRNG key, split for every random op (torch's streams differ)."""

    def __init__(self, device="cpu"):
        self.device = _device.as_device(device)
        self.manual_seed(67280421310721)  # torch's default seed

    def manual_seed(self, seed):
        seed = int(seed)
        self._seed = seed
        self._key = jax.random.PRNGKey(seed & 0xFFFFFFFFFFFFFFFF)
        return self

    def seed(self):
        import random
        return self.manual_seed(random.getrandbits(63))._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        return from_array(jnp.asarray(np.asarray(self._key).view(np.uint8)))

    def set_state(self, state):
        if not isinstance(state, Tensor) or state.dtype is not _dtypes.uint8:
            raise TypeError("expected a torch.ByteTensor as the generator state")
        self._key = jnp.asarray(np.asarray(state._array).view(np.uint32))
        return self

    def next_key(self):
        """A fresh subkey; the generator keeps the other half."""
        self._key, sub = SPLIT_KEY.jitted((), {})(self._key)
        return sub


default_generator = Generator()


@register(method=False)
def manual_seed(seed):
    """torch.manual_seed: reseed the global generator."""
    return default_generator.manual_seed(seed)


@register(method=False)
def seed():
    return default_generator.seed()


@register(method=False)
def initial_seed():
    return default_generator.initial_seed()


@register(method=False)
def get_rng_state():
    return default_generator.get_state()


@register(method=False)
def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _random(op, size, generator, dtype, device, requires_grad, name, a, b):
    dtype = _dtype_or_default(dtype)
    if not dtype.is_floating_point:
        raise RuntimeError(f'"{name}" not implemented for \'{_dtypes.title_name(dtype)}\'')
    t = _sample(op, generator, a, b, _size_args(size), dtype)
    return _place(t, device, requires_grad)


def _prefix(x, *, shape):
    return x[:math.prod(shape)].reshape(shape)


PREFIX = Op(_prefix, "", differentiable=False)


def _sample(op, generator, a, b, shape, dtype):
    """Samples of `op` in `shape`: drawn flat in a power-of-two bucket and cut to size, so the
    (costly to compile) PRNG program is built once per bucket, not once per shape."""
    key = (generator or default_generator).next_key()
    n = math.prod(shape)
    bucket = 1 << (n - 1).bit_length() if n > 1 else n
    flat = dispatch(op, (key, a, b), shape=(bucket,), dtype=dtype)
    return dispatch(PREFIX, (flat,), shape=shape)


@register(method=False)
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """torch.rand: uniform on [0, 1)."""
    return _random(UNIFORM, size, generator, dtype, device, requires_grad, "check_uniform_bounds",
                   0.0, 1.0)


@register(method=False)
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False):
    """torch.randn: standard normal."""
    return _random(SCALED_NORMAL, size, generator, dtype, device, requires_grad,
                   "normal_kernel_cpu", 0.0, 1.0)


def _fill_random(self, op, generator, a, b):
    """Overwrite self in place with samples drawn by `op(key, a, b)` (self's shape, dtype)."""
    if not (self.dtype.is_floating_point or self.dtype.is_complex):
        raise RuntimeError(f"random fill not implemented for '{_dtypes.title_name(self.dtype)}'")
    sample = _sample(op, generator, float(a), float(b), tuple(self.shape), self.dtype)
    with _no_grad():
        return commit_inplace(self, sample.to(self.device))


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """Tensor.uniform_: fill with samples from U(from_, to)."""
    return _fill_random(self, UNIFORM, generator, from_, to)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Tensor.normal_: fill with samples from N(mean, std^2)."""
    return _fill_random(self, SCALED_NORMAL, generator, mean, std)


Tensor.uniform_ = uniform_
Tensor.normal_ = normal_


# ---- conversion ---------------------------------------------------------------------------

def _parse_to(args, kwargs):
    device = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    for a in args:
        if isinstance(a, Tensor):
            device, dtype = a.device, a.dtype
        elif isinstance(a, (_dtypes.dtype, type)) and not isinstance(a, str):
            dtype = a
        elif a is not None:
            device = a
    copy = kwargs.pop("copy", False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() received an invalid combination of arguments: {sorted(kwargs)}")
    return (None if device is None else _device.as_device(device),
            None if dtype is None else _dtypes.as_dtype(dtype), copy)


@register(function=False)
def to(self, *args, **kwargs):
    """Tensor.to(dtype | device | other, ...): self when nothing changes, as in torch."""
    device, dtype, copy = _parse_to(args, kwargs)
    out = self
    if dtype is not None and dtype is not self.dtype:
        out = dispatch(TO_DTYPE, (out,), dtype=dtype)
    if device is not None and _device.to_jax_device(device) not in _devices_of(out):
        out = dispatch(TO_DEVICE, (out,), device=device)
    if copy and out is self:
        out = self.clone()
    return out


def _devices_of(t):
    try:
        return t._array.devices()
    except Exception:
        return ()


@register(function=False)
def cuda(self, device=None, non_blocking=False, memory_format=None):
    """Tensor.cuda: to JAX's accelerator; torch's AssertionError when there is none."""
    if isinstance(device, int):
        device = f"cuda:{device}"
    return to(self, _device.as_device(device or "cuda"))


@register(function=False)
def cpu(self, memory_format=None):
    return to(self, "cpu")


def _cast_method(name, dtype):
    def cast(self, memory_format=None):
        return to(self, dtype)
    cast.__name__ = name
    cast.__doc__ = f"Tensor.{name}: self.to({dtype})."
    setattr(Tensor, name, cast)


for _name, _dtype in (("float", _dtypes.float32), ("double", _dtypes.float64),
                      ("half", _dtypes.float16), ("bfloat16", _dtypes.bfloat16),
                      ("int", _dtypes.int32), ("long", _dtypes.int64), ("short", _dtypes.int16),
                      ("char", _dtypes.int8), ("byte", _dtypes.uint8), ("bool", _dtypes.bool_),
                      ("cfloat", _dtypes.complex64), ("cdouble", _dtypes.complex128)):
    _cast_method(_name, _dtype)

_LEGACY_NAMES = {d._legacy_name: d for d in _dtypes.ALL_DTYPES}


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """Tensor.type(): 'torch.FloatTensor'; Tensor.type(dtype or 'torch.FloatTensor'): a cast."""
    if dtype is None:
        prefix = "torch." if self.device.type == "cpu" else "torch.cuda."
        return prefix + self.dtype._legacy_name
    if isinstance(dtype, str):
        name = dtype.rsplit(".", 1)[-1]
        if name not in _LEGACY_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        out = to(self, _LEGACY_NAMES[name])
        return out.cuda() if ".cuda." in dtype else out
    legacy = getattr(dtype, "_jtorch_dtype", None)
    return to(self, legacy if legacy is not None else dtype)


Tensor.type = tensor_type


@register(function=False)
def type_as(self, other):
    return to(self, other.dtype)


@register(function=False)
def fill_(self, value):
    """Tensor.fill_: every element set to value (a number or a 0-d tensor)."""
    return commit_inplace(self, dispatch(FILL, (self, value)))


@register(function=False)
def zero_(self):
    return fill_(self, 0)


COPY = Op(lambda dst, src: jnp.broadcast_to(src.astype(dst.dtype), dst.shape), "CopyBackwards")


@register(function=False)
def copy_(self, src, non_blocking=False):
    """Tensor.copy_: src broadcast and cast to self's shape and dtype, written in place."""
    try:
        np.broadcast_shapes(tuple(src.shape), tuple(self.shape))
    except ValueError:
        raise RuntimeError(f"The size of tensor a ({self.shape[-1] if self.ndim else 1}) must "
                           f"match the size of tensor b ({src.shape[-1] if src.ndim else 1}) at "
                           "non-singleton dimension") from None
    if not isinstance(src, Tensor):
        src = tensor(src)
    return commit_inplace(self, dispatch(COPY, (self, src)))


@register(method=False)
def is_tensor(obj):
    return isinstance(obj, Tensor)


@register(method=False)
def is_floating_point(input):
    return input.dtype.is_floating_point


@register(method=False)
def numel(input):
    return input.numel()
