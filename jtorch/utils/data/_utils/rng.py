"""Index randomness for samplers and random_split, drawn from jtorch's generators.

Each call takes one fresh subkey from the jtorch Generator (the global default generator
when None, as torch draws from its default generator), and seeds a numpy Generator with it:
`torch.manual_seed(s)` makes shuffling reproducible, and no XLA program needs compiling per
dataset length. The streams differ from torch's (see DESIGN.md, randomness).
"""

from __future__ import annotations

import numpy as np

from jtorch._api.creation import default_generator


def numpy_rng(generator=None) -> np.random.Generator:
    """A numpy Generator seeded by one subkey drawn from `generator`."""
    key = (generator if generator is not None else default_generator).next_key()
    return np.random.default_rng(np.asarray(key).astype(np.uint64).tolist())


def randperm(n, generator=None) -> np.ndarray:
    """torch.randperm(n, generator=generator) as an int64 numpy array."""
    return numpy_rng(generator).permutation(n).astype(np.int64)


def random_int64(generator=None) -> int:
    """torch.empty((), dtype=torch.int64).random_(generator=...).item(): in [0, 2**63)."""
    return int(numpy_rng(generator).integers(0, 2**63 - 1, dtype=np.int64))
