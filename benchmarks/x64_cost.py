"""What enabling JAX's 64-bit mode (jtorch's choice, for int64/float64) costs on the
FashionMNIST quickstart MLP (784-512-512-10, batch 64, SGD): one jit-compiled train step in
plain JAX, timed with x64 off and on (each in a fresh process), float32 weights, int64 labels
when x64 is on (torch's label dtype), int32 otherwise.

Run: python benchmarks/x64_cost.py [--steps 300]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

_CHILD = r"""
import json, sys, time
import jax
jax.config.update("jax_enable_x64", sys.argv[1] == "on")
import jax.numpy as jnp
import numpy as np

steps = int(sys.argv[2])
rng = np.random.default_rng(0)
def layer(i, o):
    bound = 1 / np.sqrt(i)
    return (jnp.asarray(rng.uniform(-bound, bound, (o, i)), jnp.float32),
            jnp.asarray(rng.uniform(-bound, bound, (o,)), jnp.float32))
params = [layer(784, 512), layer(512, 512), layer(512, 10)]
x = jnp.asarray(rng.random((64, 784)), jnp.float32)
label_dtype = jnp.int64 if sys.argv[1] == "on" else jnp.int32
y = jnp.asarray(rng.integers(0, 10, 64), label_dtype)

def loss_fn(params, x, y):
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w.T + b
        if i < len(params) - 1:
            h = jax.nn.relu(h)
    logp = jax.nn.log_softmax(h)
    return -jnp.take_along_axis(logp, y[:, None], axis=1).mean()

@jax.jit
def step(params, x, y):
    loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
    return jax.tree.map(lambda p, g: p - 1e-3 * g, params, grads), loss

params, loss = step(params, x, y)
loss.block_until_ready()
start = time.perf_counter()
for _ in range(steps):
    params, loss = step(params, x, y)
loss.block_until_ready()
print(json.dumps({"us_per_step": (time.perf_counter() - start) / steps * 1e6}))
"""


def run(mode, steps):
    out = subprocess.run([sys.executable, "-c", _CHILD, mode, str(steps)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["us_per_step"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    off = min(run("off", args.steps) for _ in range(args.rounds))
    on = min(run("on", args.steps) for _ in range(args.rounds))
    print(f"quickstart MLP train step, jit, best of {args.rounds} x {args.steps} steps:")
    print(f"  x64 off: {off:8.1f} us/step")
    print(f"  x64 on : {on:8.1f} us/step   ({(on / off - 1) * 100:+.1f}%)")


if __name__ == "__main__":
    main()
