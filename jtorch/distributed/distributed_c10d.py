"""torch.distributed's process group and collectives (torch/distributed/distributed_c10d.py),
on JAX's multi-process runtime.

A rank is a process; each process drives all its local devices. `init_process_group` maps
torchrun's environment onto `jax.distributed.initialize` (see `_bootstrap`); with one process
it only records the group.

Collectives are XLA collectives (`psum`, `all_gather`, `psum_scatter`) inside `shard_map`, run
through the op funnel (so `jtorch.compile` sees the tensors they read and write) and never
recorded by autograd, as torch's c10d ops. Who the ranks are depends on `group`:
- None (the default group) or the WORLD group: processes, each contributing its own tensor as
  in torch. With one process every collective is the identity on its tensor (AVG included);
  with several the tensors meet on a one-device-per-process mesh.
- a `DeviceMesh`: the mesh's devices are the ranks, and the piece of the tensor each device
  holds (under the tensor's own sharding on the mesh; a tensor not on the mesh is replicated
  onto it first) is that rank's tensor. This is the SPMD reading of a sharded tensor and also
  works inside `jtorch.compile`. Outputs keep the input's layout.
`async_op=True` returns a completed `Work` (JAX dispatch is already asynchronous).
"""

from __future__ import annotations

import datetime
import functools
import pickle

import jax
import jax.numpy as jnp
import numpy as np
from jax.experimental import multihost_utils
from jax.sharding import NamedSharding, PartitionSpec

from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._grad_mode import no_grad
from jtorch._tensor import from_array
from jtorch.distributed import _bootstrap, _spmd

__all__ = [
    "Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "all_gather",
    "all_gather_into_tensor", "all_gather_object", "all_gather_single", "all_reduce", "barrier",
    "broadcast", "broadcast_object_list", "destroy_process_group", "gather", "get_backend",
    "get_rank", "get_world_size", "group", "init_process_group", "is_available", "is_initialized",
    "reduce", "reduce_scatter", "reduce_scatter_single", "reduce_scatter_tensor", "scatter",
]


def is_available() -> bool:
    return True


class Backend(str):
    """torch.distributed.Backend: the backend names torch programs pass. jtorch always runs
    JAX's collectives (NCCL on GPUs, ICI on TPUs, gloo between CPU processes); the name is kept
    for get_backend()."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    MPI = "mpi"
    XLA = "xla"

    def __new__(cls, name: str):
        return super().__new__(cls, name.lower())


class ReduceOp:
    """torch.distributed.ReduceOp: SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<RedOpType.{self.name}>"

    def __eq__(self, other):
        return isinstance(other, ReduceOp) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


for _name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
    setattr(ReduceOp, _name, ReduceOp(_name))


class ProcessGroup:
    """A group of ranks (processes). Only the world group exists in jtorch."""

    def __init__(self, backend, ranks):
        self._backend = Backend(backend)
        self._ranks = list(ranks)

    def rank(self) -> int:
        return self._ranks.index(jax.process_index())

    def size(self) -> int:
        return len(self._ranks)

    def name(self) -> str:
        return self._backend

    def __repr__(self):
        return f"ProcessGroup(backend={self._backend!r}, size={self.size()})"


class GroupMember:
    """torch.distributed.GroupMember (alias `group`): `group.WORLD` is the default group."""

    WORLD = None
    NON_GROUP_MEMBER = -100


group = GroupMember


class Work:
    """What a collective with async_op=True returns; it has already been issued."""

    def __init__(self, tensors=()):
        self._tensors = tensors

    def wait(self, timeout=None) -> bool:
        return True

    def is_completed(self) -> bool:
        return True

    def is_success(self) -> bool:
        return True

    def get_future(self):
        raise NotImplementedError("jtorch.distributed: Work.get_future is not supported")


_NOT_INITIALIZED = ("Default process group has not been initialized, please make sure to call "
                    "init_process_group.")


def _world() -> ProcessGroup:
    if GroupMember.WORLD is None:
        raise ValueError(_NOT_INITIALIZED)
    return GroupMember.WORLD


# ---- the process group -----------------------------------------------------------------------

