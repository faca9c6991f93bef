"""torchvision's FakeData: random images, reproducible per index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from jtorch.utils.data._utils import host
from jtorch.vision.datasets.vision import VisionDataset


class FakeData(VisionDataset):
    """`size` random PIL images of `image_size` (C, H, W) with targets in [0, num_classes).

    Image i is drawn from a generator seeded with `i + random_offset`, so items are stable
    across calls and processes, as in torchvision; the pixel values differ from torchvision's
    (its stream is torch's). The global RNG is left untouched.
    """

    def __init__(self, size: int = 1000, image_size: tuple[int, int, int] = (3, 224, 224),
                 num_classes: int = 10, transform: Callable | None = None,
                 target_transform: Callable | None = None, random_offset: int = 0) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if index >= len(self):
            raise IndexError(f"{self.__class__.__name__} index out of range")
        from jtorch.vision import transforms
        rng = np.random.default_rng(index + self.random_offset)
        img = rng.standard_normal(self.image_size, dtype=np.float32)
        target = int(rng.integers(0, self.num_classes))
        img = transforms.ToPILImage()(host.host_tensor(img))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return self.size
