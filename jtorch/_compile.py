"""jtorch.compile: a torch-style function or module captured into one jax.jit program.

A compiled *function* (typically a whole train step: zero_grad, forward, loss.backward(),
optimizer.step()) runs eagerly on its first calls (normally two) with a state recorder attached
to the op funnel. Every tensor the step reads or writes that existed before the call (parameters,
buffers, `.grad`, optimizer state) is *state*. Later calls trace the function under
`jax.jit` with the state's arrays swapped for tracers, return the new values of the state the
function changes as outputs, write them back into the same Tensor objects after the call (so
every holder and view sees them) and donate the replaced buffers (see
`_Program.plan_donation`). The global RNG key and the learning rates of the optimizers the
function uses are lifted too, so dropout draws fresh randomness and a scheduler changing the
lr does not re-trace.

Inside the trace every differentiable op is linearized once (`_dispatch._record_linearized`):
the backward applies the pullbacks of the forward's own residuals, as jax.value_and_grad
does, instead of re-running each op's forward. Once compiled, a call costs the jitted call
plus a few microseconds of Python per call (guards and write-back; see CompiledFunction).

Guards (a new trace when one changes): argument structure, shapes, dtypes and requires_grad;
non-tensor arguments; the state's shapes and dtypes and which `.grad` are None; the `training`
flags of the modules the function uses; grad mode; the default dtype.

A compiled *module* (`torch.compile(model)`) runs its forward as one funnel op whose pure
function is the whole forward: one autograd node, whose backward is jax.vjp of that forward.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import logging
import operator
import os
import sys
import traceback
import warnings

import jax
import jax.extend
import jax.numpy as jnp

from jtorch import _dispatch, _dtypes
from jtorch._grad_mode import state as _grad_state
from jtorch._ops.concrete import DataDependentShapeError
from jtorch._state import swapped_arrays
from jtorch._tensor import Tensor, from_array
from jtorch.distributed import _spmd
from jtorch.nn.modules.module import Module

log = logging.getLogger("jtorch.compile")
if "recompiles" in os.environ.get("TORCH_LOGS", "") or "recompiles" in os.environ.get(
        "JTORCH_LOGS", ""):
    logging.basicConfig()
    log.setLevel(logging.INFO)


_TRACER_ERRORS = (jax.errors.ConcretizationTypeError, jax.errors.TracerArrayConversionError,
                  jax.errors.TracerBoolConversionError, jax.errors.TracerIntegerConversionError,
                  DataDependentShapeError)


class GraphBreakError(RuntimeError):
    """Raised with fullgraph=True when the function needs a Python value of a traced tensor."""


class CompileStats:
    """Counters of one compiled callable: traces, cache hits, eager calls, and why it re-traced."""

    def __init__(self):
        self.traces = 0
        self.calls = 0
        self.eager_calls = 0
        self.recompile_reasons = []

    def __repr__(self):
        return (f"CompileStats(traces={self.traces}, calls={self.calls}, "
                f"eager_calls={self.eager_calls}, recompile_reasons={self.recompile_reasons})")


class _StateRecorder:
    """Attached to the funnel during a discovery run: collects the pre-existing root tensors
    that ops read or write (tensors created during the run are not state)."""

    def __init__(self):
        self.created = set()
        self.touched = {}

    def on_create(self, t):
        self.created.add(id(t))

    def on_use(self, t):
        root = t._base if t._base is not None else t
        if id(root) not in self.created:
            self.touched.setdefault(id(root), root)


def _referenced_objects(fn, args, kwargs):
    """Objects a function can reach directly: its arguments, closure cells and the globals its
    code names (and, for bound methods, self)."""
    found = list(args) + list(kwargs.values())
    target = inspect.unwrap(fn)
    if inspect.ismethod(target):
        found.append(target.__self__)
        target = target.__func__
    code = getattr(target, "__code__", None)
    if code is not None:
        globals_ = getattr(target, "__globals__", {})
        found.extend(globals_[n] for n in code.co_names if n in globals_)
        for cell in getattr(target, "__closure__", None) or ():
            try:
                found.append(cell.cell_contents)
            except ValueError:
                pass
    return found


def _modules_and_optimizers(objects):
    try:
        from jtorch.optim.optimizer import Optimizer
    except ImportError:  # optim not available
        Optimizer = ()  # noqa: N806
    modules, optimizers, schedulers = {}, {}, {}
    for obj in objects:
        if isinstance(obj, Module):
            for m in obj.modules():
                modules[id(m)] = m
        elif Optimizer and isinstance(obj, Optimizer):
            optimizers[id(obj)] = obj
        elif Optimizer and isinstance(getattr(obj, "optimizer", None), Optimizer):
            optimizers[id(obj.optimizer)] = obj.optimizer  # an lr scheduler
            schedulers[id(obj)] = obj
    return list(modules.values()), list(optimizers.values()), list(schedulers.values())


def _tensor_meta(t):
    return (tuple(t._raw.shape), t._raw.dtype, t._requires_grad)


def _flatten(args, kwargs):
    leaves, treedef = jax.tree_util.tree_flatten((args, kwargs),
                                                 is_leaf=lambda x: isinstance(x, Tensor))
    return leaves, treedef


_RAW = operator.attrgetter("_raw")
_REQUIRES_GRAD = operator.attrgetter("_requires_grad")
_GRAD = operator.attrgetter("_grad")
_TRAINING = operator.attrgetter("training")


def _missing(grads):
    return list(map(operator.is_, grads, itertools.repeat(None, len(grads))))


class _Program:
    """One traced-and-compiled version of the function, for one guard key."""

    def __init__(self, state, grad_holders, optimizers, schedulers):
        self.state = state                # root Tensors lifted in (and, if changed, out)
        self.grad_holders = grad_holders  # the state that requires grad: .grad lifted too
        self.optimizers = optimizers      # their param_groups' lr values are lifted
        self.schedulers = schedulers      # stepped in Python after each call, as often as traced
        self.scheduler_steps = [0] * len(schedulers)
        self.jitted = None
        self.example = None               # ShapeDtypeStructs of the arranged inputs
        self.mesh = None                  # the mesh the state lies on (jtorch.distributed), if any
        self.layouts = None               # the layouts state, grads and key keep (_lay_out_on)
        self.out_meta = None
        # what the trace found the function changes: only those values are returned (an
        # unchanged input returned as an output costs a copy per call)
        self.state_out = ()
        self.grads_out = ()
        self.key_out = False
        self.state_sig_after = None       # the state signature this program leaves behind
        self._lrs = (None, None)
        self.donate_state = self.keep_state = self.donate_grads = self.keep_grads = ()
        self.donated = False

    def plan_donation(self, traced, inputs, donating):
        """Compile the traced step with the buffers of the state and .grad values it replaces
        donated, so XLA writes the new values in place of the old (no fresh output buffers:
        about 10% of a small MLP step on a CPU). Only values the step replaces with ones of
        the same shape and dtype are donated; state it only reads (data closed over, frozen
        buffers) is passed undonated, as is everything when the state lies on a CPU mesh."""
        state_in, grads_in = inputs[0], inputs[1]
        new_state, new_grads = traced.out_info[0], traced.out_info[1]

        def same(a, b):
            return a is not None and b is not None and a.shape == b.shape and \
                a.dtype == b.dtype

        donate_state = [i for i, out in zip(self.state_out, new_state)
                        if donating and same(state_in[i], out)]
        donate_grads = [j for j, out in zip(self.grads_out, new_grads)
                        if donating and same(grads_in[j], out)]
        self.donate_state, self.donate_grads = donate_state, donate_grads
        self.keep_state = [i for i in range(len(state_in)) if i not in set(donate_state)]
        self.keep_grads = [j for j in range(len(grads_in)) if j not in set(donate_grads)]
        self.donated = bool(donate_state or donate_grads)
        run = jax.extend.core.jaxpr_as_fun(traced.jaxpr)
        out_tree = jax.tree_util.tree_structure(traced.out_info)
        n_state, n_grads = len(state_in), len(grads_in)
        plan = (donate_state, self.keep_state, donate_grads, self.keep_grads)

        def replay(donated_state, donated_grads, kept_state, kept_grads, rest):
            state, grads = [None] * n_state, [None] * n_grads
            for positions, values, into in zip(plan, (donated_state, kept_state, donated_grads,
                                                      kept_grads), (state, state, grads, grads)):
                for i, value in zip(positions, values):
                    into[i] = value
            flat = jax.tree_util.tree_leaves((state, grads, *rest))
            return jax.tree_util.tree_unflatten(out_tree, run(*flat))

        self.jitted = jax.jit(replay, donate_argnums=(0, 1) if self.donated else ())

    def arrange(self, inputs):
        """The inputs of `_trace`'s pure function in the order the donating program takes."""
        state, grads = inputs[0], inputs[1]
        return ([state[i] for i in self.donate_state], [grads[j] for j in self.donate_grads],
                [state[i] for i in self.keep_state], [grads[j] for j in self.keep_grads],
                inputs[2:])

    def lr_arrays(self):
        """The optimizers' lrs as device scalars, converted again only when one changed (a
        Python float argument costs a host-to-device transfer every call). Weakly typed, as
        the Python float an eager step passes."""
        values = [[float(g["lr"]) for g in opt.param_groups] for opt in self.optimizers]
        if values != self._lrs[0]:
            self._lrs = (values, [[jax.device_put(v) for v in group] for group in values])
        return self._lrs[1]


