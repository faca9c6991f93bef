"""torch.distributed.tensor placements: how a tensor lies on each dim of a DeviceMesh.

`Shard(d)` on mesh dim i splits tensor dim d over that mesh dim; `Replicate()` keeps a full
copy along it. Together they are one jax.sharding.PartitionSpec (tensor dim d lists the mesh
axes that split it, in mesh order). `Partial` (pending reductions) has no NamedSharding
equivalent and is not supported.
"""

from __future__ import annotations

__all__ = ["Partial", "Placement", "Replicate", "Shard"]


class Placement:
    """Base class of placements."""

    def is_shard(self, dim=None) -> bool:
        return False

    def is_replicate(self) -> bool:
        return False

    def is_partial(self, reduce_op=None) -> bool:
        return False


class Shard(Placement):
    """Split tensor dim `dim` over a mesh dim (evenly: JAX needs the mesh size to divide it)."""

    def __init__(self, dim: int):
        self.dim = dim

    def is_shard(self, dim=None) -> bool:
        return dim is None or dim == self.dim

    def __eq__(self, other):
        return isinstance(other, Shard) and other.dim == self.dim

    def __hash__(self):
        return hash(("Shard", self.dim))

    def __repr__(self):
        return f"Shard(dim={self.dim})"


class Replicate(Placement):
    """A full copy on every device along a mesh dim."""

    def is_replicate(self) -> bool:
        return True

    def __eq__(self, other):
        return isinstance(other, Replicate)

    def __hash__(self):
        return hash("Replicate")

    def __repr__(self):
        return "Replicate()"


class Partial(Placement):
    """Pending reduction over a mesh dim; jtorch cannot place tensors this way."""

    def __init__(self, reduce_op: str = "sum"):
        self.reduce_op = reduce_op

    def is_partial(self, reduce_op=None) -> bool:
        return reduce_op is None or reduce_op == self.reduce_op

    def __eq__(self, other):
        return isinstance(other, Partial) and other.reduce_op == self.reduce_op

    def __hash__(self):
        return hash(("Partial", self.reduce_op))

    def __repr__(self):
        return f"Partial({self.reduce_op})"
