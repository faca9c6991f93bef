"""Tensor creation, the generators behind random sampling, dtype/device conversion, fill/copy
and the dtype utilities (finfo, iinfo, typename)."""

from __future__ import annotations

import math
import numbers
import random as _pyrandom

import jax
import jax.numpy as jnp
import numpy as np

from jtorch import _device, _dtypes
from jtorch._api._register import register
from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._ops import creation as creation_ops
from jtorch._ops import pointwise
from jtorch._ops.promote import broadcast_shapes
from jtorch._tensor import Size, Tensor, from_array

FULL = Op(creation_ops.full, "", differentiable=False, jit=False)
ARANGE = Op(creation_ops.arange, "", differentiable=False, jit=False)
LINSPACE = Op(creation_ops.linspace, "", differentiable=False, jit=False)
LOGSPACE = Op(creation_ops.logspace, "", differentiable=False, jit=False)
EYE = Op(creation_ops.eye, "", differentiable=False, jit=False)
COMPLEX = Op(creation_ops.complex_, "ComplexBackward0")
POLAR = Op(creation_ops.polar, "PolarBackward0")
UNIFORM = Op(creation_ops.uniform, "", differentiable=False)
SCALED_NORMAL = Op(creation_ops.scaled_normal, "", differentiable=False)
SPLIT_KEY = Op(creation_ops.split_key, "", differentiable=False)
TO_DTYPE = Op(pointwise.to_dtype, "ToCopyBackward0")
FILL = Op(pointwise.fill, "FillBackward1")


def _device_put(x, *, device):
    return jax.device_put(x, _device.to_jax_device(device))


TO_DEVICE = Op(_device_put, "ToCopyBackward0", jit=False)

_GRAD_DTYPE_MESSAGE = "Only Tensors of floating point and complex dtype can require gradients"


def _place(t, device, requires_grad):
    """Finish a factory: move to `device` (CPU by default, as torch) and set requires_grad."""
    if device is not None:
        device = _device.as_device(device)
        if device.type != "cpu":
            t = from_array(_device_put(t._raw, device=device))
    if requires_grad:
        if not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise RuntimeError(_GRAD_DTYPE_MESSAGE)
        t.requires_grad_(True)
    return t


def _dtype_or_default(dtype):
    return _dtypes.get_default_dtype() if dtype is None else _dtypes.as_dtype(dtype)


def _factory_out(result, out):
    """`out=` of a factory: out takes the result's values (and shape, resized as torch does)."""
    if out is None:
        return result
    if out.shape != result.shape:
        out.data = result.to(out.dtype)
        return out
    return commit_inplace(out, result.to(out.dtype))


def _is_int(value):
    return isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool) \
        or isinstance(value, Tensor) and value.ndim == 0 and not (
            value.dtype.is_floating_point or value.dtype.is_complex or value.dtype is _dtypes.bool_)


def parse_size(name, size):
    """torch's `*size` argument: sizes as varargs, one tuple/list/torch.Size, or nothing;
    TypeError with torch's message for anything else (floats, bools, nested tuples)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        items = tuple(size[0])
        for pos, s in enumerate(items, 1):
            if not _is_int(s):
                raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                                f"{pos} with error \"type must be tuple of ints,but got "
                                f"{type(s).__name__}\"")
        return tuple(int(s) for s in items)
    for pos, s in enumerate(size, 1):
        if not _is_int(s):
            if len(size) == 1:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"not {type(s).__name__}")
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{pos} with error \"type must be tuple of ints,but got "
                            f"{type(s).__name__}\"")
    return tuple(int(s) for s in size)


# ---- from data --------------------------------------------------------------------------

_SCALARS = (bool, int, float, complex)


def _leaf_dtype(x):
    """torch's dtype for one scalar of nested data (None: not a scalar torch accepts)."""
    if isinstance(x, (np.generic, np.ndarray)):  # before float: np.float64 subclasses it
        return _numpy_dtype(x.dtype)
    if isinstance(x, bool):
        return _dtypes.bool_
    if isinstance(x, int):
        if not -2 ** 63 <= x < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
        return _dtypes.int64
    if isinstance(x, float):
        return _dtypes.get_default_dtype()
    if isinstance(x, complex):
        return _dtypes.get_default_dtype().to_complex()
    if isinstance(x, Tensor):
        return x.dtype
    return None