def _abstract(x):
    committed = getattr(x, "committed", False)  # uncommitted arrays follow the others
    return jax.ShapeDtypeStruct(x.shape, x.dtype, sharding=x.sharding if committed else None)


class _StateView:
    """The state as the guard saw it: its arrays, requires_grad flags, the tensors holding a
    .grad slot and which of those are None, and the interned signature of all that."""

    __slots__ = ("arrays", "flags", "holders", "missing", "sig")

    def __init__(self, arrays, flags, holders, missing, sig):
        self.arrays, self.flags, self.holders = arrays, flags, holders
        self.missing, self.sig = missing, sig


_MAX_DISCOVERIES = 3


class CompiledFunction:
    """The callable returned by jtorch.compile(fn).

    Per call, once compiled, the Python work is kept to what the guards need: the modules,
    optimizers and schedulers the function reaches are found again only when the objects it
    references change; the state's shapes and dtypes are re-read only when an array was
    rebound outside the compiled program (an identity check against what the last call wrote
    back); the state signature in the guard key is a small interned int.
    """

    def __init__(self, fn, fullgraph=False, dynamic=None):
        self._fn = fn
        self._fullgraph = fullgraph
        self._dynamic = dynamic
        self._programs = {}
        self._state = None
        self._state_settled = False
        self._discoveries = 0
        self._eager_keys = set()
        self._references_seen = None  # (ids, objects, modules, optimizers, schedulers)
        self._last_view = None        # the state as the last compiled call left it
        self._state_sigs = {}         # full state metadata -> small int
        self.stats = CompileStats()
        functools.update_wrapper(self, fn)

    # ---- guards -----------------------------------------------------------------------
    def _references(self, args, kwargs):
        """The modules, optimizers and lr schedulers the function reaches (cached while it
        references the same objects)."""
        found = [o for o in _referenced_objects(self._fn, args, kwargs)
                 if not isinstance(o, Tensor)]
        ids = tuple(map(id, found))
        seen = self._references_seen
        if seen is None or seen[0] != ids:
            seen = self._references_seen = (ids, found, *_modules_and_optimizers(found))
        return seen[2], seen[3], seen[4]

    def _state_view(self):
        state = self._state
        arrays = list(map(_RAW, state))
        flags = list(map(_REQUIRES_GRAD, state))
        last = self._last_view
        same_flags = last is not None and flags == last.flags
        holders = last.holders if same_flags else [t for t, f in zip(state, flags) if f]
        missing = _missing(list(map(_GRAD, holders)))
        if same_flags and missing == last.missing and last.sig is not None and \
                all(map(operator.is_, arrays, last.arrays)):
            sig = last.sig
        else:
            sig = self._state_signature(arrays, flags, missing)
        return _StateView(arrays, flags, holders, missing, sig)

    def _state_signature(self, arrays, flags, missing):
        meta = (tuple((a.shape, a.dtype) for a in arrays), tuple(flags), tuple(missing))
        return self._state_sigs.setdefault(meta, len(self._state_sigs))

    def _guard_key(self, leaves, treedef, modules, state_sig):
        tensor_meta, static = [], []
        for leaf in leaves:
            if isinstance(leaf, Tensor):
                tensor_meta.append(_tensor_meta(leaf))
                static.append(None)
            else:
                static.append(leaf if _hashable(leaf) else ("unhashable", id(leaf)))
        return (treedef, tuple(tensor_meta), tuple(static), state_sig,
                tuple(map(_TRAINING, modules)), _grad_state.grad_enabled,
                _dtypes.get_default_dtype().name)

    def __call__(self, *args, **kwargs):
        self.stats.calls += 1
        if not self._state_settled:
            return self._discover(args, kwargs)
        leaves, treedef = _flatten(args, kwargs)
        modules, optimizers, schedulers = self._references(args, kwargs)
        view = self._state_view()
        key = self._guard_key(leaves, treedef, modules, view.sig)
        program = self._programs.get(key)
        if program is None:
            if key in self._eager_keys:
                self.stats.eager_calls += 1
                return self._fn(*args, **kwargs)
            reason = self._why(key)
            self.stats.recompile_reasons.append(reason)
            log.info("jtorch.compile: tracing %s (%s)", getattr(self._fn, "__name__", "fn"),
                     reason)
            program = _Program(self._state, view.holders, optimizers, schedulers)
            try:
                self._trace(program, leaves, treedef, view)
            except GraphBreakError as exc:
                if self._fullgraph:
                    raise
                warnings.warn(str(exc), stacklevel=2)
                self._eager_keys.add(key)
                self.stats.eager_calls += 1
                return self._fn(*args, **kwargs)
            self._programs[key] = program
            self.stats.traces += 1
            view = self._state_view()  # laying state out on a mesh may have moved arrays
        return self._run(program, leaves, view)

    def _why(self, key):
        if not self._programs:
            return "first compiled call"
        names = ("argument structure", "tensor argument shapes/dtypes/requires_grad",
                 "non-tensor arguments", "state shapes/dtypes or .grad presence",
                 "module training flags", "grad mode", "default dtype")
        diffs = set()
        for other in self._programs:
            diffs.update(n for n, a, b in zip(names, key, other) if a != b)
        return "changed: " + ", ".join(sorted(diffs))

    # ---- discovery -------------------------------------------------------------------
    def _discover(self, args, kwargs):
        """Run eagerly while recording which pre-existing tensors the step uses.

        State created lazily by a step (optimizer moments on the first `step()`) only counts as
        pre-existing on the next call, so discovery repeats until a call finds nothing new
        (normally two calls; at most _MAX_DISCOVERIES).
        """
        recorder = _StateRecorder()
        previous = _dispatch.set_observer(recorder)
        try:
            result = self._fn(*args, **kwargs)
        finally:
            _dispatch.set_observer(previous)
        arg_ids = {id(t._base if t._base is not None else t) for t in _flatten(args, kwargs)[0]
                   if isinstance(t, Tensor)}
        found = [t for i, t in recorder.touched.items() if i not in arg_ids]
        known = {id(t) for t in self._state or ()}
        new = [t for t in found if id(t) not in known]
        self._state = (self._state or []) + new
        self._discoveries += 1
        self._state_settled = (self._discoveries > 1 and not new) or \
            self._discoveries >= _MAX_DISCOVERIES
        self.stats.eager_calls += 1
        return result

    # ---- tracing ---------------------------------------------------------------------
    def _trace(self, program, leaves, treedef, view):
        state = program.state
        grad_holders = program.grad_holders

        def pure(state_arrays, grad_arrays, lr_values, rng_key, arg_arrays):
            saved = _snapshot(state, grad_holders, program.optimizers)
            saved_schedulers = [dict(s.__dict__) for s in program.schedulers]
            from jtorch._api.creation import default_generator
            saved_key = default_generator._key
            try:
                _count_scheduler_steps(program)
                installed_grads = _install(state, state_arrays, grad_holders, grad_arrays)
                versions = [t._vc[0] for t in state]
                _install_lrs(program.optimizers, lr_values)
                default_generator._key = rng_key
                it = iter(arg_arrays)
                call_leaves = [_arg_tensor(next(it), x) if isinstance(x, Tensor) else x
                               for x in leaves]
                call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, call_leaves)
                try:
                    out = self._fn(*call_args, **call_kwargs)
                except _TRACER_ERRORS as exc:
                    raise GraphBreakError(_graph_break_message(exc)) from exc
                _check_optimizer_state_kept(saved)
                # written: a new value, or an in-place write of the same value (an identity
                # collective): torch bumps the version either way
                program.state_out = [i for i, (t, a, v) in enumerate(zip(state, state_arrays,
                                                                         versions))
                                     if t._raw is not a or t._vc[0] != v]
                program.grads_out = [j for j, (t, g) in enumerate(zip(grad_holders,
                                                                      installed_grads))
                                     if t._grad is not g or (g is not None and
                                                             g._array is not grad_arrays[j])]
                program.key_out = default_generator._key is not rng_key
                state_layouts, grad_layouts, key_layout = program.layouts
                new_state = _keep_layout([state[i]._raw for i in program.state_out],
                                         [state_layouts[i] for i in program.state_out])
                new_grads = _keep_layout(
                    [None if grad_holders[j]._grad is None else grad_holders[j]._grad._array
                     for j in program.grads_out], [grad_layouts[j] for j in program.grads_out])
                new_key = _keep_layout([default_generator._key], key_layout)[0] \
                    if program.key_out else None
                out_leaves, out_tree = jax.tree_util.tree_flatten(
                    out, is_leaf=lambda x: isinstance(x, Tensor))
                out_arrays = [x._array for x in out_leaves if isinstance(x, Tensor)]
                program.out_meta = (out_tree, out_leaves)
                return new_state, new_grads, out_arrays, new_key
            finally:
                default_generator._key = saved_key
                _restore(saved)
                for scheduler, attributes in zip(program.schedulers, saved_schedulers):
                    scheduler.__dict__.clear()
                    scheduler.__dict__.update(attributes)

        program.mesh = _spmd.program_mesh(view.arrays)
        program.layouts = _lay_out_on(program.mesh, state, grad_holders)
        # trace now so graph breaks surface before any state is touched
        view = self._state_view()
        inputs = self._inputs(program, leaves, view)
        traced = jax.jit(pure).trace(*inputs)
        donating = program.mesh is None or _on_accelerator(state)
        program.plan_donation(traced, inputs, donating)

    def _inputs(self, program, leaves, view):
        from jtorch._api.creation import default_generator
        grad_arrays = [None if missing else t._grad._array
                       for t, missing in zip(view.holders, view.missing)]
        arg_arrays = [x._array for x in leaves if isinstance(x, Tensor)]
        if program.mesh is not None:
            arg_arrays = [_spmd.place_argument(a, program.mesh) for a in arg_arrays]
        return view.arrays, grad_arrays, program.lr_arrays(), default_generator._key, arg_arrays

    def _run(self, program, leaves, view):
        from jtorch._api.creation import default_generator
        self._last_view = None  # (its lists hold the arrays: see _owned_for_donation)
        inputs = self._inputs(program, leaves, view)
        if program.donated:
            _owned_for_donation(program, view, inputs[1])
        arranged = program.arrange(inputs)
        if program.example is None:  # abstract inputs, for introspection (lower/compile)
            program.example = jax.tree_util.tree_map(_abstract, arranged)
        new_state, new_grads, out_arrays, new_key = program.jitted(*arranged)
        state, arrays = program.state, view.arrays
        for i, array in zip(program.state_out, new_state):
            t = state[i]
            t._raw = arrays[i] = array
            t._gen += 1
            t._vc[0] += 1
        holders = program.grad_holders
        for j, array in zip(program.grads_out, new_grads):
            t = holders[j]
            if array is None:
                t._grad = None
            elif t._grad is None:
                t._grad = from_array(array)
            else:
                _write_back(t._grad, array)
        if program.key_out:
            default_generator._key = new_key
        # lr schedulers keep Python-side counters: replay the steps the trace made
        for scheduler, count in zip(program.schedulers, program.scheduler_steps):
            for _ in range(count):
                scheduler.step()
        view.missing = _missing(list(map(_GRAD, holders)))
        if program.state_sig_after is None:
            program.state_sig_after = self._state_signature(arrays, view.flags, view.missing)
        view.sig = program.state_sig_after
        self._last_view = view
        out_tree, traced_leaves = program.out_meta
        if program.mesh is not None:
            out_arrays = [_spmd.local_output(a, program.mesh) for a in out_arrays]
        it = iter(out_arrays)
        leaves_out = [from_array(next(it)) if isinstance(x, Tensor) else x
                      for x in traced_leaves]
        return jax.tree_util.tree_unflatten(out_tree, leaves_out)


