"""save/load throughput of a ~100 MB state_dict: jtorch vs torch (MB/s).

Run: python benchmarks/serialization.py [--mb 100] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    import jtorch
    n_tensors = 20
    per_tensor = args.mb * 2**20 // 4 // n_tensors
    rng = np.random.default_rng(0)
    arrays = {f"layer{i}.weight": rng.standard_normal(per_tensor, dtype=np.float32)
              for i in range(n_tensors)}
    size_mb = sum(a.nbytes for a in arrays.values()) / 2**20
    libraries = [("jtorch", jtorch)]
    try:
        import torch
        libraries.append(("torch", torch))
    except ImportError:
        pass
    print(f"state_dict of {n_tensors} float32 tensors, {size_mb:.0f} MB, best of "
          f"{args.repeats}")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "sd.pth")
        for name, lib in libraries:
            state = {k: lib.tensor(v) for k, v in arrays.items()}
            save_s = best_of(lambda lib=lib, state=state: lib.save(state, path), args.repeats)
            load_s = best_of(lambda lib=lib: lib.load(path), args.repeats)
            print(f"  {name:7s} save {size_mb / save_s:8.0f} MB/s   load {size_mb / load_s:8.0f} "
                  "MB/s")


if __name__ == "__main__":
    main()
