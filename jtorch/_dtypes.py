"""torch dtype objects, the default dtype, and torch's type-promotion rules.

jtorch runs JAX with 64-bit types enabled (see README, "int64 and float64"), so every
torch dtype has an exact JAX counterpart and `torch.tensor([1, 2]).dtype == torch.int64`.
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np


class dtype:
    """A torch dtype: `torch.float32`, `torch.int64`, ... (compared by identity, as in torch)."""

    __slots__ = ("name", "np", "itemsize", "is_floating_point", "is_complex", "is_signed",
                 "_legacy_name")

    def __init__(self, name, np_dtype, legacy_name):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self.is_complex = self.np.kind == "c"
        self.is_floating_point = self.np.kind == "f" or name == "bfloat16"
        self.is_signed = self.np.kind in "fci" or name == "bfloat16"
        self._legacy_name = legacy_name

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_complex(self):
        return {"float64": complex128, "float32": complex64, "float16": complex64,
                "bfloat16": complex64}.get(self.name, self)

    def to_real(self):
        return {"complex128": float64, "complex64": float32}.get(self.name, self)


float16 = dtype("float16", jnp.float16, "HalfTensor")
bfloat16 = dtype("bfloat16", jnp.bfloat16, "BFloat16Tensor")
float32 = dtype("float32", jnp.float32, "FloatTensor")
float64 = dtype("float64", jnp.float64, "DoubleTensor")
complex64 = dtype("complex64", jnp.complex64, "ComplexFloatTensor")
complex128 = dtype("complex128", jnp.complex128, "ComplexDoubleTensor")
uint8 = dtype("uint8", jnp.uint8, "ByteTensor")
int8 = dtype("int8", jnp.int8, "CharTensor")
int16 = dtype("int16", jnp.int16, "ShortTensor")
int32 = dtype("int32", jnp.int32, "IntTensor")
int64 = dtype("int64", jnp.int64, "LongTensor")
bool_ = dtype("bool", jnp.bool_, "BoolTensor")

ALL_DTYPES = (float16, bfloat16, float32, float64, complex64, complex128,
              uint8, int8, int16, int32, int64, bool_)
ALIASES = {"half": float16, "float": float32, "double": float64, "cfloat": complex64,
           "cdouble": complex128, "short": int16, "int": int32, "long": int64}

_BY_NP = {d.np: d for d in ALL_DTYPES}
_BY_NAME = {d.name: d for d in ALL_DTYPES}


def _dtype_by_name(name):
    return _BY_NAME[name]


def from_jax(np_dtype) -> dtype:
    """The torch dtype of a JAX/numpy dtype."""
    try:
        return _BY_NP[np_dtype]
    except KeyError:
        found = _BY_NP.get(np.dtype(np_dtype))
        if found is None:
            raise TypeError(f"jtorch has no dtype for numpy/JAX dtype {np_dtype}") from None
        return found


def to_jax(d):
    """The numpy dtype JAX uses for a torch dtype (accepts torch dtypes and Python types)."""
    if isinstance(d, dtype):
        return d.np
    return as_dtype(d).np


def as_dtype(d) -> dtype:
    """Normalise a dtype argument: torch dtypes, Python types, numpy dtypes."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return _default[0]
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return _default[0].to_complex()
    try:
        return from_jax(np.dtype(d))
    except TypeError:
        raise TypeError(f"'{d}' is not a torch dtype") from None


# The default floating dtype lives in a one-element list so readers see changes.
_default = [float32]
_listeners = []


def get_default_dtype() -> dtype:
    """torch.get_default_dtype."""
    return _default[0]


def set_default_dtype(d) -> None:
    """torch.set_default_dtype: only floating point dtypes are accepted, as in torch."""
    d = as_dtype(d)
    if not d.is_floating_point:
        raise TypeError(f"only floating-point types are supported as the default type, got {d}")
    _default[0] = d
    for listener in _listeners:
        listener()


def on_default_dtype_change(listener) -> None:
    """Register a callback run when the default dtype changes (compiled-op caches depend on it)."""
    _listeners.append(listener)


def promote_types(a: dtype, b: dtype) -> dtype:
    """torch.promote_types (JAX's lattice agrees with torch's on torch's dtypes under x64)."""
    if a is b:
        return a
    return from_jax(jnp.promote_types(a.np, b.np))


def _category(d: dtype) -> int:
    if d is bool_:
        return 0
    if d.is_complex:
        return 3
    if d.is_floating_point:
        return 2
    return 1


def _combine_categories(higher, lower):
    # torch's combine_categories (c10/core/ScalarType.h): a lower-priority operand only
    # changes the result when it belongs to a higher category.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def scalar_dtype(value) -> dtype:
    """The dtype torch gives a Python scalar operand: bool, int64, default float or complex."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    if isinstance(value, float):
        return _default[0]
    return _default[0].to_complex()


def result_type(tensor_dtypes_dims, scalar_dtypes=()):
    """torch.result_type over operands.

    `tensor_dtypes_dims` holds (dtype, ndim) for tensor operands; `scalar_dtypes` holds the
    dtypes of Python-scalar operands (see `scalar_dtype`). Dimensioned tensors outrank 0-d
    tensors, which outrank Python scalars, unless a lower rank brings a higher category.
    """
    dim_result = zero_result = wrapped = None
    for d, ndim in tensor_dtypes_dims:
        if ndim > 0:
            dim_result = d if dim_result is None else promote_types(dim_result, d)
        else:
            zero_result = d if zero_result is None else promote_types(zero_result, d)
    for d in scalar_dtypes:
        wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine_categories(dim_result, _combine_categories(zero_result, wrapped))


def can_cast(from_: dtype, to: dtype) -> bool:
    """torch.can_cast: no float->integral, complex->real, or non-bool->bool casts."""
    if from_.is_complex and not to.is_complex:
        return False
    if from_.is_floating_point and not (to.is_floating_point or to.is_complex):
        return False
    if from_ is not bool_ and to is bool_:
        return False
    return True


def title_name(d: dtype) -> str:
    """torch's scalar type name used in error messages: Float, Long, Bool, ..."""
    return {"float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
            "complex64": "ComplexFloat", "complex128": "ComplexDouble", "uint8": "Byte",
            "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
            "bool": "Bool"}[d.name]