def _hashable(x):
    try:
        hash(x)
        return True
    except TypeError:
        return False


def _arg_tensor(array, original):
    t = from_array(array, requires_grad=original._requires_grad)
    return t


def _count_scheduler_steps(program):
    """While tracing, count each scheduler's step() calls (their effect on the traced lr is
    discarded; the real step() runs after every compiled call instead)."""
    program.scheduler_steps = [0] * len(program.schedulers)  # a re-trace counts afresh
    for i, scheduler in enumerate(program.schedulers):
        real_step = type(scheduler).step

        def counted(*args, _i=i, _real=real_step, _s=scheduler, **kwargs):
            program.scheduler_steps[_i] += 1
            return _real(_s, *args, **kwargs)
        scheduler.step = counted


def _snapshot(state, grad_holders, optimizers):
    tensors = [(t, t._raw, t._gen, t._vc[0], t.grad_fn, t._output_nr, t._requires_grad,
                t._grad) for t in state]
    grads = [(t._grad, t._grad._raw, t._grad._vc[0]) for t in grad_holders if t._grad is not None]
    lrs = [[g["lr"] for g in opt.param_groups] for opt in optimizers]
    opt_state = [{k: dict(v) for k, v in opt.state.items()} for opt in optimizers]
    return tensors, grads, optimizers, lrs, opt_state


