"""Checks that need several devices, run in a subprocess whose JAX has 8 CPU devices
(test_distributed_multidevice.py sets XLA_FLAGS=--xla_force_host_platform_device_count=8
before this imports jax). `python _multidevice_worker.py NAME...` runs the named checks and
prints one JSON line {name: "ok" | traceback}.
"""

import copy
import io
import json
import sys
import time
import traceback

import jax
import numpy as np
from jax.sharding import NamedSharding, PartitionSpec

import jtorch as torch
import jtorch.distributed as dist
from jtorch import nn
from jtorch.distributed.tensor import (
    DTensor,
    Partial,
    Replicate,
    Shard,
    distribute_module,
    distribute_tensor,
    init_device_mesh,
)
from jtorch.nn.parallel import DataParallel, DistributedDataParallel

N_DEVICES = 8
CHECKS = {}


def check(fn):
    CHECKS[fn.__name__] = fn
    return fn


# ---- models and training ----------------------------------------------------------------------

class QuickstartMLP(nn.Module):
    """The quickstart's NeuralNetwork."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
            nn.Linear(512, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


def tudui_cnn():
    """The CIFAR10 'Tudui' model of the seeds."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 5, padding=2), nn.MaxPool2d(2), nn.Conv2d(32, 32, 5, padding=2),
        nn.MaxPool2d(2), nn.Conv2d(32, 64, 5, padding=2), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(64 * 4 * 4, 64), nn.Linear(64, 10))


def small_cnn():
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(8 * 8 * 8, 10))


def batches(shape, n, seed=0):
    rng = np.random.default_rng(seed)
    return [(torch.tensor(rng.standard_normal(shape).astype(np.float32)),
             torch.tensor(rng.integers(0, 10, shape[0]))) for _ in range(n)]


def make_step(model, lr=1e-2, momentum=0.0):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)

    def train_step(X, y):
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        return loss
    return train_step


def train(model, data, compiled=False, **kw):
    step = make_step(model, **kw)
    if compiled:
        step = torch.compile(step)
    losses = [step(X, y).item() for X, y in data]
    return losses, step


def params(model):
    return [np.asarray(p._array) for p in model.parameters()]


def assert_same_training(reference, other, ref_losses, losses, atol=1e-5):
    np.testing.assert_allclose(losses, ref_losses, rtol=1e-5, atol=1e-6)
    for a, b in zip(params(reference), params(other)):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=atol)


def assert_replicated_over_all(model):
    for p in model.parameters():
        sharding = p._array.sharding
        assert isinstance(sharding, NamedSharding), sharding
        assert sharding.is_fully_replicated and len(sharding.device_set) == N_DEVICES, sharding


def program_input_shardings(compiled_step):
    (program,) = compiled_step._programs.values()
    shardings = program.jitted.lower(*program.example).compile().input_shardings[0]
    lrs, key, args = shardings[4]  # (donated state, donated grads, kept state, kept grads, rest)
    return args


# ---- DataParallel / DistributedDataParallel ---------------------------------------------------

@check
def dataparallel_mlp_eager_equals_single_device():
    torch.manual_seed(0)
    base = QuickstartMLP()
    data = batches((64, 1, 28, 28), 3)
    reference = copy.deepcopy(base)
    ref_losses, _ = train(reference, data)
    model = DataParallel(copy.deepcopy(base))
    assert model.device_ids == list(range(N_DEVICES)) and model.output_device == 0
    losses, _ = train(model, data)
    assert_same_training(reference, model.module, ref_losses, losses)
    assert_replicated_over_all(model.module)
    out = model(data[0][0])  # gathered to the output device, as torch
    assert out._array.sharding.device_set == {jax.devices()[0]}
    assert list(model.state_dict()) == ["module." + k for k in base.state_dict()]


