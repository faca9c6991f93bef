"""torch.distributed's single-process API against torch: the process group, collectives among
one rank, DistributedSampler shards, DataParallel/DDP/DeviceMesh on one device, and the
torchrun environment. Several processes and devices: the multidevice/multihost tests."""

import copy
import math
import os
import socket

import numpy as np
import pytest

import jtorch
import jtorch.distributed as dist
from jtorch import nn
from jtorch.distributed import _bootstrap
from jtorch.distributed.tensor import (
    DTensor,
    Partial,
    Replicate,
    Shard,
    distribute_tensor,
    init_device_mesh,
)
from jtorch.nn.parallel import DataParallel, DistributedDataParallel
from jtorch.utils.data.distributed import DistributedSampler

torch = pytest.importorskip("torch")
import torch.distributed as tdist  # noqa: E402
import torch.utils.data.distributed as tdata  # noqa: E402


@pytest.fixture
def group():
    dist.init_process_group("gloo")
    yield
    dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def torch_group():
    """torch's gloo group of one rank: the oracle for collectives among one rank."""
    if not tdist.is_gloo_available():
        pytest.skip("torch was built without gloo")
    tdist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{_free_port()}", rank=0,
                             world_size=1)
    yield
    tdist.destroy_process_group()


def _errors_alike(jfn, tfn):
    with pytest.raises(Exception) as expected:
        tfn()
    with pytest.raises(type(expected.value)) as got:
        jfn()
    assert str(got.value) == str(expected.value)


# ---- the process group -------------------------------------------------------------------------

def test_process_group_before_and_after_init():
    assert dist.is_available() and not dist.is_initialized()
    for name in ("get_rank", "get_world_size", "barrier"):
        _errors_alike(getattr(dist, name), getattr(tdist, name))
    _errors_alike(lambda: dist.all_reduce(jtorch.ones(2)), lambda: tdist.all_reduce(torch.ones(2)))
    dist.init_process_group("gloo")
    try:
        assert dist.is_initialized() and dist.get_rank() == 0 and dist.get_world_size() == 1
        assert dist.get_backend() == "gloo" and dist.group.WORLD.size() == 1
        with pytest.raises(ValueError, match="twice"):
            dist.init_process_group("gloo")
        assert dist.barrier() is None
    finally:
        dist.destroy_process_group()
    assert not dist.is_initialized()


def test_init_process_group_arguments_and_environment(monkeypatch):
    dist.init_process_group(init_method="tcp://127.0.0.1:1234", world_size=1, rank=0)
    dist.destroy_process_group()
    with pytest.raises(NotImplementedError):
        dist.init_process_group(init_method="file:///tmp/x")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "0")
    monkeypatch.delenv("MASTER_ADDR", raising=False)
    with pytest.raises(ValueError, match="MASTER_ADDR"):
        dist.init_process_group()
    # JAX joins a job only before its devices are used: this process is past that point
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.setenv("MASTER_PORT", "29500")
    with pytest.raises(RuntimeError, match="before|environment"):
        dist.init_process_group()
    assert not dist.is_initialized()


def test_torchrun_environment_is_read_as_torchrun_writes_it():
    env = {"WORLD_SIZE": "4", "RANK": "2", "MASTER_ADDR": "10.0.0.1", "MASTER_PORT": "29500",
           "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": "1"}
    assert _bootstrap.env_settings(env) == (4, 2, "10.0.0.1:29500", 0, 1)
    # torchrun's agent keeps its store on MASTER_PORT: JAX's coordinator takes the next port
    assert _bootstrap.env_settings({**env, "TORCHELASTIC_USE_AGENT_STORE": "True"})[2] == \
        "10.0.0.1:29501"
    assert _bootstrap.env_settings({**env, "JTORCH_COORDINATOR_PORT": "7000"})[2] == \
        "10.0.0.1:7000"
    assert _bootstrap.env_settings({}) == (1, 0, None, None, 1)


def test_import_time_join_only_for_a_multi_process_launch(monkeypatch):
    for key in ("WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT", "JTORCH_DISTRIBUTED"):
        monkeypatch.delenv(key, raising=False)
    assert _bootstrap.initialize_from_env() is False  # a plain `python script.py`
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("JTORCH_DISTRIBUTED", "0")
    assert _bootstrap.initialize_from_env() is False


# ---- collectives among one rank (torch's gloo as the oracle) ----------------------------------