def _restore(saved):
    tensors, grads, optimizers, lrs, opt_state = saved
    for t, raw, _, version, grad_fn, output_nr, requires_grad, grad in tensors:
        # generations only grow: a view that cached a traced value must look again
        t._raw, t._vc[0] = raw, version
        t._gen += 1
        t.grad_fn, t._output_nr, t._requires_grad, t._grad = grad_fn, output_nr, requires_grad, grad
    for g, raw, version in grads:
        g._raw, g._vc[0] = raw, version
        g._gen += 1
    for opt, values, st in zip(optimizers, lrs, opt_state):
        for group, lr in zip(opt.param_groups, values):
            group["lr"] = lr
        for key in [k for k in opt.state if k not in st]:
            del opt.state[key]
        for key, entries in st.items():
            opt.state[key].clear()
            opt.state[key].update(entries)


def _check_optimizer_state_kept(saved):
    """Optimizer state must be updated in place: a traced step that replaced a state tensor
    object would leave the new values unreachable after the call."""
    _, _, optimizers, _, opt_state = saved
    for opt, st in zip(optimizers, opt_state):
        for key, entries in st.items():
            now = opt.state.get(key, {})
            for name, value in entries.items():
                if isinstance(value, Tensor) and now.get(name) is not value:
                    raise RuntimeError(
                        f"jtorch.compile: {type(opt).__name__} replaced its state tensor "
                        f"'{name}' instead of updating it in place; compiled steps need "
                        "in-place optimizer state")