@check
def dataparallel_mlp_compiled_equals_single_device_and_shards_the_batch():
    torch.manual_seed(0)
    base = QuickstartMLP()
    data = batches((64, 1, 28, 28), 4)
    reference = copy.deepcopy(base)
    ref_losses, _ = train(reference, data)
    model = DataParallel(copy.deepcopy(base))
    losses, step = train(model, data, compiled=True)
    assert step.stats.traces == 1 and step.stats.eager_calls == 2, step.stats
    assert_same_training(reference, model.module, ref_losses, losses)
    assert_replicated_over_all(model.module)
    X_sharding, y_sharding = program_input_shardings(step)  # XLA placed the batch split
    assert len(X_sharding.device_set) == N_DEVICES, X_sharding
    assert X_sharding.shard_shape((64, 1, 28, 28)) == (64 // N_DEVICES, 1, 28, 28), X_sharding


@check
def ddp_mlp_compiled_with_sharded_inputs_keeps_them_sharded():
    dist.init_process_group("gloo")
    try:
        torch.manual_seed(0)
        base = QuickstartMLP()
        data = batches((64, 1, 28, 28), 4)
        reference = copy.deepcopy(base)
        ref_losses, _ = train(reference, data, momentum=0.9)
        model = DistributedDataParallel(copy.deepcopy(base))
        mesh = init_device_mesh("cpu", (N_DEVICES,), mesh_dim_names=("dp",))
        sharded = [(distribute_tensor(X, mesh, [Shard(0)]), distribute_tensor(y, mesh, [Shard(0)]))
                   for X, y in data]
        for X, _ in sharded:
            assert X._array.sharding.spec == PartitionSpec("dp")
            assert len(X._array.sharding.device_set) == N_DEVICES
        losses, step = train(model, sharded, compiled=True, momentum=0.9)
        assert step.stats.traces == 1, step.stats
        assert_same_training(reference, model.module, ref_losses, losses)
        assert_replicated_over_all(model.module)
        for X, y in sharded:  # the inputs stay where they were put (no host round trip)
            assert X._array.sharding.spec == y._array.sharding.spec == PartitionSpec("dp")
        X_sharding, _ = program_input_shardings(step)
        assert X_sharding.spec == PartitionSpec("dp"), X_sharding
    finally:
        dist.destroy_process_group()


@check
def small_cnn_dataparallel_and_ddp_compiled_equal_single_device():
    torch.manual_seed(0)
    base = small_cnn()
    data = batches((16, 3, 16, 16), 3)
    reference = copy.deepcopy(base)
    ref_losses, _ = train(reference, data)
    model = DataParallel(copy.deepcopy(base))
    losses, step = train(model, data, compiled=True)
    assert step.stats.traces == 1
    assert_same_training(reference, model.module, ref_losses, losses)
    dist.init_process_group("gloo")
    try:
        model = DistributedDataParallel(copy.deepcopy(base))
        losses, step = train(model, data, compiled=True)
        assert_same_training(reference, model.module, ref_losses, losses)
        assert_replicated_over_all(model.module)
    finally:
        dist.destroy_process_group()


@check
def slow_tudui_cnn_ddp_eager_and_dataparallel_compiled_equal_single_device():
    torch.manual_seed(0)
    base = tudui_cnn()
    data = batches((16, 3, 32, 32), 3)
    reference = copy.deepcopy(base)
    ref_losses, _ = train(reference, data)
    model = DataParallel(copy.deepcopy(base))
    losses, _ = train(model, data, compiled=True)
    assert_same_training(reference, model.module, ref_losses, losses)
    dist.init_process_group("gloo")
    try:
        model = DistributedDataParallel(copy.deepcopy(base))
        losses, _ = train(model, data)
        assert_same_training(reference, model.module, ref_losses, losses)
        assert_replicated_over_all(model.module)
    finally:
        dist.destroy_process_group()


@check
def dataparallel_uneven_batch_and_output_device():
    torch.manual_seed(0)
    base = QuickstartMLP()
    model = DataParallel(copy.deepcopy(base), output_device=3)
    for batch in (64, 12):  # 12 rows don't split over 8 devices: computed whole, still right
        X = torch.randn(batch, 1, 28, 28)
        got = model(X)
        np.testing.assert_allclose(np.asarray(got._array), np.asarray(base(X)._array),
                                   rtol=1e-5, atol=1e-6)
        assert got._array.sharding.device_set == {jax.devices()[3]}


@check
def slow_dataparallel_device_subset_and_batchnorm():
    torch.manual_seed(0)
    base = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Linear(8, 3))
    model = DataParallel(copy.deepcopy(base), device_ids=[0, 1, 2, 3], output_device=2)
    assert model.device_ids == [0, 1, 2, 3] and model.output_device == 2
    for batch in (12, 10):  # 10 rows don't split over 4 devices: computed whole, still right
        X = torch.randn(batch, 6)
        expected = base(X)  # BatchNorm sees the whole batch in both (jtorch ~ SyncBatchNorm)
        got = model(X)
        np.testing.assert_allclose(np.asarray(got._array), np.asarray(expected._array),
                                   rtol=1e-5, atol=1e-6)
        assert got._array.sharding.device_set == {jax.devices()[2]}
    for ours, theirs in zip(model.module.buffers(), base.buffers()):
        np.testing.assert_allclose(np.asarray(ours._array), np.asarray(theirs._array),
                                   rtol=1e-5, atol=1e-6)
    for p in model.module.parameters():
        assert len(p._array.sharding.device_set) == 4
    X = torch.randn(8, 6, requires_grad=True)  # gradients reach inputs through the scatter
    model(X).sum().backward()
    X2 = X.detach().clone().requires_grad_(True)
    base(X2).sum().backward()
    np.testing.assert_allclose(np.asarray(X.grad._array), np.asarray(X2.grad._array),
                               rtol=1e-5, atol=1e-6)


