"""The autograd tape: graph nodes, recording, and the backward engine.

Mirrors torch's design: each op run with grad enabled records a node (`grad_fn`) pointing at
the nodes of its inputs (`next_functions`); leaves that require grad own an `AccumulateGrad`
node. `backward()` walks the graph from the roots in dependency order. A node's
vector-Jacobian product is JAX's: `jax.vjp` of the op's pure function, jit-compiled once per
op and static arguments (so eager backward costs one cached XLA call per node, and backward
traces under `jax.jit` like any other op). The backward itself runs through the op funnel,
so `create_graph=True` records the graph of the backward for higher derivatives.
"""

from __future__ import annotations

import functools
import weakref

import jax
import jax.numpy as jnp
import numpy as np

from jtorch._grad_mode import state as _grad_state
from jtorch._tensor import Tensor, from_array

_INEXACT = frozenset(np.dtype(d) for d in (jnp.float16, jnp.bfloat16, jnp.float32, jnp.float64,
                                            jnp.complex64, jnp.complex128))

_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors after "
    "they have already been freed). Saved intermediate values of the graph are freed when you "
    "call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward "
    "through the graph a second time or if you need to access saved intermediate values after "
    "calling backward.")


class RemovableHandle:
    """torch.utils.hooks.RemovableHandle: `handle.remove()` unregisters a hook."""

    def __init__(self, hooks, hook):
        self._hooks, self._hook = hooks, hook

    def remove(self):
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class _SavedVersion:
    """What torch's SavedVariable checks: the version a saved tensor had when saved.

    The error names the node the tensor comes from: for an op's own output, that op's node;
    for an input, the tensor's grad_fn when the check fails (torch saves the input itself,
    whose history an in-place op may have moved since).
    """

    __slots__ = ("vc", "version", "dtype", "shape", "grad_fn", "output_nr", "tensor",
                 "position")

    def __init__(self, t, position=None):
        """`position`: the op argument saved, or OUTPUT for its output."""
        self.vc, self.version = t._vc, t._vc[0]
        self.dtype, self.shape = t.dtype, tuple(t._raw.shape)
        self.grad_fn, self.output_nr = t.grad_fn, t._output_nr
        self.tensor = None if position == _dispatch.OUTPUT else weakref.ref(t)
        self.position = position

    def mark_output(self, node, output_nr):
        self.grad_fn, self.output_nr, self.tensor = node, output_nr, None

    def check(self):
        if self.vc[0] == self.version:
            return
        grad_fn, output_nr = self.grad_fn, self.output_nr
        t = self.tensor() if self.tensor is not None else None
        if t is not None:
            grad_fn, output_nr = t.grad_fn, t._output_nr
        where = ("" if grad_fn is None
                 else f", which is output {output_nr} of {grad_fn.forward_op_name()},")
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [torch.{self.dtype._legacy_name} {list(self.shape)}]{where} is "
            f"at version {self.vc[0]}; expected version {self.version} instead. Hint: enable "
            "anomaly detection to find the operation that failed to compute its gradient, with "
            "torch.autograd.set_detect_anomaly(True, check_nan=False).")


