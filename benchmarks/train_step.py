"""Train-step throughput: jtorch eager, jtorch compiled, torch eager and a hand-written
JAX + Optax step, on the same workloads, timed interleaved in one run.

Run: python benchmarks/train_step.py [--workloads mlp_b64,mlp_b1024,cnn_b64,lstm_b64]
                                     [--steps 50] [--rounds 5] [--json results.json]

Every variant starts from the same weights (copied from torch, or from jtorch when torch is
absent) and runs SGD(lr=0.01) on cross-entropy. Prints steps/s, ratios to torch eager and to
the hand-written JAX step, and first-call compile times. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np

LR = 0.01


# ---- workloads: a torch-style model builder for both libraries + a pure JAX twin -----------

def build_mlp(nn):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                         nn.ReLU(), nn.Linear(512, 10))


def build_cnn(nn):
    """The CIFAR10 'Tudui' model from the seeds."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 64), nn.Linear(64, 10))


def build_lstm(nn):
    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(input_size=28, hidden_size=64, num_layers=1, batch_first=True)
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            r_out, _ = self.rnn(x)
            return self.out(r_out[:, -1, :])
    return LSTMClassifier()


WORKLOADS = {
    "mlp_b64": (build_mlp, (64, 1, 28, 28)),
    "mlp_b1024": (build_mlp, (1024, 1, 28, 28)),
    "cnn_b64": (build_cnn, (64, 3, 32, 32)),
    "lstm_b64": (build_lstm, (64, 28, 28)),
}


def jax_forward(name):
    """The hand-written JAX twin of each workload, on torch's parameter names/layouts."""
    import jax
    import jax.numpy as jnp

    def linear(p, prefix, x):
        return x @ p[prefix + ".weight"].T + p[prefix + ".bias"]

    def conv(p, prefix, x):
        y = jax.lax.conv_general_dilated(x, p[prefix + ".weight"], (1, 1), [(2, 2), (2, 2)],
                                         dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return y + p[prefix + ".bias"][None, :, None, None]

    def pool(x):
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, 2, 2), (1, 1, 2, 2),
                                     "VALID")

    def mlp(p, x):
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(linear(p, "1", x))
        x = jax.nn.relu(linear(p, "3", x))
        return linear(p, "5", x)

    def cnn(p, x):
        x = pool(conv(p, "0", x))
        x = pool(conv(p, "2", x))
        x = pool(conv(p, "4", x))
        x = x.reshape(x.shape[0], -1)
        return linear(p, "8", linear(p, "7", x))

    def lstm(p, x):
        w_ih, w_hh = p["rnn.weight_ih_l0"], p["rnn.weight_hh_l0"]
        b = p["rnn.bias_ih_l0"] + p["rnn.bias_hh_l0"]
        batch = x.shape[0]
        h0 = jnp.zeros((batch, 64), x.dtype)

        def cell(carry, xt):
            h, c = carry
            gates = xt @ w_ih.T + h @ w_hh.T + b
            i, f, g, o = jnp.split(gates, 4, axis=1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), h

        (h, _), _ = jax.lax.scan(cell, (h0, h0), jnp.swapaxes(x, 0, 1))
        return linear(p, "out", h)

    return {"mlp_b64": mlp, "mlp_b1024": mlp, "cnn_b64": cnn, "lstm_b64": lstm}[name]


# ---- variants ---------------------------------------------------------------------------------

def torch_like_step(lib, model, x, y):
    optimizer = lib.optim.SGD(model.parameters(), lr=LR)
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss
    return step


def make_variants(name, state, x_np, y_np, with_torch):
    import jax
    import jax.numpy as jnp
    import optax

    import jtorch
    build, _ = WORKLOADS[name]
    variants = {}

    jmodel = build(jtorch.nn)
    jmodel.load_state_dict({k: jtorch.tensor(v) for k, v in state.items()})
    jx, jy = jtorch.tensor(x_np), jtorch.tensor(y_np)
    variants["jtorch eager"] = (torch_like_step(jtorch, jmodel, jx, jy), None)

    cmodel = build(jtorch.nn)
    cmodel.load_state_dict({k: jtorch.tensor(v) for k, v in state.items()})
    compiled = jtorch.compile(torch_like_step(jtorch, cmodel, jx, jy))
    variants["jtorch compiled"] = (compiled, lambda c=compiled: c.stats)

    if with_torch:
        import torch
        tmodel = build(torch.nn)
        tmodel.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
        variants["torch eager"] = (torch_like_step(torch, tmodel, torch.tensor(x_np),
                                                   torch.tensor(y_np)), None)

    forward = jax_forward(name)
    params = {k: jnp.asarray(v) for k, v in state.items()}
    tx = optax.sgd(LR)
    opt_state = tx.init(params)
    xj, yj = jnp.asarray(x_np), jnp.asarray(y_np)

    def loss_fn(p, x, y):
        logits = forward(p, x)
        return -jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1).mean()

    @jax.jit
    def jax_step(p, s, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(p, x, y)
        updates, s = tx.update(grads, s, p)
        return optax.apply_updates(p, updates), s, loss

    holder = {"p": params, "s": opt_state}

    def run_jax():
        holder["p"], holder["s"], loss = jax_step(holder["p"], holder["s"], xj, yj)
        return loss
    variants["JAX + Optax"] = (run_jax, None)
    return variants


def _block(result):
    if hasattr(result, "block_until_ready"):
        result.block_until_ready()
    elif hasattr(result, "_array"):
        result._array.block_until_ready()
    else:
        float(result)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=",".join(WORKLOADS))
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    try:
        import torch
        torch.set_num_threads(max(1, torch.get_num_threads()))
        with_torch = True
    except ImportError:
        torch, with_torch = None, False
    from tqdm import tqdm

    import jtorch
    results = {}
    names = args.workloads.split(",")
    for name in names:
        build, shape = WORKLOADS[name]
        rng = np.random.default_rng(0)
        x_np = rng.standard_normal(shape).astype(np.float32)
        y_np = rng.integers(0, 10, shape[0]).astype(np.int64)
        ref = build(torch.nn) if with_torch else build(jtorch.nn)
        state = {k: v.detach().numpy() for k, v in ref.state_dict().items()}
        variants = make_variants(name, state, x_np, y_np, with_torch)
        first_call = {}
        for label, (step, _) in variants.items():
            start = time.perf_counter()
            _block(step())
            _block(step())  # jtorch.compile traces on its second call
            first_call[label] = time.perf_counter() - start
        samples = {label: [] for label in variants}
        for _ in tqdm(range(args.rounds), desc=name, leave=False):
            for label, (step, _) in variants.items():
                start = time.perf_counter()
                for _ in range(args.steps):
                    result = step()
                _block(result)
                samples[label].append((time.perf_counter() - start) / args.steps)
        median = {label: statistics.median(s) for label, s in samples.items()}
        results[name] = {"seconds_per_step": median, "first_two_calls_s": first_call}
        print(f"\n{name}: steps/s (ratio to torch eager | ratio to JAX + Optax; >1 is faster)")
        for label, sec in median.items():
            vs_torch = median.get("torch eager", float("nan")) / sec
            vs_jax = median["JAX + Optax"] / sec
            print(f"  {label:16s} {1 / sec:9.1f}   {vs_torch:6.2f}x | {vs_jax:6.2f}x   "
                  f"(first two calls {first_call[label]:.2f} s)")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
