"""nn.DataParallel: one process, its local devices, the batch split over them by XLA."""

from __future__ import annotations

import jax
import numpy as np
from jax.sharding import Mesh

from jtorch import _device
from jtorch.nn.modules.module import Module
from jtorch.nn.parallel._functions import data_parallel_forward, replicate_state

__all__ = ["DataParallel"]


def parallel_devices():
    """The devices DataParallel uses by default: this process's accelerators (torch's visible
    GPUs), else its CPU devices (one, unless XLA was asked for more with
    XLA_FLAGS=--xla_force_host_platform_device_count=N)."""
    return list(_device.accelerator_devices()) or jax.local_devices(backend="cpu")


def device_index(d, what="device"):
    """torch's _get_device_index: an int, "cuda:N" or torch.device -> N."""
    if isinstance(d, int):
        return d
    d = _device.as_device(d)
    return 0 if d.index is None else d.index


class DataParallel(Module):
    """torch.nn.DataParallel(module, device_ids=None, output_device=None, dim=0).

    With several devices, every forward splits the tensors in its inputs along `dim` over a
    mesh of `device_ids` (sharding, not copying: each device computes on its slice), runs
    `module` once as SPMD over the mesh with its parameters replicated, and brings the outputs
    to `output_device`, as torch's scatter / replicate / gather. Gradients of the replicated
    parameters are reduced over the devices by XLA during backward, so `optimizer.step()`
    sees full-batch gradients. With one device it is transparent. Under `jtorch.compile`
    the split is a sharding constraint and the whole step is one SPMD program.

    Differences from torch: BatchNorm computes its statistics over the whole batch (torch's
    replicas each see their chunk: jtorch behaves like SyncBatchNorm), and a dim that the
    devices don't divide evenly is not split (the step is then computed whole on every
    device: correct, without speedup).
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0):
        super().__init__()
        self.module = module
        self.dim = dim
        pool = parallel_devices()
        ids = list(range(len(pool))) if device_ids is None else \
            [device_index(d) for d in device_ids]
        for i in ids:
            if not 0 <= i < len(pool):
                raise RuntimeError(f"DataParallel: device_ids {ids} name a device that does not "
                                   f"exist ({len(pool)} devices)")
        if len(pool) == 1 and not _device.accelerator_devices():
            ids = []  # torch on a machine without GPUs: the module is used as it is
        self.device_ids = ids
        self.output_device = device_index(output_device) if output_device is not None else \
            (ids[0] if ids else None)
        self._lay_out()

    def _lay_out(self):
        """The mesh of `device_ids` (None with one device), parameters replicated over it."""
        self._mesh = self._output_jax_device = None
        if len(self.device_ids) > 1:
            pool = parallel_devices()
            devices = np.array([pool[i] for i in self.device_ids], dtype=object)
            self._mesh = Mesh(devices.reshape(1, -1), ("process", "local"))
            self._output_jax_device = pool[self.output_device]
            replicate_state(self.module, self._mesh)

    def __getstate__(self):  # devices and meshes don't pickle: rebuilt from device_ids
        state = dict(self.__dict__)
        state.pop("_mesh", None)
        state.pop("_output_jax_device", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        self._lay_out()

    def forward(self, *inputs, **kwargs):
        if self._mesh is None:
            return self.module(*inputs, **kwargs)
        return data_parallel_forward(self.module, self._mesh, self.dim,
                                     self._output_jax_device, inputs, kwargs)