def _install(state, arrays, grad_holders, grad_arrays):
    """Put the traced values in place; returns the .grad tensors installed."""
    for t, array in zip(state, arrays):
        t._raw = array
        t._gen += 1
    installed = []
    for t, array in zip(grad_holders, grad_arrays):
        t._grad = None if array is None else from_array(array)
        installed.append(t._grad)
    return installed


def _install_lrs(optimizers, lr_values):
    for opt, values in zip(optimizers, lr_values):
        for group, lr in zip(opt.param_groups, values):
            group["lr"] = lr


def _owned_for_donation(program, view, grad_arrays):
    """Donating a buffer deletes its jax.Array. A state array referenced from outside its
    Tensor (a model copied with copy.deepcopy shares its arrays, as may a tensor made with
    from_array(p._array)) gets a private copy first, so the other holder keeps its value."""
    for i in program.donate_state:
        # referenced by: the tensor, view.arrays, the loop variable, getrefcount's argument
        if sys.getrefcount(view.arrays[i]) > 3:
            t = program.state[i]
            t._raw = view.arrays[i] = jnp.copy(t._raw)
    holders = program.grad_holders
    for j in program.donate_grads:
        if sys.getrefcount(grad_arrays[j]) > 3:  # the grad tensor, grad_arrays, the argument
            g = holders[j]._grad
            g._raw = grad_arrays[j] = jnp.copy(g._raw)


