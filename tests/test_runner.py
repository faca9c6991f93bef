"""`python -m jtorch script.py` and jtorch's torch/torchvision import aliasing, run on small
unchanged PyTorch scripts in subprocesses; and the quickstart example."""

import os
import pathlib
import re
import subprocess
import sys
import textwrap
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[1]
DATASETS = pathlib.Path(os.environ.get("JTORCH_DATASETS", REPO.parent / "shared" / "datasets"))


def run_jtorch(tmp_path, *args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "jtorch", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd or tmp_path, env=env, timeout=300)


SCRIPT = textwrap.dedent('''
    import json
    import sys
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    from torch.utils.data import DataLoader, Dataset
    import torchvision
    import torchvision.transforms.functional as TF
    from torchvision import datasets, transforms
    import helper  # a sibling module: sys.path[0] is the script's folder
    import jtorch

    class Squares(Dataset):  # defined in __main__, loaded by forked workers
        def __len__(self):
            return 6

        def __getitem__(self, i):
            return torch.tensor([i * i]), i

    if __name__ == "__main__":
        batches = [x.tolist() for x, _ in DataLoader(Squares(), batch_size=4, num_workers=2)]
        report = {
            "argv": sys.argv, "name": __name__, "file": __file__,
            "torch_is_jtorch": torch is jtorch, "nn": nn is jtorch.nn,
            "tensor": isinstance(torch.ones(2), torch.Tensor) and torch.Tensor is jtorch.Tensor,
            "functional": F.relu(torch.tensor([-1.0, 2.0])).tolist(),
            "utils_data": torch.utils.data.DataLoader is DataLoader,
            "optim": hasattr(torch, "optim"),
            "torchvision": torchvision.__name__, "datasets": datasets.__name__,
            "transforms": transforms.ToTensor.__module__, "tf": TF.__name__,
            "helper": helper.seen_torch, "batches": batches,
        }
        print(json.dumps(report))
''')


@pytest.fixture
def script_dir(tmp_path):
    folder = tmp_path / "prog"
    folder.mkdir()
    (folder / "script.py").write_text(SCRIPT)
    # a third-party-style module importing torch by itself (as torchsummary does)
    (folder / "helper.py").write_text("import torch\nseen_torch = torch.__name__\n")
    return folder


def test_unchanged_torch_script_runs_on_jtorch(script_dir, tmp_path):
    out = run_jtorch(tmp_path, script_dir / "script.py", "--flag", "value")
    assert out.returncode == 0, out.stderr
    import json
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report["argv"] == [str(script_dir / "script.py"), "--flag", "value"]
    assert report["name"] == "__main__" and report["file"] == str(script_dir / "script.py")
    assert report["torch_is_jtorch"] and report["nn"] and report["tensor"]
    assert report["utils_data"] and report["optim"] and report["functional"] == [0.0, 2.0]
    assert report["torchvision"] == "jtorch.vision" and report["datasets"] == \
        "jtorch.vision.datasets"
    assert report["transforms"] == "jtorch.vision.transforms.transforms"
    assert report["tf"] == "jtorch.vision.transforms.functional"
    assert report["helper"] == "jtorch"
    assert report["batches"] == [[[0], [1], [4], [9]], [[16], [25]]]