def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):
    """torch.distributed.init_process_group: join the job as torchrun describes it.

    `init_method` "env://" (the default: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) or
    "tcp://host:port"; `world_size`/`rank` override the environment. A process that `import
    jtorch` already joined (torchrun's variables set) only checks the arguments against the
    job. With WORLD_SIZE 1 nothing is started. `backend` is recorded; `store` and
    `pg_options` are not supported.
    """
    if GroupMember.WORLD is not None:
        raise ValueError("trying to initialize the default process group twice!")
    if store is not None:
        raise NotImplementedError("jtorch.distributed: init_process_group(store=...) is not "
                                  "supported; use init_method='env://' or 'tcp://host:port'")
    env_world, env_rank, coordinator, local_rank, local_world = _bootstrap.env_settings()
    world_size = env_world if world_size in (-1, None) else int(world_size)
    rank = env_rank if rank in (-1, None) else int(rank)
    if init_method is not None and init_method.startswith("tcp://"):
        coordinator = init_method[len("tcp://"):].split("?")[0]
    elif init_method is not None and not init_method.startswith("env://"):
        raise NotImplementedError(f"jtorch.distributed: init_method {init_method!r} is not "
                                  "supported; use 'env://' or 'tcp://host:port'")
    if world_size > 1 and not jax.distributed.is_initialized():
        if coordinator is None:
            raise ValueError("Error initializing torch.distributed using env:// rendezvous: "
                             "environment variable MASTER_ADDR expected, but not set")
        if _bootstrap.backends_started():
            raise RuntimeError(
                "jtorch.distributed: JAX's devices were already in use when "
                "init_process_group() was called, and JAX can join a multi-process job only "
                "before that. Launch with MASTER_ADDR, MASTER_PORT, WORLD_SIZE and RANK in the "
                "environment (as torchrun does): `import jtorch` then joins the job first.")
        seconds = timeout.total_seconds() if isinstance(timeout, datetime.timedelta) else timeout
        _bootstrap.join(world_size, rank, coordinator, local_rank, local_world,
                        timeout=None if seconds is None else int(seconds))
    if world_size not in (1, jax.process_count()) or \
            (jax.process_count() > 1 and rank != jax.process_index()):
        raise ValueError(f"jtorch.distributed: init_process_group(world_size={world_size}, "
                         f"rank={rank}) does not match the JAX job this process joined "
                         f"({jax.process_count()} processes, this one is "
                         f"{jax.process_index()})")
    GroupMember.WORLD = ProcessGroup(backend or Backend.XLA, range(jax.process_count()))


def destroy_process_group(group=None):
    """Forget the default group and leave the JAX job (every process must call it)."""
    if GroupMember.WORLD is None:
        raise ValueError(_NOT_INITIALIZED)
    GroupMember.WORLD = None
    if jax.distributed.is_initialized():
        jax.distributed.shutdown()


def is_initialized() -> bool:
    return GroupMember.WORLD is not None


def get_rank(group=None) -> int:
    return _process_group(group).rank()


def get_world_size(group=None) -> int:
    return _process_group(group).size()


def get_backend(group=None) -> str:
    return _process_group(group).name()


def _process_group(group):
    if group is None or group is GroupMember.WORLD:
        return _world()
    if isinstance(group, ProcessGroup):
        return group
    raise TypeError(f"jtorch.distributed: expected a ProcessGroup, got {type(group).__name__}")


def barrier(group=None, async_op=False, device_ids=None):
    """Wait until every process gets here (and this process's queued work is done)."""
    _process_group(group)
    if jax.process_count() > 1:
        multihost_utils.sync_global_devices("jtorch.distributed.barrier")
    else:
        jax.effects_barrier()
    return Work() if async_op else None


# ---- who the ranks are -----------------------------------------------------------------------

