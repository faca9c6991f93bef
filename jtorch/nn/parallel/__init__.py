"""torch.nn.parallel: DataParallel and DistributedDataParallel as facades over JAX's SPMD
(a device Mesh, the batch sharded with NamedSharding, gradients reduced by XLA)."""

from jtorch.nn.parallel.data_parallel import DataParallel
from jtorch.nn.parallel.distributed import DistributedDataParallel

__all__ = ["DataParallel", "DistributedDataParallel"]
