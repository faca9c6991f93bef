"""The subprocess jobs of the distributed tests: a fresh Python whose JAX is configured by
environment variables (the pytest process imported JAX already, with one CPU device).

Both jobs (the 8-device worker and the two-process job) start together the first time a test
asks for either (conftest.py), and run side by side while the tests wait for their results.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Cheaper XLA compiles for the many small programs the workers build (values are unchanged)
FAST_COMPILE = "--xla_backend_optimization_level=0 --xla_llvm_disable_expensive_passes=true"

# the checks of _multidevice_worker.py in the default run (the others are marked slow)
MULTIDEVICE_FAST = [
    "dataparallel_mlp_eager_equals_single_device",
    "dataparallel_mlp_compiled_equals_single_device_and_shards_the_batch",
    "ddp_mlp_compiled_with_sharded_inputs_keeps_them_sharded",
    "small_cnn_dataparallel_and_ddp_compiled_equal_single_device",
    "dataparallel_uneven_batch_and_output_device",
    "dataparallel_rereplicates_parameters_written_from_outside",
    "device_mesh_and_distribute_tensor_map_onto_named_sharding",
    "collectives_over_a_device_mesh_eager_and_compiled",
]


def worker_env(n_devices=1, **extra):
    env = dict(os.environ)
    env["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={n_devices} {FAST_COMPILE}"
    env["JAX_PLATFORMS"] = "cpu"
    for key in ("WORLD_SIZE", "RANK", "MASTER_ADDR", "MASTER_PORT", "LOCAL_RANK",
                "LOCAL_WORLD_SIZE", "JTORCH_DISTRIBUTED"):
        env.pop(key, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def parse_line(stdout, prefix):
    for line in stdout.splitlines():
        if line.startswith(prefix + " "):
            return json.loads(line[len(prefix) + 1:])
    return None


class Job:
    """Processes started now; `outputs()` waits (bounded) for all of them to exit."""

    def __init__(self, commands, envs, timeout, skip=None):
        self.skip, self.timeout, self._outputs = skip, timeout, None
        self.deadline = time.monotonic() + timeout
        self.procs = [] if skip else [
            subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for cmd, env in zip(commands, envs)]

    def outputs(self):
        """[(returncode, stdout, stderr)] per process; AssertionError on timeout."""
        if self._outputs is None:
            try:
                outs = [p.communicate(timeout=max(1.0, self.deadline - time.monotonic()))
                        for p in self.procs]
            except subprocess.TimeoutExpired as exc:
                self.kill()
                raise AssertionError(f"job did not finish within {self.timeout} s") from exc
            self._outputs = [(p.returncode, out, err) for p, (out, err) in zip(self.procs, outs)]
        return self._outputs

    def kill(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.communicate()


def checks_job(script, names, n_devices, timeout):
    """`script NAME...` with `n_devices` CPU devices, printing `RESULTS {name: ...}`."""
    return Job([[sys.executable, os.path.join(HERE, script), *names]],
               [worker_env(n_devices)], timeout)


def check_results(job):
    ((returncode, stdout, stderr),) = job.outputs()
    results = parse_line(stdout, "RESULTS")
    if results is None:
        raise AssertionError(f"worker exited with {returncode} without results:\n"
                             f"{stdout[-3000:]}\n{stderr[-3000:]}")
    return results


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def multihost_job(script, world_size, timeout):
    """`script` as every rank of a job on 127.0.0.1, with torchrun's variables."""
    import jax
    if not hasattr(jax.config, "jax_cpu_collectives_implementation"):
        return Job([], [], timeout, skip="this JAX has no CPU collectives between processes "
                                         "(jax_cpu_collectives_implementation)")
    try:
        port = free_port()
    except OSError as exc:
        return Job([], [], timeout, skip=f"cannot open a socket on 127.0.0.1: {exc}")
    envs = [worker_env(1, WORLD_SIZE=world_size, RANK=rank, MASTER_ADDR="127.0.0.1",
                       MASTER_PORT=port, JTORCH_DISTRIBUTED_TIMEOUT=60)
            for rank in range(world_size)]
    return Job([[sys.executable, os.path.join(HERE, script)]] * world_size, envs, timeout)
