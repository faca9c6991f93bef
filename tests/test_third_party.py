"""Third-party tools that `import torch`, run unchanged on jtorch under `python -m jtorch`.

- torchsummary's `summary(model, (1, 28, 28))` from seed 003 prints torch's table: the
  program runs under `python -m jtorch` and its output is compared with the table
  torchsummary prints for the same model on real torch.
- Seed 002's `from torch.utils.tensorboard import SummaryWriter` loop, under the runner,
  writes logs TensorBoard reads back.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torchsummary = pytest.importorskip("torchsummary")

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SEED_003_MODEL = '''
import torch
from torch import nn


class NeuralNetwork(nn.Module):
    def __init__(self):
        super(NeuralNetwork, self).__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
            nn.ReLU()
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits
'''

SEED_003_SUMMARY = SEED_003_MODEL + '''
device = "cuda" if torch.cuda.is_available() else "cpu"
model = NeuralNetwork().to(device)

from torchsummary import summary
summary(model, input_size=(1, 28, 28), batch_size=64)
summary(model, (1, 28, 28))
'''

# the first table, as printed in seed 003 (torchsummary on torch)
SEED_003_TABLE = """\
----------------------------------------------------------------
        Layer (type)               Output Shape         Param #
================================================================
           Flatten-1                  [64, 784]               0
            Linear-2                  [64, 512]         401,920
              ReLU-3                  [64, 512]               0
            Linear-4                  [64, 512]         262,656
              ReLU-5                  [64, 512]               0
            Linear-6                   [64, 10]           5,130
              ReLU-7                   [64, 10]               0
================================================================
Total params: 669,706
Trainable params: 669,706
Non-trainable params: 0
----------------------------------------------------------------
Input size (MB): 0.19
Forward/backward pass size (MB): 1.39
Params size (MB): 2.55
Estimated Total Size (MB): 4.14
----------------------------------------------------------------
"""


def run_under_jtorch(script_path, cwd, timeout=120):
    env = dict(os.environ, PYTHONPATH=REPO_ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""),
               JAX_PLATFORMS="cpu")
    return subprocess.run([sys.executable, "-m", "jtorch", str(script_path)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def torch_printed_summary():
    """What torchsummary prints for seed 003's model on real torch (in this process)."""
    namespace = {}
    exec(compile(SEED_003_MODEL, "<seed 003>", "exec"), namespace)
    model = namespace["NeuralNetwork"]()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        torchsummary.summary(model, input_size=(1, 28, 28), batch_size=64, device="cpu")
        torchsummary.summary(model, (1, 28, 28), device="cpu")
    return out.getvalue()


def test_torch_oracle_prints_the_seed_table():
    assert torch_printed_summary().startswith(SEED_003_TABLE)


def test_torchsummary_prints_torchs_table_under_python_m_jtorch(tmp_path):
    script = tmp_path / "seed_003_summary.py"
    script.write_text(SEED_003_SUMMARY)
    result = run_under_jtorch(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout == torch_printed_summary()
    assert result.stdout.startswith(SEED_003_TABLE)


SEED_002_TENSORBOARD = '''
import numpy as np
import torch
from torch.utils.tensorboard import SummaryWriter

writer = SummaryWriter("logs")
for i in range(100):
    writer.add_scalar("y=x", i, i)

img_array = (np.arange(4 * 5 * 3) % 256).astype(np.uint8).reshape(4, 5, 3)
writer.add_image("Ants", img_array, 1, dataformats="HWC")

imgs = torch.arange(4 * 3 * 2 * 2, dtype=torch.float32).reshape(4, 3, 2, 2) / 48
for step in range(2):
    writer.add_images("test_data", imgs * (step + 1) / 2, step)
writer.close()
print(type(writer).__module__)
'''


def test_seed_002_tensorboard_program_under_python_m_jtorch(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    script = tmp_path / "seed_002_tensorboard.py"
    script.write_text(textwrap.dedent(SEED_002_TENSORBOARD))
    result = run_under_jtorch(script, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "jtorch.utils.tensorboard.writer"

    acc = EventAccumulator(str(tmp_path / "logs"), size_guidance={"scalars": 0, "images": 0})
    acc.Reload()
    assert acc.Tags()["scalars"] == ["y=x"]
    assert [(e.step, e.value) for e in acc.Scalars("y=x")] == [(i, float(i)) for i in
                                                              range(100)]
    assert acc.Tags()["images"] == ["Ants", "test_data"]
    from PIL import Image
    ants = np.asarray(Image.open(io.BytesIO(acc.Images("Ants")[0].encoded_image_string)))
    np.testing.assert_array_equal(ants, (np.arange(60) % 256).astype(np.uint8).reshape(4, 5, 3))
    assert [e.step for e in acc.Images("test_data")] == [0, 1]
    assert (acc.Images("test_data")[0].width, acc.Images("test_data")[0].height) == (8, 2)
