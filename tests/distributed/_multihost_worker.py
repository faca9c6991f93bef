"""One rank of the two-process test (test_distributed_multihost.py), launched with torchrun's
variables (WORLD_SIZE=2, RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT). Prints one JSON line.

It runs `jtorch/distributed/_bootstrap.py` before importing jtorch: what `import jtorch` does
itself once jtorch/__init__.py calls `initialize_from_env()` first thing (the call is
idempotent, so this stays correct then).
"""

import json
import os
import runpy
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BOOTSTRAP = os.path.join(ROOT, "jtorch", "distributed", "_bootstrap.py")
runpy.run_path(BOOTSTRAP)["initialize_from_env"]()

import numpy as np  # noqa: E402

import jtorch as torch  # noqa: E402
import jtorch.distributed as dist  # noqa: E402
from jtorch import nn  # noqa: E402
from jtorch.nn.parallel import DistributedDataParallel  # noqa: E402
from jtorch.utils.data.distributed import DistributedSampler  # noqa: E402


def values(t):
    return np.asarray(t._array).tolist()


def collectives(rank):
    out = {}
    t = torch.tensor([rank + 1.0, 10.0 * (rank + 1)])
    dist.all_reduce(t)
    out["all_reduce_sum"] = values(t)
    t = torch.tensor([rank + 1.0])
    dist.all_reduce(t, op=dist.ReduceOp.AVG)
    out["all_reduce_avg"] = values(t)
    t = torch.tensor([rank, 5 - rank])
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    out["all_reduce_max"] = values(t)
    gathered = [torch.zeros(2) for _ in range(2)]
    dist.all_gather(gathered, torch.tensor([rank, rank + 0.5]))
    out["all_gather"] = [values(g) for g in gathered]
    into = torch.zeros(4)
    dist.all_gather_into_tensor(into, torch.tensor([rank, rank + 0.5]))
    out["all_gather_into_tensor"] = values(into)
    t = torch.tensor([float(rank)] * 3)
    dist.broadcast(t, src=1)
    out["broadcast"] = values(t)
    chunk = torch.zeros(2)
    dist.reduce_scatter_tensor(chunk, torch.arange(4.0) * (rank + 1))
    out["reduce_scatter_tensor"] = values(chunk)
    objects = [None, None]
    dist.all_gather_object(objects, {"rank": rank})
    out["all_gather_object"] = objects
    objects = [f"from {rank}", rank]
    dist.broadcast_object_list(objects, src=1)
    out["broadcast_object_list"] = objects
    dist.barrier()
    return out


def ddp_steps(rank):
    """DDP on this rank's half of a batch == full-batch training on one device: two eager steps
    (a compiled step's discovery calls), then the compiled step, which needs jtorch.compile to
    assemble each process's arguments into global arrays (else: a clear error, no wrong
    numbers)."""
    rng = np.random.default_rng(0)
    X = torch.tensor(rng.standard_normal((16, 8)).astype(np.float32))
    y = torch.tensor(rng.integers(0, 4, 16))
    local = list(DistributedSampler(range(16), shuffle=False))

    def build(seed):
        torch.manual_seed(seed)
        return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 4))

    def make_step(model):
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

        def train_step(Xb, yb):
            optimizer.zero_grad()
            loss = nn.CrossEntropyLoss()(model(Xb), yb)
            loss.backward()
            optimizer.step()
            return loss.detach()
        return train_step

    def params(model):
        return [np.asarray(p._array) for p in model.parameters()]

    reference = build(0)
    step = make_step(reference)
    ref_losses, ref_params = [], []
    for _ in range(3):
        ref_losses.append(step(X, y).item())
        ref_params.append(params(reference))

    ddp = DistributedDataParallel(build(rank))  # rank 1 starts elsewhere: DDP syncs rank 0's
    step = torch.compile(make_step(ddp))
    out = {"loss_max_diff": 0.0, "param_max_diff": 0.0}
    for i in range(3):
        try:
            loss = step(X[local], y[local])
        except RuntimeError as exc:
            assert i == 2, exc
            out["compiled"] = str(exc)
            break
        if i < 2:  # eager: this rank's loss; their mean is the global loss
            dist.all_reduce(loss, op=dist.ReduceOp.AVG)
        else:
            out["compiled"] = "ok"
        out["loss_max_diff"] = max(out["loss_max_diff"], abs(loss.item() - ref_losses[i]))
        out["param_max_diff"] = max([out["param_max_diff"]] + [
            float(np.abs(a - b).max()) for a, b in zip(params(ddp.module), ref_params[i])])
    out["grad_replicated"] = all(p.grad._array.is_fully_replicated for p in ddp.parameters())
    out["eager_calls"] = step.stats.eager_calls
    return out


def main():
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    result = {"rank": rank, "world_size": dist.get_world_size(), **collectives(rank),
              **ddp_steps(rank)}
    dist.destroy_process_group()
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    sys.exit(main())
