"""FashionMNIST DataLoader throughput, jtorch vs torch: images/s for the quickstart's loader
(`ToTensor()`, batch 64) with num_workers 0 and 2.

    python benchmarks/dataloader.py [--data ../shared/datasets] [--batches 400] [--repeats 3]

Each (library, num_workers) runs in its own subprocess (jtorch's never imports torch); the
first 20 batches are warm-up (worker start, XLA compiles of the batch transfer). torch reads
the files torchvision expects (extracted into a temporary folder); jtorch reads the `.gz`
files directly. Prints images/s (best of --repeats) and the jtorch/torch ratio.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
WARMUP = 20


def measure(lib, data, num_workers, batches, repeats):
    """Images/s over `batches` batches after WARMUP, best of `repeats` epochs."""
    if lib == "torch":
        sys.path.insert(0, str(REPO / "tests" / "vision"))
        from _torchvision_oracle import import_torchvision
        tv = import_torchvision()
        import torch
        datasets, ToTensor = tv.datasets, tv.transforms.ToTensor
        DataLoader = torch.utils.data.DataLoader
    else:
        from jtorch.utils.data import DataLoader
        from jtorch.vision import datasets
        from jtorch.vision.transforms import ToTensor
    dataset = datasets.FashionMNIST(data, train=True, transform=ToTensor())
    loader = DataLoader(dataset, batch_size=64, num_workers=num_workers,
                        persistent_workers=num_workers > 0)
    best = 0.0
    for _ in range(repeats):
        it = iter(loader)
        for _ in range(WARMUP):
            next(it)
        start, images = time.perf_counter(), 0
        for _ in range(batches):
            x, y = next(it)
            images += x.shape[0]
        best = max(best, images / (time.perf_counter() - start))
        del it
    return best


def extracted_copy(data, tmp):
    raw = pathlib.Path(tmp) / "FashionMNIST" / "raw"
    raw.mkdir(parents=True)
    for gz in (pathlib.Path(data) / "FashionMNIST" / "raw").glob("*.gz"):
        with gzip.open(gz, "rb") as src, open(raw / gz.stem, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return tmp


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "datasets"))
    parser.add_argument("--batches", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one", nargs=2, metavar=("LIB", "WORKERS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.batches + WARMUP > 937:
        parser.error(f"--batches must be at most {937 - WARMUP} (one epoch)")
    if args.one:
        lib, workers = args.one[0], int(args.one[1])
        print(json.dumps(measure(lib, args.data, workers, args.batches, args.repeats)))
        return

    with tempfile.TemporaryDirectory() as tmp:
        roots = {"jtorch": args.data, "torch": extracted_copy(args.data, tmp)}
        results = {}
        for workers in (0, 2):
            for lib in ("torch", "jtorch"):
                out = subprocess.run(
                    [sys.executable, __file__, "--data", roots[lib], "--batches",
                     str(args.batches), "--repeats", str(args.repeats), "--one", lib,
                     str(workers)], capture_output=True, text=True, check=True,
                    env={**os.environ, "PYTHONWARNINGS": "ignore"})
                results[lib, workers] = float(out.stdout.strip().splitlines()[-1])
    print(f"FashionMNIST train, ToTensor(), batch 64, {args.batches} batches, best of "
          f"{args.repeats}; {os.cpu_count()} CPUs")
    print(f"{'num_workers':>11}  {'torch img/s':>12}  {'jtorch img/s':>12}  {'jtorch/torch':>12}")
    for workers in (0, 2):
        t, j = results["torch", workers], results["jtorch", workers]
        print(f"{workers:>11}  {t:>12.0f}  {j:>12.0f}  {j / t:>12.2f}")


if __name__ == "__main__":
    main()