class Node:
    """Base of graph nodes (torch.autograd.graph.Node)."""

    _next = ()

    def __init__(self):
        self._pre_hooks = {}   # output_nr -> tensor hooks (Tensor.register_hook)
        self._retained = {}    # output_nr -> weakrefs of tensors that retain_grad()
        self._hooks = []       # node hooks: fn(grad_inputs, grad_outputs)
        self._prehooks = []    # node pre-hooks: fn(grad_outputs)
        self.metadata = {}

    @property
    def next_functions(self):
        return tuple((None, 0) if e is None else e for e in self._next)

    def name(self):
        return type(self).__name__

    def forward_op_name(self):
        """torch's Node::forward_op_name: name() without "Backward0" ("AddBackward1": "Add1")."""
        name = self.name()
        head, sep, suffix = name.rpartition("Backward")
        if not sep or not (suffix == "" or suffix.isdigit()):
            return name
        return head if suffix in ("", "0") else head + suffix

    def register_hook(self, fn):
        self._hooks.append(fn)
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        self._prehooks.append(fn)
        return RemovableHandle(self._prehooks, fn)

    def release(self):
        pass

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class FunctionNode(Node):
    """The backward of one funnel op: applies the op's cached, jit-compiled VJP, or, for an op
    recorded under a trace, the pullback `jax.vjp` gave when the forward ran (so a compiled
    step computes each forward once)."""

    _pullback = None  # (pullback, forward outputs) of an op linearized at forward time

    def __init__(self, op, key, static, arrays, edges, n_outputs):
        super().__init__()
        self.op, self.key, self.static = op, key, static
        self._arrays = arrays
        self._next = edges
        self._saved = []
        self.n_outputs = n_outputs

    def name(self):
        return self.op.name()

    @property
    def next_functions(self):
        edges = super().next_functions
        inputs = self.op.inputs
        return edges if inputs is None else tuple(edges[i] for i in inputs)

    def release(self):
        self._pullback = None
        if self.op.saves:
            self._arrays = None

    def apply(self, grads):
        if self._arrays is None:
            raise RuntimeError(_FREED_MESSAGE)
        for saved in self._saved:
            saved.check()
        if self._pullback is not None and not _grad_state.grad_enabled:
            # (create_graph=True differentiates the backward itself: the VJP op below does)
            return self._apply_pullback(grads)
        diff_mask = tuple(e is not None for e in self._next)
        ct_mask = tuple(g is not None for g in grads)
        vjp = vjp_op(self.op, self.key, self.static, diff_mask, ct_mask)
        primals = self._arrays if not _grad_state.grad_enabled else self._primal_tensors()
        outs = _dispatch.dispatch(vjp, (*primals, *(g for g in grads if g is not None)))
        results = [None] * len(diff_mask)
        it = iter(outs)
        for i, differentiable in enumerate(diff_mask):
            if differentiable:
                results[i] = next(it)
        return results

    def _apply_pullback(self, grads):
        pullback, out = self._pullback
        outs = out if type(out) is tuple else (out,)
        cts = tuple(_conj(g._array) if g is not None else _zero_cotangent(o)
                    for g, o in zip(grads, outs))
        values = iter(pullback(cts if type(out) is tuple else cts[0]))
        return [None if e is None else from_array(_conj(next(values))) for e in self._next]

    def _primal_tensors(self):
        """Saved inputs as Tensors connected to their graph (for create_graph=True)."""
        out = []
        for array, edge in zip(self._arrays, self._next):
            if edge is None or not isinstance(array, jax.Array):
                out.append(array)
                continue
            t = from_array(array, requires_grad=True)
            node, nr = edge
            if isinstance(node, AccumulateGrad):
                t._grad_accumulator = node
            else:
                t.grad_fn, t._output_nr = node, nr
            out.append(t)
        return out


def node_class(op):
    """The FunctionNode subclass for `op`'s nodes, named like torch's node type
    (`type(y.grad_fn).__name__ == "AddBackward0"`; "CopySlices" for the C++ name
    "torch::autograd::CopySlices")."""
    cls = _NODE_CLASSES.get(op.name())
    if cls is None:
        cls = _NODE_CLASSES[op.name()] = type(op.name().rsplit("::", 1)[-1], (FunctionNode,), {})
    return cls


_NODE_CLASSES = {}


class AccumulateGrad(Node):
    """Accumulates the gradient of a leaf into its `.grad`."""

    n_outputs = 1

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def __init__(self, variable):
        super().__init__()
        self.variable = variable

    def apply(self, grads):
        g = grads[0]
        var = self.variable
        if g is None:
            return ()
        if var._grad is None:
            var._grad = g if _grad_state.grad_enabled else from_array(g._array)
        elif _grad_state.grad_enabled:
            var._grad = _dispatch.dispatch(_ADD, (var._grad, g))
        else:
            _dispatch.commit_inplace(var._grad, _dispatch.dispatch(_ADD, (var._grad, g)))
        return ()


_ADD = None  # set below, once _dispatch is importable


def _make_vjp_fn(fn, static, diff_mask, ct_mask):
    f = functools.partial(fn, **static) if static else fn
    diff_idx = [i for i, m in enumerate(diff_mask) if m]
    n = len(diff_mask)

    def vjp(*xs):
        primals, cts = xs[:n], xs[n:]

        def with_diff(*d):
            full = list(primals)
            for i, v in zip(diff_idx, d):
                full[i] = v
            return f(*full)

        out, pullback = jax.vjp(with_diff, *(primals[i] for i in diff_idx))
        # torch's gradients of complex tensors are the conjugates of JAX's cotangents
        # (torch: dL/dRe + i dL/dIm for a real loss L; JAX: its conjugate), so complex
        # cotangents are conjugated on the way into JAX's pullback and out of it.
        if isinstance(out, tuple):
            it = iter(cts)
            ct = tuple(_conj(next(it)) if m else _zero_cotangent(o)
                       for o, m in zip(out, ct_mask))
        else:
            ct = _conj(cts[0])
        return tuple(_conj(g) for g in pullback(ct))

    return vjp


def _conj(x):
    return jnp.conj(x) if jnp.iscomplexobj(x) else x


def _zero_cotangent(out):
    if out.dtype in _INEXACT:
        return jnp.zeros_like(out)
    return np.zeros(out.shape, dtype=jax.dtypes.float0)


