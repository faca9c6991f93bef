"""Train-step throughput: jtorch eager, jtorch compiled, torch eager, torch.compile, a
hand-written JAX + Optax step and a Flax NNX step, on the same workloads, timed interleaved.

Run from the repository root:

    python -m benchmarks.train_step [--workloads mlp_b64,lstm_b64] [--variants ...]
                                    [--steps 30] [--rounds 5] [--threads 1] [--json out.json]

Workloads: mlp_b64, mlp_b1024 (the quickstart MLP), cnn_b64 (the CIFAR10 "Tudui" CNN),
lstm_b64 (LSTM classifier, 28 steps, hidden 64), transformer_b32 (2-layer encoder, d=64),
resnet18_b8 (fwd+bwd at 224x224; slow on a CPU, so not in the default set: ask for it).
Every variant trains with SGD(lr=0.01) on cross-entropy. The torch-style variants and the
hand-written JAX twin start from the same weights (copied from torch); Flax NNX builds its own
model of the same architecture (NHWC convolutions, its own init): only its speed compares.

Threads are pinned fairly: `--threads N` sets torch.set_num_threads(N) and, before JAX starts,
XLA's CPU thread pool to N (default 1: the 2-core dev machine is shared). Each round runs
every variant for `--steps` steps, in a rotating order; the table shows medians over rounds.
Both clocks are kept: wall time, and the process CPU time, which is what to trust on a busy
machine (it does not count time spent waiting for a core; with one thread per library, CPU
time is wall time on an idle machine). The load average is printed with the numbers.

"first call" is the time until a variant runs at its steady-state speed: the first call for
torch/JAX/NNX/torch.compile (JAX and NNX compile there), the first three for jtorch compiled
(two eager calls that discover the state, then the call that traces and compiles), whose
tracing call alone is shown as "compile". Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

LR = 0.01
DEFAULT_WORKLOADS = "mlp_b64,mlp_b1024,cnn_b64,lstm_b64,transformer_b32"
VARIANTS = ("jtorch eager", "jtorch compiled", "torch eager", "torch.compile", "JAX + Optax",
            "Flax NNX")


def pin_threads(n):
    """Before jax/torch start: one intra-op pool of `n` threads for each library."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "intra_op_parallelism_threads" not in flags:
        eigen = "true" if n > 1 else "false"
        flags += f" --xla_cpu_multi_thread_eigen={eigen} intra_op_parallelism_threads={n}"
        os.environ["XLA_FLAGS"] = flags.strip()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(n))


# ---- workloads: a torch-style model builder for both libraries + a pure JAX twin -----------

def build_mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512),
                         nn.ReLU(), nn.Linear(512, 10))


def build_cnn(lib):
    """The CIFAR10 'Tudui' model from the seeds."""
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 64), nn.Linear(64, 10))


def build_lstm(lib):
    nn = lib.nn

    class LSTMClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.LSTM(input_size=28, hidden_size=64, num_layers=1, batch_first=True)
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            r_out, _ = self.rnn(x)
            return self.out(r_out[:, -1, :])
    return LSTMClassifier()


