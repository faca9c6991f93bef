"""Eager cost of one `optimizer.step()` on the quickstart MLP's parameters (Linear(784, 512),
ReLU, Linear(512, 512), ReLU, Linear(512, 10): 669,706 floats in 6 tensors): jtorch vs torch,
and a hand-written jax.jit(optax update) as the ceiling. SGD with momentum and Adam.

jtorch runs one cached XLA program per param group per step (plus the in-place rebinding of
each parameter and state tensor); JAX dispatches asynchronously, so jtorch and JAX are timed
over `--repeats` steps with one wait at the end (the throughput a training loop sees).
The first step's compile time is printed separately. torch is timed with its default
intra-op thread count (the ratio's base) and with one thread, which is steadier on a busy
machine (OpenMP threads spin-wait for each other).

Run: python benchmarks/optimizer_step.py
"""

from __future__ import annotations

import argparse
import os
import time

SHAPES = [(512, 784), (512,), (512, 512), (512,), (10, 512), (10,)]
OPTIMIZERS = {"SGD momentum": ("SGD", {"lr": 1e-3, "momentum": 0.9}),
              "Adam": ("Adam", {"lr": 1e-3})}


def per_step_us(step, repeats, sync=lambda: None, warmup=20):
    for _ in range(warmup):
        step()
    sync()
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    sync()
    return (time.perf_counter() - start) / repeats * 1e6


def jtorch_step(name, kwargs, values, grads):
    import jax

    import jtorch
    import jtorch.optim

    params = [jtorch.nn.Parameter(jtorch.tensor(v)) for v in values]
    for p, g in zip(params, grads):
        p.grad = jtorch.tensor(g)
    opt = getattr(jtorch.optim, name)(params, **kwargs)
    start = time.perf_counter()
    opt.step()
    jax.block_until_ready([p._raw for p in params])
    compile_s = time.perf_counter() - start
    return opt.step, lambda: jax.block_until_ready([p._raw for p in params]), compile_s


def torch_step(name, kwargs, values, grads):
    import torch

    params = [torch.nn.Parameter(torch.tensor(v)) for v in values]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    return getattr(torch.optim, name)(params, **kwargs).step


def jax_step(name, kwargs, values, grads):
    """The ceiling: optax's own optimizer under jax.jit, params and state donated."""
    import jax
    import optax

    tx = (optax.sgd(kwargs["lr"], momentum=kwargs["momentum"]) if name == "SGD"
          else optax.adam(kwargs["lr"]))
    params = [jax.numpy.asarray(v) for v in values]
    grads = [jax.numpy.asarray(g) for g in grads]
    state = {"params": params, "opt": tx.init(params)}

    @jax.jit
    def update(params, opt_state, grads):
        updates, opt_state = tx.update(grads, opt_state, params)
        return optax.apply_updates(params, updates), opt_state

    update = jax.jit(update.__wrapped__, donate_argnums=(0, 1))

    def step():
        state["params"], state["opt"] = update(state["params"], state["opt"], grads)

    return step, lambda: jax.block_until_ready(state["params"])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()

    import numpy as np

    rng = np.random.default_rng(0)
    values = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in SHAPES]
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-3 for s in SHAPES]
    try:
        import torch
        threads = torch.get_num_threads()
    except ImportError:
        torch = None

    print(f"one optimizer.step() on the quickstart MLP ({sum(v.size for v in values):,} "
          f"float32 parameters in {len(values)} tensors), {args.repeats} steps; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    for label, (name, kwargs) in OPTIMIZERS.items():
        step, sync, compile_s = jtorch_step(name, kwargs, values, grads)
        rows = [("jtorch", per_step_us(step, args.repeats, sync))]
        if torch is not None:
            for n in sorted({threads, 1}, reverse=True):
                torch.set_num_threads(n)
                rows.append((f"torch ({n} thread{'s' if n > 1 else ''})", per_step_us(
                    torch_step(name, kwargs, values, grads), args.repeats)))
            torch.set_num_threads(threads)
        step, sync = jax_step(name, kwargs, values, grads)
        rows.append(("jax.jit(optax), donated", per_step_us(step, args.repeats, sync)))
        base = rows[1][1] if torch is not None else None
        print(f"{label} (jtorch first step incl. compile: {compile_s:.2f} s)")
        for who, us in rows:
            ratio = f"{us / base:6.2f}x torch" if base else ""
            print(f"  {who:26s} {us:9.1f} us/step  {ratio}")


if __name__ == "__main__":
    main()