class _ProcessRanks:
    """Ranks are processes; a process's tensor is its rank's tensor."""

    def __init__(self):
        self.size = jax.process_count()

    def __eq__(self, other):
        return type(other) is _ProcessRanks and other.size == self.size

    def __hash__(self):
        return hash(("process", self.size))

    def index(self):
        return jax.process_index()

    def run(self, body_key, arrays, n_out):
        if self.size == 1:
            return _single_rank(body_key, arrays)
        if any(_spmd.is_traced(a) for a in arrays):
            raise RuntimeError(
                "jtorch.distributed: a collective over processes can't run inside "
                "jtorch.compile (a compiled step sees global arrays, not per-rank tensors); "
                "use DistributedDataParallel, or group=DeviceMesh for collectives over devices")
        platform = next(iter(arrays[0].devices())).platform
        mesh = _spmd.process_mesh(platform)
        spec = PartitionSpec("rank")  # the ranks' tensors concatenated along dim 0
        scalar = arrays[0].ndim == 0
        pieces = [_spmd.local_to_global(a.reshape(1) if scalar else a, mesh, spec)
                  for a in arrays]
        outs = _collective_program(body_key, mesh, ("rank",), (spec,) * len(arrays),
                                   (spec,) * n_out)(*pieces)
        results = [_spmd.global_to_local(out, mesh, spec) for out in outs]
        return tuple(r.reshape(()) if scalar and r.size == 1 else r for r in results)


class _MeshRanks:
    """Ranks are the devices of a DeviceMesh, and a tensor holds the ranks' tensors
    concatenated along dim 0 (the layout of `Shard(0)` over the mesh, so a tensor laid out
    that way moves nothing). Defined on values, not on where XLA put them: eager and compiled
    calls agree."""

    def __init__(self, device_mesh):
        self.mesh = device_mesh.jax_mesh
        self.axes = tuple(device_mesh.mesh_dim_names)
        self.size = int(np.prod([self.mesh.shape[a] for a in self.axes]))

    def __eq__(self, other):
        return type(other) is _MeshRanks and (other.mesh, other.axes) == (self.mesh, self.axes)

    def __hash__(self):
        return hash((self.mesh, self.axes))

    def run(self, body_key, arrays, n_out):
        for a in arrays:
            if a.ndim == 0 or a.shape[0] % self.size:
                raise ValueError(f"jtorch.distributed: over a DeviceMesh of {self.size} ranks a "
                                 f"tensor holds the ranks' tensors along dim 0; got shape "
                                 f"{list(a.shape)}")
        spec = PartitionSpec(self.axes)
        placed = [a if _spmd.is_traced(a) else jax.device_put(a, NamedSharding(self.mesh, spec))
                  for a in arrays]
        return tuple(_collective_program(body_key, self.mesh, self.axes, (spec,) * len(arrays),
                                         (spec,) * n_out)(*placed))


def _ranks(group):
    from jtorch.distributed.device_mesh import DeviceMesh
    if isinstance(group, DeviceMesh):
        return _MeshRanks(group)
    _process_group(group)
    return _ProcessRanks()


# ---- collective bodies (per rank, inside shard_map) ------------------------------------------

def _reduce(x, op, axes):
    if op == "SUM":
        return jax.lax.psum(x, axes)
    if op == "AVG":
        return jax.lax.pmean(x, axes).astype(x.dtype)
    if op == "MAX":
        return jax.lax.pmax(x, axes)
    if op == "MIN":
        return jax.lax.pmin(x, axes)
    return _fold(jax.lax.all_gather(x, axes), op)


def _fold(stacked, op):
    """Reduce stacked rank values (axis 0) with `op`, as the ranks would pairwise."""
    if op == "SUM":
        return stacked.sum(0, dtype=stacked.dtype)
    if op == "AVG":
        return stacked.mean(0).astype(stacked.dtype)
    if op == "MAX":
        return stacked.max(0)
    if op == "MIN":
        return stacked.min(0)
    if op == "PRODUCT":
        return stacked.prod(0, dtype=stacked.dtype)
    fold = {"BAND": jnp.bitwise_and, "BOR": jnp.bitwise_or, "BXOR": jnp.bitwise_xor}[op]
    out = stacked[0]
    for i in range(1, stacked.shape[0]):
        out = fold(out, stacked[i])
    return out