def _both(fn, *values):
    """Run fn(lib, *tensors) on jtorch and on torch; return both tensors' values."""
    jt = [jtorch.tensor(v) for v in values]
    tt = [torch.tensor(v) for v in values]
    fn(dist, *jt)
    fn(tdist, *tt)
    for a, b in zip(jt, tt):
        np.testing.assert_allclose(a.numpy(), b.numpy())
        assert a.dtype.name == str(b.dtype).split(".")[1]


def test_collectives_among_one_rank_match_torch(group, torch_group):
    ops = ("SUM", "AVG", "PRODUCT", "MIN", "MAX")
    for op in ops:
        _both(lambda lib, t, op=op: lib.all_reduce(t, op=getattr(lib.ReduceOp, op)),
              [1.5, -2.0, 3.0])
    _both(lambda lib, t: lib.all_reduce(t, op=lib.ReduceOp.BAND), [6, 3])
    _both(lambda lib, t: lib.broadcast(t, src=0), [[1.0, 2.0]])
    _both(lambda lib, t: lib.reduce(t, dst=0), [4.0])
    _both(lambda lib, out, t: lib.all_gather_single(out, t), [0.0, 0.0], [5.0, 6.0])

    def gather_list(lib, t):
        out = [(jtorch if lib is dist else torch).zeros(2)]
        lib.all_gather(out, t)
        t.copy_(out[0] + 1)
    _both(gather_list, [2.0, 3.0])
    objects = [None]
    dist.all_gather_object(objects, {"a": 1})
    assert objects == [{"a": 1}]
    objects = ["x", 2]
    dist.broadcast_object_list(objects, src=0)
    assert objects == ["x", 2]


def test_collectives_among_one_rank_other_forms_and_errors(group):
    out = jtorch.zeros(2)
    dist.reduce_scatter(out, [jtorch.tensor([1.0, 2.0])])
    assert out.tolist() == [1.0, 2.0]
    dist.reduce_scatter_tensor(out, jtorch.tensor([3.0, 4.0]))
    assert out.tolist() == [3.0, 4.0]
    dist.scatter(out, [jtorch.tensor([5.0, 6.0])], src=0)
    assert out.tolist() == [5.0, 6.0]
    gathered = [jtorch.zeros(2)]
    dist.gather(jtorch.tensor([7.0, 8.0]), gathered, dst=0)
    assert gathered[0].tolist() == [7.0, 8.0]
    work = dist.all_reduce(out, async_op=True)
    assert work.wait() and work.is_completed()
    with pytest.raises(ValueError):
        dist.broadcast(out, src=1)
    with pytest.raises(ValueError):
        dist.all_gather([jtorch.zeros(2), jtorch.zeros(2)], out)
    with pytest.raises(RuntimeError, match="shape"):
        dist.all_gather_into_tensor(jtorch.zeros(3), out)


def test_collective_inside_compiled_step_is_seen_as_state(group):
    grad_like = jtorch.ones(3)

    def step(x):
        dist.all_reduce(grad_like, op=dist.ReduceOp.AVG)
        return (grad_like * x).sum()

    compiled = jtorch.compile(step)
    for _ in range(3):
        assert compiled(jtorch.full((3,), 2.0)).item() == 6.0
    assert compiled.stats.traces == 1 and grad_like._version >= 3


# ---- DistributedSampler -----------------------------------------------------------------------

@pytest.mark.parametrize("n,replicas,drop_last", [(10, 3, False), (10, 3, True), (7, 4, False),
                                                  (8, 4, True), (2, 3, False), (5, 1, False)])
def test_distributed_sampler_shards_equal_torchs(n, replicas, drop_last):
    for rank in range(replicas):
        ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
        theirs = tdata.DistributedSampler(range(n), replicas, rank, shuffle=False,
                                          drop_last=drop_last)
        assert list(ours) == list(theirs) and len(ours) == len(theirs)


@pytest.mark.parametrize("n,replicas", [(12, 4), (10, 3)])
def test_distributed_sampler_shuffled_shards_partition_the_dataset(n, replicas):
    def shards(epoch):
        out = []
        for rank in range(replicas):
            s = DistributedSampler(range(n), replicas, rank, shuffle=True, seed=7)
            s.set_epoch(epoch)
            out.append(list(s))
        return out

    per_rank = math.ceil(n / replicas)
    for epoch in (0, 1):
        split = shards(epoch)
        assert all(len(s) == per_rank for s in split)
        flat = [i for s in split for i in s]
        assert set(flat) == set(range(n))  # every index; padding repeats only
        assert len(flat) - len(set(flat)) == per_rank * replicas - n
    assert shards(0) == shards(0)  # every rank draws the same permutation from seed + epoch
    assert shards(0) != shards(1)