@check
def dataparallel_rereplicates_parameters_written_from_outside():
    torch.manual_seed(0)
    model = DataParallel(nn.Linear(4, 2))
    state = {k: torch.zeros_like(v) + 1.0 for k, v in model.module.state_dict().items()}
    model.module.load_state_dict(state)
    model.module.weight.data = torch.ones(2, 4) * 2  # a single-device array
    out = model(torch.ones(8, 4))
    np.testing.assert_allclose(np.asarray(out._array), np.full((8, 2), 9.0))
    assert_replicated_over_all(model.module)
    saved = io.BytesIO()
    torch.save(model, saved)  # a whole pickled DataParallel, as torch programs save them
    saved.seek(0)
    for copied in (copy.deepcopy(model), torch.load(saved, weights_only=False)):
        np.testing.assert_allclose(np.asarray(copied(torch.ones(8, 4))._array), 9.0)
        assert copied._mesh.devices.size == N_DEVICES


# ---- DeviceMesh / DTensor ---------------------------------------------------------------------

@check
def device_mesh_and_distribute_tensor_map_onto_named_sharding():
    mesh = init_device_mesh("cpu", (2, 4), mesh_dim_names=("dp", "tp"))
    assert mesh.shape == (2, 4) and mesh.ndim == 2 and mesh.size() == 8 and mesh.size("tp") == 4
    assert mesh["tp"].shape == (4,) and mesh["tp"].mesh.tolist() == [0, 1, 2, 3]
    assert mesh.mesh.tolist() == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert mesh.jax_mesh.axis_names == ("dp", "tp")
    t = torch.arange(64.0).reshape(8, 8)
    cases = {
        (Shard(0), Replicate()): PartitionSpec("dp"),
        (Replicate(), Shard(1)): PartitionSpec(None, "tp"),
        (Shard(0), Shard(1)): PartitionSpec("dp", "tp"),
        (Shard(1), Shard(1)): PartitionSpec(None, ("dp", "tp")),
        (Replicate(), Replicate()): PartitionSpec(),
    }
    for placements, spec in cases.items():
        d = distribute_tensor(t, mesh, placements)
        assert isinstance(d, DTensor) and d.placements == placements, (d.placements, placements)
        assert d._array.sharding == NamedSharding(mesh.jax_mesh, spec), d._array.sharding
        np.testing.assert_array_equal(np.asarray(d.full_tensor()._array), np.asarray(t._array))
        np.testing.assert_array_equal(np.asarray(d.to_local()._array), np.asarray(t._array))
    sub = distribute_tensor(t, mesh["tp"], [Shard(0)])
    assert sub._array.sharding.spec == PartitionSpec("tp")
    w = torch.randn(8, 4, requires_grad=True)
    d = distribute_tensor(w, mesh, [Shard(0), Replicate()])
    assert d.is_leaf and d.requires_grad
    r = d.redistribute(mesh, [Replicate(), Shard(1)])
    assert r._array.sharding.spec == PartitionSpec(None, "tp") and r.placements[1] == Shard(1)
    (r * r).sum().backward()
    np.testing.assert_allclose(np.asarray(d.grad._array), 2 * np.asarray(w._array), rtol=1e-6)
    y = d @ torch.ones(4, 2)  # ops on a DTensor run SPMD and give plain tensors
    assert type(y) is torch.Tensor
    np.testing.assert_allclose(np.asarray(y._array), np.asarray((w @ torch.ones(4, 2))._array),
                               rtol=1e-6)
    p = nn.Parameter(distribute_tensor(torch.randn(8, 3), mesh, [Shard(0), Replicate()]))
    assert p._array.sharding.spec == PartitionSpec("dp")
    module = distribute_module(nn.Linear(8, 4), mesh)  # parameters replicated on the mesh
    for param in module.parameters():
        assert param._array.sharding == NamedSharding(mesh.jax_mesh, PartitionSpec())
    assert module(d.full_tensor().T).shape == (4, 4)
    local = DTensor.from_local(torch.arange(8.0), mesh, [Shard(0), Replicate()])
    assert local.shape == (8,) and local._array.sharding.spec == PartitionSpec("dp")
    for bad, error in (([Shard(0)], ValueError), ([Partial(), Replicate()], NotImplementedError),
                       ([Shard(0), Shard(0)], None)):
        try:
            distribute_tensor(torch.zeros(6, 8), mesh, bad)
        except Exception as exc:  # noqa: BLE001
            assert error is None or isinstance(exc, error), exc
        else:
            raise AssertionError(f"{bad} should fail (6 rows over 8 devices or bad placements)")


