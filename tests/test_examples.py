"""Every program in examples/ runs unchanged under `python -m jtorch` and under real torch
(subprocesses, tiny data and caps), and both print the same losses when jtorch starts from
the weights torch initialised (`--save-init` in the torch run, `--init-weights` in jtorch's).

Data: tiny MNIST/FashionMNIST folders (the first images of the real files when
../shared/datasets has them, random ones otherwise) and a generated CIFAR-format
`cifar-10-batches-py` (torchvision md5-checks CIFAR's files, so the CIFAR runs go through a
launcher that accepts the generated ones). One test per example runs both (torch first, as
jtorch starts from its weights) and checks jtorch's output and its agreement with torch's.
"""

from __future__ import annotations

import gzip
import os
import pathlib
import pickle
import re
import struct
import subprocess
import sys
import textwrap

import numpy as np
import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
DATASETS = pathlib.Path(os.environ.get("JTORCH_DATASETS", REPO.parent / "shared" / "datasets"))
FLOAT = r"(\d+\.\d+(?:e-?\d+)?)"

# Runs the script in sys.argv[1] (its args after it); under real torch it first declares the
# torchvision operator schemas (tests/vision/_torchvision_oracle.py). Both accept generated
# CIFAR files (no md5 check) where the example reads CIFAR.
LAUNCHER = textwrap.dedent('''
    import os, runpy, sys
    real_torch = {real_torch}
    if real_torch:
        sys.path.insert(0, {oracle!r})
        from _torchvision_oracle import import_torchvision
        import_torchvision()
    import torchvision.datasets.cifar as cifar
    cifar.check_integrity = lambda fpath, md5=None: os.path.isfile(fpath)
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
    runpy.run_path(sys.argv[0], run_name="__main__")
''')


def _launcher(real_torch):
    return LAUNCHER.format(real_torch=real_torch, oracle=str(REPO / "tests" / "vision"))


def _idx(path, magic, arr):
    with open(path, "wb") as f:
        f.write(struct.pack(">II", magic, len(arr)))
        if arr.ndim == 3:
            f.write(struct.pack(">II", *arr.shape[1:]))
        f.write(np.ascontiguousarray(arr, dtype=np.uint8).tobytes())


def _read_first(gz, header, count, item_size):
    with gzip.open(gz, "rb") as f:
        raw = f.read(header + count * item_size)
    return np.frombuffer(raw[header:], dtype=np.uint8)


def make_mnist(root, name, n_train=192, n_test=128):
    """root/name/raw/ with the four extracted IDX files, as torchvision expects them."""
    raw = pathlib.Path(root) / name / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    real = DATASETS / name / "raw"
    rng = np.random.default_rng(0)
    for split, n in (("train", n_train), ("t10k", n_test)):
        if (real / f"{split}-images-idx3-ubyte.gz").is_file():
            images = _read_first(real / f"{split}-images-idx3-ubyte.gz", 16, n, 784)
            labels = _read_first(real / f"{split}-labels-idx1-ubyte.gz", 8, n, 1)
        else:
            images = rng.integers(0, 256, n * 784, dtype=np.uint8)
            labels = rng.integers(0, 10, n, dtype=np.uint8)
        _idx(raw / f"{split}-images-idx3-ubyte", 2051, images.reshape(n, 28, 28))
        _idx(raw / f"{split}-labels-idx1-ubyte", 2049, labels)
    return root


