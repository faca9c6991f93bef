"""jtorch.utils.data.tfds: TFDS splits as map-style and iterable datasets, on
`tfds.testing.mock_data` (no download; `tfds.data_source` needs no TensorFlow)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

import jtorch
from jtorch.utils.data import DataLoader
from jtorch.utils.data.tfds import TFDSDataset, TFDSIterableDataset
from jtorch.vision.transforms import Compose, Normalize, ToTensor

tfds = pytest.importorskip("tensorflow_datasets",
                           reason="tensorflow-datasets not installed (pip install jtorch[tfds])")

N = 10


@pytest.fixture
def mock():
    with tfds.testing.mock_data(num_examples=N):
        yield tfds.data_source("mnist", split="train")  # the raw examples, for comparison


def _has_tf():
    try:
        import tensorflow  # noqa: F401
    except ImportError:
        return False
    return True


def test_map_style_feature_dicts(mock):
    ds = TFDSDataset("mnist", split="train")
    assert len(ds) == N
    item = ds[3]
    assert set(item) == {"image", "label"}
    image, label = item["image"], item["label"]
    assert isinstance(image, jtorch.Tensor) and image.dtype == jtorch.uint8
    assert tuple(image.shape) == (28, 28, 1)  # HWC, as TFDS stores images
    np.testing.assert_array_equal(image.numpy(), mock[3]["image"])
    assert label.dtype == jtorch.int64 and label.dim() == 0 and label.item() == mock[3]["label"]
    assert ds[-1]["label"].item() == mock[N - 1]["label"]
    assert ds[jtorch.tensor(2)]["label"].item() == mock[2]["label"]
    assert ds.classes == [str(i) for i in range(10)] and ds.class_to_idx["7"] == 7
    assert "Number of datapoints: 10" in repr(ds) and "Split: train" in repr(ds)


def test_supervised_with_transforms_and_numpy_output(mock):
    ds = TFDSDataset("mnist", "train", as_supervised=True,
                     transform=Compose([ToTensor(), Normalize((0.5,), (0.5,))]),
                     target_transform=lambda y: int(y) + 100)
    x, y = ds[5]
    assert tuple(x.shape) == (1, 28, 28) and x.dtype == jtorch.float32
    np.testing.assert_allclose(x.numpy()[0], mock[5]["image"][..., 0] / 127.5 - 1, atol=1e-6)
    assert y == int(mock[5]["label"]) + 100
    raw = TFDSDataset("mnist", "train", output="numpy")[5]
    assert isinstance(raw["image"], np.ndarray) and raw["image"].dtype == np.uint8
    whole = TFDSDataset("mnist", "train", transform=lambda ex: (ex["label"], ex["image"].sum()))
    assert whole[5][0] == mock[5]["label"]


def test_errors(mock, monkeypatch):
    ds = TFDSDataset("mnist", "train")
    with pytest.raises(IndexError, match="out of range"):
        ds[N]
    with pytest.raises(TypeError, match="indices must be integers"):
        ds["a"]
    with pytest.raises(ValueError, match="output must be one of"):
        TFDSDataset("mnist", "train", output="pil")
    with pytest.raises(ValueError, match="supervised_keys"):
        TFDSDataset("x", data_source=[{"a": np.zeros(2)}], as_supervised=True)
    with pytest.raises(ValueError, match="backend must be"):
        TFDSIterableDataset("mnist", backend="torch")
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)
    with pytest.raises(ImportError, match=r"jtorch\[tfds\]"):
        TFDSDataset("mnist", "train")


def test_wraps_any_data_source():
    source = [{"x": np.arange(3, dtype=np.float32) + i, "y": np.int64(i % 2)} for i in range(4)]
    ds = TFDSDataset("custom", data_source=source)
    batch = next(iter(DataLoader(ds, batch_size=4)))
    assert tuple(batch["x"].shape) == (4, 3) and batch["x"].dtype == jtorch.float32
    assert batch["y"].tolist() == [0, 1, 0, 1] and batch["y"].dtype == jtorch.int64


def test_dataloader_batches_equal_torch_on_the_same_examples(mock):
    """The jtorch pipeline (TFDSDataset + ToTensor + DataLoader, with and without workers)
    gives what torch's DataLoader gives over the same examples with torchvision's ToTensor."""
    torch = pytest.importorskip("torch")
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).parents[1] / "vision"))
    from _torchvision_oracle import import_torchvision
    tv = import_torchvision()

    class TorchSide(torch.utils.data.Dataset):
        def __len__(self):
            return len(mock)

        def __getitem__(self, i):
            ex = mock[i]
            return tv.transforms.ToTensor()(ex["image"]), torch.as_tensor(ex["label"])

    expected = list(torch.utils.data.DataLoader(TorchSide(), batch_size=4))
    ds = TFDSDataset("mnist", "train", as_supervised=True, transform=ToTensor())
    for workers in (0, 2):
        got = list(DataLoader(ds, batch_size=4, num_workers=workers))
        assert len(got) == len(expected) == 3
        for (jx, jy), (tx, ty) in zip(got, expected):
            assert str(jx.dtype) == str(tx.dtype) and str(jy.dtype) == str(ty.dtype)
            np.testing.assert_array_equal(jx.numpy(), tx.numpy())
            np.testing.assert_array_equal(jy.numpy(), ty.numpy())


def test_iterable_from_the_data_source_shards_over_workers(mock):
    it = TFDSIterableDataset("mnist", "train", as_supervised=True, backend="source")
    labels = [int(y) for _, y in it]
    assert labels == [int(mock[i]["label"]) for i in range(N)] and len(it) == N
    got = [int(v) for _, y in DataLoader(it, batch_size=3, num_workers=2) for v in y]
    assert sorted(got) == sorted(labels)  # each example once, from either worker


@pytest.mark.skipif(not _has_tf(), reason="TensorFlow not installed: tfds.load/as_numpy need "
                    "it (the map-style dataset and backend='source' do not)")
def test_iterable_through_tfds_load(mock):
    it = TFDSIterableDataset("mnist", "train", as_supervised=True, backend="tf")
    items = list(it)
    assert len(items) == N and tuple(items[0][0].shape) == (28, 28, 1)
