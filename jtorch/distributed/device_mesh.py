"""torch.distributed.device_mesh: DeviceMesh and init_device_mesh, as a jax.sharding.Mesh.

torch's mesh entries are ranks, one device each. jtorch's are devices: with one process per
host driving all its devices, `init_device_mesh("cuda", (8,))` on one 8-chip host is a mesh of
8 devices (torch would need 8 processes), and on several hosts it spans every process's
devices, process-major. `mesh["dp"]` names a sub-mesh: the same devices, with only the named
axes used by placements and collectives. `jax_mesh` is the underlying Mesh, for JAX code.
"""

from __future__ import annotations

import math

import numpy as np
from jax.sharding import Mesh

from jtorch.distributed import _spmd

__all__ = ["DeviceMesh", "init_device_mesh"]


class DeviceMesh:
    """An n-d array of devices with named dims (torch.distributed.device_mesh.DeviceMesh).

    `mesh` holds device indices into the global device list of `device_type` (what torch calls
    ranks). Dims without names get "dim0", "dim1", ... (JAX names every mesh axis).
    """

    def __init__(self, device_type, mesh, *, mesh_dim_names=None, _jax_mesh=None, _dims=None):
        if _jax_mesh is None:
            indices = np.asarray(mesh._array if hasattr(mesh, "_array") else mesh, dtype=np.int64)
            if indices.ndim == 0:
                indices = indices.reshape(1)
            names = _dim_names(mesh_dim_names, indices.ndim)
            devices = _spmd.global_devices(device_type)
            if indices.size and (indices.min() < 0 or indices.max() >= len(devices)):
                raise RuntimeError(f"DeviceMesh: device index out of range; {device_type} has "
                                   f"{len(devices)} devices")
            if len(set(indices.ravel().tolist())) != indices.size:
                raise RuntimeError("DeviceMesh cannot have duplicate values, but found "
                                   f"{indices.tolist()}")
            grid = np.empty(indices.shape, dtype=object)
            for pos, i in np.ndenumerate(indices):
                grid[pos] = devices[i]
            _jax_mesh = Mesh(grid, names)
        self.device_type = device_type
        self.jax_mesh = _jax_mesh
        self._dims = tuple(_jax_mesh.axis_names) if _dims is None else tuple(_dims)

    # ---- torch's accessors ---------------------------------------------------------------
    @property
    def mesh_dim_names(self):
        return self._dims

    @property
    def mesh(self):
        """The device indices as an int64 tensor (only this sub-mesh's dims vary)."""
        from jtorch._api.creation import tensor
        devices = _spmd.global_devices(self.device_type)
        position = {id(d): i for i, d in enumerate(devices)}
        grid = np.vectorize(lambda d: position[id(d)], otypes=[np.int64])(self.jax_mesh.devices)
        names = self.jax_mesh.axis_names
        grid = grid[tuple(slice(None) if n in self._dims else 0 for n in names)]
        kept = [n for n in names if n in self._dims]
        return tensor(grid.transpose([kept.index(n) for n in self._dims]))

    @property
    def ndim(self) -> int:
        return len(self._dims)

    @property
    def shape(self):
        return tuple(self.jax_mesh.shape[n] for n in self._dims)

    def size(self, mesh_dim=None) -> int:
        if mesh_dim is None:
            return math.prod(self.shape)
        return self.shape[self._dim_index(mesh_dim)]

    def __getitem__(self, names):
        names = (names,) if isinstance(names, str) else tuple(names)
        for n in names:
            if n not in self._dims:
                raise KeyError(f"Invalid mesh_dim_names {names} specified. Valid mesh_dim_names "
                               f"are {self._dims}.")
        return DeviceMesh(self.device_type, None, _jax_mesh=self.jax_mesh, _dims=names)

    def get_group(self, mesh_dim=None):
        """The collective group of one mesh dim: the sub-mesh itself (collectives take it as
        `group=`)."""
        if mesh_dim is None:
            if self.ndim != 1:
                raise RuntimeError("Found the DeviceMesh have multiple dimensions, please "
                                   "specify mesh_dim")
            return self
        return self[self._dims[self._dim_index(mesh_dim)]]

    def get_all_groups(self):
        return [self[n] for n in self._dims]

    def get_rank(self) -> int:
        """This process's rank (torch.distributed.get_rank())."""
        return _spmd.process_index()

    def _dim_index(self, mesh_dim):
        if isinstance(mesh_dim, str):
            return self._dims.index(mesh_dim)
        return mesh_dim

    def __eq__(self, other):
        return isinstance(other, DeviceMesh) and (self.jax_mesh, self._dims) == \
            (other.jax_mesh, other._dims)

    def __hash__(self):
        return hash((self.jax_mesh, self._dims))

    def __repr__(self):
        dims = ", ".join(f"{n}={self.jax_mesh.shape[n]}" for n in self._dims)
        return f"DeviceMesh('{self.device_type}', ({dims}))"


def _dim_names(names, ndim):
    if names is None:
        return tuple(f"dim{i}" for i in range(ndim))
    names = tuple(names)
    if len(names) != ndim:
        raise RuntimeError(f"mesh_dim_names {names} must have the same length as the mesh "
                           f"dims ({ndim})")
    if len(set(names)) != len(names):
        raise RuntimeError(f"Each mesh_dim_name must be unique. Found repeated mesh_dim_name "
                           f"in mesh_dim_names {names}")
    return names


def init_device_mesh(device_type, mesh_shape, *, mesh_dim_names=None, backend_override=None):
    """A DeviceMesh of shape `mesh_shape` over all devices of `device_type` ("cuda" is any
    accelerator, as everywhere in jtorch), in process-major order."""
    mesh_shape = tuple(mesh_shape)
    n = len(_spmd.global_devices(device_type))
    if math.prod(mesh_shape) != n:
        raise RuntimeError(f"init_device_mesh: mesh_shape {mesh_shape} has "
                           f"{math.prod(mesh_shape)} entries but there are {n} {device_type} "
                           "devices")
    return DeviceMesh(device_type, np.arange(n).reshape(mesh_shape),
                      mesh_dim_names=mesh_dim_names)