def _numpy_dtype(np_dtype):
    try:
        return _dtypes.from_jax(np_dtype)
    except TypeError:
        raise TypeError(
            f"can't convert np.ndarray of type {np.dtype(np_dtype).type.__module__}."
            f"{np.dtype(np_dtype).type.__name__}. The only supported types are: float64, "
            "float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
            "and bool.") from None


def _is_sequence(x):
    return isinstance(x, (list, tuple, range, np.ndarray))


def _data_shape(data):
    """torch's compute_sizes: the lengths down the first elements (tensors are scalars)."""
    shape = []
    while _is_sequence(data) or isinstance(data, jax.Array):
        if isinstance(data, jax.Array):
            data = np.asarray(data)
        if isinstance(data, np.ndarray):
            return tuple(shape) + data.shape
        shape.append(len(data))
        if not data:
            break
        data = data[0]
    return tuple(shape)


def _flatten_data(data, shape, dim, flat, dtypes):
    """Collect the scalars of nested `data` in order, checking torch's shape rules."""
    if isinstance(data, jax.Array):  # JAX arrays read as numpy ones
        data = np.asarray(data)
    if dim == len(shape):
        if isinstance(data, np.ndarray) and data.ndim == 0:
            data = data[()]
        if isinstance(data, str):  # torch takes a string for a sequence of characters
            raise ValueError("too many dimensions 'str'")
        d = _leaf_dtype(data)
        if d is None:
            if _is_sequence(data):
                raise TypeError(f"'{type(data).__name__}' object cannot be interpreted as an "
                                "integer")
            raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
        if isinstance(data, Tensor):
            if data.numel() != 1:
                if data.dtype.is_floating_point or data.dtype.is_complex:
                    raise ValueError("only one element tensors can be converted to Python "
                                     "scalars")
                raise TypeError("only integer tensors of a single element can be converted to "
                                "an index")
            data = data.item()
        dtypes.add(d)
        flat.append(data)
        return
    if isinstance(data, np.ndarray):
        if data.shape != shape[dim:]:
            raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} "
                             f"(got {len(data) if data.ndim else 0})")
        dtypes.add(_numpy_dtype(data.dtype))
        flat.extend(data.reshape(-1).tolist())
        return
    if not _is_sequence(data):
        if isinstance(data, Tensor):
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        raise TypeError("not a sequence")
    if len(data) != shape[dim]:
        raise ValueError(f"expected sequence of length {shape[dim]} at dim {dim} "
                         f"(got {len(data)})")
    if dim == len(shape) - 1 and all(type(x) in _SCALARS for x in data):
        for t in set(map(type, data)):  # a row of plain Python numbers: one check per type
            if t is int:
                for x in data:
                    if type(x) is int and not -2 ** 63 <= x < 2 ** 63:
                        raise ValueError("Overflow when unpacking long long")
            dtypes.add(_leaf_dtype(t(0) if t is not bool else False))
        flat.extend(data)
        return
    for item in data:
        _flatten_data(item, shape, dim + 1, flat, dtypes)


def _array_from_data(data, dtype):
    """A host numpy array of `data` in torch's inferred (or the given) dtype."""
    if isinstance(data, str):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if isinstance(data, Tensor):
        values = np.asarray(data._array)
        inferred = data.dtype
    elif isinstance(data, (np.ndarray, jax.Array)):
        values = np.asarray(data)
        inferred = _numpy_dtype(values.dtype)
    else:
        shape = _data_shape(data)
        flat, dtypes = [], set()
        _flatten_data(data, shape, 0, flat, dtypes)
        inferred = None
        for d in dtypes:
            inferred = d if inferred is None else _dtypes.promote_types(inferred, d)
        inferred = inferred or _dtypes.get_default_dtype()
        values = np.array(flat, dtype=_wide_host_dtype(inferred)).reshape(shape)
    target = inferred if dtype is None else _dtypes.as_dtype(dtype)
    return np.asarray(values, dtype=target.np), target


