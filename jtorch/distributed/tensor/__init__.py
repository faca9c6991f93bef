"""torch.distributed.tensor: DTensor, distribute_tensor/distribute_module and placements,
mapped onto jax.sharding.NamedSharding (see `_api.py`)."""

from jtorch.distributed.device_mesh import DeviceMesh, init_device_mesh
from jtorch.distributed.tensor._api import DTensor, distribute_module, distribute_tensor
from jtorch.distributed.tensor.placement_types import Partial, Placement, Replicate, Shard

__all__ = [
    "DTensor", "DeviceMesh", "Partial", "Placement", "Replicate", "Shard", "distribute_module",
    "distribute_tensor", "init_device_mesh",
]
