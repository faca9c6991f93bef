"""Data-parallel scaling: a compiled DistributedDataParallel train step on 1, 2, 4, 8 devices.

Run: python benchmarks/scaling.py [--workload mlp|cnn] [--per-device-batch 64] [--steps 30]
                                  [--devices 1,2,4,8] [--platform cpu|accelerator] [--json F]

Weak scaling: every device gets `--per-device-batch` samples, so the global batch grows with
the device count; efficiency = samples/s on n devices / (n x samples/s on 1 device).
On the CPU each device count runs in its own process with
XLA_FLAGS=--xla_force_host_platform_device_count=n: simulated devices share the host's cores,
so CPU efficiency measures jtorch's and XLA's SPMD overhead, not a speedup (with C cores,
about C/n at best once n > C). With --platform accelerator the steps run on the first n real
accelerators in this process (a multi-GPU host or a TPU VM).
The step is the quickstart's (SGD on cross-entropy), unchanged torch code: the model is
wrapped in DistributedDataParallel and the step in torch.compile. Not part of the tests.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time


def build(nn, workload):
    if workload == "mlp":  # the quickstart's NeuralNetwork
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                             nn.ReLU(), nn.Linear(512, 10)), (1, 28, 28)
    return nn.Sequential(  # the CIFAR10 'Tudui' model of the seeds
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 64), nn.Linear(64, 10)), (3, 32, 32)


def measure(n_devices, workload, per_device_batch, steps, platform):
    """steps/s of the compiled DDP step on the first `n_devices` devices of `platform`."""
    import jax
    import numpy as np

    import jtorch as torch
    import jtorch.distributed as dist
    from jtorch import nn
    from jtorch.distributed.device_mesh import DeviceMesh
    from jtorch.nn.parallel import DistributedDataParallel

    device_type = "cpu" if platform == "cpu" else "cuda"
    if not dist.is_initialized():
        dist.init_process_group()
    torch.manual_seed(0)
    model, sample_shape = build(nn, workload)
    mesh = DeviceMesh(device_type, list(range(n_devices)))
    ddp = DistributedDataParallel(model.to(device_type), device_mesh=mesh)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(ddp.parameters(), lr=1e-3)

    def train_step(X, y):
        pred = ddp(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss

    step = torch.compile(train_step)
    rng = np.random.default_rng(0)
    batch = per_device_batch * n_devices
    X = torch.tensor(rng.standard_normal((batch, *sample_shape)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 10, batch))
    start = time.perf_counter()
    for _ in range(6):  # discovery calls, trace, XLA compile(s): until the step is steady
        step(X, y).item()
    warmup = time.perf_counter() - start
    start = time.perf_counter()
    for _ in range(steps):
        loss = step(X, y)
    jax.block_until_ready(loss._array)
    elapsed = time.perf_counter() - start
    return {"devices": n_devices, "global_batch": batch, "steps_per_s": steps / elapsed,
            "samples_per_s": steps * batch / elapsed, "warmup_s": warmup,
            "device_kind": jax.devices(platform if platform == "cpu" else None)[0].device_kind}


def run_cpu(n, args):
    """One device count in a fresh process with n simulated CPU devices."""
    env = dict(os.environ, JAX_PLATFORMS="cpu",
               XLA_FLAGS=f"--xla_force_host_platform_device_count={n}")
    for key in ("WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(key, None)
    cmd = [sys.executable, __file__, "--worker", str(n), "--workload", args.workload,
           "--per-device-batch", str(args.per_device_batch), "--steps", str(args.steps)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1800)
    for line in proc.stdout.splitlines():
        if line.startswith("ROW "):
            return json.loads(line[4:])
    raise RuntimeError(f"worker for {n} devices failed:\n{proc.stdout}\n{proc.stderr[-3000:]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workload", choices=("mlp", "cnn"), default="mlp")
    parser.add_argument("--per-device-batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--devices", default="1,2,4,8")
    parser.add_argument("--platform", choices=("cpu", "accelerator"), default="cpu")
    parser.add_argument("--json", default=None)
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        row = measure(args.worker, args.workload, args.per_device_batch, args.steps, "cpu")
        print("ROW " + json.dumps(row), flush=True)
        return
    counts = [int(n) for n in args.devices.split(",")]
    if args.platform == "cpu":
        rows = [run_cpu(n, args) for n in counts]
    else:
        import jax
        available = len([d for d in jax.devices() if d.platform != "cpu"])
        rows = [measure(n, args.workload, args.per_device_batch, args.steps, "accelerator")
                for n in counts if n <= available]
    base = rows[0]["samples_per_s"] / rows[0]["devices"]
    print(f"{args.workload}, compiled DDP step, {args.per_device_batch} samples per device, "
          f"{rows[0]['device_kind']} devices ({os.cpu_count()} host cores)")
    print(f"{'devices':>7} {'batch':>6} {'steps/s':>8} {'samples/s':>10} {'efficiency':>10} "
          f"{'warmup s':>8}")
    for row in rows:
        row["efficiency"] = row["samples_per_s"] / (row["devices"] * base)
        print(f"{row['devices']:>7} {row['global_batch']:>6} {row['steps_per_s']:>8.1f} "
              f"{row['samples_per_s']:>10.0f} {row['efficiency']:>10.2f} "
              f"{row['warmup_s']:>8.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