def _write_back(t, array):
    if array is t._raw:
        return
    t._raw = array
    t._gen += 1
    t._vc[0] += 1


def _lay_out_on(mesh, state, grad_holders):
    """The layouts a step keeps its state, gradients and RNG key in (None: XLA's choice).

    When the parameters lie on a mesh, the rest of the state, the gradients and the key are
    laid out there too (replicated, unless they lie there already) and every output is
    constrained to its input's layout: inputs then never change layout between calls (which
    would compile again) and donated buffers can be reused.
    """
    from jtorch._api.creation import default_generator
    grads = [t._grad for t in grad_holders]
    if mesh is None:
        return [None] * len(state), [None] * len(grads), [None]
    for t in list(state) + [g for g in grads if g is not None]:
        if not _spmd.on_mesh(t._raw, mesh):
            t._raw = _spmd.replicate(t._raw, mesh)
            t._gen += 1
    if not _spmd.on_mesh(default_generator._key, mesh):
        default_generator._key = _spmd.replicate(default_generator._key, mesh)
    return ([t._raw.sharding for t in state],
            [None if g is None else g._raw.sharding for g in grads],
            [default_generator._key.sharding])


def _keep_layout(arrays, layouts):
    """Inside the trace: each new value in the layout its input had (None: unconstrained)."""
    return [a if a is None or layout is None else jax.lax.with_sharding_constraint(a, layout)
            for a, layout in zip(arrays, layouts)]


