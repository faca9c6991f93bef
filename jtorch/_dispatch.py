"""The one op funnel: every jtorch function, method and operator ends in `dispatch`.

`dispatch(op, args, **static)` unwraps Tensors to jax.Arrays, calls the op's pure function
(jit-compiled once per set of static arguments, so eager ops cost one cached XLA call),
wraps the results in Tensors and, when grad mode is on and an input requires grad, records
an autograd node. The same path runs on tracers inside `jax.jit`, which is what lets a whole
train step be compiled.

View ops and in-place ops are the two other entry points; both end in `dispatch` too.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp

from jtorch import _dtypes, _tensor
from jtorch._grad_mode import state as _grad_state
from jtorch._tensor import Tensor, from_array

_Tracer = jax.core.Tracer

OUTPUT = -1  # in Op.saves: the op saves its output(s) for backward

_ALL_OPS = []


class Op:
    """A pure function on jax arrays, with what autograd needs to know about it.

    `name` is the torch name of its backward node (`AddBackward0`); `saves` lists the input
    positions (and OUTPUT) that torch saves for backward, for the in-place version check;
    `inputs` the positions that are differentiable inputs in torch's derivative formula, the
    only ones its node lists in `next_functions` (None: all; a Python scalar that torch takes
    as a `Scalar`, an index or a condition is not one).
    Positional arguments of `fn` are arrays or Python scalars; keyword arguments are static.
    """

    __slots__ = ("fn", "_name", "saves", "inputs", "differentiable", "jit", "_jitted", "_vjps",
                 "__weakref__")

    def __init__(self, fn, name, saves=(), differentiable=True, jit=True, inputs=None):
        self.fn = fn
        self._name = name
        self.saves = tuple(saves)
        self.inputs = None if inputs is None else tuple(inputs)
        self.differentiable = differentiable
        self.jit = jit  # creation ops take only static arguments: nothing to gain from jit
        self._jitted = {}
        self._vjps = {}
        _ALL_OPS.append(self)

    def name(self):
        return self._name

    def jitted(self, key, static):
        f = self._jitted.get(key)
        if f is None:
            # a fresh partial per cache entry: jax.jit keys its trace cache on the callable,
            # and traces read the default dtype (see _clear_compiled_ops)
            f = functools.partial(self.fn, **static)
            if self.jit:
                f = jax.jit(f)
            self._jitted[key] = f
        return f

    def __repr__(self):
        return f"<Op {self._name}>"


class ViewOp(Op):
    """An op whose output aliases its input. `strides(shape, strides, offset, out_shape, **static)`
    gives torch's layout metadata of the view; `reshape_only` marks views that only regroup
    elements in order, which write back with a plain reshape."""

    __slots__ = ("strides", "reshape_only")

    def __init__(self, fn, name, strides, reshape_only=False):
        super().__init__(fn, name)
        self.strides = strides
        self.reshape_only = reshape_only


def _clear_compiled_ops():
    # Python scalars promote to the default dtype inside traced functions.
    for op in _ALL_OPS:
        op._jitted.clear()
        op._vjps.clear()


_dtypes.on_default_dtype_change(_clear_compiled_ops)


observer = None  # jtorch.compile's state recorder while it discovers a step's state


def set_observer(new):
    """Install (or remove, with None) the recorder told of every tensor an op uses or creates;
    returns the previous one."""
    global observer
    previous, observer = observer, new
    _tensor.creation_observer = None if new is None else new.on_create
    return previous


def dispatch(op, args, **static):
    """Run `op` on `args` (Tensors, Python scalars, None), recording autograd when needed."""
    arrays = []
    needs_grad = traced = False
    for a in args:
        if isinstance(a, Tensor):
            if observer is not None:
                observer.on_use(a)
            array = a._array
            arrays.append(array)
            if a._requires_grad:
                needs_grad = True
                traced = traced or isinstance(array, _Tracer)
        else:
            arrays.append(a)
    # the cache key carries each value's type: True == 1 == 1.0 would share a compiled fn
    key = tuple([(k, type(v), v) for k, v in static.items()]) if static else ()
    if needs_grad and _grad_state.grad_enabled and op.differentiable:
        if traced:
            return _record_linearized(op, key, static, args, arrays)
        out = op.jitted(key, static)(*arrays)
        return _autograd.record(op, key, static, args, arrays, out)
    out = op.jitted(key, static)(*arrays)
    if type(out) is tuple:
        return tuple(from_array(o) for o in out)
    return from_array(out)


# ---- recording under a trace -------------------------------------------------------------

def _record_linearized(op, key, static, args, arrays):
    """Record `op` on traced inputs with the pullback of its forward kept in the node.

    Eagerly a node's backward re-runs the op's forward inside its cached, jitted VJP (a
    pullback can't be cached across calls). Under a trace that would put every forward into
    the program twice; XLA merges simple duplicates but not loops (an LSTM's scan ran twice,
    its compiled step was no faster than eager). Linearizing at forward time, as
    jax.value_and_grad does, computes each forward once.
    """
    diff = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
    f = op.jitted(key, static)

    def of_differentiable(*values):
        full = list(arrays)
        for i, v in zip(diff, values):
            full[i] = v
        return f(*full)

    out, pullback = jax.vjp(of_differentiable, *(arrays[i] for i in diff))
    return _autograd.record(op, key, static, args, arrays, out, pullback)


# ---- views ------------------------------------------------------------------------------

def dispatch_view(op, source, **static):
    """Run a view op: the result(s) alias `source` (see Tensor's docstring)."""
    out = dispatch(op, (source,), **static)
    if type(out) is tuple:
        raise TypeError("dispatch_view expects a single-output view op; use make_view")
    make_view(out, source, op, tuple(static.items()) if static else ())
    return out


# torch's CreationMeta of views that may not be modified in place while autograd records:
# `_creation_meta` is NO_GRAD_VIEW, or (grad_fn, output_nr) for a piece of a multi-output view
NO_GRAD_VIEW = "no_grad"
MULTI_OUTPUT_VIEW = "multi_output"


def make_view(out, source, op, key, creation_meta=None):
    """Mark `out` as the view `op(**dict(key))` of `source` and give it torch's strides.

    As torch, remembers a view made in no_grad mode (or a piece of unbind/split, with
    `creation_meta=MULTI_OUTPUT_VIEW`), inheriting the mark of the view it was made from.
    """
    root = source._base if source._base is not None else source
    out._base = root
    out._view_chain = source._view_chain + ((op, key),)
    out._gen = root._gen
    out._detached = source._detached
    out._vc = source._vc
    meta = source._creation_meta or creation_meta
    if meta is not None and meta is not NO_GRAD_VIEW:
        meta = (out.grad_fn, out._output_nr)  # its history as made, for torch's message
    out._creation_meta = meta or (None if _grad_state.grad_enabled else NO_GRAD_VIEW)
    out._stride, out._offset = op.strides(
        source._raw.shape, source.stride(), source._offset, out._raw.shape, **dict(key))
    return out


def _alias(x):
    return x


def _same_strides(shape, strides, offset, out_shape):
    return strides, offset


ALIAS = ViewOp(_alias, "AliasBackward0", _same_strides, reshape_only=True)


def alias_view(source, share_version):
    """`detach()` (shares the version counter) and `.data` (a fresh counter at version 0, as
    torch's variable_data): views without history."""
    out = from_array(source._array)
    make_view(out, source, ALIAS, ())
    out._detached = True
    if not share_version:
        out._vc = [0]
    return out


def _replay_view_chain(base, *, chain):
    for op, key in chain:
        base = op.fn(base, **dict(key))
    return base


# torch regenerates the history of a view whose base was modified as one as_strided node
AS_STRIDED = Op(_replay_view_chain, "AsStridedBackward0")


def refresh_view(view):
    """Recompute a view whose base changed; its autograd history is re-derived from the base
    as one AsStridedBackward0 node, as torch does."""
    base = view._base
    track = not view._detached and base._requires_grad
    prev = _grad_state.grad_enabled
    _grad_state.grad_enabled = prev and track
    try:
        t = dispatch(AS_STRIDED, (base,), chain=view._view_chain)
    finally:
        _grad_state.grad_enabled = prev
    view._raw = t._raw
    if track and not prev:
        return view._raw  # history can't be rebuilt without grad mode: look again next time
    view._gen = base._gen
    if track:
        view.grad_fn, view._output_nr, view._requires_grad = t.grad_fn, t._output_nr, True
    return view._raw


def _copy_slices(base, value, *, chain):
    """The base array after writing `value` into the view `chain` of it (torch's CopySlices).

    Views that keep element order write back by reshaping; any other chain is mapped to flat
    base positions by running it on an iota of the base, then written with one scatter.
    """
    if all(op.reshape_only for op, _ in chain):
        return value.reshape(base.shape)
    positions = jnp.arange(base.size, dtype=jnp.int64).reshape(base.shape)
    for op, key in chain:
        positions = op.fn(positions, **dict(key))
    flat = base.reshape(-1).at[positions.reshape(-1)].set(value.reshape(-1))
    return flat.reshape(base.shape)


COPY_SLICES = Op(_copy_slices, "torch::autograd::CopySlices")


def _cast(x, *, dtype):
    return x.astype(dtype.np)


CAST = Op(_cast, "ToCopyBackward0")


def commit_inplace(target, result):
    """Make `target` hold `result`'s value, as torch's in-place ops do (`add_`, `x[i] = v`).

    Checks torch's rules (shape, dtype cast, leaves requiring grad, overlapping memory), then
    rebinds the target or, for a view, writes through to its base, bumps the version counter
    and moves autograd history onto the modified tensor.
    """
    if result._raw.shape != target._raw.shape:
        raise RuntimeError(
            f"output with shape {list(target._raw.shape)} doesn't match the broadcast shape "
            f"{list(result._raw.shape)}")
    if result._raw.dtype != target._raw.dtype:
        src, dst = result.dtype, target.dtype
        if not _dtypes.can_cast(src, dst):
            raise RuntimeError(f"result type {_dtypes.title_name(src)} can't be cast to the "
                               f"desired output type {_dtypes.title_name(dst)}")
        result = dispatch(CAST, (result,), dtype=dst)
    if observer is not None:
        observer.on_use(target)
    grad_mode = _grad_state.grad_enabled
    base = target._base
    if grad_mode and target._requires_grad and target.grad_fn is None and base is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    if base is None:
        target._raw = result._raw
        target._gen += 1
        target._vc[0] += 1
        if result.grad_fn is not None:
            target.grad_fn, target._output_nr = result.grad_fn, result._output_nr
            target._requires_grad = True
            _autograd.rebase_saved_version(result.grad_fn, result, target)
        return target

    tracked = grad_mode and not target._detached
    if tracked and target._creation_meta and (base._requires_grad or result._requires_grad):
        _refuse_view_rebase(target)
    if tracked and base._requires_grad and base.grad_fn is None:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    stride = target.stride()
    if any(s == 0 and n > 1 for s, n in zip(stride, target._raw.shape)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation.")
    record = tracked and (base._requires_grad or result._requires_grad)
    _grad_state.grad_enabled = record
    try:
        new_base = dispatch(COPY_SLICES, (base, result), chain=target._view_chain)
    finally:
        _grad_state.grad_enabled = grad_mode
    base._raw = new_base._raw
    base._gen += 1
    target._vc[0] += 1
    if record:
        base.grad_fn, base._output_nr, base._requires_grad = new_base.grad_fn, 0, True
        if result.grad_fn is not None:
            _autograd.rebase_saved_version(result.grad_fn, result, target)
        # the view's own history is re-derived from the base on its next read
    else:
        target._raw = result._raw
        target._gen = base._gen
    return target


def _refuse_view_rebase(view):
    """torch's handle_view_on_rebase: views made in no_grad mode and pieces of multi-output
    views can't be modified in place while autograd records."""
    if view._creation_meta is not NO_GRAD_VIEW:
        fn, output_nr = view._creation_meta  # as made: torch checks before re-deriving it
        name = fn.forward_op_name() if fn is not None else "a view function"
        raise RuntimeError(
            f"Output {output_nr} of {name} is a view and is being modified "
            "inplace. This view is the output of a function that returns multiple views. Such "
            "functions do not allow the output views to be modified inplace. You should replace "
            "the inplace operation by an out-of-place one.")
    raise RuntimeError(
        "A view was created in no_grad mode and is being modified inplace with grad mode "
        "enabled. Given that this use case is ambiguous and error-prone, it is forbidden. You "
        "can clarify your code by moving both the view and the inplace either both inside the "
        "no_grad block (if you don't want the inplace to be tracked) or both outside (if you "
        "want the inplace to be tracked).")


from jtorch import _autograd  # noqa: E402  (cycle: autograd nodes call back into dispatch)

