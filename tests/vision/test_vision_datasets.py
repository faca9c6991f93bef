"""jtorch.vision.datasets against torchvision's on the same files: the real FashionMNIST/MNIST,
generated KMNIST/EMNIST/CIFAR folders in torchvision's layouts, ImageFolder trees; md5
checks, downloads from a local server and the offline error. Nothing is downloaded from the
internet."""

import functools
import gzip
import hashlib
import http.server
import os
import pickle
import socket
import threading
import warnings

import numpy as np
import pytest
from PIL import Image

import jtorch
from jtorch.utils.data import DataLoader
from jtorch.vision import datasets as JD
from jtorch.vision import transforms as JT

torch = pytest.importorskip("torch")


def assert_items_equal(j_item, t_item):
    (j_img, j_target), (t_img, t_target) = j_item, t_item
    assert type(j_target) is type(t_target) and j_target == t_target
    if isinstance(t_img, Image.Image):
        assert isinstance(j_img, Image.Image)
        assert j_img.mode == t_img.mode and j_img.size == t_img.size
        np.testing.assert_array_equal(np.asarray(j_img), np.asarray(t_img))
    else:
        assert str(j_img.dtype) == str(t_img.dtype) and tuple(j_img.shape) == tuple(t_img.shape)
        np.testing.assert_array_equal(j_img.numpy(), t_img.numpy())


@pytest.mark.parametrize("name, train", [
    ("FashionMNIST", False), ("MNIST", False),
    pytest.param("FashionMNIST", True, marks=pytest.mark.slow),
    pytest.param("MNIST", True, marks=pytest.mark.slow),
])
def test_real_mnist_files_match_torchvision(tv, datasets_root, extracted_root, name, train):
    j = getattr(JD, name)(str(datasets_root), train=train)  # reads the .gz files directly
    troot = extracted_root(name, train)
    t = getattr(tv.datasets, name)(str(troot), train=train)
    assert len(j) == len(t) == (60000 if train else 10000)
    assert j.classes == t.classes and j.class_to_idx == t.class_to_idx
    assert str(j.data.dtype) == str(t.data.dtype) == "torch.uint8"
    assert str(j.targets.dtype) == str(t.targets.dtype) == "torch.int64"
    np.testing.assert_array_equal(j.data.numpy(), t.data.numpy())
    np.testing.assert_array_equal(j.targets.numpy(), t.targets.numpy())
    for i in (0, 1, len(t) // 2, len(t) - 1):
        assert_items_equal(j[i], t[i])
    assert repr(j).replace(str(datasets_root), "ROOT") == repr(t).replace(str(troot), "ROOT")


def test_mnist_transforms_items_and_old_attribute_names(tv, datasets_root, extracted_root):
    def shift(y):
        return y + 100
    j = JD.FashionMNIST(datasets_root, train=False, transform=JT.ToTensor(),
                        target_transform=shift)
    t = tv.datasets.FashionMNIST(extracted_root("FashionMNIST", False), train=False,
                                 transform=tv.transforms.ToTensor(), target_transform=shift)
    for i in (0, 9999):
        assert_items_equal(j[i], t[i])
    assert repr(j).splitlines()[3:] == repr(t).splitlines()[3:]  # the transforms' part
    for old, new in (("train_data", "data"), ("test_data", "data"), ("train_labels", "targets"),
                     ("test_labels", "targets")):
        with pytest.warns(UserWarning, match=f"{old} has been renamed {new}"):
            assert getattr(j, old) is getattr(j, new)
    # the extracted layout torchvision leaves behind is read too
    extracted = JD.MNIST(extracted_root("MNIST", False), train=False)
    np.testing.assert_array_equal(extracted.targets.numpy()[:50],
                                  JD.MNIST(datasets_root, train=False).targets.numpy()[:50])


def test_fashion_mnist_batches_match_torch_dataloader(tv, datasets_root, extracted_root):
    j = JD.FashionMNIST(datasets_root, train=False, transform=JT.ToTensor())
    t = tv.datasets.FashionMNIST(extracted_root("FashionMNIST", False), train=False,
                                 transform=tv.transforms.ToTensor())
    (jx, jy), (tx, ty) = next(iter(DataLoader(j, batch_size=64))), \
        next(iter(torch.utils.data.DataLoader(t, batch_size=64)))
    assert tuple(jx.shape) == (64, 1, 28, 28) and str(jy.dtype) == "torch.int64"
    np.testing.assert_array_equal(jx.numpy(), tx.numpy())
    np.testing.assert_array_equal(jy.numpy(), ty.numpy())
    (wx, wy), = [b for _, b in zip(range(1), DataLoader(j, batch_size=64, num_workers=2))]
    np.testing.assert_array_equal(wx.numpy(), tx.numpy())


def test_missing_dataset_errors_match_torchvision(tv, tmp_path):
    for j_cls, t_cls in ((JD.MNIST, tv.datasets.MNIST), (JD.CIFAR10, tv.datasets.CIFAR10)):
        with pytest.raises(RuntimeError) as t_err:
            t_cls(tmp_path)
        with pytest.raises(RuntimeError) as j_err:
            j_cls(tmp_path)
        assert str(j_err.value) == str(t_err.value)


# ---- generated MNIST-format data ------------------------------------------------------------

def idx_bytes(array):
    """An IDX file: big-endian magic (0x08 = uint8, ndim), dims, data."""
    header = (0x0800 + array.ndim).to_bytes(4, "big")
    header += b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx_pair(raw, prefix_images, prefix_labels, n, seed, gz=True):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, n, dtype=np.uint8)
    raw.mkdir(parents=True, exist_ok=True)
    for name, arr in ((prefix_images, images), (prefix_labels, labels)):
        data = idx_bytes(arr)
        if gz:
            with gzip.open(raw / (name + ".gz"), "wb") as f:
                f.write(data)
        else:
            (raw / name).write_bytes(data)
    return images, labels