def make_cifar10(root, n_per_batch=40, n_test=64):
    """root/cifar-10-batches-py/ in CIFAR's format: pickled dicts with `data` (N x 3072 uint8)
    and `labels`, plus batches.meta; images are smooth colour blobs whose hue is the label."""
    folder = pathlib.Path(root) / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)

    def batch(n, tag):
        labels = rng.integers(0, 10, n)
        base = np.stack([(labels * 25) % 256, (labels * 97) % 256, (labels * 51) % 256], 1)
        data = base[:, :, None] + rng.integers(-40, 40, (n, 3, 1024))
        return {"batch_label": tag, "labels": labels.tolist(),
                "data": np.clip(data, 0, 255).astype(np.uint8).reshape(n, 3072),
                "filenames": [f"img_{i}.png" for i in range(n)]}

    for i in range(1, 6):
        with open(folder / f"data_batch_{i}", "wb") as f:
            pickle.dump(batch(n_per_batch, f"training batch {i} of 5"), f)
    with open(folder / "test_batch", "wb") as f:
        pickle.dump(batch(n_test, "testing batch 1 of 1"), f)
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
             "truck"]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({"label_names": names, "num_cases_per_batch": n_per_batch,
                     "num_vis": 3072}, f)
    return root


def _torch_available():
    try:
        sys.path.insert(0, str(REPO / "tests" / "vision"))
        import torch  # noqa: F401
        from _torchvision_oracle import import_torchvision
        import_torchvision()
    except Exception as e:  # noqa: BLE001 - any failure means no oracle
        return f"real torch/torchvision oracle unavailable: {type(e).__name__}: {e}"
    return None


# name -> (data maker, extra args, regex of the printed losses)
EXAMPLES_UNDER_TEST = {
    "quickstart": (lambda d: make_mnist(d, "FashionMNIST"), ["--epochs", "1",
                   "--limit-batches", "2"], r"loss: " + FLOAT + r"  \[|Avg loss: " + FLOAT),
    "lenet_mnist": (lambda d: make_mnist(d, "MNIST"), ["--epochs", "1", "--limit-batches", "3",
                    "--log-interval", "1", "--no-shuffle"], r"loss: " + FLOAT),
    "lstm_mnist": (lambda d: make_mnist(d, "MNIST"), ["--epochs", "1", "--limit-batches", "2",
                   "--log-interval", "1", "--no-shuffle"], r"train loss: " + FLOAT),
    "cifar10_tudui": (make_cifar10, ["--epochs", "1", "--limit-batches", "2", "--log-interval",
                      "1"], r"Loss: " + FLOAT + r"|Total test loss:" + FLOAT),
    "custom_dataset": (lambda d: d, ["--epochs", "2", "--limit-batches", "3", "--no-shuffle",
                       "--num-images", "24"], r"train loss " + FLOAT),
    "sequential_models": (lambda d: make_mnist(d, "FashionMNIST"), ["--epochs", "1",
                          "--limit-batches", "2", "--no-shuffle", "--dropout", "0",
                          "--batchnorm", "--reg", "l2"], r"(?:train|test) loss " + FLOAT),
    "checkpoint": (lambda d: d, ["--epochs", "4", "--no-shuffle"], r"loss " + FLOAT),
}

# Lines each example must print under jtorch (besides its losses).
EXPECTED = {
    "quickstart": [r"Shape of X \[N, C, H, W\]: torch.Size\(\[64, 1, 28, 28\]\)", r"Done!",
                   r" Accuracy: \d+\.\d%, Avg loss: \d\.\d{6} "],
    "lenet_mnist": [r"10 torch.Size\(\[6, 1, 5, 5\]\)", r"torch.Size\(\[1, 10\]\)",
                    r"Accuracy of the network on the 128 test images: \d+\.\d\d %",
                    r"Finished Training"],
    "lstm_mnist": [r"  \(rnn\): LSTM\(28, 64, batch_first=True\)",
                   r"\[[\d ]+\] prediction number", r"\[[\d, ]+\] real number"],
    "cifar10_tudui": [r"训练数据集的长度为：128", r"测试数据集的长度为：64",
                      r"Total accuracy: \d\.\d+", r"模型已保存",
                      r"tensor\(\[\d\]\) label: \d"],
    "custom_dataset": [r"18 training images, 6 test images",
                       r"Shape of X \[N, C, H, W\]:  torch.Size\(\[4, 3, 32, 32\]\)",
                       r"Shape of y:  torch.Size\(\[4\]\) torch.int64",
                       r"epoch 2: train loss \d\.\d{6}, test accuracy \d/6"],
    "sequential_models": [r"the three Sequential models agree: True",
                          r"model2.linear1 is model2\[0\]: True",
                          r"ModuleDict conv\+lrelu: \(1, 10, 30, 30\) pool\+prelu: "
                          r"\(1, 10, 10, 10\)", r"ModuleList: \(1, 10\) with 20 parameters"],
    "checkpoint": [r"saved checkpoint.pth at epoch 2",
                   r"whole model reloaded, same parameters: True",
                   r"state_dict reloaded, same parameters: True",
                   r"resuming at epoch 2, lr 0.1",
                   r"resumed run matches the uninterrupted one: True"],
}

