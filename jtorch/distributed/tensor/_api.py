"""DTensor, distribute_tensor and distribute_module: torch's distributed-tensor API on
jax.sharding.NamedSharding.

A jtorch tensor already holds one *global* jax.Array, which JAX may lay out over many devices.
`distribute_tensor(t, mesh, [Shard(0)])` lays `t` out on `mesh` (one NamedSharding) and
returns it as a `DTensor`, a Tensor whose `placements`/`device_mesh` describe that layout.
Any op on it runs SPMD (XLA propagates the layout and inserts the communication), and its
result is a plain jtorch Tensor holding a global array, where torch would return another
DTensor. A rank is a process: `to_local()` is this process's piece (with one process, all of
it) and `from_local` assembles every process's piece.
"""

from __future__ import annotations

import functools

import jax
from jax.sharding import NamedSharding, PartitionSpec

from jtorch._tensor import Tensor, from_array
from jtorch.distributed import _spmd
from jtorch.distributed._relayout import Gather, Redistribute, Relayout, Scatter
from jtorch.distributed.device_mesh import DeviceMesh, init_device_mesh
from jtorch.distributed.tensor.placement_types import Partial, Replicate, Shard

__all__ = ["DTensor", "distribute_module", "distribute_tensor"]


class DTensor(Tensor):
    """A Tensor laid out on a DeviceMesh (torch.distributed.tensor.DTensor)."""

    __slots__ = ()

    @property
    def device_mesh(self) -> DeviceMesh:
        return self.__dict__["_device_mesh"]

    @property
    def placements(self):
        """Read from where the array actually lies (XLA may have moved it), else as made."""
        mesh = self.device_mesh
        array = self._array
        sharding = None if _spmd.is_traced(array) else getattr(array, "sharding", None)
        if isinstance(sharding, NamedSharding) and sharding.mesh == mesh.jax_mesh:
            return _placements_of(sharding.spec, mesh)
        return self.__dict__["_placements"]

    def to_local(self, *, grad_placements=None) -> Tensor:
        """This process's piece (differentiable); with one process, the whole tensor."""
        spec = _spec_of(self.placements, self.device_mesh, self.ndim)
        return Relayout.apply(self, Gather(self.device_mesh.jax_mesh, spec, None))

    def full_tensor(self, *, grad_placements=None) -> Tensor:
        """The whole tensor, replicated on every device of the mesh (differentiable)."""
        return self.redistribute(placements=[Replicate()] * self.device_mesh.ndim).to_local()

    def redistribute(self, device_mesh=None, placements=None, *, async_op=False,
                     forward_dtype=None, backward_dtype=None) -> DTensor:
        """The same values laid out as `placements` (differentiable)."""
        mesh = self.device_mesh if device_mesh is None else device_mesh
        if mesh.jax_mesh != self.device_mesh.jax_mesh:
            raise NotImplementedError("DTensor.redistribute: moving to another mesh is not "
                                      "supported")
        placements = self.placements if placements is None else tuple(placements)
        source = _spec_of(self.placements, self.device_mesh, self.ndim)
        target = _spec_of(placements, mesh, self.ndim)
        moved = Relayout.apply(self, Redistribute(mesh.jax_mesh, source, target))
        return _as_dtensor(moved, mesh, placements)

    @staticmethod
    def from_local(local_tensor, device_mesh=None, placements=None, *, run_check=False,
                   shape=None, stride=None) -> DTensor:
        """Assemble every process's `local_tensor` into one DTensor (differentiable): sharded
        dims concatenate the processes' pieces; with one process, the tensor laid out."""
        mesh = _default_mesh() if device_mesh is None else device_mesh
        placements = _check_placements(placements, mesh)
        spec = _spec_of(placements, mesh, local_tensor.ndim)
        return _as_dtensor(Relayout.apply(local_tensor, Scatter(mesh.jax_mesh, spec)), mesh,
                           placements)

    def __repr__(self, *, tensor_contents=None):
        return (f"DTensor(local_tensor={Tensor.__repr__(self)}, "
                f"device_mesh={self.device_mesh!r}, placements={self.placements!r})")

    __str__ = __repr__


