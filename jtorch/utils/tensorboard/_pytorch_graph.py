"""A module's graph as a TensorBoard `GraphDef`, from one traced forward pass.

torch gets the graph from `torch.jit.trace`. jtorch has no TorchScript; it runs the forward
once with the inputs requiring grad and reads the autograd graph that the funnel records
(`grad_fn` / `next_functions`, torch's node names), while module hooks and the funnel's
observer note which module was running when each node was made. The result has torch's
layout: nodes scoped `Net/Sequential[fc]/Linear[1]/...`, `input/<arg>` and `output/output.N`
IO nodes, parameters as `prim::GetAttr` nodes, ops as `aten::<name>` with `_output_shapes`,
so TensorBoard's graph tab draws the same nested boxes.

Differences from torch: only ops that autograd records are nodes (an op on tensors that need
no grad, e.g. integer index arithmetic, is not; its result still shows as an edge from the
graph input or buffer it came from), constants are not separate nodes, and an op is named
after its backward node (`AddmmBackward0` -> `aten::addmm`), so ops that torch's tracer keeps
(`aten::linear`) can show as the ops autograd saw (`aten::addmm`).
"""

from __future__ import annotations

import contextlib
import inspect
import re

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef

from jtorch import _autograd, _dispatch
from jtorch._grad_mode import enable_grad
from jtorch._tensor import Tensor

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z0-9])(?=[A-Z][a-z])")


def _aten_name(node):
    """`AddmmBackward0` -> `addmm`, `MaxPool2DWithIndicesBackward0` -> `max_pool2d_with_indices`,
    `torch::autograd::CopySlices` -> `copy_slices`."""
    name = node.forward_op_name().rsplit("::", 1)[-1].rstrip("0123456789")
    return _CAMEL_BOUNDARY.sub("_", name).lower()


def _attr(shapes=None, text=""):
    attr = {"attr": AttrValue(s=text.encode("utf_8"))}
    if shapes is not None:
        attr["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=[
            TensorShapeProto(dim=[TensorShapeProto.Dim(size=int(d)) for d in shape])
            for shape in shapes]))
    return attr


def _module_scopes(model):
    """id(module) -> its scope name, `Net/Sequential[fc]/Linear[1]` (torch's format)."""
    base = type(model).__name__
    scopes = {}
    for name, module in model.named_modules():
        scope = base
        owner = model
        for part in name.split(".") if name else ():
            owner = owner._modules[part]
            scope += f"/{type(owner).__name__}[{part}]"
        scopes.setdefault(id(module), scope)
    return base, scopes


class _ScopeRecorder:
    """The funnel's observer during the traced forward: remembers, for each autograd node the
    funnel records, the module scope it was recorded in, the shapes of its outputs and the
    tensors its op read (which shows edges autograd has no record of: integer inputs such as
    embedding indices, and buffers such as batch-norm running statistics).

    The funnel tells the observer of an op's tensor arguments (`on_use`), then of its outputs
    (`on_create`); only after that does autograd attach the node to the outputs. So outputs
    wait in `pending` until the next funnel event (or the end of the pass); reading their
    `grad_fn` then, before a later in-place op can rebind it, gives the node that made them.
    """

    def __init__(self, base_scope):
        self.stack = [base_scope]
        self.pending = []
        self.uses, self.op_uses, self.collecting = [], (), True
        self.meta = {}  # node -> {"scope", "shapes": {output_nr: shape}, "uses"}

    def on_use(self, t):
        if not self.collecting:  # the previous op's outputs are all made: a new op begins
            self.flush()
            self.uses, self.collecting = [], True
        self.uses.append(t)

    def on_create(self, t):
        if self.collecting:
            self.op_uses, self.collecting = tuple(self.uses), False
        self.pending.append((t, self.stack[-1], self.op_uses))

    def flush(self):
        for t, scope, uses in self.pending:
            node = t.grad_fn
            if node is None:
                continue
            entry = self.meta.get(node)
            if entry is None:
                entry = self.meta[node] = {"scope": scope, "shapes": {}, "uses": uses}
            entry["shapes"].setdefault(t._output_nr, tuple(t.shape))
        self.pending.clear()