def _run(cmd, cwd, **env):
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore",
           "PYTHONIOENCODING": "utf-8", **env}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _losses(name, stdout):
    pattern = EXAMPLES_UNDER_TEST[name][2]
    return [float(next(g for g in m.groups() if g is not None))
            for m in re.finditer(pattern, stdout)]


@pytest.mark.parametrize("name", sorted(EXAMPLES_UNDER_TEST))
def test_example_under_jtorch_matches_torch(name, tmp_path):
    """The example runs under real torch (saving its initial weights) and under
    `python -m jtorch` (starting from them); jtorch's output has the expected lines and the
    same losses as torch's. Without the torch oracle, the jtorch run is checked alone and
    the test then skips, saying why."""
    make, extra, _ = EXAMPLES_UNDER_TEST[name]
    script = str(EXAMPLES / f"{name}.py")
    t_dir, j_dir = tmp_path / "torch", tmp_path / "jtorch"
    t_dir.mkdir()
    j_dir.mkdir()
    make(t_dir / "data")
    make(j_dir / "data")
    no_oracle = _torch_available()
    torch_run = None
    if no_oracle is None:
        torch_run = _run([sys.executable, "-c", _launcher(True), script, "--data", "data",
                          "--save-init", "init.pth", *extra], t_dir,
                         OMP_NUM_THREADS="1")  # torch's thread pool spins on a shared machine
        assert torch_run.returncode == 0, torch_run.stderr[-3000:]
        init_args = ["--init-weights", str(t_dir / "init.pth")]
    else:
        init_args = ["--save-init", "init.pth"]
    if name == "cifar10_tudui":  # the generated CIFAR files need the launcher
        cmd = ["-m", "jtorch", "-c", _launcher(False), script]
    else:
        cmd = ["-m", "jtorch", script]
    run = _run([sys.executable, *cmd, "--data", "data", *init_args, *extra], j_dir)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.splitlines()
    for pattern in EXPECTED[name]:
        assert any(re.fullmatch(pattern, line) for line in lines), (pattern, run.stdout)
    j = _losses(name, run.stdout)
    assert j and all(np.isfinite(j)), run.stdout
    if torch_run is None:
        pytest.skip(f"jtorch run checked; no comparison: {no_oracle}")
    t = _losses(name, torch_run.stdout)
    assert len(t) == len(j), (torch_run.stdout, run.stdout)
    np.testing.assert_allclose(j, t, rtol=2e-3, atol=2e-4,
                               err_msg=f"torch:\n{torch_run.stdout}\njtorch:\n{run.stdout}")
    # both print the same lines (values aside)
    assert len(lines) == len(torch_run.stdout.splitlines())


def test_every_example_is_tested_and_imports_only_torch():
    names = {p.stem for p in EXAMPLES.glob("*.py")} - {"linear_regression"}
    assert names == set(EXAMPLES_UNDER_TEST)
    for name in names:
        source = (EXAMPLES / f"{name}.py").read_text()
        imports = re.findall(r"^\s*(?:import|from)\s+(\w+)", source, re.M)
        assert set(imports) <= {"argparse", "collections", "csv", "os", "random", "numpy",
                                "PIL", "torch", "torchvision"}, (name, imports)
        for flag in ("--data", "--epochs", "--limit-batches", "--seed", "--init-weights",
                     "--save-init"):
            assert f'"{flag}"' in source, (name, flag)
