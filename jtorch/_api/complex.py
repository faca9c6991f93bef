"""Complex-number accessors: Tensor.real/.imag, view_as_real/view_as_complex, conj, angle.

torch returns views for real/imag/view_as_real; jtorch returns new tensors (with gradients),
so writing into `x.real` does not reach `x` (see the README's compatibility notes)."""

from __future__ import annotations

import jax.numpy as jnp

from jtorch._api._register import register
from jtorch._dispatch import Op, dispatch
from jtorch._tensor import Tensor


def _real(a):
    return jnp.real(a) if jnp.iscomplexobj(a) else a


def _imag(a):
    return jnp.imag(a)


def _view_as_real(a):
    return jnp.stack([jnp.real(a), jnp.imag(a)], axis=-1)


def _view_as_complex(a):
    return jax_complex(a[..., 0], a[..., 1])


def jax_complex(re, im):
    return re + 1j * im.astype(jnp.result_type(re.dtype, jnp.complex64))


REAL = Op(_real, "RealBackward0")
IMAG = Op(_imag, "ImagBackward0")
VIEW_AS_REAL = Op(_view_as_real, "ViewAsRealBackward0")
VIEW_AS_COMPLEX = Op(_view_as_complex, "ViewAsComplexBackward0")
CONJ = Op(jnp.conj, "ConjBackward0")
ANGLE = Op(lambda a: jnp.angle(a) if jnp.iscomplexobj(a) or a.dtype.kind == "f"
           else jnp.angle(a).astype(jnp.float32), "AngleBackward0")


def _real_property(self):
    if not self.dtype.is_complex:
        return self
    return dispatch(REAL, (self,))


def _imag_property(self):
    if not self.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return dispatch(IMAG, (self,))


Tensor.real = property(_real_property)
Tensor.imag = property(_imag_property)


@register(method=False)
def real(input):
    return _real_property(input)


@register(method=False)
def imag(input):
    return _imag_property(input)


@register(method=False)
def view_as_real(input):
    """torch.view_as_real: a complex tensor as a real one with a trailing dim of 2."""
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return dispatch(VIEW_AS_REAL, (input,))


@register(method=False)
def view_as_complex(input):
    """torch.view_as_complex: a float tensor whose last dim has size 2 as a complex one."""
    if input.dtype.name not in ("float32", "float64", "float16"):
        raise RuntimeError("view_as_complex is only supported for float, double and half "
                           f"tensors, but got a tensor of scalar type: {input.dtype}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    return dispatch(VIEW_AS_COMPLEX, (input,))


@register(aliases=("conj_physical", "resolve_conj"))
def conj(input):
    """torch.conj: the complex conjugate (real tensors are returned as they are)."""
    if not input.dtype.is_complex:
        return input
    return dispatch(CONJ, (input,))


@register
def resolve_neg(input):
    return input


@register
def is_conj(input):
    return False


@register
def is_neg(input):
    return False


@register
def angle(input):
    """torch.angle: the argument of complex numbers; 0 or pi for real ones."""
    return dispatch(ANGLE, (input,))
