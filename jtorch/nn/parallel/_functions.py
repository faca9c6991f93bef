"""Scatter and gather of data-parallel wrappers (torch/nn/parallel/_functions.py): every tensor
in a module's inputs is split along the batch dim over a data-parallel mesh; every tensor in
its outputs comes back as this process's piece, on one device."""

from __future__ import annotations

import jax

from jtorch._tensor import Tensor
from jtorch.distributed import _spmd
from jtorch.distributed._relayout import Gather, Relayout, Scatter


def _map_tensors(fn, tree):
    return jax.tree_util.tree_map(lambda x: fn(x) if isinstance(x, Tensor) else x, tree,
                                  is_leaf=lambda x: isinstance(x, Tensor))


def scatter(inputs, kwargs, mesh, dim):
    """Inputs laid out over `mesh` along `dim` (a process's batch becomes its piece of the
    global batch); tensors the local devices can't split evenly stay whole per process."""
    def place(t):
        return Relayout.apply(t, Scatter(mesh, _spmd.batch_spec(mesh, t.shape, dim)))
    return _map_tensors(place, inputs), _map_tensors(place, kwargs)


def laid_out_on(tree, mesh):
    """Whether some tensor in `tree` already lies over `mesh`'s devices (the caller laid its
    batch out itself, e.g. with distribute_tensor): outputs then stay laid out too."""
    devices = set(mesh.devices.flat)
    leaves = jax.tree_util.tree_leaves(tree, is_leaf=lambda x: isinstance(x, Tensor))
    return any(isinstance(t, Tensor) and not _spmd.is_traced(t._raw)
               and t._raw.sharding.device_set == devices for t in leaves)


def gather(outputs, mesh, dim, device, grad_scale=1.0):
    """Outputs brought back as this process's piece along `dim`, on `device`. Outputs whose
    `dim` isn't split by processes (a global reduction inside the module) come back whole."""
    n_proc = mesh.shape[mesh.axis_names[0]]

    def bring(t):
        shape = list(t.shape)
        if not shape or shape[dim] % n_proc:
            spec = _spmd.batch_spec(mesh, (), dim)
        else:
            shape[dim] //= n_proc
            spec = _spmd.batch_spec(mesh, shape, dim)
        return Relayout.apply(t, Gather(mesh, spec, device, grad_scale))
    return _map_tensors(bring, outputs)


def replicate_state(module, mesh):
    """Parameters, their gradients and buffers replicated over `mesh`, in place (the same
    Tensor objects, so optimizers and jtorch.compile keep seeing them). Values are taken as
    they are on each process; DistributedDataParallel broadcasts rank 0's first."""
    for t in _state_tensors(module):
        array = t._raw
        if not _spmd.is_traced(array):
            replicated = _spmd.replicate(array, mesh)
            if replicated is not array:
                t._raw = replicated
                t._gen += 1


def _state_tensors(module):
    for p in module.parameters():
        yield p
        if p._grad is not None:
            yield p._grad
    yield from module.buffers()


def data_parallel_forward(module, mesh, dim, device, inputs, kwargs, grad_scale=1.0):
    """One forward of DataParallel / DistributedDataParallel: state replicated (again, if
    something wrote a parameter from outside, as torch replicates every forward), the batch
    scattered, `module` run once as SPMD, the outputs gathered to `device`. Inputs the caller
    already laid out over the mesh keep their outputs laid out (the global view: no gather)."""
    replicate_state(module, mesh)
    keep_layout = laid_out_on((inputs, kwargs), mesh)
    inputs, kwargs = scatter(inputs, kwargs, mesh, dim)
    outputs = module(*inputs, **kwargs)
    if keep_layout:
        return outputs
    return gather(outputs, mesh, dim, device, grad_scale)
