"""One registration per op: `jtorch.op`, `Tensor.op`, `Tensor.op_` and operator dunders."""

from __future__ import annotations

import functools

from jtorch._dispatch import commit_inplace
from jtorch._tensor import Tensor

FUNCTIONS = {}  # name -> public function, re-exported by jtorch/__init__.py


def _inplace_of(fn):
    @functools.wraps(fn)
    def inplace(self, *args, **kwargs):
        return commit_inplace(self, fn(self, *args, **kwargs))
    inplace.__name__ = fn.__name__ + "_"
    return inplace


_COMMUTATIVE = frozenset({"__radd__", "__rmul__", "__rand__", "__ror__", "__rxor__"})


def _reflected(fn, dunder):
    """`other <op> self` for a non-tensor `other`: torch evaluates commutative operators as
    `self.<op>(other)` (so the tensor is the node's first edge), the others as `op(other, self)`."""
    if dunder in _COMMUTATIVE:
        def reflected(self, other):
            return fn(self, other)
    else:
        def reflected(self, other):
            return fn(other, self)
    return reflected


def register(fn=None, *, function=True, method=True, inplace=False, dunders=(), rdunders=(),
             idunders=(), aliases=()):
    """Publish `fn` (whose first argument is the input tensor) under torch's names.

    function: jtorch.<name>; method: Tensor.<name>; inplace: Tensor.<name>_ computed out of
    place and committed through the in-place machinery; dunders/rdunders/idunders: operators
    (`__add__`, reflected `__radd__`, in-place `__iadd__`); aliases: other names for the same op.
    """
    def decorate(fn):
        names = (fn.__name__,) + tuple(aliases)
        inplace_fn = _inplace_of(fn) if (inplace or idunders) else None
        for name in names:
            if function:
                FUNCTIONS[name] = fn
            if method:
                setattr(Tensor, name, fn)
            if inplace:
                setattr(Tensor, name + "_", inplace_fn)
        for d in dunders:
            setattr(Tensor, d, fn)
        for d in rdunders:
            setattr(Tensor, d, _reflected(fn, d))
        for d in idunders:
            setattr(Tensor, d, inplace_fn)
        return fn
    return decorate(fn) if fn is not None else decorate
