"""Host tensors: jtorch Tensors whose storage is a numpy array, for the data pipeline.

Why they exist (measured on this repo's CPU machine, see benchmarks/dataloader.py):
- Putting one small array on a JAX device costs ~40-100 us (`jnp.asarray` / `jax.device_put`),
  while torch's whole `ToTensor()` costs ~15 us. A per-sample device transfer would dominate
  a FashionMNIST epoch. Samples therefore stay in host memory (numpy) from the dataset through
  the transforms, and the DataLoader moves each *batch* to JAX once (one `device_put` per leaf).
- JAX is not fork-safe: in a process forked after XLA started its thread pools, compiling,
  executing or transferring (anything but reading an already computed CPU array) blocks
  forever. DataLoader workers are forked, as in torch on Linux, so worker-side code must not
  touch XLA; host tensors let datasets and transforms run there on numpy alone.

A host tensor is a plain `jtorch.Tensor` whose `_raw` is an `np.ndarray`; every jtorch op
accepts it (the op funnel hands the array to `jax.jit`, which converts numpy inputs), so a
user who indexes a dataset directly (`model(test_data[0][0])`) gets a working tensor.
"""

from __future__ import annotations

import collections.abc
import copy
import gc
import types

import jax
import numpy as np

from jtorch._tensor import Tensor, from_array

# Set in a DataLoader worker started with fork (see worker.enter_xla_free_mode).
xla_free = False


def host_tensor(array) -> Tensor:
    """A Tensor holding `array` (a numpy array or scalar) in host memory, without a copy."""
    return from_array(np.asarray(array))


def is_host(t: Tensor) -> bool:
    return isinstance(t._raw, np.ndarray)


def host_array(t: Tensor) -> np.ndarray:
    """The values of `t` as a numpy array (no copy for host tensors and CPU arrays)."""
    return np.asarray(t._array)


def stored_tensor(array) -> Tensor:
    """A Tensor for data a dataset keeps (`MNIST.data`): a JAX array, so every jtorch op on
    it runs without re-transferring it; a host tensor where XLA is unavailable."""
    t = host_tensor(array)
    return t if xla_free else to_device(t)


def to_device(t: Tensor) -> Tensor:
    """Move a host tensor's values into a JAX array (on the default device: the CPU)."""
    if not is_host(t):
        return t
    out = from_array(jax.device_put(np.asarray(t._raw, order="C")), t._requires_grad)
    return out


def materialize(batch):
    """`batch` with every host tensor moved to JAX, walking the containers default_collate
    builds (tensors, lists, tuples, named tuples, mappings); other objects pass unchanged."""
    if isinstance(batch, Tensor):
        return to_device(batch)
    if isinstance(batch, (str, bytes)) or batch is None:
        return batch
    if type(batch) is tuple or type(batch) is list:
        return type(batch)(materialize(b) for b in batch)
    if isinstance(batch, tuple) and hasattr(batch, "_fields"):  # a named tuple
        return type(batch)(*(materialize(b) for b in batch))
    if isinstance(batch, (collections.abc.Mapping, collections.abc.MutableSequence)):
        return _rebuild(batch)
    return batch


def _rebuild(container):
    try:
        if isinstance(container, collections.abc.MutableMapping):
            clone = copy.copy(container)
            clone.update({k: materialize(v) for k, v in container.items()})
            return clone
        if isinstance(container, collections.abc.Mapping):
            return type(container)({k: materialize(v) for k, v in container.items()})
        clone = copy.copy(container)
        for i, v in enumerate(container):
            clone[i] = materialize(v)
        return clone
    except TypeError:
        return container


# ---- randomness for data augmentation -------------------------------------------------------

_host_rng_state = [None, None]  # the generator key it was derived from, the numpy Generator


def host_rng() -> np.random.Generator:
    """A numpy Generator for per-sample randomness (random transforms), tied to jtorch's
    global generator: re-derived from its key whenever the key changes (`manual_seed`, any
    random op, a DataLoader worker's seeding), so runs are reproducible under
    `torch.manual_seed`, workers differ, and no XLA call is made per sample. Unlike torch,
    drawing here does not advance the global generator."""
    from jtorch._api.creation import default_generator
    key = default_generator._key
    if key is not _host_rng_state[0]:
        seed = np.asarray(key).astype(np.uint64).tolist()
        _host_rng_state[:] = [key, np.random.default_rng(seed)]
    return _host_rng_state[1]


# ---- fork safety ------------------------------------------------------------------------

def settle_arrays(*roots, limit=2_000_000):
    """Before forking workers: wait for every JAX array reachable from `roots` to be computed.

    A forked worker can read a finished CPU array, but one whose asynchronous computation was
    still running at fork time never becomes ready in the child (its XLA threads are gone).
    Views whose base changed are refreshed here too, since a refresh is an XLA op.
    Modules, classes and functions' globals are not walked (a dataset's data lives in its
    attributes and closures); `limit` bounds the walk on huge Python structures.
    """
    seen = set()
    stack = list(roots)
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, _ATOMS):
            continue
        seen.add(id(obj))
        if isinstance(obj, Tensor):
            if not is_host(obj):
                obj._array.block_until_ready()
            if obj._base is not None:
                stack.append(obj._base)
            continue
        if isinstance(obj, jax.Array):
            obj.block_until_ready()
            continue
        if isinstance(obj, np.ndarray):
            if obj.dtype == object:
                stack.extend(obj.ravel().tolist())
            continue
        if isinstance(obj, (types.ModuleType, type)):
            continue
        if isinstance(obj, (list, tuple)) and len(obj) > 64 and _plain_records(obj):
            continue  # e.g. ImageFolder.samples: a million (path, class) pairs
        if isinstance(obj, types.FunctionType):
            stack.extend(c.cell_contents for c in (obj.__closure__ or ())
                         if _cell_filled(c))
            stack.extend(obj.__defaults__ or ())
            continue
        stack.extend(gc.get_referents(obj))


_ATOMS = (str, bytes, int, float, complex, bool, type(None), types.BuiltinFunctionType,
          types.CodeType)


def _plain_records(seq):
    """True if a long list looks like plain data (atoms, or tuples of atoms) throughout:
    its first, middle and last 8 items are checked."""
    n = len(seq)
    for item in (*seq[:8], *seq[n // 2: n // 2 + 8], *seq[-8:]):
        if isinstance(item, tuple):
            if not all(isinstance(x, _ATOMS) for x in item):
                return False
        elif not isinstance(item, _ATOMS):
            return False
    return True


def _cell_filled(cell):
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


# ---- crossing process boundaries ----------------------------------------------------------

def _rebuild_tensor(array, requires_grad):
    return from_array(array, requires_grad)


def _reduce_tensor(t):
    """Pickle a Tensor for a worker queue as its numpy values (torch registers its own
    reducers with ForkingPickler the same way); it arrives as a host tensor."""
    return _rebuild_tensor, (np.asarray(host_array(t), order="C"), t._requires_grad)


def _register_reducers():
    from multiprocessing.reduction import ForkingPickler
    ForkingPickler.register(Tensor, _reduce_tensor)


_register_reducers()