def _wide_host_dtype(d):
    if d.is_complex:
        return np.complex128
    if d.is_floating_point:
        return np.float64
    return d.np


def _host_tensor(values):
    # device_put transfers without compiling anything (jnp.asarray compiles per shape); on a
    # CPU it may alias a suitably aligned numpy buffer, and the caller's array stays writable,
    # so it must copy (torch.tensor copies; an immutable jax.Array must not see later writes)
    # (device_put's may_alias=False does not prevent it on a CPU in jax 0.10: copy first)
    return from_array(jax.device_put(np.array(values, copy=True)))


@register(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """torch.tensor: a new tensor copying `data`. Python ints give int64, floats the default
    dtype, numpy scalars/arrays and tensors their own dtype; mixed data promotes."""
    values, _ = _array_from_data(data, dtype)
    return _place(_host_tensor(values), device, requires_grad)


@register(method=False)
def as_tensor(data, dtype=None, device=None):
    """torch.as_tensor: `data` itself when it is a tensor of that dtype and device."""
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype)
    return tensor(data, dtype=dtype, device=device)


@register(method=False)
def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: as as_tensor; copy=True always copies."""
    if isinstance(obj, Tensor):
        out = obj.to(device=device, dtype=dtype)
        if copy and out is obj:
            out = obj.detach().clone()
        if requires_grad and not out.requires_grad:
            out.requires_grad_(True)
        return out
    return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)


@register(method=False)
def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """torch.scalar_tensor: a 0-d tensor of the default dtype."""
    return tensor(s, dtype=_dtype_or_default(dtype), device=device, requires_grad=requires_grad)


@register(method=False)
def from_numpy(ndarray):
    """torch.from_numpy (a copy: JAX arrays are immutable; see the README)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _numpy_dtype(ndarray.dtype)
    return _host_tensor(np.array(ndarray))


@register(method=False)
def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """torch.frombuffer: the bytes of a buffer-protocol object read as `dtype` (a copy)."""
    dtype = _dtypes.as_dtype(dtype)
    data = memoryview(buffer).cast("B")
    size = len(data)
    if offset < 0 or offset >= size:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than "
                         f"buffer length ({size} bytes) minus 1")
    item = dtype.itemsize
    if count < 0:
        if (size - offset) % item:
            raise ValueError(f"buffer length ({size - offset} bytes) after offset ({offset} "
                             f"bytes) must be a multiple of element size ({item})")
        count = (size - offset) // item
    elif offset + count * item > size:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({size} bytes)")
    values = np.frombuffer(data, dtype=dtype.np, count=count, offset=offset)
    return _place(_host_tensor(values.copy()), None, requires_grad)


def legacy_tensor_constructor(cls, dtype, *args, device=None, **kwargs):
    """torch.Tensor(...) / torch.FloatTensor(...): sizes give zeros, data gives a copy."""
    if kwargs:
        raise TypeError(f"new() received an invalid combination of arguments - got "
                        f"{tuple(type(a).__name__ for a in args)} with keywords {sorted(kwargs)}")
    if not args:
        return _place(from_array(jnp.zeros((0,), dtype.np)), device, False)
    if all(_is_int(a) for a in args) or (len(args) == 1 and isinstance(args[0], Size)):
        return zeros(*args, dtype=dtype, device=device)
    if len(args) == 1:
        data = args[0]
        if isinstance(data, Tensor):
            if data.dtype is not dtype:
                raise TypeError(f"expected {dtype._legacy_name} (got {data.type()})")
            return data.detach()
        if not _is_sequence(data):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return tensor(data, dtype=dtype, device=device)
    bad = next(a for a in args if not _is_int(a))
    raise TypeError(f"new(): argument 'size' failed to unpack the object at pos "
                    f"{args.index(bad) + 1} with error \"type must be tuple of ints,but got "
                    f"{type(bad).__name__}\"")


