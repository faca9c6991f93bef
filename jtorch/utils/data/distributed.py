"""torch.utils.data.distributed.DistributedSampler: each replica gets a disjoint shard."""

from __future__ import annotations

import math

from jtorch.utils.data._utils.rng import randperm
from jtorch.utils.data.sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Shard a dataset over `num_replicas` processes; `set_epoch(e)` reshuffles per epoch.

    `num_replicas` and `rank` default to the process group's world size and rank (torch's
    ValueError when `init_process_group()` was not called). A jtorch rank is a process that
    drives all its local devices: on one host the world size is 1 and the sampler yields the
    whole dataset, which DistributedDataParallel then splits over the devices. Shuffling draws
    from a Generator seeded with `seed + epoch`, the same permutation on every rank (not
    torch's permutation: see DESIGN.md, randomness); without shuffling the shards are torch's.
    """

    def __init__(self, dataset, num_replicas: int | None = None, rank: int | None = None,
                 shuffle: bool = True, seed: int = 0, drop_last: bool = False) -> None:
        if num_replicas is None or rank is None:
            from jtorch import distributed as dist
            num_replicas = dist.get_world_size() if num_replicas is None else num_replicas
            rank = dist.get_rank() if rank is None else rank
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval "
                             f"[0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        if self.drop_last and len(self.dataset) % self.num_replicas != 0:
            self.num_samples = math.ceil((len(self.dataset) - self.num_replicas)
                                         / self.num_replicas)
        else:
            self.num_samples = math.ceil(len(self.dataset) / self.num_replicas)
        self.total_size = self.num_samples * self.num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        if self.shuffle:
            from jtorch._api.creation import Generator
            g = Generator().manual_seed(self.seed + self.epoch)
            indices = randperm(len(self.dataset), g).tolist()
        else:
            indices = list(range(len(self.dataset)))
        if not self.drop_last:
            padding_size = self.total_size - len(indices)
            if padding_size <= len(indices):
                indices += indices[:padding_size]
            else:
                indices += (indices * math.ceil(padding_size / len(indices)))[:padding_size]
        else:
            indices = indices[: self.total_size]
        assert len(indices) == self.total_size
        indices = indices[self.rank: self.total_size: self.num_replicas]
        assert len(indices) == self.num_samples
        return iter(indices)

    def __len__(self) -> int:
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
