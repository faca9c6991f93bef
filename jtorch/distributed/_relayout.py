"""Moving a tensor between layouts as one autograd node: the scatter and gather of
nn.DataParallel / DistributedDataParallel and DTensor's distribute/redistribute.

Eagerly a move is a real transfer (`jax.device_put`, or assembling per-process pieces); under
`jax.jit` (jtorch.compile) it is a sharding constraint that tells XLA where the data should be,
and XLA moves it. The backward of a move is the reverse move (the transpose of scattering
per-process pieces is taking this process's piece back), computed by the same funnel op.
Autograd cannot differentiate a cross-device `device_put` with one jitted VJP (its inputs live
on different devices), hence a custom Function instead of a differentiable Op.
"""

from __future__ import annotations

from dataclasses import dataclass

import jax
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from jtorch._dispatch import Op, dispatch
from jtorch.autograd.function import Function
from jtorch.distributed import _spmd


@dataclass(frozen=True)
class Scatter:
    """Each process's tensor becomes its piece of a global tensor laid out as `spec`."""

    mesh: Mesh
    spec: PartitionSpec

    def forward(self, array):
        if _spmd.is_traced(array):
            if _spmd.spans_processes(self.mesh) and not _spmd.traced_on_a_mesh(array):
                raise RuntimeError(
                    "jtorch.distributed: a compiled step passed a process-local tensor to a "
                    "module that is data-parallel over several processes; the step's "
                    "arguments must enter as global arrays (each process's tensor its piece, "
                    "see jtorch.distributed._spmd.place_argument), which this jtorch.compile "
                    "does not do. Run the step eagerly.")
            return jax.lax.with_sharding_constraint(array, NamedSharding(self.mesh, self.spec))
        return _spmd.local_to_global(array, self.mesh, self.spec)

    def backward(self, array):
        return Gather(self.mesh, self.spec, None).forward(array)


@dataclass(frozen=True)
class Gather:
    """A global tensor laid out as `spec` becomes this process's piece, on `device` (None: on
    the mesh's local devices). Inside a trace the value stays where XLA wants it.

    `grad_scale` multiplies the gradient flowing back eagerly (DistributedDataParallel
    averages the ranks' gradients: 1 / world size); a traced step computes the global loss,
    whose gradient is that average already."""

    mesh: Mesh
    spec: PartitionSpec
    device: object
    grad_scale: float = 1.0

    def forward(self, array):
        if _spmd.is_traced(array):
            return array
        return _spmd.global_to_local(array, self.mesh, self.spec, self.device)

    def backward(self, array):
        if _spmd.is_traced(array):  # the traced step's loss is global: nothing to average
            return array
        if self.grad_scale != 1.0:
            array = array * jax.numpy.asarray(self.grad_scale, array.dtype)
        if not _spmd.spans_processes(self.mesh):
            return jax.device_put(array, NamedSharding(self.mesh, self.spec))
        if self.spec == PartitionSpec():  # every process read the whole value: sum their grads
            from jtorch.distributed.distributed_c10d import _ProcessRanks
            summed = _ProcessRanks().run(("all_reduce", "SUM", 0), (array,), 1)[0]
            return _spmd.replicate(summed, self.mesh)
        return _spmd.local_to_global(array, self.mesh, self.spec)


@dataclass(frozen=True)
class Redistribute:
    """A global tensor moves from layout `source` to `target` on `mesh` (DTensor's
    redistribute)."""

    mesh: Mesh
    source: PartitionSpec
    target: PartitionSpec

    def forward(self, array):
        return _move(array, NamedSharding(self.mesh, self.target))

    def backward(self, array):
        return _move(array, NamedSharding(self.mesh, self.source))


def _move(array, sharding):
    if _spmd.is_traced(array):
        return jax.lax.with_sharding_constraint(array, sharding)
    if getattr(array, "sharding", None) == sharding:
        return array
    if _spmd.spans_processes(sharding.mesh):
        return jax.jit(lambda x: x, out_shardings=sharding)(array)
    return jax.device_put(array, sharding)


def _relayout(array, *, plan, backward):
    return plan.backward(array) if backward else plan.forward(array)


_RELAYOUT = Op(_relayout, "Relayout", differentiable=False, jit=False)


class Relayout(Function):
    """`Relayout.apply(tensor, plan)`: the tensor moved by `plan` (Scatter, Gather,
    Redistribute), differentiable."""

    @staticmethod
    def forward(ctx, tensor, plan):
        ctx.plan = plan
        return dispatch(_RELAYOUT, (tensor,), plan=plan, backward=False)

    @staticmethod
    def backward(ctx, grad):
        return dispatch(_RELAYOUT, (grad,), plan=ctx.plan, backward=True), None