# ---- factories ----------------------------------------------------------------------------

def _full(shape, value, dtype, device, requires_grad, out=None):
    t = dispatch(FULL, (), shape=shape, fill_value=value, dtype=dtype)
    return _factory_out(_place(t, device, requires_grad), out)


def _sized_factory(name, value):
    def factory(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False,
                pin_memory=False, memory_format=None, **kwargs):
        if "size" in kwargs:
            if size:
                raise TypeError(f"{name}() got multiple values for argument 'size'")
            size = (kwargs.pop("size"),)
        if kwargs:
            raise TypeError(f"{name}() got an unexpected keyword argument '{next(iter(kwargs))}'")
        if dtype is None and out is not None:
            dtype = out.dtype
        return _full(parse_size(name, size), value, _dtype_or_default(dtype), device,
                     requires_grad, out)
    factory.__name__ = factory.__qualname__ = name
    factory.__doc__ = f"torch.{name}(*size): sizes as varargs, a tuple, list or torch.Size." + (
        " jtorch fills with zeros (uninitialised memory has no JAX equivalent)."
        if name.startswith("empty") else "")
    return register(factory, method=False)


zeros = _sized_factory("zeros", 0)
ones = _sized_factory("ones", 1)
empty = _sized_factory("empty", 0)


@register(method=False)
def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """torch.empty_strided: zeros reporting the requested strides (the values are laid out
    as XLA chooses; strides are metadata in jtorch)."""
    shape, stride = parse_size("empty_strided", (size,)), tuple(int(s) for s in stride)
    if len(shape) != len(stride):
        raise RuntimeError(f"dimensionality of sizes ({len(shape)}) must match dimensionality "
                           f"of strides ({len(stride)})")
    t = _full(shape, 0, _dtype_or_default(dtype), device, requires_grad)
    t._stride = stride
    return t


@register(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False):
    """torch.full: the dtype of fill_value (bool, int64, default float/complex) unless given."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    if isinstance(fill_value, Tensor):
        if fill_value.ndim != 0:
            raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not "
                            "Tensor")
        fill_dtype, fill_value = fill_value.dtype, fill_value.item()
    else:
        fill_dtype = _dtypes.scalar_dtype(fill_value)
    if dtype is None:
        dtype = out.dtype if out is not None else fill_dtype
    return _full(parse_size("full", (size,)), fill_value, _dtypes.as_dtype(dtype), device,
                 requires_grad, out)


def _like_dtype(input, dtype):
    return input.dtype if dtype is None else _dtypes.as_dtype(dtype)


def _like(name, value):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
             memory_format=None, pin_memory=False):
        return _full(tuple(input.shape), value, _like_dtype(input, dtype),
                     input.device if device is None else device, requires_grad)
    like.__name__ = like.__qualname__ = name
    like.__doc__ = f"torch.{name}: same shape, dtype and device as input unless given."
    return register(like, method=False)


zeros_like = _like("zeros_like", 0)
ones_like = _like("ones_like", 1)
empty_like = _like("empty_like", 0)


@register(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, pin_memory=False):
    return _full(tuple(input.shape), fill_value, _like_dtype(input, dtype),
                 input.device if device is None else device, requires_grad)


def _new_factory(name, value):
    def new(self, *size, dtype=None, device=None, requires_grad=False, layout=None,
            pin_memory=False):
        if not size:
            raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
        d = self.dtype if dtype is None else _dtypes.as_dtype(dtype)
        return _full(parse_size(name, size), value, d,
                     self.device if device is None else device, requires_grad)
    new.__name__ = new.__qualname__ = name
    new.__doc__ = f"Tensor.{name}(*size): self's dtype and device unless given."
    setattr(Tensor, name, new)


_new_factory("new_zeros", 0)
_new_factory("new_ones", 1)
_new_factory("new_empty", 0)


def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False,
             layout=None, pin_memory=False):
    """Tensor.new_full: self's dtype and device unless given."""
    return full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                device=self.device if device is None else device, requires_grad=requires_grad)


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None,
               pin_memory=False):
    """Tensor.new_tensor: a copy of data in self's dtype and device unless given."""
    return tensor(data, dtype=self.dtype if dtype is None else dtype,
                  device=self.device if device is None else device, requires_grad=requires_grad)


