"""Eager per-op overhead of `a + b` on small tensors: jtorch vs torch vs plain jax.numpy.

Run: python benchmarks/op_overhead.py
"""

from __future__ import annotations

import argparse
import time


def per_call_us(fn, repeats, warmup=200):
    for _ in range(warmup):
        fn()
    start = time.perf_counter()
    for _ in range(repeats):
        fn()
    return (time.perf_counter() - start) / repeats * 1e6


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20000)
    parser.add_argument("--size", type=int, default=4, help="tensors are size x size")
    args = parser.parse_args()

    import jax.numpy as jnp
    import numpy as np

    import jtorch

    values = np.random.default_rng(0).standard_normal((args.size, args.size), dtype=np.float32)
    rows = []
    a, b = jtorch.tensor(values), jtorch.tensor(values)
    rows.append(("jtorch a + b", per_call_us(lambda: a + b, args.repeats)))
    ga = jtorch.tensor(values, requires_grad=True)
    rows.append(("jtorch a + b (a requires grad)", per_call_us(lambda: ga + b, args.repeats)))
    ja, jb = jnp.asarray(values), jnp.asarray(values)
    rows.append(("jax.numpy a + b", per_call_us(lambda: ja + jb, args.repeats)))
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        ta, tb = torch.tensor(values), torch.tensor(values)
        rows.append(("torch a + b", per_call_us(lambda: ta + tb, args.repeats)))
    base = dict(rows).get("torch a + b")
    print(f"eager a + b on {args.size}x{args.size} float32, {args.repeats} calls")
    for name, us in rows:
        ratio = f"{us / base:6.1f}x torch" if base else ""
        print(f"  {name:34s} {us:8.2f} us/op  {ratio}")


if __name__ == "__main__":
    main()