def build_transformer(lib):
    nn = lib.nn

    class TransformerClassifier(nn.Module):
        def __init__(self):
            super().__init__()
            layer = nn.TransformerEncoderLayer(64, 4, 128, dropout=0.0, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            return self.out(self.encoder(x).mean(1))
    return TransformerClassifier()


def build_resnet18(lib):
    """jtorch.vision.models.resnet18; for torch, torchvision's when it imports, else the same
    architecture and state_dict names written out here."""
    if lib.__name__ != "torch":
        from jtorch.vision import models
        return models.resnet18()
    try:
        import torchvision
        return torchvision.models.resnet18()
    except Exception:  # a torchvision built for another torch
        return _torch_resnet18(lib.nn)


def _torch_resnet18(nn):
    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.downsample = None
            if stride != 1 or cin != cout:
                self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                                nn.BatchNorm2d(cout))

        def forward(self, x):
            out = self.bn2(self.conv2(self.relu(self.bn1(self.conv1(x)))))
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(out + identity)

    class ResNet18(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            for i, (cin, cout, stride) in enumerate([(64, 64, 1), (64, 128, 2), (128, 256, 2),
                                                     (256, 512, 2)]):
                setattr(self, f"layer{i + 1}", nn.Sequential(BasicBlock(cin, cout, stride),
                                                             BasicBlock(cout, cout, 1)))
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(512, 1000)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(self.avgpool(x).flatten(1))
    return ResNet18()


WORKLOADS = {  # name: (builder, input shape)
    "mlp_b64": (build_mlp, (64, 1, 28, 28)),
    "mlp_b1024": (build_mlp, (1024, 1, 28, 28)),
    "cnn_b64": (build_cnn, (64, 3, 32, 32)),
    "lstm_b64": (build_lstm, (64, 28, 28)),
    "transformer_b32": (build_transformer, (32, 32, 64)),
    "resnet18_b8": (build_resnet18, (8, 3, 224, 224)),
}


def jax_forward(name):
    """The hand-written JAX twin of each workload on torch's parameter names and layouts:
    forward(params, buffers, x) -> (logits, new buffers)."""
    import jax
    import jax.numpy as jnp

    def linear(p, prefix, x):
        return x @ p[prefix + ".weight"].T + p[prefix + ".bias"]

    def conv(w, x, stride=1, padding=0):
        return jax.lax.conv_general_dilated(x, w, (stride, stride), [(padding, padding)] * 2,
                                            dimension_numbers=("NCHW", "OIHW", "NCHW"))

    def max_pool(x, size, stride, padding=0):
        pads = ((0, 0), (0, 0), (padding, padding), (padding, padding))
        return jax.lax.reduce_window(x, -jnp.inf, jax.lax.max, (1, 1, size, size),
                                     (1, 1, stride, stride), pads)

    def mlp(p, b, x):
        x = x.reshape(x.shape[0], -1)
        x = jax.nn.relu(linear(p, "1", x))
        x = jax.nn.relu(linear(p, "3", x))
        return linear(p, "5", x), b

    def cnn(p, b, x):
        for i in (0, 2, 4):
            x = conv(p[f"{i}.weight"], x, padding=2) + p[f"{i}.bias"][None, :, None, None]
            x = max_pool(x, 2, 2)
        x = x.reshape(x.shape[0], -1)
        return linear(p, "8", linear(p, "7", x)), b

    def lstm(p, b, x):
        w_ih, w_hh = p["rnn.weight_ih_l0"], p["rnn.weight_hh_l0"]
        bias = p["rnn.bias_ih_l0"] + p["rnn.bias_hh_l0"]
        h0 = jnp.zeros((x.shape[0], 64), x.dtype)

        def cell(carry, xt):
            h, c = carry
            gates = xt @ w_ih.T + h @ w_hh.T + bias
            i, f, g, o = jnp.split(gates, 4, axis=1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), h

        # the model reads r_out[:, -1] of the output sequence, as Flax's nnx.RNN returns it
        _, outputs = jax.lax.scan(cell, (h0, h0), jnp.swapaxes(x, 0, 1))
        return linear(p, "out", outputs[-1]), b

    def layer_norm(p, prefix, x):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / jnp.sqrt(var + 1e-5) * p[prefix + ".weight"] + p[prefix + ".bias"]

    def attention(p, prefix, x, heads=4):
        batch, seq, dim = x.shape
        qkv = x @ p[prefix + ".in_proj_weight"].T + p[prefix + ".in_proj_bias"]
        q, k, v = (t.reshape(batch, seq, heads, dim // heads).transpose(0, 2, 1, 3)
                   for t in jnp.split(qkv, 3, axis=-1))
        weights = jax.nn.softmax(q @ k.transpose(0, 1, 3, 2) / jnp.sqrt(dim // heads), -1)
        out = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, seq, dim)
        return linear(p, prefix + ".out_proj", out)

    def transformer(p, b, x):
        for i in range(2):
            pre = f"encoder.layers.{i}"
            x = layer_norm(p, pre + ".norm1", x + attention(p, pre + ".self_attn", x))
            ff = linear(p, pre + ".linear2", jax.nn.relu(linear(p, pre + ".linear1", x)))
            x = layer_norm(p, pre + ".norm2", x + ff)
        return linear(p, "out", x.mean(1)), b

    def batch_norm(p, b, prefix, x, new_b):
        mean = x.mean((0, 2, 3))
        var = x.var((0, 2, 3))
        n = x.size / x.shape[1]
        new_b[prefix + ".running_mean"] = 0.9 * b[prefix + ".running_mean"] + 0.1 * mean
        new_b[prefix + ".running_var"] = (0.9 * b[prefix + ".running_var"]
                                          + 0.1 * var * n / (n - 1))
        new_b[prefix + ".num_batches_tracked"] = b[prefix + ".num_batches_tracked"] + 1
        x = (x - mean[None, :, None, None]) / jnp.sqrt(var[None, :, None, None] + 1e-5)
        return x * p[prefix + ".weight"][None, :, None, None] + \
            p[prefix + ".bias"][None, :, None, None]

    def resnet18(p, b, x):
        new_b = {}
        x = jax.nn.relu(batch_norm(p, b, "bn1", conv(p["conv1.weight"], x, 2, 3), new_b))
        x = max_pool(x, 3, 2, 1)
        for layer in range(1, 5):
            for block in range(2):
                pre = f"layer{layer}.{block}"
                stride = 2 if layer > 1 and block == 0 else 1
                y = conv(p[pre + ".conv1.weight"], x, stride, 1)
                y = jax.nn.relu(batch_norm(p, b, pre + ".bn1", y, new_b))
                y = batch_norm(p, b, pre + ".bn2", conv(p[pre + ".conv2.weight"], y, 1, 1),
                               new_b)
                if pre + ".downsample.0.weight" in p:
                    x = batch_norm(p, b, pre + ".downsample.1",
                                   conv(p[pre + ".downsample.0.weight"], x, stride), new_b)
                x = jax.nn.relu(x + y)
        return linear(p, "fc", x.mean((2, 3))), new_b

    return {"mlp": mlp, "cnn": cnn, "lstm": lstm, "transformer": transformer,
            "resnet18": resnet18}[name.split("_")[0]]


def nnx_model(name):
    """The same architecture in Flax NNX (its own init and layouts: NHWC convolutions)."""
    import jax
    import jax.numpy as jnp
    from flax import nnx
    rngs = nnx.Rngs(0)
    kind = name.split("_")[0]

    def pool(x, size=2, stride=2, padding="VALID"):
        return nnx.max_pool(x, (size, size), (stride, stride), padding)

    class MLP(nnx.Module):
        def __init__(self):
            self.l1, self.l2 = nnx.Linear(784, 512, rngs=rngs), nnx.Linear(512, 512, rngs=rngs)
            self.l3 = nnx.Linear(512, 10, rngs=rngs)

        def __call__(self, x):
            x = x.reshape(x.shape[0], -1)
            return self.l3(jax.nn.relu(self.l2(jax.nn.relu(self.l1(x)))))

    class CNN(nnx.Module):
        def __init__(self):
            self.c1 = nnx.Conv(3, 32, (5, 5), padding=2, rngs=rngs)
            self.c2 = nnx.Conv(32, 32, (5, 5), padding=2, rngs=rngs)
            self.c3 = nnx.Conv(32, 64, (5, 5), padding=2, rngs=rngs)
            self.l1, self.l2 = nnx.Linear(1024, 64, rngs=rngs), nnx.Linear(64, 10, rngs=rngs)

        def __call__(self, x):  # NHWC
            x = pool(self.c3(pool(self.c2(pool(self.c1(x))))))
            return self.l2(self.l1(x.reshape(x.shape[0], -1)))

    class LSTM(nnx.Module):
        def __init__(self):
            self.rnn = nnx.RNN(nnx.OptimizedLSTMCell(28, 64, rngs=rngs))
            self.out = nnx.Linear(64, 10, rngs=rngs)

        def __call__(self, x):
            return self.out(self.rnn(x)[:, -1])

    class EncoderLayer(nnx.Module):
        def __init__(self):
            self.attn = nnx.MultiHeadAttention(4, 64, decode=False, rngs=rngs)
            self.n1, self.n2 = nnx.LayerNorm(64, rngs=rngs), nnx.LayerNorm(64, rngs=rngs)
            self.l1, self.l2 = nnx.Linear(64, 128, rngs=rngs), nnx.Linear(128, 64, rngs=rngs)

        def __call__(self, x):
            x = self.n1(x + self.attn(x))
            return self.n2(x + self.l2(jax.nn.relu(self.l1(x))))

    class Transformer(nnx.Module):
        def __init__(self):
            self.layers = nnx.List([EncoderLayer(), EncoderLayer()])
            self.out = nnx.Linear(64, 10, rngs=rngs)

        def __call__(self, x):
            for layer in self.layers:
                x = layer(x)
            return self.out(x.mean(1))

    class Block(nnx.Module):
        def __init__(self, cin, cout, stride):
            self.c1 = nnx.Conv(cin, cout, (3, 3), (stride, stride), padding=1, use_bias=False,
                               rngs=rngs)
            self.b1 = nnx.BatchNorm(cout, momentum=0.9, rngs=rngs)
            self.c2 = nnx.Conv(cout, cout, (3, 3), padding=1, use_bias=False, rngs=rngs)
            self.b2 = nnx.BatchNorm(cout, momentum=0.9, rngs=rngs)
            self.down = nnx.data(None)
            if stride != 1 or cin != cout:
                self.down = nnx.data(nnx.Conv(cin, cout, (1, 1), (stride, stride),
                                              use_bias=False, rngs=rngs))
                self.down_bn = nnx.BatchNorm(cout, momentum=0.9, rngs=rngs)

        def __call__(self, x):
            y = self.b2(self.c2(jax.nn.relu(self.b1(self.c1(x)))))
            if self.down is not None:
                x = self.down_bn(self.down(x))
            return jax.nn.relu(x + y)

    class ResNet18(nnx.Module):
        def __init__(self):
            self.conv = nnx.Conv(3, 64, (7, 7), (2, 2), padding=3, use_bias=False, rngs=rngs)
            self.bn = nnx.BatchNorm(64, momentum=0.9, rngs=rngs)
            widths = [(64, 64, 1), (64, 64, 1), (64, 128, 2), (128, 128, 1), (128, 256, 2),
                      (256, 256, 1), (256, 512, 2), (512, 512, 1)]
            self.blocks = nnx.List([Block(*w) for w in widths])
            self.fc = nnx.Linear(512, 1000, rngs=rngs)

        def __call__(self, x):
            x = pool(jax.nn.relu(self.bn(self.conv(x))), 3, 2, ((1, 1), (1, 1)))
            for block in self.blocks:
                x = block(x)
            return self.fc(jnp.mean(x, (1, 2)))

    return {"mlp": MLP, "cnn": CNN, "lstm": LSTM, "transformer": Transformer,
            "resnet18": ResNet18}[kind]()


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


def _cross_entropy(logits, y):
    import jax
    import jax.numpy as jnp
    return -jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1).mean()


def make_variants(name, state, x_np, y_np, wanted, notes):
    """{label: step callable} for the variants in `wanted` that work here."""
    import jax
    import jax.numpy as jnp
    import optax

    import jtorch
    build, _ = WORKLOADS[name]
    variants = {}
    jx, jy = jtorch.tensor(x_np), jtorch.tensor(y_np)

    def jtorch_model():
        model = build(jtorch)
        model.load_state_dict({k: jtorch.tensor(v) for k, v in state.items()})
        return model

    if "jtorch eager" in wanted:
        variants["jtorch eager"] = torch_like_step(jtorch, jtorch_model(), jx, jy)
    if "jtorch compiled" in wanted:
        variants["jtorch compiled"] = jtorch.compile(
            torch_like_step(jtorch, jtorch_model(), jx, jy))

    if {"torch eager", "torch.compile"} & set(wanted):
        try:
            import torch
        except ImportError:
            torch = None
            notes.append("torch is not installed: no torch variants")
        if torch is not None:
            def torch_step():
                model = build(torch)
                model.load_state_dict({k: torch.tensor(v) for k, v in state.items()})
                return torch_like_step(torch, model, torch.tensor(x_np), torch.tensor(y_np))
            if "torch eager" in wanted:
                variants["torch eager"] = torch_step()
            if "torch.compile" in wanted:
                variants["torch.compile"] = torch.compile(torch_step())

    if "JAX + Optax" in wanted:
        forward = jax_forward(name)
        is_buffer = {k for k in state if "running_" in k or "num_batches" in k}
        params = {k: jnp.asarray(v) for k, v in state.items() if k not in is_buffer}
        buffers = {k: jnp.asarray(v) for k, v in state.items() if k in is_buffer}
        tx = optax.sgd(LR)
        xj, yj = jnp.asarray(x_np), jnp.asarray(y_np)

        def loss_fn(p, b, x, y):
            logits, new_b = forward(p, b, x)
            return _cross_entropy(logits, y), new_b

        @jax.jit
        def jax_step(p, b, s, x, y):
            (loss, b), grads = jax.value_and_grad(loss_fn, has_aux=True)(p, b, x, y)
            updates, s = tx.update(grads, s, p)
            return optax.apply_updates(p, updates), b, s, loss

        held = [params, buffers, tx.init(params)]

        def run_jax():
            held[0], held[1], held[2], loss = jax_step(*held, xj, yj)
            return loss
        variants["JAX + Optax"] = run_jax

    if "Flax NNX" in wanted:
        try:
            from flax import nnx
        except ImportError:
            nnx = None
            notes.append("flax is not installed: no Flax NNX variant")
        if nnx is not None:
            model = nnx_model(name)
            optimizer = nnx.Optimizer(model, optax.sgd(LR), wrt=nnx.Param)
            x_nnx = x_np.transpose(0, 2, 3, 1) if x_np.ndim == 4 else x_np  # NHWC
            xn, yn = jnp.asarray(x_nnx), jnp.asarray(y_np)

            @nnx.jit
            def nnx_step(model, optimizer, x, y):
                loss, grads = nnx.value_and_grad(lambda m: _cross_entropy(m(x), y))(model)
                optimizer.update(model, grads)
                return loss

            variants["Flax NNX"] = lambda: nnx_step(model, optimizer, xn, yn)
    return variants


def _block(result):
    if hasattr(result, "block_until_ready"):
        result.block_until_ready()
    elif hasattr(result, "_array"):
        result._array.block_until_ready()
    else:
        float(result.detach())


def _loss_value(result):
    return float(result.detach()) if hasattr(result, "detach") else float(result)


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return value, time.perf_counter() - wall, time.process_time() - cpu


def _load():
    try:
        return os.getloadavg()[0]
    except OSError:
        return float("nan")


def warm_up(label, step, notes):
    """Run `step` until it is at steady-state speed; returns (first call s, compile s)."""
    calls = 3 if label == "jtorch compiled" else 1
    start = time.perf_counter()
    compile_s = None
    try:
        for i in range(calls):
            t = time.perf_counter()
            _block(step())
            if i == calls - 1 and calls > 1:
                compile_s = time.perf_counter() - t
    except Exception as exc:  # torch.compile without a working toolchain, ...
        notes.append(f"{label}: skipped ({type(exc).__name__}: {str(exc).splitlines()[0]})")
        return None
    return time.perf_counter() - start, compile_s


def run_workload(name, args, wanted, progress):
    import numpy as np
    build, shape = WORKLOADS[name]
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal(shape).astype(np.float32)
    y_np = rng.integers(0, 10, shape[0]).astype(np.int64)
    try:
        import torch
        reference = build(torch)
    except ImportError:
        import jtorch
        reference = build(jtorch)
    state = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    notes = []
    variants = make_variants(name, state, x_np, y_np, wanted, notes)
    first = {}
    for label in list(variants):
        timing = warm_up(label, variants[label], notes)
        if timing is None:
            del variants[label]
        else:
            first[label] = timing
    labels = list(variants)
    wall = {label: [] for label in labels}
    cpu = {label: [] for label in labels}
    loads = [_load()]
    for r in range(args.rounds):
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            step = variants[label]

            def run(step=step):
                for _ in range(args.steps):
                    result = step()
                _block(result)
                return result
            result, w, c = _timed(run)
            wall[label].append(w / args.steps)
            cpu[label].append(c / args.steps)
            progress.update(1)
        loads.append(_load())
    losses = {label: _loss_value(variants[label]()) for label in labels}
    compiled = variants.get("jtorch compiled")
    return {
        "seconds_per_step_wall": {k: statistics.median(v) for k, v in wall.items()},
        "seconds_per_step_cpu": {k: statistics.median(v) for k, v in cpu.items()},
        "first_call_s": {k: v[0] for k, v in first.items()},
        "jtorch_compile_call_s": first.get("jtorch compiled", (None, None))[1],
        "final_loss": losses,
        "jtorch_compile_stats": None if compiled is None else {
            "traces": compiled.stats.traces, "eager_calls": compiled.stats.eager_calls,
            "recompile_reasons": compiled.stats.recompile_reasons},
        "load_average": loads,
        "notes": notes,
    }


def print_table(name, result):
    wall, cpu = result["seconds_per_step_wall"], result["seconds_per_step_cpu"]
    loads = result["load_average"]
    print(f"\n{name}  (load average {min(loads):.1f}-{max(loads):.1f}; ratios > 1: faster)")
    print(f"  {'variant':16s} {'steps/s':>8s} {'vs torch':>9s} {'vs JAX':>7s} {'cpu:vs torch':>13s}"
          f" {'vs JAX':>7s} {'first call':>11s}")

    def ratio(table, other, label):
        return table[other] / table[label] if other in table else float("nan")

    for label in wall:
        extra = ""
        if label == "jtorch compiled" and result["jtorch_compile_call_s"] is not None:
            extra = f" (compile {result['jtorch_compile_call_s']:.2f} s)"
        print(f"  {label:16s} {1 / wall[label]:8.1f} {ratio(wall, 'torch eager', label):8.2f}x "
              f"{ratio(wall, 'JAX + Optax', label):6.2f}x "
              f"{ratio(cpu, 'torch eager', label):12.2f}x {ratio(cpu, 'JAX + Optax', label):6.2f}x "
              f"{result['first_call_s'][label]:9.2f} s{extra}")
    stats = result["jtorch_compile_stats"]
    if stats is not None:
        print(f"  jtorch.compile: {stats['traces']} trace(s), {stats['eager_calls']} eager calls")
    for note in result["notes"]:
        print(f"  note: {note}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workloads", default=DEFAULT_WORKLOADS,
                        help=f"comma-separated, from {', '.join(WORKLOADS)}")
    parser.add_argument("--variants", default=",".join(VARIANTS),
                        help="comma-separated, from: " + ", ".join(VARIANTS))
    parser.add_argument("--steps", type=int, default=30, help="steps per variant per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", default=None, help="write the results here")
    args = parser.parse_args(argv)
    pin_threads(args.threads)
    names = args.workloads.split(",")
    wanted = [v.strip() for v in args.variants.split(",")]
    for name in names:
        if name not in WORKLOADS:
            parser.error(f"unknown workload {name!r}")
    try:
        import torch
        torch.set_num_threads(args.threads)
        torch.set_num_interop_threads(args.threads)
    except (ImportError, RuntimeError):
        pass
    try:
        from tqdm import tqdm
    except ImportError:
        tqdm = None
    import jax
    results = {"device": str(jax.devices()[0]), "threads": args.threads, "steps": args.steps,
               "rounds": args.rounds, "workloads": {}}
    total = len(names) * args.rounds * len(wanted)
    progress = tqdm(total=total, leave=False, file=sys.stderr) if tqdm else _NoProgress()
    for name in names:
        progress.set_description(name)
        result = run_workload(name, args, wanted, progress)
        results["workloads"][name] = result
        progress.clear()
        print_table(name, result)
        sys.stdout.flush()
    progress.close()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    return results


class _NoProgress:
    def update(self, n):
        pass

    def set_description(self, text):
        print(text, "...", file=sys.stderr)

    def clear(self):
        pass

    def close(self):
        pass


if __name__ == "__main__":
    main()