Tensor.new_full = new_full
Tensor.new_tensor = new_tensor


def _scalar_arg(value, name, what):
    """A Python number from a number or a 0-d tensor (linspace/arange bounds)."""
    if isinstance(value, Tensor):
        if value.ndim != 0:
            raise RuntimeError(what)
        return value.item()
    return value


@register(method=False)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """torch.arange: int64 for integer arguments, the default float dtype otherwise; the
    length is ceil((end - start) / step), computed in double precision as torch."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if values[2] == 0:
        raise RuntimeError("step must be nonzero")
    if (values[1] - values[0]) * values[2] < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in values)
        dtype = _dtypes.get_default_dtype() if is_float else _dtypes.int64
    t = dispatch(ARANGE, (), start=values[0], end=values[1], step=values[2],
                 dtype=_dtypes.as_dtype(dtype))
    return _factory_out(_place(t, device, requires_grad), out)


def _range_bounds(name, start, end, steps):
    if isinstance(start, Tensor) or isinstance(end, Tensor):
        dims = [v.ndim if isinstance(v, Tensor) else 0 for v in (start, end)]
        if any(dims):
            raise RuntimeError(f"{name} only supports 0-dimensional start and end tensors, but "
                               f"got start with {dims[0]} dimension(s) and end with {dims[1]} "
                               "dimension(s).")
        start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if not _is_int(steps):
        raise TypeError(f"{name}() received an invalid combination of arguments - got steps of "
                        f"type {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return start, end, int(steps)


def _range_dtype(name, dtype, start, end):
    if dtype is None:
        if isinstance(start, complex) or isinstance(end, complex):
            return _dtypes.get_default_dtype().to_complex()
        return _dtypes.get_default_dtype()
    dtype = _dtypes.as_dtype(dtype)
    if dtype is _dtypes.bool_:
        raise NotImplementedError(f'"{name}_cpu" not implemented for \'Bool\'')
    return dtype


@register(method=False)
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """torch.linspace: `steps` points from start to end inclusive (default float dtype)."""
    start, end, steps = _range_bounds("linspace", start, end, steps)
    dtype = _range_dtype("linspace", dtype, start, end)
    t = dispatch(LINSPACE, (), start=start, end=end, steps=steps, dtype=dtype)
    return _factory_out(_place(t, device, requires_grad), out)


@register(method=False)
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """torch.logspace: base ** linspace(start, end, steps)."""
    start, end, steps = _range_bounds("logspace", start, end, steps)
    dtype = _range_dtype("logspace", dtype, start, end)
    t = dispatch(LOGSPACE, (), start=start, end=end, steps=steps, base=float(base), dtype=dtype)
    return _factory_out(_place(t, device, requires_grad), out)


@register(method=False)
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
        pin_memory=False):
    """torch.eye: an n x m (m = n by default) identity matrix in the default dtype."""
    for arg, value in (("n", n), ("m", m)):
        if value is None:
            continue
        if not _is_int(value):
            raise TypeError(f"eye(): argument '{arg}' (position {1 if arg == 'n' else 2}) must "
                            f"be int, not {type(value).__name__}")
        if value < 0:
            raise RuntimeError(f"{arg} must be greater or equal to 0, got {value}")
    n = int(n)
    m = n if m is None else int(m)
    t = dispatch(EYE, (), n=n, m=m, dtype=_dtype_or_default(dtype))
    return _factory_out(_place(t, device, requires_grad), out)


_COMPLEX_PARTS = ("float16", "float32", "float64")


def _check_complex_parts(a, b):
    """torch.complex/polar's operands: float tensors of one dtype that broadcast together."""
    if a.dtype.name not in _COMPLEX_PARTS or b.dtype.name not in _COMPLEX_PARTS:
        raise RuntimeError("Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_dtypes.title_name(a.dtype)} and {_dtypes.title_name(b.dtype)}")
    if a.dtype is not b.dtype:
        raise RuntimeError(f"Expected object of scalar type {_dtypes.title_name(a.dtype)} "
                           f"but got scalar type {_dtypes.title_name(b.dtype)} for second "
                           "argument")
    broadcast_shapes(tuple(a.shape), tuple(b.shape))