def distribute_tensor(tensor, device_mesh=None, placements=None, *, src_data_rank=0):
    """Lay `tensor` out on `device_mesh` (default: all devices of the default device type, 1-d)
    as `placements` (default: replicated). A leaf DTensor with the tensor's requires_grad.

    With several processes, every process passes a full tensor and process `src_data_rank`'s
    values are used (None: each process's own, assumed equal).
    """
    mesh = _default_mesh() if device_mesh is None else device_mesh
    placements = _check_placements(placements, mesh)
    spec = _spec_of(placements, mesh, tensor.ndim)
    _check_divisible(tensor.shape, spec, mesh)
    array = tensor.detach()._array
    if _spmd.spans_processes(mesh.jax_mesh) and src_data_rank is not None:
        from jtorch.distributed.distributed_c10d import _ProcessRanks
        array = _ProcessRanks().run(("broadcast", None, src_data_rank), (array,), 1)[0]
    sharding = NamedSharding(mesh.jax_mesh, spec)
    if _spmd.spans_processes(mesh.jax_mesh):
        placed = jax.make_array_from_callback(array.shape, sharding, lambda index: array[index])
    else:
        placed = jax.device_put(array, sharding)
    out = _as_dtensor(from_array(placed), mesh, placements)
    if tensor.requires_grad:
        out.requires_grad_(True)
    return out


def distribute_module(module, device_mesh=None, partition_fn=None, input_fn=None,
                      output_fn=None):
    """Lay a module's parameters out on a mesh: `partition_fn(name, submodule, mesh)` for each
    submodule (it may replace parameters with distributed ones); parameters and buffers left
    undistributed are replicated. `input_fn(module, inputs, mesh)` and
    `output_fn(module, outputs, mesh)` become forward pre/post hooks."""
    from jtorch.nn.parameter import Parameter
    mesh = _default_mesh() if device_mesh is None else device_mesh
    for name, submodule in module.named_modules():
        if partition_fn is not None:
            partition_fn(name, submodule, mesh)
        for key, param in list(submodule._parameters.items()):
            if param is not None and not isinstance(param._array.sharding, NamedSharding):
                replicated = distribute_tensor(param.detach(), mesh)
                submodule._parameters[key] = Parameter(replicated, param.requires_grad)
        for key, buf in list(submodule._buffers.items()):
            if buf is not None and not isinstance(buf._array.sharding, NamedSharding):
                submodule._buffers[key] = distribute_tensor(buf, mesh)
    if input_fn is not None:
        module.register_forward_pre_hook(lambda m, inputs: input_fn(m, inputs, mesh))
    if output_fn is not None:
        module.register_forward_hook(lambda m, inputs, outputs: output_fn(m, outputs, mesh))
    return module


# ---- placements <-> PartitionSpec ----------------------------------------------------------

@functools.cache
def _default_mesh() -> DeviceMesh:
    device_type = _spmd.default_device_type()
    return init_device_mesh(device_type, (len(_spmd.global_devices(device_type)),))


def _check_placements(placements, mesh):
    if placements is None:
        return (Replicate(),) * mesh.ndim
    placements = tuple(placements)
    if len(placements) != mesh.ndim:
        raise ValueError(f"`placements` must have the same length as `device_mesh.ndim`! Found "
                         f"placements length: {len(placements)}, and device_mesh.ndim: "
                         f"{mesh.ndim}.")
    return placements


def _spec_of(placements, mesh, ndim) -> PartitionSpec:
    entries = [[] for _ in range(ndim)]
    for name, placement in zip(mesh.mesh_dim_names, placements):
        if isinstance(placement, Partial):
            raise NotImplementedError("jtorch.distributed.tensor: Partial placements have no "
                                      "NamedSharding equivalent; reduce first (all_reduce)")
        if isinstance(placement, Shard):
            dim = placement.dim + ndim if placement.dim < 0 else placement.dim
            if not 0 <= dim < ndim:
                raise IndexError(f"Shard(dim={placement.dim}) is out of range for a tensor with "
                                 f"{ndim} dims")
            entries[dim].append(name)
    spec = [None if not e else e[0] if len(e) == 1 else tuple(e) for e in entries]
    return _spmd.normalize_spec(PartitionSpec(*spec), ndim)


def _placements_of(spec, mesh):
    found = {}
    for dim, entry in enumerate(spec):
        for name in (entry,) if isinstance(entry, str) else (entry or ()):
            found[name] = dim
    return tuple(Shard(found[n]) if n in found else Replicate() for n in mesh.mesh_dim_names)


def _check_divisible(shape, spec, mesh):
    for dim, entry in enumerate(spec):
        names = (entry,) if isinstance(entry, str) else (entry or ())
        parts = 1
        for n in names:
            parts *= mesh.jax_mesh.shape[n]
        if shape[dim] % parts:
            raise ValueError(f"distribute_tensor: dim {dim} of size {shape[dim]} can't be split "
                             f"evenly over {parts} devices (JAX shards evenly)")


def _as_dtensor(t, mesh, placements):
    t.__class__ = DTensor
    t.__dict__["_device_mesh"] = mesh
    t.__dict__["_placements"] = tuple(placements)
    return t
