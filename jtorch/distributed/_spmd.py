"""The SPMD vocabulary shared by jtorch.distributed and nn.parallel: devices, meshes, and moving
arrays between a process's *local* view (torch's per-rank tensor) and the *global* arrays JAX
computes on across all processes.

jtorch runs one process per host (or per accelerator under torchrun), each driving all its
local devices; a torch "rank" is a process. A global array sharded along dim 0 over a mesh
whose leading axis runs over processes holds every rank's local tensor, concatenated in rank
order: that is how a data-parallel batch, and a collective's operands, are laid out.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec

from jtorch import _device


def is_traced(array) -> bool:
    return isinstance(array, jax.core.Tracer)


def traced_on_a_mesh(array) -> bool:
    """Whether a traced value derives from arrays laid out on a mesh (a global value), rather
    than only from process-local ones."""
    typeof = getattr(jax, "typeof", None)
    if typeof is None:  # older JAX: no abstract mesh to look at
        return True
    return not typeof(array).sharding.mesh.empty


def process_index() -> int:
    return jax.process_index()


def default_device_type() -> str:
    """torch's name for the devices parallel work runs on: "cuda" (any accelerator) or "cpu"."""
    return "cuda" if _device.accelerator_devices() else "cpu"


def platform_of(device_type: str):
    if device_type == "cpu":
        return "cpu"
    if device_type in ("cuda", "xla"):
        if not _device.accelerator_devices():
            raise RuntimeError(f"jtorch.distributed: no accelerator for device type "
                               f"'{device_type}' (JAX sees only CPU devices)")
        return _device.accelerator_devices()[0].platform
    raise RuntimeError(f"jtorch.distributed: unsupported device type '{device_type}'")


def global_devices(device_type: str):
    """Every process's devices of a type, process-major (rank 0's devices first)."""
    devices = jax.devices(platform_of(device_type))
    return sorted(devices, key=lambda d: (d.process_index, d.id))