def vjp_op(op, key, static, diff_mask, ct_mask):
    """The Op computing `op`'s VJP (cached per static arguments and masks); itself
    differentiable through JAX, which gives higher-order gradients."""
    cache_key = (key, diff_mask, ct_mask)
    found = op._vjps.get(cache_key)
    if found is None:
        found = op._vjps[cache_key] = _dispatch.Op(
            _make_vjp_fn(op.fn, static, diff_mask, ct_mask), op.name() + "Backward",
            saves=tuple(range(len(diff_mask))))
    return found


# ---- recording ----------------------------------------------------------------------------

def grad_edge(t):
    """The (node, output_nr) gradients for `t` flow into."""
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    acc = t._grad_accumulator
    if acc is None:
        acc = t._grad_accumulator = AccumulateGrad(t)
    return (acc, 0)


def record(op, key, static, args, arrays, out, pullback=None):
    """Wrap `out` in Tensors whose grad_fn is a new node for `op` applied to `args`;
    `pullback` is jax.vjp's for the inputs that require grad, when the caller linearized."""
    edges = tuple(grad_edge(a) if isinstance(a, Tensor) and a._requires_grad else None
                  for a in args)
    outs = out if type(out) is tuple else (out,)
    node = node_class(op)(op, key, static, arrays, edges, len(outs))
    if pullback is not None:
        node._pullback = (pullback, out)
    saves = op.saves
    for i in saves:
        if i >= 0 and isinstance(args[i], Tensor):
            node._saved.append(_SavedVersion(args[i], i))
    results = []
    for i, o in enumerate(outs):
        t = from_array(o)
        if o.dtype in _INEXACT:
            t._requires_grad, t.grad_fn, t._output_nr = True, node, i
            if _dispatch.OUTPUT in saves:
                node._saved.append(_SavedVersion(t, _dispatch.OUTPUT))
        results.append(t)
    return tuple(results) if type(out) is tuple else results[0]


def rebase_saved_version(node, result, target):
    """Adjust what the node of an in-place op (`target.op_(...)` computed as `result`) saved:
    its output now lives in the target, so it watches the target at its new version; the
    target as `self` is not checked (torch saves a copy of the original self); the target as
    another argument (`a.mul_(a)`) keeps the version it had, as in torch."""
    saved_list = getattr(node, "_saved", None)
    if not saved_list:
        return
    for saved in saved_list:
        if saved.vc is result._vc:
            saved.vc, saved.version = target._vc, target._vc[0]
    node._saved = [saved for saved in saved_list
                   if not (saved.vc is target._vc and saved.position == 0)]


def register_tensor_hook(t, hook):
    if not t._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    node, nr = grad_edge(t)
    hooks = node._pre_hooks.setdefault(nr, [])
    hooks.append(hook)
    return RemovableHandle(hooks, hook)


def retain_grad(t):
    if not t._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if t.grad_fn is None or t._retains_grad:
        return
    t._retains_grad = True
    t.grad_fn._retained.setdefault(t._output_nr, []).append(weakref.ref(t))


# ---- the engine ---------------------------------------------------------------------------

def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs):
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a "
                               "grad_fn")
        if g is None:
            if out._raw.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not out.dtype.is_floating_point:
                raise RuntimeError("grad can be implicitly created only for real scalar outputs "
                                   f"but got {out.dtype}")
            g = from_array(jnp.ones_like(out._array))
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradient must be a Tensor or None, got {type(g).__name__}")
        elif g._raw.shape != out._raw.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and "
                               f"output[{i}] has a shape of {out.shape}.")
        elif g._raw.dtype != out._raw.dtype:
            g = _dispatch.dispatch(_dispatch.CAST, (g,), dtype=out.dtype)
        grads.append(g)
    return grads


def run_backward(outputs, grad_outputs, retain_graph, create_graph, targets=None,
                 accumulate=True):
    """Propagate `grad_outputs` from `outputs` through the graph.

    With `targets` (edges of the inputs of autograd.grad or backward(inputs=)), only nodes that
    lead to a target run, and the gradient arriving at each target is returned.
    """
    outputs = _as_tuple(outputs)
    grad_outputs = list(_as_tuple(grad_outputs)) or [None] * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad_tensors has {len(grad_outputs)} elements but tensors has "
                           f"{len(outputs)}")
    if retain_graph is None:
        retain_graph = create_graph
    prev = _grad_state.grad_enabled
    _grad_state.grad_enabled = create_graph
    try:
        roots = [grad_edge(o) if o._requires_grad else None for o in outputs]
        grads = _root_grads(outputs, grad_outputs)
        return _execute(roots, grads, retain_graph, targets, accumulate)
    finally:
        _grad_state.grad_enabled = prev