def complex_tensor(real, imag, *, out=None):
    """torch.complex: real + i * imag from two float tensors of the same dtype."""
    _check_complex_parts(real, imag)
    return _factory_out(dispatch(COMPLEX, (real, imag)), out)


complex_tensor.__name__ = "complex"  # not shadowing the builtin in this module
register(complex_tensor, method=False)


@register(method=False)
def polar(abs, angle, *, out=None):
    """torch.polar: abs * (cos(angle) + i sin(angle))."""
    _check_complex_parts(abs, angle)
    return _factory_out(dispatch(POLAR, (abs, angle)), out)


# ---- randomness: generators ---------------------------------------------------------------

_DEFAULT_SEED = 67280421310721  # torch's default seed
_STATE_BYTES = 16  # the PRNG key (2 x uint32) then the seed (uint64)


class Generator:
    """torch.Generator: a JAX PRNG key, split for every random op (torch's streams differ).

    `get_state()` is a uint8 tensor holding the key and the seed; restoring it replays the
    same numbers. The key lives in `_key` (a raw uint32[2] array), which jtorch.compile lifts
    as state of a compiled step.
    """

    def __init__(self, device="cpu"):
        self._device = _device.as_device(device)
        self.manual_seed(_DEFAULT_SEED)

    @property
    def device(self):
        return self._device

    def manual_seed(self, seed):
        seed = int(seed)
        if not -2 ** 63 <= seed < 2 ** 64:
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed & 0xFFFFFFFFFFFFFFFF
        self._key = jax.random.PRNGKey(np.uint64(self._seed))
        return self

    def seed(self):
        """Reseed from a non-deterministic source; returns the new seed."""
        return self.manual_seed(_pyrandom.SystemRandom().getrandbits(63))._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        key = np.asarray(self._key, np.uint32).view(np.uint8)
        seed = np.asarray([self._seed], np.uint64).view(np.uint8)
        return _host_tensor(np.concatenate([key, seed]))

    def set_state(self, new_state):
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state.dtype is not _dtypes.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != _STATE_BYTES:
            raise RuntimeError(f"Expected a jtorch generator state of size {_STATE_BYTES} but "
                               f"found the input RNG state size to be {new_state.numel()}")
        raw = np.asarray(new_state._array, np.uint8).reshape(-1)
        self._key = jax.device_put(raw[:8].copy().view(np.uint32))
        self._seed = int(raw[8:].copy().view(np.uint64)[0])
        return self

    def next_key(self):
        """A fresh subkey; the generator keeps the other half."""
        self._key, sub = SPLIT_KEY.jitted((), {})(self._key)
        return sub

    def __repr__(self):
        return f"<torch._C.Generator object at {id(self):#x}>"


default_generator = Generator()


def as_generator(generator, name="random op"):
    """The generator a random op draws from: the given one, or the global default."""
    if generator is None:
        return default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"{name}(): argument 'generator' must be torch.Generator, not "
                        f"{type(generator).__name__}")
    return generator


@register(method=False)
def manual_seed(seed):
    """torch.manual_seed: reseed the global generator; returns it."""
    return default_generator.manual_seed(seed)


@register(method=False)
def seed():
    """torch.seed: reseed the global generator non-deterministically; returns the seed."""
    return default_generator.seed()


@register(method=False)
def initial_seed():
    return default_generator.initial_seed()