@functools.cache
def data_parallel_mesh(device_type: str) -> Mesh:
    """The (processes, local devices) mesh DistributedDataParallel shards the batch over: axes
    ("process", "local")."""
    devices = global_devices(device_type)
    n_proc = jax.process_count()
    if len(devices) % n_proc:
        raise RuntimeError("jtorch.distributed: every process needs the same number of devices "
                           f"({len(devices)} devices over {n_proc} processes)")
    return Mesh(np.array(devices, dtype=object).reshape(n_proc, len(devices) // n_proc),
                ("process", "local"))


@functools.cache
def process_mesh(platform: str) -> Mesh:
    """One device per process (its first local device of `platform`): the mesh process-level
    collectives run on; axis "rank"."""
    firsts = {}
    for d in sorted(jax.devices(platform), key=lambda d: (d.process_index, d.id)):
        firsts.setdefault(d.process_index, d)
    return Mesh(np.array(list(firsts.values()), dtype=object), ("rank",))


def batch_spec(mesh: Mesh, local_shape, dim: int = 0) -> PartitionSpec:
    """How a data-parallel mesh lays out one process's batch: `dim` split over every device
    when the local devices divide it, else over processes only (each local device then holds
    the process's whole batch); 0-d tensors are replicated."""
    if not local_shape:
        return PartitionSpec()
    spec = [None] * len(local_shape)
    n_local = mesh.shape[mesh.axis_names[-1]]
    spec[dim] = mesh.axis_names if local_shape[dim] % n_local == 0 else mesh.axis_names[0]
    return PartitionSpec(*spec)


def spans_processes(mesh: Mesh) -> bool:
    return len({d.process_index for d in mesh.devices.flat}) > 1


def local_to_global(array, mesh: Mesh, spec: PartitionSpec):
    """Each process's `array` becomes its piece of one global array laid out as `spec` (the
    pieces concatenated along the sharded dims, in process order)."""
    sharding = NamedSharding(mesh, spec)
    if not spans_processes(mesh):
        return jax.device_put(array, sharding)
    return jax.make_array_from_process_local_data(sharding, array)


def global_to_local(array, mesh: Mesh, spec: PartitionSpec, device=None):
    """This process's piece of a global array laid out (after resharding) as `spec`, as one
    array on `device` (default: kept on the mesh's local devices)."""
    if spans_processes(mesh):
        array = _addressable_piece(jax.device_put(array, NamedSharding(mesh, spec)))
    if device is not None:
        array = jax.device_put(array, device)
    return array


def _addressable_piece(array):
    """Concatenate this process's distinct shards of a global array in index order."""
    shards = {}
    for shard in array.addressable_shards:
        shards.setdefault(tuple(s.start or 0 for s in shard.index), shard.data)
    starts = sorted(shards)
    if len(starts) == 1:
        return shards[starts[0]]
    sharded_dims = [i for i in range(array.ndim) if len({k[i] for k in starts}) > 1]
    if len(sharded_dims) != 1:
        raise NotImplementedError("jtorch.distributed: a process's piece of an array sharded "
                                  "over several dims is not supported")
    target = next(iter(shards[starts[0]].devices()))
    return jnp.concatenate([jax.device_put(shards[k], target) for k in starts],
                           axis=sharded_dims[0])


def replicate(array, mesh: Mesh):
    """`array`, the same on every process, as a global array replicated over `mesh`."""
    sharding = NamedSharding(mesh, PartitionSpec())
    if getattr(array, "sharding", None) == sharding:
        return array
    if not spans_processes(mesh):
        return jax.device_put(array, sharding)
    if not array.is_fully_addressable:  # already global: XLA moves it
        return jax.jit(lambda x: x, out_shardings=sharding)(array)
    return jax.make_array_from_callback(array.shape, sharding, lambda index: array[index])


def normalize_spec(spec: PartitionSpec, ndim: int) -> PartitionSpec:
    entries = list(spec) + [None] * (ndim - len(spec))
    while entries and entries[-1] is None:
        entries.pop()
    return PartitionSpec(*entries)


# ---- what jtorch.compile needs of a step whose state lies on a mesh --------------------------

def program_mesh(arrays):
    """The mesh a compiled step runs on: that of the first of its state arrays laid out over
    several devices (parameters replicated by DataParallel, distribute_tensor, ...), or None."""
    for array in arrays:
        sharding = getattr(array, "sharding", None)
        if isinstance(sharding, NamedSharding) and sharding.mesh.devices.size > 1:
            return sharding.mesh
    return None


def on_mesh(array, mesh: Mesh) -> bool:
    sharding = getattr(array, "sharding", None)
    return sharding is not None and sharding.device_set == set(mesh.devices.flat)


def place_argument(array, mesh: Mesh):
    """A compiled step's tensor argument, on the step's mesh.

    An argument not on the mesh is split along dim 0 over it (replicated when it is 0-d or
    dim 0 doesn't divide). In a multi-process job this makes each process's tensor its piece
    of the global argument, as torch's per-rank tensors are: the pieces concatenate along
    dim 0.
    """
    if is_traced(array) or on_mesh(array, mesh):
        return array
    local_count = sum(d.process_index == jax.process_index() for d in mesh.devices.flat)
    first_axis = mesh.axis_names[0]
    if array.ndim and array.shape[0] % local_count == 0:
        spec = PartitionSpec(mesh.axis_names)
    elif array.ndim == 0 or not spans_processes(mesh):  # a 0-d argument: the same everywhere
        spec = PartitionSpec()
    elif mesh.shape[first_axis] == jax.process_count():
        spec = PartitionSpec(first_axis)
    else:
        raise ValueError(f"jtorch.compile: an argument of shape {list(array.shape)} can't be "
                         "split over the processes of the step's mesh")
    return local_to_global(array, mesh, spec)


def local_output(array, mesh: Mesh):
    """What a process gets back of a compiled step's output: the whole value when every
    process has it, else its own piece (the inverse of place_argument)."""
    if is_traced(array) or not spans_processes(mesh) or array.is_fully_addressable:
        return array
    if array.is_fully_replicated:
        return array.addressable_data(0)
    return _addressable_piece(array)