# ---- collectives ------------------------------------------------------------------------------

@check
def collectives_over_a_device_mesh_eager_and_compiled():
    mesh = init_device_mesh("cpu", (N_DEVICES,), mesh_dim_names=("dp",))
    ranks = np.arange(N_DEVICES, dtype=np.float32)

    def per_rank(values):  # the ranks' tensors (2 numbers each) stacked along dim 0
        return torch.tensor(np.repeat(values, 2).astype(np.float32))

    def run(fn, *tensors):
        eager = [t.clone() for t in tensors]
        fn(*eager)
        step = torch.compile(lambda *ts: (fn(*ts), ts)[1], fullgraph=True)
        for _ in range(3):  # two eager discovery calls, then the compiled one
            traced = [t.clone() for t in tensors]
            out = step(*traced)
        return [np.asarray(t._array) for t in eager], [np.asarray(t._array) for t in out]

    def both(fn, *tensors):
        eager, compiled = run(fn, *tensors)
        for a, b in zip(eager, compiled):
            np.testing.assert_allclose(a, b)
        return eager

    (out,) = both(lambda t: dist.all_reduce(t, group=mesh), per_rank(ranks))
    np.testing.assert_allclose(out, np.full(16, ranks.sum()))
    (out,) = both(lambda t: dist.all_reduce(t, op=dist.ReduceOp.AVG, group=mesh),
                  per_rank(ranks))
    np.testing.assert_allclose(out, np.full(16, ranks.mean()))
    (out,) = both(lambda t: dist.all_reduce(t, op=dist.ReduceOp.MAX, group=mesh),
                  per_rank(ranks))
    np.testing.assert_allclose(out, np.full(16, ranks.max()))
    (out,) = both(lambda t: dist.broadcast(t, src=3, group=mesh), per_rank(ranks))
    np.testing.assert_allclose(out, np.full(16, 3.0))
    (out, _) = both(lambda o, t: dist.all_gather_into_tensor(o, t, group=mesh),
                    torch.zeros(16 * N_DEVICES), per_rank(ranks))
    np.testing.assert_allclose(out, np.tile(np.repeat(ranks, 2), N_DEVICES))
    (out, _) = both(lambda o, t: dist.reduce_scatter_tensor(o, t, group=mesh),
                    torch.zeros(N_DEVICES), torch.arange(16.0 * 4).reshape(64))
    expected = np.arange(64.0).reshape(N_DEVICES, 8).sum(0)  # rank r: chunk r summed
    np.testing.assert_allclose(out, expected)
    outs = [torch.zeros(16) for _ in range(N_DEVICES)]
    dist.all_gather(outs, per_rank(ranks), group=mesh)
    for i, o in enumerate(outs):
        np.testing.assert_allclose(np.asarray(o._array), np.full(16, float(i)))
    sharded = distribute_tensor(per_rank(ranks), mesh, [Shard(0)])
    dist.all_reduce(sharded, group=mesh)  # a Shard(0) tensor is already the ranks' layout
    np.testing.assert_allclose(np.asarray(sharded._array), np.full(16, ranks.sum()))
    try:
        dist.all_reduce(torch.zeros(3), group=mesh)
    except ValueError:
        pass
    else:
        raise AssertionError("3 rows can't hold 8 ranks' tensors")


def main(names):
    results = {}
    for name in names or CHECKS:
        try:
            start = time.perf_counter()
            CHECKS[name]()
            results[name] = "ok"
            print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        except Exception:  # noqa: BLE001 - reported to the test
            results[name] = traceback.format_exc()
    print("RESULTS " + json.dumps(results), flush=True)


if __name__ == "__main__":
    assert len(jax.devices()) == N_DEVICES, jax.devices()
    main(sys.argv[1:])