@contextlib.contextmanager
def _recording_scopes(model, recorder, scopes):
    handles = []
    if hasattr(model, "named_modules"):
        for module in dict(model.named_modules()).values():
            scope = scopes[id(module)]

            def push(_module, _args, scope=scope):
                recorder.flush()
                recorder.stack.append(scope)

            def pop(_module, _args, _output):
                recorder.flush()
                recorder.stack.pop()

            handles.append(module.register_forward_pre_hook(push))
            handles.append(module.register_forward_hook(pop))
    previous = _dispatch.set_observer(recorder)
    try:
        yield
    finally:
        _dispatch.set_observer(previous)
        recorder.flush()
        for handle in handles:
            handle.remove()


def _input_names(model, n):
    """The forward's parameter names for the IO nodes (torch's debug names of the inputs)."""
    forward = getattr(model, "forward", model)
    try:
        params = [p for p in inspect.signature(forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params[:n]]
    return names + [f"input.{i + 1}" for i in range(len(names), n)]


def _flatten_tensors(value):
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _flatten_tensors(v)]
    return []


def _prepare_inputs(args):
    """Detached copies of the inputs: floating ones require grad (so every op on them is
    recorded) through a clone, which keeps in-place ops on the input legal."""
    prepared, clone_nodes = [], {}
    for i, a in enumerate(args):
        if isinstance(a, Tensor) and a.is_floating_point():
            with enable_grad():
                x = a.detach().requires_grad_(True).clone()
            clone_nodes[x.grad_fn] = i
            prepared.append(x)
        else:
            prepared.append(a)
    return prepared, clone_nodes


def _named_members(model, scopes, named):
    """id(tensor) -> (scope of its module, attribute name), for parameters or buffers."""
    found = {}
    if hasattr(model, named):
        for name, t in getattr(model, named)():
            owner, _, attr = name.rpartition(".")
            module = model.get_submodule(owner) if owner else model
            found[id(t)] = (scopes[id(module)], attr)
    return found