def test_kmnist_and_emnist_layouts_match_torchvision(tv, tmp_path):
    jroot, troot = tmp_path / "j", tmp_path / "t"
    for root, gz in ((jroot, True), (troot, False)):
        write_idx_pair(root / "KMNIST" / "raw", "train-images-idx3-ubyte",
                       "train-labels-idx1-ubyte", 7, seed=1, gz=gz)
        write_idx_pair(root / "KMNIST" / "raw", "t10k-images-idx3-ubyte",
                       "t10k-labels-idx1-ubyte", 5, seed=2, gz=gz)
        write_idx_pair(root / "EMNIST" / "raw", "emnist-letters-train-images-idx3-ubyte",
                       "emnist-letters-train-labels-idx1-ubyte", 6, seed=3, gz=gz)
    for train in (True, False):
        j, t = JD.KMNIST(jroot, train=train), tv.datasets.KMNIST(troot, train=train)
        assert len(j) == len(t) and j.classes == t.classes
        for i in range(len(t)):
            assert_items_equal(j[i], t[i])
    j, t = JD.EMNIST(jroot, split="letters"), tv.datasets.EMNIST(troot, split="letters")
    assert len(j) == len(t) == 6 and j.classes == t.classes and j.class_to_idx == t.class_to_idx
    for i in range(6):
        assert_items_equal(j[i], t[i])
    with pytest.raises(ValueError) as t_err:
        tv.datasets.EMNIST(troot, split="nope")
    with pytest.raises(ValueError) as j_err:
        JD.EMNIST(jroot, split="nope")
    assert str(j_err.value) == str(t_err.value)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def local_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/serve."""
    serve = tmp_path / "serve"
    serve.mkdir()
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(serve)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield serve, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def closed_port_url():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/"


def tiny_fashion_class(tmp_path, mirror):
    """FashionMNIST with small generated files served from `mirror`."""
    files = tmp_path / "serve"
    write_idx_pair(files, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", 4, seed=5)
    write_idx_pair(files, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 3, seed=6)
    names = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
             "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    resources = [(n, hashlib.md5((files / n).read_bytes()).hexdigest()) for n in names]
    return type("TinyFashion", (JD.FashionMNIST,), {"mirrors": [mirror],
                                                    "resources": resources})


def test_download_from_a_server_checks_md5_and_leaves_no_partial_files(local_server, tmp_path,
                                                                      capsys):
    serve, url = local_server
    Tiny = tiny_fashion_class(tmp_path, url)
    root = tmp_path / "data"
    ds = Tiny(root, train=True, download=True)
    assert len(ds) == 4 and isinstance(ds[0][0], Image.Image)
    raw = root / "TinyFashion" / "raw"
    assert sorted(p.name for p in raw.iterdir()) == sorted(n for n, _ in Tiny.resources)
    assert "Downloading" in capsys.readouterr().out
    # present files with the right md5 are not fetched again, even with the server gone
    gone = type("TinyFashion", (Tiny,), {"mirrors": [closed_port_url()]})
    assert len(gone(root, train=False, download=True)) == 3
    # a corrupted download is rejected and removed
    (serve / "t10k-labels-idx1-ubyte.gz").write_bytes(b"not the file")
    (raw / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(RuntimeError, match="md5"):
        Tiny(root, train=False, download=True)
    assert not any(p.name.endswith(".part") for p in raw.iterdir())


def test_offline_download_error_names_the_url_and_the_folder(tmp_path):
    url = closed_port_url()
    Tiny = tiny_fashion_class(tmp_path, url)
    root = tmp_path / "data"
    with pytest.raises(RuntimeError) as err:
        Tiny(root, download=True)
    message = str(err.value)
    assert f"{url}train-images-idx3-ubyte.gz" in message
    assert str(root / "TinyFashion" / "raw") in message
    with pytest.raises(RuntimeError, match="Could not download .*cifar-10-python.tar.gz"):
        type("Cifar", (JD.CIFAR10,), {"url": url + "cifar-10-python.tar.gz"})(root,
                                                                            download=True)


# ---- CIFAR ------------------------------------------------------------------------------------

def write_cifar(root, base, train_names, test_names, meta_name, label_key, meta_key, classes):
    rng = np.random.default_rng(0)
    folder = root / base
    folder.mkdir(parents=True)
    md5 = {}
    for name in train_names + test_names:
        entry = {"data": rng.integers(0, 256, (4, 3072), dtype=np.uint8),
                 label_key: rng.integers(0, len(classes), 4).tolist(), "batch_label": name}
        (folder / name).write_bytes(pickle.dumps(entry, protocol=2))
        md5[name] = hashlib.md5((folder / name).read_bytes()).hexdigest()
    (folder / meta_name).write_bytes(pickle.dumps({meta_key: classes}, protocol=2))
    md5[meta_name] = hashlib.md5((folder / meta_name).read_bytes()).hexdigest()
    return md5


@pytest.mark.parametrize("name", ["CIFAR10", "CIFAR100"])
def test_generated_cifar_folder_matches_torchvision(tv, tmp_path, monkeypatch, name):
    j_cls, t_cls = getattr(JD, name), getattr(tv.datasets, name)
    if name == "CIFAR10":
        train = [f"data_batch_{i}" for i in range(1, 6)]
        md5 = write_cifar(tmp_path, "cifar-10-batches-py", train, ["test_batch"],
                          "batches.meta", "labels", "label_names",
                          ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                           "horse", "ship", "truck"])
    else:
        md5 = write_cifar(tmp_path, "cifar-100-python", ["train"], ["test"], "meta",
                          "fine_labels", "fine_label_names", [f"c{i}" for i in range(100)])
    for cls in (j_cls, t_cls):  # the generated files' md5s in place of the real ones
        monkeypatch.setattr(cls, "train_list", [[n, md5[n]] for n, _ in cls.train_list])
        monkeypatch.setattr(cls, "test_list", [[n, md5[n]] for n, _ in cls.test_list])
        monkeypatch.setattr(cls, "meta", {**cls.meta, "md5": md5[cls.meta["filename"]]})
    for train in (True, False):
        j, t = j_cls(tmp_path, train=train), t_cls(tmp_path, train=train)
        assert j.data.dtype == t.data.dtype and j.data.shape == t.data.shape
        np.testing.assert_array_equal(j.data, t.data)
        assert j.targets == t.targets and j.classes == t.classes
        assert j.class_to_idx == t.class_to_idx and repr(j) == repr(t)
        for i in range(len(t)):
            assert_items_equal(j[i], t[i])
    j = j_cls(tmp_path, transform=JT.ToTensor())
    t = t_cls(tmp_path, transform=tv.transforms.ToTensor())
    assert_items_equal(j[3], t[3])
    # a corrupted batch fails the md5 check, as in torchvision
    first = tmp_path / j_cls.base_folder / j_cls.train_list[0][0]
    first.write_bytes(first.read_bytes() + b"x")
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        j_cls(tmp_path)


# ---- folders ----------------------------------------------------------------------------------

@pytest.fixture
def image_tree(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "tree"
    layout = {"cat": ["b.png", "a.jpg", "sub/c.png"], "dog": ["x.bmp", "notes.txt"],
              "ant": ["z.png"]}
    for cls, files in layout.items():
        for f in files:
            path = root / cls / f
            path.parent.mkdir(parents=True, exist_ok=True)
            if f.endswith(".txt"):
                path.write_text("not an image")
            else:
                mode = "L" if f.startswith("z") else "RGB"
                shape = (6, 5) if mode == "L" else (6, 5, 3)
                Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode).save(path)
    return root


def test_image_folder_matches_torchvision(tv, image_tree):
    j, t = JD.ImageFolder(str(image_tree)), tv.datasets.ImageFolder(str(image_tree))
    assert j.classes == t.classes == ["ant", "cat", "dog"]
    assert j.class_to_idx == t.class_to_idx and j.samples == t.samples == j.imgs
    assert j.targets == t.targets and len(j) == len(t) == 5
    for i in range(len(t)):
        assert_items_equal(j[i], t[i])
    assert repr(j) == repr(t)
    jt = JD.ImageFolder(str(image_tree), transform=JT.Compose([JT.Resize(4), JT.ToTensor()]))
    tt = tv.datasets.ImageFolder(str(image_tree), transform=tv.transforms.Compose(
        [tv.transforms.Resize(4), tv.transforms.ToTensor()]))
    for i in range(len(tt)):
        assert_items_equal(jt[i], tt[i])


def test_dataset_folder_options_and_errors_match_torchvision(tv, image_tree, tmp_path):
    def is_png(p):
        return p.endswith(".png")
    j = JD.DatasetFolder(str(image_tree), loader=lambda p: os.path.basename(p),
                         is_valid_file=is_png, allow_empty=True)
    t = tv.datasets.DatasetFolder(str(image_tree), loader=lambda p: os.path.basename(p),
                                  is_valid_file=is_png, allow_empty=True)
    assert j.samples == t.samples and [j[i] for i in range(len(j))] == \
        [t[i] for i in range(len(t))]
    (image_tree / "empty").mkdir()
    (tmp_path / "flat").mkdir()
    for args in ((str(image_tree),), (str(tmp_path / "flat"),)):
        with pytest.raises(FileNotFoundError) as t_err:
            tv.datasets.ImageFolder(*args)
        with pytest.raises(FileNotFoundError) as j_err:
            JD.ImageFolder(*args)
        assert str(j_err.value) == str(t_err.value)
    with pytest.raises(ValueError, match="Both extensions and is_valid_file"):
        JD.DatasetFolder(str(image_tree), loader=print)


def test_fake_data_items_are_stable_images_with_valid_targets():
    ds = JD.FakeData(size=5, image_size=(3, 8, 6), num_classes=4, transform=JT.ToTensor())
    x, y = ds[2]
    assert tuple(x.shape) == (3, 8, 6) and x.dtype == jtorch.float32 and 0 <= y < 4
    np.testing.assert_array_equal(ds[2][0].numpy(), x.numpy())
    assert len(ds) == 5 and isinstance(JD.FakeData(2)[0][0], Image.Image)
    assert not np.array_equal(ds[1][0].numpy(), x.numpy())
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[5]


def test_datasets_shared_folder_is_left_untouched(datasets_root):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        before = sorted(os.listdir(datasets_root / "MNIST" / "raw"))
        JD.MNIST(datasets_root, train=False, download=True)  # md5-verified, nothing fetched
    assert sorted(os.listdir(datasets_root / "MNIST" / "raw")) == before


def test_cifar_download_extracts_a_served_archive(local_server, tmp_path, monkeypatch):
    import tarfile
    serve, url = local_server
    md5 = write_cifar(tmp_path / "build", "cifar-10-batches-py",
                      [f"data_batch_{i}" for i in range(1, 6)], ["test_batch"], "batches.meta",
                      "labels", "label_names", [f"c{i}" for i in range(10)])
    with tarfile.open(serve / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "build" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    tgz_md5 = hashlib.md5((serve / "cifar-10-python.tar.gz").read_bytes()).hexdigest()
    cls = JD.CIFAR10
    monkeypatch.setattr(cls, "url", url + "cifar-10-python.tar.gz")
    monkeypatch.setattr(cls, "tgz_md5", tgz_md5)
    monkeypatch.setattr(cls, "train_list", [[n, md5[n]] for n, _ in cls.train_list])
    monkeypatch.setattr(cls, "test_list", [[n, md5[n]] for n, _ in cls.test_list])
    monkeypatch.setattr(cls, "meta", {**cls.meta, "md5": md5["batches.meta"]})
    ds = cls(tmp_path / "data", train=False, download=True)
    assert len(ds) == 4 and ds.classes == [f"c{i}" for i in range(10)]
    assert (tmp_path / "data" / "cifar-10-python.tar.gz").is_file()


# ---- QMNIST and SVHN on generated files ------------------------------------------------------

def write_qmnist(raw, what, n, seed, compress):
    """QMNIST's files: uint8 images (IDX type 0x08) and int32 label rows of 8 (type 0x0C)."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
    labels = np.column_stack([rng.integers(0, 10, n)] + [rng.integers(0, 5000, n)
                                                         for _ in range(7)]).astype(">i4")
    label_bytes = (0x0C02).to_bytes(4, "big") + b"".join(
        int(d).to_bytes(4, "big") for d in labels.shape) + labels.tobytes()
    prefix = "xnist" if what == "nist" else f"qmnist-{what}"
    raw.mkdir(parents=True, exist_ok=True)
    for name, data in ((f"{prefix}-images-idx3-ubyte", idx_bytes(images)),
                       (f"{prefix}-labels-idx2-int", label_bytes)):
        if compress:
            with gzip.open(raw / (name + ".gz"), "wb") as f:
                f.write(data)
        else:
            (raw / name).write_bytes(data)