def _on_accelerator(state):
    for t in state:
        try:
            return any(d.platform != "cpu" for d in t._raw.devices())
        except Exception:
            return False
    return False


def _graph_break_message(exc):
    """Name the user's line that needed a concrete value."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "/jtorch/" not in f.filename.replace("\\", "/")
              and "/jax/" not in f.filename.replace("\\", "/")]
    where = f"{frames[-1].filename}:{frames[-1].lineno}: {frames[-1].line}" if frames else "?"
    if isinstance(exc, DataDependentShapeError):
        return (f"jtorch.compile: {exc} (at {where}). With fullgraph=False this call runs "
                "eagerly.")
    return ("jtorch.compile: the function needs the Python value of a traced tensor (e.g. "
            f".item(), print(tensor), `if tensor:` or .numpy()) at {where}. With "
            "fullgraph=False this call runs eagerly; move the Python-level use out of the "
            "compiled function to compile it.")


# ---- compiled modules ---------------------------------------------------------------------

def _module_op(module, treedef, leaves, n_params, n_buffers):
    """One funnel op running module(*args) as a pure function of (params, buffers, rng key,
    tensor args): its autograd node differentiates the whole forward at once."""
    params = [p for _, p in module.named_parameters()]
    buffers = [b for _, b in module.named_buffers()]
    out_meta = {}

    def pure(*arrays):
        from jtorch._api.creation import default_generator
        state_arrays = arrays[:n_params + n_buffers]
        rng_key = arrays[n_params + n_buffers]
        arg_arrays = iter(arrays[n_params + n_buffers + 1:])
        saved_key = default_generator._key
        # jax differentiates this whole function: no tape inside
        with swapped_arrays(params + buffers, state_arrays, grad_enabled=False):
            try:
                default_generator._key = rng_key
                call_leaves = [from_array(next(arg_arrays)) if isinstance(x, Tensor) else x
                               for x in leaves]
                call_args, call_kwargs = jax.tree_util.tree_unflatten(treedef, call_leaves)
                try:
                    out = module(*call_args, **call_kwargs)
                except _TRACER_ERRORS as exc:
                    raise GraphBreakError(_graph_break_message(exc)) from exc
                out_leaves, out_tree = jax.tree_util.tree_flatten(
                    out, is_leaf=lambda x: isinstance(x, Tensor))
                out_meta["tree"], out_meta["leaves"] = out_tree, out_leaves
                outs = [x._array for x in out_leaves if isinstance(x, Tensor)]
                return (*outs, *(b._raw for b in buffers), default_generator._key)
            finally:
                default_generator._key = saved_key

    return _dispatch.Op(pure, "CompiledFunctionBackward", saves=tuple(range(n_params))), \
        out_meta


class OptimizedModule(Module):
    """What jtorch.compile(module) returns: behaves as the module (attributes, state_dict with
    torch's `_orig_mod.` prefix, train/eval), with its forward compiled."""

    def __init__(self, module, fullgraph=False, dynamic=None):
        super().__init__()
        self._orig_mod = module
        self.__dict__["_fullgraph"] = fullgraph
        self.__dict__["_ops"] = {}
        self.__dict__["stats"] = CompileStats()

    def __getattr__(self, name):
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self._modules["_orig_mod"], name)

    def forward(self, *args, **kwargs):
        from jtorch._api.creation import default_generator
        module = self._orig_mod
        self.stats.calls += 1
        leaves, treedef = _flatten(args, kwargs)
        params = [p for _, p in module.named_parameters()]
        buffers = [b for _, b in module.named_buffers()]
        key = (treedef,
               tuple(_tensor_meta(x) if isinstance(x, Tensor) else
                     (x if _hashable(x) else id(x)) for x in leaves),
               tuple(_tensor_meta(t) for t in params + buffers),
               tuple(m.training for m in module.modules()), _dtypes.get_default_dtype().name)
        entry = self._ops.get(key)
        if entry is None:
            self.stats.traces += 1
            self.stats.recompile_reasons.append("first compiled call" if not self._ops else
                                                "changed: arguments, state or training flags")
            entry = self._ops[key] = _module_op(module, treedef, leaves, len(params),
                                                len(buffers))
        op, out_meta = entry
        tensor_args = [x for x in leaves if isinstance(x, Tensor)]
        rng = from_array(default_generator._key)
        try:
            results = _dispatch.dispatch(op, (*params, *buffers, rng, *tensor_args))
        except GraphBreakError as exc:
            if self._fullgraph:
                raise
            warnings.warn(str(exc), stacklevel=2)
            self.stats.eager_calls += 1
            return module(*args, **kwargs)
        n_out = sum(isinstance(x, Tensor) for x in out_meta["leaves"])
        outs, new_buffers = results[:n_out], results[n_out:n_out + len(buffers)]
        for b, new in zip(buffers, new_buffers):
            _write_back(b, new._raw)
        default_generator._key = results[-1]._raw
        it = iter(outs)
        leaves_out = [next(it) if isinstance(x, Tensor) else x for x in out_meta["leaves"]]
        return jax.tree_util.tree_unflatten(out_meta["tree"], leaves_out)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="xla", mode=None,
            options=None, disable=False):
    """torch.compile: jit-compile a function (e.g. a whole train step) or a module with XLA.

    Usable as `compile(fn)`, `@compile` and `@compile(fullgraph=True)`. `backend`, `mode` and
    `options` are accepted for torch compatibility (XLA is the only backend).
    """
    if model is None:
        return functools.partial(compile, fullgraph=fullgraph, dynamic=dynamic, backend=backend,
                                 mode=mode, options=options, disable=disable)
    if disable:
        return model
    if isinstance(model, Module):
        return OptimizedModule(model, fullgraph=fullgraph, dynamic=dynamic)
    if not callable(model):
        raise RuntimeError(f"compile() expects a callable or an nn.Module, got "
                           f"{type(model).__name__}")
    return CompiledFunction(model, fullgraph=fullgraph, dynamic=dynamic)
