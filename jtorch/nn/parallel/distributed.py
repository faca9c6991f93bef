"""nn.parallel.DistributedDataParallel: every process's batch, all devices of all processes,
one SPMD program; gradient averaging over ranks is XLA's all-reduce."""

from __future__ import annotations

import contextlib

import numpy as np
from jax.sharding import Mesh

from jtorch.distributed import _spmd
from jtorch.nn.modules.module import Module
from jtorch.nn.parallel._functions import (
    _state_tensors,
    data_parallel_forward,
    replicate_state,
)

__all__ = ["DistributedDataParallel"]


class DistributedDataParallel(Module):
    """torch.nn.parallel.DistributedDataParallel on a (processes x local devices) mesh.

    Needs `init_process_group()` first, as torch. Construction makes every process's module
    rank 0's (parameters and buffers broadcast, `init_sync=True`) and lays them out
    replicated over all devices of all processes. A forward takes this process's batch (as
    from a DistributedSampler), splits it along `dim` over the local devices, runs `module`
    as one SPMD program over every process's devices, and returns this process's outputs on
    its first device. Backward reduces the gradients over all devices (XLA all-reduce inside
    the backward computation, instead of torch's bucketed NCCL hooks) and averages them over
    ranks, so every process's `.grad` is the same, as in torch.

    One process driving several devices replaces torch's one process per GPU: on one host,
    `DistributedDataParallel(model)` uses all local devices (world size 1). Under
    `jtorch.compile` the whole train step becomes one SPMD program over the mesh and returns
    the global-batch loss.

    `no_sync()` and `join()` are accepted and change nothing (gradients are reduced inside
    every backward); bucket and hook options are ignored. BatchNorm sees the global batch
    (as SyncBatchNorm). Gradients w.r.t. the inputs are averaged over ranks like the
    parameters' (torch leaves them per rank).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0,
                 broadcast_buffers=True, init_sync=True, process_group=None, bucket_cap_mb=None,
                 find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False,
                 delay_all_reduce_named_params=None, param_to_hook_all_reduce=None,
                 mixed_precision=None, device_mesh=None, skip_all_reduce_unused_params=False):
        super().__init__()
        from jtorch.distributed.distributed_c10d import _process_group
        self.process_group = _process_group(process_group)
        self.module = module
        self.dim = dim
        self.device_ids = device_ids
        self.output_device = output_device
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self._world_size = self.process_group.size()
        self._lay_out(device_mesh, init_sync)

    def _lay_out(self, device_mesh=None, init_sync=False):
        self._mesh = _data_parallel_mesh(device_mesh)
        self._output_jax_device = next(d for d in self._mesh.devices.flat
                                       if d.process_index == _spmd.process_index())
        if init_sync and _spmd.spans_processes(self._mesh):
            _broadcast_from_rank0(self.module)
        replicate_state(self.module, self._mesh)

    def __getstate__(self):  # devices and meshes don't pickle: rebuilt on all devices
        state = dict(self.__dict__)
        state.pop("_mesh", None)
        state.pop("_output_jax_device", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._lay_out()

    def forward(self, *inputs, **kwargs):
        return data_parallel_forward(self.module, self._mesh, self.dim,
                                     self._output_jax_device, inputs, kwargs,
                                     grad_scale=1.0 / self._world_size)

    def no_sync(self):
        """Accepted for torch compatibility; gradients are still reduced every backward."""
        return contextlib.nullcontext()

    def join(self, divide_by_initial_world_size=True, enable=True,
             throw_on_early_termination=False):
        return contextlib.nullcontext()

    def register_comm_hook(self, state, hook):
        raise NotImplementedError("DistributedDataParallel.register_comm_hook: jtorch's "
                                  "gradient reduction is XLA's, inside the backward program")

    def _set_static_graph(self):
        self.static_graph = True


def _data_parallel_mesh(device_mesh):
    if device_mesh is None:
        return _spmd.data_parallel_mesh(_spmd.default_device_type())
    devices = sorted(device_mesh.jax_mesh.devices.flat, key=lambda d: (d.process_index, d.id))
    n_proc = len({d.process_index for d in devices})
    return Mesh(np.array(devices, dtype=object).reshape(n_proc, -1), ("process", "local"))


def _broadcast_from_rank0(module):
    from jtorch.distributed.distributed_c10d import _ProcessRanks
    ranks = _ProcessRanks()
    for t in _state_tensors(module):
        if t._raw.is_fully_addressable:
            t._raw = ranks.run(("broadcast", None, 0), (t._raw,), 1)[0]
            t._gen += 1