def test_qmnist_matches_torchvision(tv, tmp_path):
    jroot, troot = tmp_path / "j", tmp_path / "t"
    for root, compress in ((jroot, True), (troot, False)):  # jtorch also reads the .gz
        write_qmnist(root / "QMNIST" / "raw", "train", 6, seed=4, compress=compress)
        write_qmnist(root / "QMNIST" / "raw", "test", 5, seed=5, compress=compress)
    for kwargs in ({}, {"train": False}, {"what": "test10k"}, {"what": "test50k"},
                   {"compat": False}):
        j, t = JD.QMNIST(jroot, **kwargs), tv.datasets.QMNIST(troot, **kwargs)
        assert len(j) == len(t) and j.classes == t.classes
        assert repr(j).replace(str(jroot), "R") == repr(t).replace(str(troot), "R")
        np.testing.assert_array_equal(j.targets.numpy(), t.targets.numpy())
        for i in range(len(t)):
            (j_img, j_target), (t_img, t_target) = j[i], t[i]
            np.testing.assert_array_equal(np.asarray(j_img), np.asarray(t_img))
            if kwargs.get("compat", True):
                assert type(j_target) is int and j_target == t_target
            else:
                assert j_target.dtype == jtorch.int64
                np.testing.assert_array_equal(j_target.numpy(), t_target.numpy())
    for bad in ({"what": "nope"},):
        with pytest.raises(ValueError) as t_err:
            tv.datasets.QMNIST(troot, **bad)
        with pytest.raises(ValueError) as j_err:
            JD.QMNIST(jroot, **bad)
        assert str(j_err.value) == str(t_err.value)
    with pytest.raises(RuntimeError, match="Dataset not found"):
        JD.QMNIST(tmp_path / "empty", what="nist")


