"""Joining a multi-process job: torchrun's environment onto `jax.distributed.initialize`.

JAX accepts `jax.distributed.initialize` only before its XLA backends start, and `import
jtorch` starts them (it picks the CPU as default device and seeds the global generator). So a
process launched as one rank of a job joins at import time: `jtorch/__init__.py` calls
`initialize_from_env()` before anything touches a device, and `init_process_group()` later
finds the job already joined. This module imports nothing from jtorch and creates no arrays.

Environment, as torchrun sets it (or by hand on each host):
  WORLD_SIZE, RANK            number of processes and this one's index (join when WORLD_SIZE > 1)
  MASTER_ADDR, MASTER_PORT    where rank 0 runs JAX's coordinator
  LOCAL_RANK, LOCAL_WORLD_SIZE   several processes on one host: each keeps one local device
  JTORCH_COORDINATOR_PORT     the coordinator's port; default MASTER_PORT, or MASTER_PORT + 1
                              under torchrun, whose agent already listens on MASTER_PORT
  JTORCH_DISTRIBUTED          "0": never join at import; "auto": let JAX detect the cluster
                              (Cloud TPU pods, SLURM, Open MPI) without the variables above
  JTORCH_DISTRIBUTED_TIMEOUT  seconds to wait for every process to join (default 300)
"""

from __future__ import annotations

import multiprocessing
import os

import jax

_joined = {"world_size": 1, "rank": 0, "coordinator": None}


def env_settings(environ=None):
    """The job as the environment describes it: world size, rank, coordinator address, local
    rank and local world size (None where a variable is missing)."""
    env = os.environ if environ is None else environ
    world_size = int(env.get("WORLD_SIZE", "1"))
    rank = int(env.get("RANK", "0"))
    coordinator = None
    if "MASTER_ADDR" in env and "MASTER_PORT" in env:
        port = int(env["MASTER_PORT"])
        if "JTORCH_COORDINATOR_PORT" in env:
            port = int(env["JTORCH_COORDINATOR_PORT"])
        elif env.get("TORCHELASTIC_USE_AGENT_STORE", "").lower() == "true":
            port += 1
        coordinator = f"{env['MASTER_ADDR']}:{port}"
    local_rank = int(env["LOCAL_RANK"]) if "LOCAL_RANK" in env else None
    local_world_size = int(env.get("LOCAL_WORLD_SIZE", "1"))
    return world_size, rank, coordinator, local_rank, local_world_size


def backends_started() -> bool:
    from jax._src import xla_bridge
    return xla_bridge.backends_are_initialized()


def join(world_size, rank, coordinator, local_rank=None, local_world_size=1, timeout=None):
    """Join the job with `jax.distributed.initialize` (once per process).

    CPU devices of different processes talk through gloo. With several processes per host
    (torchrun --nproc_per_node > 1) each process keeps only its LOCAL_RANK-th accelerator.
    """
    if jax.distributed.is_initialized():
        return
    if timeout is None:
        timeout = int(os.environ.get("JTORCH_DISTRIBUTED_TIMEOUT", "300"))
    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    local_ids = [local_rank] if local_rank is not None and local_world_size > 1 else None
    if world_size is None:  # JTORCH_DISTRIBUTED=auto: the cluster tells JAX
        jax.distributed.initialize(initialization_timeout=timeout)
    else:
        jax.distributed.initialize(coordinator, num_processes=world_size, process_id=rank,
                                   local_device_ids=local_ids, initialization_timeout=timeout)
    _joined.update(world_size=jax.process_count(), rank=jax.process_index(),
                   coordinator=coordinator)


def initialize_from_env() -> bool:
    """Join the job the environment describes, if any; True when this process joined.

    Child processes started by `multiprocessing` (DataLoader workers) never join: their
    parent is the rank.
    """
    mode = os.environ.get("JTORCH_DISTRIBUTED", "")
    if mode == "0" or multiprocessing.parent_process() is not None:
        return False
    if mode == "auto":
        join(None, None, None)
        return True
    world_size, rank, coordinator, local_rank, local_world_size = env_settings()
    if world_size <= 1 or coordinator is None:
        return False
    join(world_size, rank, coordinator, local_rank, local_world_size)
    return True