@register(method=False)
def get_rng_state():
    """torch.get_rng_state: the global generator's state as a uint8 tensor."""
    return default_generator.get_state()


@register(method=False)
def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _prefix(x, *, shape):
    return x[:math.prod(shape)].reshape(shape)


PREFIX = Op(_prefix, "", differentiable=False)


def sample(op, generator, params, shape, dtype, **static):
    """Samples of `op(key, *params)` in `shape`: drawn flat in a power-of-two bucket and cut
    to size, so the (costly to compile) PRNG program is built once per bucket, not per shape."""
    key = as_generator(generator).next_key()
    n = math.prod(shape)
    bucket = 1 << (n - 1).bit_length() if n > 1 else n
    flat = dispatch(op, (key, *params), shape=(bucket,), dtype=dtype, **static)
    return dispatch(PREFIX, (flat,), shape=shape)


def not_implemented(kernel, dtype):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_dtypes.title_name(dtype)}\'')


def _random(op, size, generator, dtype, device, requires_grad, out, kernel, a, b,
            complex_ok=False):
    if dtype is None and out is not None:
        dtype = out.dtype
    dtype = _dtype_or_default(dtype)
    if not (dtype.is_floating_point or complex_ok and dtype.is_complex):
        raise not_implemented(kernel, dtype)
    t = sample(op, generator, (a, b), size, dtype)
    return _factory_out(_place(t, device, requires_grad), out)


@register(method=False)
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad=False, pin_memory=False, **kwargs):
    """torch.rand: uniform on [0, 1)."""
    size = parse_size("rand", (kwargs.pop("size"),) if "size" in kwargs else size)
    return _random(UNIFORM, size, generator, dtype, device, requires_grad, out,
                   "check_uniform_bounds", 0.0, 1.0)


@register(method=False)
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad=False, pin_memory=False, **kwargs):
    """torch.randn: standard normal (complex dtypes: real and imaginary parts of variance
    1/2 each, as torch)."""
    size = parse_size("randn", (kwargs.pop("size"),) if "size" in kwargs else size)
    return _random(SCALED_NORMAL, size, generator, dtype, device, requires_grad, out,
                   "normal_kernel_cpu", 0.0, 1.0, complex_ok=True)


# ---- conversion ---------------------------------------------------------------------------

def _to_invalid(args, kwargs):
    got = ", ".join([type(a).__name__ if not isinstance(a, _dtypes.dtype) else "torch.dtype"
                     for a in args] + [f"{k}={type(v).__name__}" for k, v in kwargs.items()])
    return TypeError(f"to() received an invalid combination of arguments - got ({got}, ), but "
                     "expected one of: (torch.device device = None, torch.dtype dtype = None, "
                     "bool non_blocking = False, bool copy = False, *, torch.memory_format "
                     "memory_format = None); (torch.dtype dtype, bool non_blocking = False, "
                     "bool copy = False, *, torch.memory_format memory_format = None); (Tensor "
                     "other, bool non_blocking = False, bool copy = False, *, "
                     "torch.memory_format memory_format = None)")


def _is_dtype_arg(a):
    return isinstance(a, _dtypes.dtype) or a in (float, int, bool, complex) \
        or getattr(a, "_jtorch_dtype", None) is not None


# Tensor.to(float) is float64 whatever the default dtype (torch maps Python types so)
_PYTHON_TYPES = {float: _dtypes.float64, int: _dtypes.int64, bool: _dtypes.bool_,
                 complex: _dtypes.complex128}