def test_svhn_matches_torchvision(tv, tmp_path, monkeypatch):
    sio = pytest.importorskip("scipy.io")
    import importlib
    rng = np.random.default_rng(6)
    sio.savemat(tmp_path / "test_32x32.mat", {
        "X": rng.integers(0, 256, (32, 32, 3, 7), dtype=np.uint8),
        "y": np.array([[10], [1], [2], [10], [9], [3], [4]], dtype=np.uint8)})
    # the generated file has its own md5: accept it in both libraries
    for module in (importlib.import_module("jtorch.vision.datasets.svhn"),
                   importlib.import_module("torchvision.datasets.svhn")):
        monkeypatch.setattr(module, "check_integrity", lambda fpath, md5=None: os.path.isfile(
            fpath))
    j = JD.SVHN(tmp_path, split="test", transform=JT.ToTensor())
    t = tv.datasets.SVHN(tmp_path, split="test", transform=tv.transforms.ToTensor())
    assert len(j) == len(t) == 7 and repr(j) == repr(t)
    np.testing.assert_array_equal(j.labels, t.labels)
    assert j.labels.tolist() == [0, 1, 2, 0, 9, 3, 4]
    np.testing.assert_array_equal(j.data, t.data)
    for i in range(7):
        assert_items_equal(j[i], t[i])
    monkeypatch.undo()
    with pytest.raises(RuntimeError) as t_err:
        tv.datasets.SVHN(tmp_path, split="test")
    with pytest.raises(RuntimeError) as j_err:
        JD.SVHN(tmp_path, split="test")
    assert str(j_err.value) == str(t_err.value)  # the md5 check rejects the generated file