def test_traceback_starts_in_the_users_script(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text(textwrap.dedent('''
        import torch

        def step(x):
            return x.view(3, 5)

        step(torch.zeros(4))
    '''))
    out = run_jtorch(tmp_path, "fails.py")
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "fails.py", line 7, in <module>'
    assert '  File "fails.py", line 5, in step' in lines
    assert "runpy" not in out.stderr and "__main__.py" not in out.stderr
    assert lines[-1].startswith("RuntimeError: shape '[3, 5]' is invalid")


def test_module_and_command_modes_and_install_as_torch(tmp_path, script_dir):
    """-c and -m runs, then install_as_torch()/uninstall_as_torch() in one process."""
    driver = textwrap.dedent('''
        import os, sys
        import jtorch.__main__ as runner
        os.chdir(sys.argv[1])
        sys.path.insert(0, sys.argv[1])
        assert runner.main(["-c", "import sys, torch; print(torch.__name__, sys.argv)", "x"]) == 0
        assert runner.main(["-m", "script", "--m"]) == 0
        import jtorch, jtorch._aliasing as aliasing
        import torch, torch.nn, torchvision.transforms as T
        assert torch is jtorch and torch.nn is jtorch.nn and T is jtorch.vision.transforms
        try:
            import torch.no_such_module
        except ModuleNotFoundError as e:
            assert "torch.no_such_module" in str(e)
        aliasing.uninstall_as_torch()
        assert "torch" not in sys.modules and "torchvision" not in sys.modules
        aliasing.install_as_torch()  # idempotent, and again after uninstalling
        aliasing.install_as_torch()
        import torch
        assert torch is jtorch
        print("ok")
    ''')
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, "-c", driver, str(script_dir)], capture_output=True,
                         text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert lines[0].split() == ["jtorch", "['-c',", "'x']"]
    assert '"argv": ["' + str(script_dir / "script.py") + '", "--m"]' in lines[1]
    assert lines[-1] == "ok"


def test_usage_missing_script_and_the_real_torch_guard_in_process(tmp_path, capsys):
    pytest.importorskip("torch")  # the real torch, as the oracle tests import it
    import jtorch.__main__ as runner
    from jtorch import _aliasing
    assert runner.main([]) == 2 and "usage: python -m jtorch script.py" in \
        capsys.readouterr().err
    assert runner.main([str(tmp_path / "missing.py")]) == 2
    assert "can't open file" in capsys.readouterr().err
    with pytest.raises(RuntimeError, match="the real torch(vision)? is already imported"):
        _aliasing.install_as_torch()
    assert _aliasing._finder not in sys.meta_path


def _quickstart_parts_missing():
    import jtorch
    import jtorch.nn as nn
    missing = [n for n in ("Flatten", "CrossEntropyLoss", "ReLU", "Sequential", "Linear")
               if not hasattr(nn, n)]
    try:
        import jtorch.optim as optim
        missing += [] if hasattr(optim, "SGD") else ["optim.SGD"]
    except ImportError:
        missing.append("optim")
    missing += [n for n in ("save", "load") if not hasattr(jtorch, n)]
    return missing


QUICKSTART_LINES = [
    r"Shape of X \[N, C, H, W\]: torch.Size\(\[64, 1, 28, 28\]\)",
    r"Shape of y: torch.Size\(\[64\]\) torch.int64",
    r"Using (cpu|cuda) device",
    r"Epoch 1",
    r"loss: \d\.\d{6}  \[    0/ 1280\]",
    r"Test Error: ",
    r" Accuracy: \d+\.\d%, Avg loss: \d\.\d{6} ",
    r"Done!",
    r"Saved PyTorch Model State to model.pth",
    r'Predicted: "[^"]+", Actual: "Ankle boot"',
]


def test_quickstart_runs_on_a_data_subset(tmp_path):
    missing = _quickstart_parts_missing()
    if missing:
        pytest.skip(f"jtorch pieces the quickstart needs are not there yet: {missing}")
    if not (DATASETS / "FashionMNIST" / "raw").is_dir():
        pytest.skip(f"FashionMNIST not found at {DATASETS} (set JTORCH_DATASETS)")
    out = run_jtorch(tmp_path, REPO / "examples" / "quickstart.py", "--data", DATASETS,
                     "--epochs", "1", "--limit-batches", "20")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    for pattern in QUICKSTART_LINES:
        assert any(re.fullmatch(pattern, line) for line in lines), (pattern, out.stdout)
    assert (tmp_path / "model.pth").stat().st_size > 2_000_000  # 669706 float32 parameters


def _accuracy(stdout):
    return [float(a) for a in re.findall(r"Accuracy: (\d+\.\d)%", stdout)]