def _parse_to(args, kwargs):
    """torch's three `to` signatures: (device, dtype, non_blocking, copy), (dtype,
    non_blocking, copy) and (other, non_blocking, copy); keywords for each."""
    kwargs = dict(kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    flags = []
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        other = rest.pop(0)
        device, dtype = other.device, other.dtype
    elif rest and _is_dtype_arg(rest[0]):
        dtype = rest.pop(0)
    elif rest and (isinstance(rest[0], (str, _device.device, int)) and
                   not isinstance(rest[0], bool) or rest[0] is None):
        device = rest.pop(0)
        if rest and (_is_dtype_arg(rest[0]) or rest[0] is None):
            dtype = rest.pop(0)
    for a in rest:
        if not isinstance(a, bool):
            raise _to_invalid(args, kwargs)
        flags.append(a)
    if len(flags) > 2:
        raise _to_invalid(args, kwargs)
    copy = kwargs.pop("copy", flags[1] if len(flags) > 1 else False)
    kwargs.pop("non_blocking", None)
    kwargs.pop("memory_format", None)
    if kwargs:
        raise _to_invalid(args, kwargs)
    if dtype is not None:
        legacy = getattr(dtype, "_jtorch_dtype", None)
        dtype = legacy if legacy is not None else _PYTHON_TYPES.get(dtype) or \
            _dtypes.as_dtype(dtype)
    return (None if device is None else _device.as_device(device), dtype, copy)


@register(function=False)
def to(self, *args, **kwargs):
    """Tensor.to(dtype | device | other, non_blocking, copy): self when nothing changes."""
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
    cast.__doc__ = f"Tensor.{name}: self.to({dtype}) (self when already {dtype})."
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
        module, _, name = dtype.rpartition(".")
        if module not in ("torch", "torch.cuda") or name not in _LEGACY_NAMES:
            raise ValueError(f"invalid type: '{dtype}'")
        out = to(self, _LEGACY_NAMES[name])
        return out.cuda() if module == "torch.cuda" else out
    legacy = getattr(dtype, "_jtorch_dtype", None)
    if legacy is not None and getattr(dtype, "_is_cuda", False):
        return to(self, legacy).cuda()
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


# ---- predicates and dtype utilities ---------------------------------------------------------

@register(method=False)
def is_tensor(obj):
    return isinstance(obj, Tensor)


def _tensor_arg(name, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return input


@register(method=False)
def numel(input):
    return _tensor_arg("numel", input).numel()


@register(method=False)
def typename(obj):
    """torch.typename: 'torch.FloatTensor' for tensors, the qualified class name otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    name = type(obj).__qualname__
    if module.startswith("jtorch"):
        module = "torch" + module[len("jtorch"):]
    return name if module in ("", "builtins") else f"{module}.{name}"


def _compact(value):
    """C's %g with 6 significant digits, as torch's finfo/iinfo reprs print numbers."""
    return f"{value:g}"


class finfo:
    """torch.finfo(dtype=None): machine limits of a floating point (or complex: its real
    part's) dtype: bits, eps, max, min, tiny, smallest_normal, resolution, dtype."""

    def __init__(self, type=None):
        d = _dtype_or_default(type)
        if not (d.is_floating_point or d.is_complex):
            raise TypeError("torch.finfo() requires a floating point input type. Use "
                            "torch.iinfo to handle 'torch.finfo'")
        d = d.to_real()
        info = jnp.finfo(d.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.smallest_normal)
        self.resolution = float(10.0 ** -int(info.precision))
        self.dtype = d.name

    def __eq__(self, other):
        return isinstance(other, finfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (f"finfo(resolution={_compact(self.resolution)}, min={_compact(self.min)}, "
                f"max={_compact(self.max)}, eps={_compact(self.eps)}, "
                f"smallest_normal={_compact(self.smallest_normal)}, "
                f"tiny={_compact(self.tiny)}, dtype={self.dtype})")


class iinfo:
    """torch.iinfo(dtype): limits of an integer dtype: bits, max, min, dtype."""

    def __init__(self, type):
        d = _dtypes.as_dtype(type)
        if d is _dtypes.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if d.is_floating_point or d.is_complex:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to "
                            "handle 'torch.iinfo'")
        info = np.iinfo(d.np)
        self.bits, self.max, self.min, self.dtype = int(info.bits), int(info.max), \
            int(info.min), d.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and self.dtype == other.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={_compact(self.min)}, max={_compact(self.max)}, dtype={self.dtype})"


register(finfo, method=False)
register(iinfo, method=False)
