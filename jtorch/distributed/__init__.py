"""torch.distributed on JAX's SPMD machinery: processes join with `jax.distributed`, devices
form a `jax.sharding.Mesh`, tensors are laid out with `NamedSharding`, and collectives are XLA
collectives. No runtime of jtorch's own.

- the process group and collectives: `distributed_c10d.py` (ranks are processes; one process
  drives all its local devices)
- `device_mesh.init_device_mesh` / `DeviceMesh` and `tensor.distribute_tensor` with
  `Shard`/`Replicate` placements: the sharding entry for TPU and multi-GPU users
- `nn.DataParallel` and `nn.parallel.DistributedDataParallel` live in `jtorch/nn/parallel/`,
  `DistributedSampler` in `jtorch/utils/data/distributed.py`
"""

from jtorch.distributed import _bootstrap  # noqa: F401  (imports nothing of jtorch)
from jtorch.distributed.device_mesh import DeviceMesh, init_device_mesh
from jtorch.distributed.distributed_c10d import (
    Backend,
    GroupMember,
    ProcessGroup,
    ReduceOp,
    Work,
    all_gather,
    all_gather_into_tensor,
    all_gather_object,
    all_gather_single,
    all_reduce,
    barrier,
    broadcast,
    broadcast_object_list,
    destroy_process_group,
    gather,
    get_backend,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    reduce,
    reduce_scatter,
    reduce_scatter_single,
    reduce_scatter_tensor,
    scatter,
)

__all__ = [
    "Backend", "DeviceMesh", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "all_gather",
    "all_gather_into_tensor", "all_gather_object", "all_gather_single", "all_reduce", "barrier",
    "broadcast", "broadcast_object_list", "destroy_process_group", "gather", "get_backend",
    "get_rank", "get_world_size", "group", "init_device_mesh", "init_process_group",
    "is_available", "is_initialized", "reduce", "reduce_scatter", "reduce_scatter_single",
    "reduce_scatter_tensor", "scatter",
]
