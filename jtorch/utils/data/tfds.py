"""TensorFlow Datasets (TFDS) as jtorch datasets.

    from jtorch.utils.data.tfds import TFDSDataset, TFDSIterableDataset
    train = TFDSDataset("mnist", split="train", as_supervised=True, transform=ToTensor())
    loader = DataLoader(train, batch_size=64, shuffle=True, num_workers=2)

`TFDSDataset` is map-style: it reads through `tfds.data_source` (random access to
ArrayRecord files; needs only the `tensorflow-datasets` package, not TensorFlow).
`TFDSIterableDataset` streams: through `tfds.as_numpy(tfds.load(...))` when TensorFlow is
installed, otherwise by walking the same data source; under a multi-worker DataLoader each
worker yields every `num_workers`-th example, so each example arrives once.

Items: the example's feature dict, or `(input, target)` with `as_supervised=True` (the
builder's `supervised_keys`). `transform` gets the input (with `as_supervised`) or the whole
dict of numpy values (without), `target_transform` the target; values no transform touched
are returned as jtorch Tensors (`output="tensor"`, the default: images stay HWC as TFDS
stores them, labels are 0-d int64 tensors) or as numpy arrays (`output="numpy"`). The
tensors live in host memory, so the datasets work in DataLoader worker processes.

Install with `pip install "jtorch[tfds]"` (the `tensorflow-datasets` package). Data is read
from `data_dir` (TFDS's default `~/tensorflow_datasets`); `download=True` lets TFDS download
and prepare it first. Tests use `tfds.testing.mock_data`, which needs no download.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import numpy as np

from jtorch.utils.data._utils import host
from jtorch.utils.data.dataloader import get_worker_info
from jtorch.utils.data.dataset import Dataset, IterableDataset

__all__ = ["TFDSDataset", "TFDSIterableDataset"]

_OUTPUTS = ("tensor", "numpy")


def _import_tfds():
    try:
        return importlib.import_module("tensorflow_datasets")
    except ImportError as e:
        raise ImportError("jtorch.utils.data.tfds needs the tensorflow-datasets package: "
                          "pip install \"jtorch[tfds]\" (or pip install tensorflow-datasets)"
                          ) from e


def _has_tensorflow() -> bool:
    try:
        importlib.import_module("tensorflow")
    except ImportError:
        return False
    return True


class _Items:
    """What both datasets share: the split's metadata and turning a raw example into an
    item (supervised pair or dict, transforms, conversion)."""

    def _setup(self, name, split, info, as_supervised, transform, target_transform, output):
        if output not in _OUTPUTS:
            raise ValueError(f"output must be one of {_OUTPUTS}, got {output!r}")
        self.name, self.split, self.info = name, split, info
        self.as_supervised = as_supervised
        self.transform, self.target_transform, self.output = transform, target_transform, output
        self.supervised_keys = None
        if as_supervised:
            keys = getattr(info, "supervised_keys", None)
            if not keys or len(keys) != 2:
                raise ValueError(f"TFDS dataset {name!r} has no (input, target) supervised_keys "
                                 f"({keys!r}); use as_supervised=False to get feature dicts")
            self.supervised_keys = tuple(keys)
        # torchvision-style class names, when the target (or "label") is a ClassLabel
        self.classes = []
        features = getattr(info, "features", None)
        label_key = self.supervised_keys[1] if self.supervised_keys else "label"
        try:
            names = features[label_key].names
        except (KeyError, TypeError, AttributeError):
            names = None
        if names:
            self.classes = list(names)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _convert(self, value):
        if self.output == "numpy":
            return value
        if isinstance(value, dict):
            return {k: self._convert(v) for k, v in value.items()}
        if isinstance(value, (np.ndarray, np.generic)) and value.dtype.kind in "biuf":
            return host.host_tensor(value)
        if isinstance(value, (bool, int, float)):
            return host.host_tensor(np.asarray(value))
        return value  # strings, bytes, ragged objects: as TFDS gives them

    def _item(self, example):
        if self.supervised_keys is not None:
            if isinstance(example, dict):
                x, y = (example[k] for k in self.supervised_keys)
            else:  # tfds.load(as_supervised=True) already gives pairs
                x, y = example
            x = self.transform(x) if self.transform is not None else self._convert(x)
            y = (self.target_transform(y) if self.target_transform is not None
                 else self._convert(y))
            return x, y
        if self.transform is not None:
            return self.transform(example)
        return self._convert(example)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"

    def __repr__(self) -> str:
        lines = [f"Dataset {type(self).__name__}({self.name!r})"]
        try:
            lines.append(f"    Number of datapoints: {len(self)}")
        except TypeError:
            pass
        lines.append(f"    {self.extra_repr()}")
        for label, t in (("Transforms", self.transform),
                         ("Target transforms", self.target_transform)):
            if t is not None:
                lines.append(f"    {label}: " + repr(t).replace("\n", "\n    "))
        return "\n".join(lines)


class TFDSDataset(_Items, Dataset):
    """A TFDS split as a map-style Dataset (random access through `tfds.data_source`).

    Args:
        name: the TFDS dataset name ("mnist", "cifar10", "fashion_mnist", "name/config:1.0.0").
        split: a TFDS split string ("train", "test", "train[:80%]", ...).
        data_dir: where TFDS keeps prepared data (default `~/tensorflow_datasets`).
        download: let TFDS download and prepare the data when missing (default False).
        as_supervised: items are `(input, target)` from the builder's `supervised_keys`.
        transform / target_transform: applied to the input / target (or to the whole numpy
            example dict without `as_supervised`).
        output: "tensor" (jtorch Tensors, default) or "numpy" for untransformed values.
        decoders, builder_kwargs: passed to `tfds.data_source`.
        data_source: an already built data source (any sequence of example dicts) to wrap
            instead of calling `tfds.data_source`.
    """

    def __init__(self, name: str, split: str = "train", *, data_dir=None, download: bool = False,
                 as_supervised: bool = False, transform: Callable | None = None,
                 target_transform: Callable | None = None, output: str = "tensor",
                 decoders=None, builder_kwargs: dict | None = None,
                 data_source: Any = None) -> None:
        if data_source is None:
            tfds = _import_tfds()
            data_source = tfds.data_source(name, split=split, data_dir=data_dir,
                                           download=download, decoders=decoders,
                                           builder_kwargs=builder_kwargs)
        self.source = data_source
        self._setup(name, split, getattr(data_source, "dataset_info", None), as_supervised,
                    transform, target_transform, output)

    def __len__(self) -> int:
        return len(self.source)

    def __getitem__(self, index):
        if not isinstance(index, (int, np.integer)):
            try:
                index = index.__index__()  # 0-d integer tensors
            except (AttributeError, TypeError):
                raise TypeError(f"{type(self).__name__} indices must be integers, not "
                                f"{type(index).__name__}") from None
        n = len(self.source)
        if not -n <= index < n:
            raise IndexError(f"index {index} is out of range for {type(self).__name__} of "
                             f"length {n}")
        return self._item(self.source[int(index) % n])


class TFDSIterableDataset(_Items, IterableDataset):
    """A TFDS split as an IterableDataset (streaming).

    `backend="tf"` iterates `tfds.as_numpy(tfds.load(...))` (needs TensorFlow), "source"
    walks `tfds.data_source` in order (no TensorFlow), "auto" (default) picks "tf" when
    TensorFlow imports. Other arguments as `TFDSDataset`, plus `shuffle_files` and
    `read_config` for `tfds.load`. In DataLoader workers, worker k of n yields the examples
    k, k + n, k + 2n, ...
    """

    def __init__(self, name: str, split: str = "train", *, data_dir=None, download: bool = False,
                 as_supervised: bool = False, transform: Callable | None = None,
                 target_transform: Callable | None = None, output: str = "tensor",
                 shuffle_files: bool = False, read_config=None, decoders=None,
                 builder_kwargs: dict | None = None, backend: str = "auto") -> None:
        if backend not in ("auto", "tf", "source"):
            raise ValueError(f"backend must be 'auto', 'tf' or 'source', got {backend!r}")
        tfds = _import_tfds()
        if backend == "auto":
            backend = "tf" if _has_tensorflow() else "source"
        elif backend == "tf" and not _has_tensorflow():
            raise ImportError("TFDSIterableDataset(backend='tf') needs TensorFlow "
                              "(pip install tensorflow); backend='source' does not")
        self.backend = backend
        self._load_kwargs = dict(split=split, data_dir=data_dir, download=download,
                                 decoders=decoders, builder_kwargs=builder_kwargs)
        if backend == "source":
            self.source = tfds.data_source(name, **self._load_kwargs)
            info = self.source.dataset_info
        else:
            self.source = None
            self._load_kwargs.update(shuffle_files=shuffle_files, read_config=read_config)
            info = tfds.builder(name, data_dir=data_dir, **(builder_kwargs or {})).info
        self._setup(name, split, info, as_supervised, transform, target_transform, output)

    def __iter__(self):
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        if self.source is not None:  # random access: each worker reads only its examples
            for i in range(worker, len(self.source), workers):
                yield self._item(self.source[i])
            return
        tfds = _import_tfds()
        kwargs = {k: v for k, v in self._load_kwargs.items() if v is not None}
        for i, example in enumerate(tfds.as_numpy(tfds.load(self.name, **kwargs))):
            if i % workers == worker:
                yield self._item(example)

    def __len__(self) -> int:
        if self.source is not None:
            return len(self.source)
        raise TypeError(f"object of type '{type(self).__name__}' has no len() (backend 'tf')")
