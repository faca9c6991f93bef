"""torchvision's SVHN: the Street View House Numbers `.mat` files (`root/<split>_32x32.mat`,
md5-checked), read with scipy. Label 10 (the digit 0) becomes 0, as in torchvision; `data`
is a uint8 array (N, 3, 32, 32), `labels` an int64 array, items `(PIL RGB image, int)`."""

from __future__ import annotations

import os.path
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image

from jtorch.vision.datasets.utils import check_integrity, download_url, verify_str_arg
from jtorch.vision.datasets.vision import VisionDataset


class SVHN(VisionDataset):
    """SVHN digits, `split` in train, test, extra (needs scipy to read the `.mat` files)."""

    split_list = {
        "train": ["http://ufldl.stanford.edu/housenumbers/train_32x32.mat", "train_32x32.mat",
                  "e26dedcc434d2e4c54c9b2d4a06d8373"],
        "test": ["http://ufldl.stanford.edu/housenumbers/test_32x32.mat", "test_32x32.mat",
                 "eb5a983be6a315427106f1b164d9cef3"],
        "extra": ["http://ufldl.stanford.edu/housenumbers/extra_32x32.mat", "extra_32x32.mat",
                  "a93ce644f1a588dc4d68dda5feec44a7"],
    }

    def __init__(self, root, split: str = "train", transform: Callable | None = None,
                 target_transform: Callable | None = None, download: bool = False) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list.keys()))
        self.url = self.split_list[split][0]
        self.filename = self.split_list[split][1]
        self.file_md5 = self.split_list[split][2]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True to "
                               "download it")
        import scipy.io as sio
        loaded_mat = sio.loadmat(os.path.join(self.root, self.filename))
        self.data = loaded_mat["X"]
        self.labels = loaded_mat["y"].astype(np.int64).squeeze()
        np.place(self.labels, self.labels == 10, 0)
        self.data = np.transpose(self.data, (3, 2, 0, 1))

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        img, target = self.data[index], int(self.labels[index])
        img = Image.fromarray(np.transpose(img, (1, 2, 0)))
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return check_integrity(os.path.join(self.root, self.filename),
                               self.split_list[self.split][2])

    def download(self) -> None:
        try:
            download_url(self.url, self.root, self.filename, self.split_list[self.split][2])
        except RuntimeError as e:
            raise RuntimeError(f"{e}\nTo work offline, put {self.filename} in {self.root}"
                               ) from e

    def extra_repr(self) -> str:
        return "Split: {split}".format(**self.__dict__)