def _body(body_key, axes, n):
    """The per-rank function of a collective: local arrays in, local results out."""
    kind, op, root = body_key

    def own(values):  # this rank's entry of per-rank values stacked on axis 0
        return jax.lax.dynamic_index_in_dim(values, jax.lax.axis_index(axes), 0, False)

    if kind == "all_reduce":
        return lambda x: (_reduce(x, op, axes),)
    if kind == "broadcast":
        return lambda x: (jax.lax.all_gather(x, axes)[root],)
    if kind == "all_gather":
        return lambda x: tuple(jax.lax.all_gather(x, axes)[i] for i in range(n))
    if kind == "all_gather_into_tensor":
        return lambda x: (jax.lax.all_gather(x, axes, tiled=True),)
    if kind == "reduce_scatter_tensor":
        def reduce_scatter_tensor(x):
            chunks = x.reshape(n, x.shape[0] // n, *x.shape[1:])
            return (own(_reduce(chunks, op, axes)),)
        return reduce_scatter_tensor
    if kind == "reduce_scatter":
        return lambda *xs: (own(_reduce(jnp.stack(xs), op, axes)),)
    if kind == "scatter":
        return lambda *xs: (own(jax.lax.all_gather(jnp.stack(xs), axes)[root]),)
    raise ValueError(kind)


def _single_rank(body_key, arrays):
    """Any collective among one rank returns that rank's (first) tensor: the sum, average,
    gather or scatter of one value is the value."""
    return (arrays[0],)


@functools.lru_cache(maxsize=256)
def _collective_program(body_key, mesh, axes, in_specs, out_specs):
    n = int(np.prod([mesh.shape[a] for a in axes]))
    return jax.jit(jax.shard_map(_body(body_key, axes, n), mesh=mesh, in_specs=in_specs,
                                 out_specs=out_specs, check_vma=False))


def _run_collective(*arrays, body_key, ranks, n_out):
    return ranks.run(body_key, arrays, n_out)


_COLLECTIVE = Op(_run_collective, "c10d", differentiable=False, jit=False)


def _collective(kind, tensors, ranks, op=None, root=0, n_out=1):
    """Run one collective on tensors through the funnel; returns the result Tensors."""
    op_name = None if op is None else (op.name if isinstance(op, ReduceOp) else str(op).upper())
    if op_name is not None and op_name not in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND",
                                               "BOR", "BXOR"):
        raise ValueError(f"jtorch.distributed: unknown reduce op {op!r}")
    out = dispatch(_COLLECTIVE, tuple(tensors), body_key=(kind, op_name, root), ranks=ranks,
                   n_out=n_out)
    return out if isinstance(out, tuple) else (out,)


def _write(target, value):
    """Give `target` the collective's result in place, on the target's own devices."""
    array = value._raw
    old = target._array
    if not _spmd.is_traced(array) and not _spmd.is_traced(old) and \
            getattr(old, "committed", False) and array.sharding != old.sharding:
        array = jax.device_put(array, old.sharding)
    with no_grad():
        commit_inplace(target, from_array(array))


def _check_rank(rank, ranks, what):
    if not 0 <= rank < ranks.size:
        raise ValueError(f"Invalid {what} rank {rank}: the group has {ranks.size} ranks")


def _done(async_op):
    return Work() if async_op else None


# ---- the collectives -------------------------------------------------------------------------