class _GraphBuilder:
    """NodeDefs for the nodes the outputs depend on, named and scoped as torch's."""

    def __init__(self, model, recorder, base, scopes, args, prepared, clone_nodes):
        self.recorder, self.base, self.clone_nodes = recorder, base, clone_nodes
        self.params = _named_members(model, scopes, "named_parameters")
        self.buffers = _named_members(model, scopes, "named_buffers")
        self.input_names = [f"input/{n}" for n in _input_names(model, len(args))]
        self.inputs = {id(a): i for i, a in enumerate(args) if isinstance(a, Tensor)}
        self.inputs.update({id(x): i for i, x in enumerate(prepared) if id(x) not in
                            self.inputs and isinstance(x, Tensor)})
        self.names = {}  # autograd node or id(buffer) -> NodeDef name
        self.taken = set()
        self.defs = []

    def unique(self, name):
        candidate, k = name, 0
        while candidate in self.taken:
            k += 1
            candidate = f"{name}.{k}"
        self.taken.add(candidate)
        return candidate

    def edge(self, node, output_nr):
        if node in self.clone_nodes:
            return self.input_names[self.clone_nodes[node]]
        name = self.names[node]
        return name if output_nr == 0 else f"{name}:{output_nr}"

    def build(self, outputs, args):
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                self.taken.add(self.input_names[i])
                self.defs.append(NodeDef(name=self.input_names[i], op="IO Node",
                                         attr=_attr([tuple(a.shape)])))
        for node in self.reachable([t.grad_fn for t in outputs if t.grad_fn is not None]):
            self.add_node(node)
        for k, t in enumerate(outputs):
            inputs = [] if t.grad_fn is None else [self.edge(t.grad_fn, t._output_nr)]
            name = self.unique(f"output/output.{k + 1}")
            self.defs.append(NodeDef(name=name, op="IO Node", input=inputs,
                                     attr=_attr([tuple(t.shape)])))
        return self.defs

    def reachable(self, roots):
        """Every node the outputs depend on, producers before consumers."""
        seen, order, stack = set(), [], [(r, False) for r in roots]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node in seen:
                continue
            seen.add(node)
            stack.append((node, True))
            if node not in self.clone_nodes:
                stack.extend((n, False) for n, _ in reversed(node.next_functions)
                             if n is not None and n not in seen)
        return order

    def get_attr(self, key, scope, attr, shape):
        """A `prim::GetAttr` node for a parameter or buffer, as torch's graphs show them."""
        name = self.names[key] = self.unique(f"{scope}/{attr}")
        self.defs.append(NodeDef(name=name, op="prim::GetAttr",
                                 attr=_attr([shape], f"{{ name :  {attr} }}")))
        return name

    def untracked_inputs(self, meta):
        """Edges from graph inputs and buffers the op read without autograd recording them."""
        for used in meta["uses"]:
            root = used._base if used._base is not None else used
            if id(root) in self.inputs:
                yield self.input_names[self.inputs[id(root)]]
            elif id(root) in self.buffers:
                if id(root) not in self.names:
                    self.get_attr(id(root), *self.buffers[id(root)], tuple(root.shape))
                yield self.names[id(root)]

    def add_node(self, node):
        if node in self.clone_nodes:
            return
        if isinstance(node, _autograd.AccumulateGrad):
            var = node.variable
            scope, attr = self.params.get(id(var), (self.base, "constant"))
            self.get_attr(node, scope, attr, tuple(var.shape))
            return
        meta = self.recorder.meta.get(node)
        scope = self.base if meta is None else meta["scope"]
        op = _aten_name(node)
        name = self.names[node] = self.unique(f"{scope}/{op}")
        inputs = [self.edge(n, nr) for n, nr in node.next_functions if n is not None]
        shapes = None
        if meta is not None:
            inputs += [i for i in dict.fromkeys(self.untracked_inputs(meta)) if i not in inputs]
            shapes = [meta["shapes"][k] for k in sorted(meta["shapes"])]
        self.defs.append(NodeDef(name=name, op=f"aten::{op}", input=inputs,
                                 attr=_attr(shapes, f"{{ grad_fn : {node.name()} }}")))


@contextlib.contextmanager
def _set_model_to_eval(model):
    """Trace in eval mode, as torch does, restoring the training flag after."""
    training = getattr(model, "training", None)
    if training is None:
        yield
        return
    model.train(False)
    try:
        yield
    finally:
        model.train(training)


def graph(model, args, verbose=False, use_strict_trace=True):
    """(GraphDef, RunMetadata) of `model` run on `args` (a Tensor or a tuple/list of them).

    `use_strict_trace` is accepted for torch's signature; it concerns TorchScript's tracer,
    which jtorch does not use.
    """
    if args is None:
        args = ()
    elif not isinstance(args, (tuple, list)):
        args = (args,)
    base, scopes = (_module_scopes(model) if hasattr(model, "named_modules")
                    else (getattr(model, "__name__", "Module"), {}))
    recorder = _ScopeRecorder(base)
    prepared, clone_nodes = _prepare_inputs(args)
    with _set_model_to_eval(model):
        try:
            with _recording_scopes(model, recorder, scopes), enable_grad():
                result = model(*prepared)
        except Exception as e:
            print(e)
            print("Error occurs, No graph saved")
            raise
    outputs = _flatten_tensors(result)
    builder = _GraphBuilder(model, recorder, base, scopes, args, prepared, clone_nodes)
    nodes = builder.build(outputs, args)
    if verbose:
        for n in nodes:
            print(f"{n.name} = {n.op}({', '.join(n.input)})")
    # TensorBoard shows the device from the step stats; torch hard-codes CPU the same way
    stepstats = RunMetadata(step_stats=StepStats(dev_stats=[
        DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), stepstats  # torch's producer
