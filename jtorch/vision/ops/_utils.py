"""Small helpers of torchvision.utils that the ops need."""

from __future__ import annotations

import collections.abc
from itertools import repeat
from typing import Any


def _make_ntuple(x: Any, n: int) -> tuple[Any, ...]:
    """`tuple(x)` for an iterable, else `n` copies of x (torch.nn.modules.utils._ntuple)."""
    if isinstance(x, collections.abc.Iterable):
        return tuple(x)
    return tuple(repeat(x, n))