def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Every rank's `tensor` becomes the reduction (`op`) of all ranks' tensors."""
    _write(tensor, _collective("all_reduce", (tensor,), _ranks(group), op)[0])
    return _done(async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Every rank's `tensor` becomes rank `src`'s."""
    ranks = _ranks(group)
    src = group_src if src is None else src
    src = 0 if src is None else src
    _check_rank(src, ranks, "source")
    _write(tensor, _collective("broadcast", (tensor,), ranks, root=src)[0])
    return _done(async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Rank `dst`'s `tensor` becomes the reduction of all ranks' tensors; others keep theirs."""
    ranks = _ranks(group)
    dst = 0 if dst is None and group_dst is None else (group_dst if dst is None else dst)
    _check_rank(dst, ranks, "destination")
    result = _collective("all_reduce", (tensor,), ranks, op)[0]
    if not isinstance(ranks, _ProcessRanks) or ranks.index() == dst:
        _write(tensor, result)
    return _done(async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """`tensor_list[i]` becomes rank i's `tensor` on every rank."""
    ranks = _ranks(group)
    if len(tensor_list) != ranks.size:
        raise ValueError(f"all_gather: tensor_list has {len(tensor_list)} tensors, the group "
                         f"has {ranks.size} ranks")
    for out, value in zip(tensor_list, _collective("all_gather", (tensor,), ranks,
                                                   n_out=ranks.size)):
        _write(out, value)
    return _done(async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """`output_tensor` becomes all ranks' `input_tensor`s concatenated along dim 0."""
    ranks = _ranks(group)
    _write(output_tensor, _collective("all_gather_into_tensor", (input_tensor,), ranks)[0])
    return _done(async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Rank r's `output` becomes the reduction over ranks of their `input_list[r]`."""
    ranks = _ranks(group)
    if len(input_list) != ranks.size:
        raise ValueError(f"reduce_scatter: input_list has {len(input_list)} tensors, the group "
                         f"has {ranks.size} ranks")
    _write(output, _collective("reduce_scatter", tuple(input_list), ranks, op)[0])
    return _done(async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """`input` (world_size chunks along dim 0) is reduced over ranks; rank r gets chunk r."""
    ranks = _ranks(group)
    if input.shape[0] % ranks.size:
        raise ValueError(f"reduce_scatter_tensor: input dim 0 ({input.shape[0]}) is not "
                         f"divisible by the group size ({ranks.size})")
    _write(output, _collective("reduce_scatter_tensor", (input,), ranks, op)[0])
    return _done(async_op)


all_gather_single = all_gather_into_tensor  # the names torch 2.13 prefers
reduce_scatter_single = reduce_scatter_tensor


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Rank `dst`'s `gather_list[i]` becomes rank i's `tensor`."""
    ranks = _ranks(group)
    dst = 0 if dst is None and group_dst is None else (group_dst if dst is None else dst)
    _check_rank(dst, ranks, "destination")
    values = _collective("all_gather", (tensor,), ranks, n_out=ranks.size)
    if isinstance(ranks, _ProcessRanks) and ranks.index() != dst:
        return _done(async_op)
    if gather_list is None or len(gather_list) != ranks.size:
        raise ValueError("gather: the destination rank needs gather_list with one tensor per "
                         "rank")
    for out, value in zip(gather_list, values):
        _write(out, value)
    return _done(async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank i's `tensor` becomes rank `src`'s `scatter_list[i]`."""
    ranks = _ranks(group)
    src = 0 if src is None and group_src is None else (group_src if src is None else src)
    _check_rank(src, ranks, "source")
    if scatter_list is None:  # non-source ranks pass nothing: stand-ins of the right shape
        scatter_list = [tensor] * ranks.size
    if len(scatter_list) != ranks.size:
        raise ValueError(f"scatter: scatter_list has {len(scatter_list)} tensors, the group "
                         f"has {ranks.size} ranks")
    _write(tensor, _collective("scatter", tuple(scatter_list), ranks, root=src)[0])
    return _done(async_op)


# ---- Python objects --------------------------------------------------------------------------

def _object_bytes(obj):
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8)


def _gathered_bytes(payload):
    """Every process's byte string (process-level ranks), padded to one length and gathered."""
    from jtorch._api.creation import tensor as make_tensor
    size = make_tensor([payload.size])
    all_reduce(size, ReduceOp.MAX)
    padded = np.zeros(int(size.item()), dtype=np.uint8)
    padded[:payload.size] = payload
    lengths = [make_tensor([0]) for _ in range(get_world_size())]
    all_gather(lengths, make_tensor([payload.size]))
    blobs = [make_tensor(padded) for _ in range(get_world_size())]
    all_gather(blobs, make_tensor(padded))
    return [bytes(np.asarray(b._array)[:int(n.item())]) for b, n in zip(blobs, lengths)]


def all_gather_object(object_list, obj, group=None):
    """`object_list[i]` becomes rank i's picklable `obj`."""
    _process_group(group)
    for i, blob in enumerate(_gathered_bytes(_object_bytes(obj))):
        object_list[i] = pickle.loads(blob)  # noqa: S301 - the job's own processes


def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Every rank's `object_list` becomes rank `src`'s (picklable objects)."""
    _process_group(group)
    src = 0 if src is None and group_src is None else (group_src if src is None else src)
    blobs = _gathered_bytes(_object_bytes(list(object_list)))
    object_list[:] = pickle.loads(blobs[src])  # noqa: S301 - the job's own processes