def test_distributed_sampler_defaults_come_from_the_process_group():
    _errors_alike(lambda: DistributedSampler(range(4)),
                  lambda: tdata.DistributedSampler(range(4)))
    _errors_alike(lambda: DistributedSampler(range(4), 2, 2),
                  lambda: tdata.DistributedSampler(range(4), 2, 2))
    dist.init_process_group("gloo")
    try:
        sampler = DistributedSampler(range(5), shuffle=False)
        assert (sampler.num_replicas, sampler.rank, list(sampler)) == (1, 0, [0, 1, 2, 3, 4])
    finally:
        dist.destroy_process_group()


# ---- one device: DataParallel and DDP are transparent ------------------------------------------

def _train(model, steps=3):
    jtorch.manual_seed(1)
    opt = jtorch.optim.SGD(model.parameters(), lr=0.1)
    x, y = jtorch.randn(8, 4), jtorch.randn(8, 2)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    return [p.detach().numpy() for p in model.parameters()]


def test_dataparallel_on_one_device_is_the_module(group):
    jtorch.manual_seed(0)
    base = nn.Linear(4, 2)
    model = DataParallel(copy.deepcopy(base))
    assert model.device_ids == [] and model.output_device is None  # torch without GPUs
    assert isinstance(model.module, nn.Linear)
    assert list(model.state_dict()) == ["module." + k for k in base.state_dict()]
    ddp = DistributedDataParallel(copy.deepcopy(base))
    with ddp.no_sync():
        pass
    for a, b, c in zip(_train(copy.deepcopy(base)), _train(model), _train(ddp)):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(c, a, rtol=1e-6, atol=1e-7)
    assert "DataParallel" in repr(model) and "(module): Linear" in repr(model)


def test_ddp_needs_a_process_group():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedDataParallel(nn.Linear(2, 2))


# ---- DeviceMesh and DTensor on one device ------------------------------------------------------

def test_device_mesh_and_dtensor_on_one_device():
    mesh = init_device_mesh("cpu", (1,), mesh_dim_names=("dp",))
    assert mesh.shape == (1,) and mesh.mesh_dim_names == ("dp",) and mesh.mesh.tolist() == [0]
    assert mesh.get_group() == mesh and mesh.size() == 1
    with pytest.raises(RuntimeError, match="mesh_shape"):
        init_device_mesh("cpu", (2,))
    if not jtorch.cuda.is_available():
        with pytest.raises(RuntimeError, match="accelerator"):
            init_device_mesh("cuda", (1,))
    with pytest.raises(RuntimeError, match="duplicate"):
        dist.DeviceMesh("cpu", [0, 0])
    with pytest.raises(KeyError):
        mesh["tp"]
    t = jtorch.arange(6.0).reshape(3, 2)
    d = distribute_tensor(t, mesh, [Shard(1)])
    assert isinstance(d, DTensor) and d.placements == (Shard(1),) and d.device_mesh == mesh
    np.testing.assert_array_equal(d.to_local().numpy(), t.numpy())
    np.testing.assert_array_equal(d.full_tensor().numpy(), t.numpy())
    assert distribute_tensor(t, mesh).placements == (Replicate(),)
    assert "DTensor(local_tensor=" in repr(d) and "Shard(dim=1)" in repr(d)
    with pytest.raises(NotImplementedError, match="Partial"):
        distribute_tensor(t, mesh, [Partial()])
    with pytest.raises(ValueError, match="placements"):
        distribute_tensor(t, mesh, [Shard(0), Shard(1)])


def test_torch_distributed_names_exist():
    for name in ("init_process_group", "destroy_process_group", "is_initialized", "get_rank",
                 "get_world_size", "barrier", "all_reduce", "all_gather", "broadcast",
                 "reduce_scatter", "reduce_scatter_tensor", "all_gather_into_tensor", "ReduceOp",
                 "init_device_mesh", "DeviceMesh", "is_available", "group"):
        assert hasattr(tdist, name) and hasattr(dist, name), name
    assert os.path.basename(_bootstrap.__file__) == "_bootstrap.py"