def _execute(roots, grads, retain_graph, targets, accumulate):
    dependencies = {}
    stack = list(dict.fromkeys(node for node, _ in roots))  # several roots may share a node
    seen = set(stack)
    while stack:
        node = stack.pop()
        for edge in node._next:
            if edge is None:
                continue
            child = edge[0]
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)

    target_slots = {}
    needed = None
    if targets is not None:
        for i, (node, nr) in enumerate(targets):
            target_slots.setdefault(node, []).append((nr, i))
        needed = _nodes_needed(list(dict.fromkeys(n for n, _ in roots)), dependencies,
                               target_slots)
    captured = [None] * (len(targets) if targets is not None else 0)

    buffers = {}
    for (node, nr), g in zip(roots, grads):
        _accumulate(buffers, node, nr, g)
    ready = [node for node, _ in roots if dependencies.get(node, 0) == 0]
    ready = list(dict.fromkeys(ready))
    while ready:
        node = ready.pop()
        node_grads = buffers.pop(node, None) or [None] * node.n_outputs
        _run_tensor_hooks(node, node_grads)
        slots = target_slots.get(node)
        if slots:
            for nr, i in slots:
                captured[i] = node_grads[nr]
        run = needed is None or node in needed
        if isinstance(node, AccumulateGrad):
            run = accumulate and (needed is None or slots is not None)
        if run and any(g is not None for g in node_grads):
            for hook in node._prehooks:
                result = hook(tuple(node_grads))
                if result is not None:
                    node_grads = list(result)
            input_grads = node.apply(node_grads)
            for hook in node._hooks:
                result = hook(tuple(input_grads), tuple(node_grads))
                if result is not None:
                    input_grads = list(result)
        else:
            input_grads = ()
        if not retain_graph:
            node.release()
        input_grads = list(input_grads)
        for k, edge in enumerate(node._next):
            if edge is None:
                continue
            child, nr = edge
            if k < len(input_grads) and input_grads[k] is not None:
                _accumulate(buffers, child, nr, input_grads[k])
            dependencies[child] -= 1
            if dependencies[child] == 0:
                ready.append(child)
    return captured


def _nodes_needed(roots, dependencies, target_slots):
    """The nodes whose backward must run for some gradient to reach a target."""
    remaining = dict(dependencies)
    ready = [node for node in roots if remaining.get(node, 0) == 0]
    topo = []
    while ready:
        node = ready.pop()
        topo.append(node)
        for edge in node._next:
            if edge is not None:
                remaining[edge[0]] -= 1
                if remaining[edge[0]] == 0:
                    ready.append(edge[0])
    leads = {}
    needed = set()
    for node in reversed(topo):  # children before parents
        feeds_target = any(e is not None and leads[e[0]] for e in node._next)
        leads[node] = feeds_target or node in target_slots
        if feeds_target:
            needed.add(node)
    return needed


def _accumulate(buffers, node, nr, g):
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * node.n_outputs
    slots[nr] = g if slots[nr] is None else _dispatch.dispatch(_ADD, (slots[nr], g))


def _run_tensor_hooks(node, grads):
    for nr, hooks in node._pre_hooks.items():
        for hook in list(hooks):
            if grads[nr] is None:
                break
            result = hook(grads[nr])
            if result is not None:
                grads[nr] = result
    for nr, refs in node._retained.items():
        g = grads[nr]
        if g is None:
            continue
        for ref in refs:
            t = ref()
            if t is None:
                continue
            if t._grad is None:
                t._grad = g if _grad_state.grad_enabled else from_array(g._array)
            else:
                t._grad = _dispatch.dispatch(_ADD, (t._grad, g))


def backward(tensor, gradient=None, retain_graph=None, create_graph=False, inputs=None):
    """Tensor.backward / torch.autograd.backward."""
    targets = None
    if inputs is not None:
        inputs = _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        targets = [grad_edge(t) for t in inputs]
    run_backward(tensor, gradient, retain_graph, create_graph, targets=targets)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """torch.autograd.grad: gradients of `outputs` with respect to `inputs`, not accumulated."""
    single = isinstance(inputs, Tensor)
    inputs = _as_tuple(inputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    targets = [grad_edge(t) for t in inputs]
    captured = run_backward(outputs, grad_outputs, retain_graph, create_graph,
                            targets=targets, accumulate=False)
    result = []
    for i, (t, g) in enumerate(zip(inputs, captured)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                g = from_array(jnp.zeros_like(t._array))
        elif not create_graph:
            g = from_array(g._array)
        result.append(g)
    return tuple(result) if not single else (result[0],)


from jtorch import _dispatch  # noqa: E402  (cycle: nodes run their backward through the funnel)

_ADD = _dispatch.Op(jnp.add, "AddBackward0")
