"""Matrix products with torch's shape and dtype checks."""

from __future__ import annotations

import jax.numpy as jnp

from jtorch import _dtypes


def _same_dtype(a, b, first="m1", second="m2"):
    if a.dtype != b.dtype:
        da, db = _dtypes.from_jax(a.dtype), _dtypes.from_jax(b.dtype)
        raise RuntimeError(f"expected {first} and {second} to have the same dtype, but got: "
                           f"{_c_name(da)} != {_c_name(db)}")


def _c_name(d):
    return {"float32": "float", "float64": "double", "float16": "c10::Half",
            "bfloat16": "c10::BFloat16", "int64": "long int", "int32": "int",
            "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool", "complex64": "c10::complex<float>",
            "complex128": "c10::complex<double>"}[d.name]


def mm(a, b):
    if a.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if b.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} "
                           f"and {b.shape[0]}x{b.shape[1]})")
    _same_dtype(a, b)
    return jnp.matmul(a, b)


def matmul(a, b):
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are "
                           f"{a.ndim}D and {b.ndim}D")
    if a.ndim == 2 and b.ndim == 2:
        return mm(a, b)
    _same_dtype(a, b)
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src "
                               f"[{b.shape[0]}] to have the same number of elements, but got "
                               f"{a.shape[0]} and {b.shape[0]} elements respectively")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_mat(a)} and "
                           f"{_mat(b, right=True)})")
    return jnp.matmul(a, b)


def _mat(x, right=False):
    if x.ndim == 1:
        return f"{x.shape[0]}x1" if right else f"1x{x.shape[0]}"
    return f"{x.shape[-2]}x{x.shape[-1]}"