def _timed_run(cmd, cwd, timeout=3600, env=None):
    """Run `cmd`, time-stamping its stdout lines; returns (returncode, stdout, stderr, seconds
    per epoch), an epoch running from its "Epoch N" line to the next one (or "Done!")."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONWARNINGS": "ignore",
           "PYTHONUNBUFFERED": "1", **(env or {})}
    with subprocess.Popen(cmd, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:
        import threading
        err = []
        reader = threading.Thread(target=lambda: err.append(proc.stderr.read()), daemon=True)
        reader.start()
        lines, marks = [], []
        start = time.perf_counter()
        for line in proc.stdout:
            lines.append(line)
            if re.match(r"Epoch \d+$", line.strip()) or line.strip() == "Done!":
                marks.append(time.perf_counter())
            if time.perf_counter() - start > timeout:
                proc.kill()
                break
        proc.wait()
        reader.join()
    epoch_s = [round(b - a, 1) for a, b in zip(marks, marks[1:])]
    return proc.returncode, "".join(lines), "".join(err), epoch_s


@pytest.mark.slow
def test_quickstart_five_epochs_reaches_torchs_accuracy(tmp_path):
    """The issue's acceptance run: `python -m jtorch examples/quickstart.py --data DATASETS
    --epochs 5` on the real FashionMNIST, final accuracy within 2 points of real torch running
    the same script (each with its own random init). Prints both accuracies and epoch times."""
    missing = _quickstart_parts_missing()
    if missing:
        pytest.skip(f"jtorch pieces the quickstart needs are not there yet: {missing}")
    if not (DATASETS / "FashionMNIST" / "raw").is_dir():
        pytest.skip(f"FashionMNIST not found at {DATASETS} (set JTORCH_DATASETS)")
    try:
        import torch  # noqa: F401
    except ImportError:
        pytest.skip("real torch is not installed: no oracle run to compare with")
    (tmp_path / "j").mkdir()
    (tmp_path / "t").mkdir()
    script = REPO / "examples" / "quickstart.py"
    j_rc, j_out, j_err, j_times = _timed_run(
        [sys.executable, "-m", "jtorch", str(script), "--data", str(DATASETS), "--epochs", "5"],
        tmp_path / "j")
    assert j_rc == 0, j_err
    extracted = _extract(tmp_path / "t" / "data")  # torchvision wants the extracted files
    # one intra-op thread: torch's default (one per core) spins against the other jobs of a
    # shared machine (measured: 2 epochs in 301 s instead of 37 s under load)
    t_rc, t_out, t_err, t_times = _timed_run(
        [sys.executable, "-c", TORCH_LAUNCHER, str(script), "--data", str(extracted),
         "--epochs", "5"], tmp_path / "t", env={"OMP_NUM_THREADS": "1"})
    assert t_rc == 0, t_err
    j_acc, t_acc = _accuracy(j_out), _accuracy(t_out)
    print(f"\njtorch accuracy per epoch {j_acc}, epoch seconds {j_times}")
    print(f"torch  accuracy per epoch {t_acc}, epoch seconds {t_times}")
    assert len(j_acc) == len(t_acc) == 5
    assert abs(j_acc[-1] - t_acc[-1]) <= 2.0


# Runs a script on the real torch + torchvision (see tests/vision/_torchvision_oracle.py).
TORCH_LAUNCHER = textwrap.dedent(f'''
    import sys, runpy
    sys.path.insert(0, {str(REPO / "tests" / "vision")!r})
    from _torchvision_oracle import import_torchvision
    import_torchvision()
    sys.argv = sys.argv[1:]
    sys.path[0] = __import__("os").path.dirname(__import__("os").path.abspath(sys.argv[0]))
    runpy.run_path(sys.argv[0], run_name="__main__")
''')


def _extract(root):
    import gzip
    import shutil
    raw = root / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in (DATASETS / "FashionMNIST" / "raw").glob("*.gz"):
        with gzip.open(gz, "rb") as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return root
