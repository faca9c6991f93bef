"""The DataLoader worker process: its loop, seeding, `get_worker_info`, and fork safety.

Workers are real processes from Python's `multiprocessing`, started with the platform's
default method as in torch (fork on Linux), or the `multiprocessing_context` given.

JAX is not fork-safe: in a child forked after XLA started, any compile, execution or transfer
blocks forever on threads that did not survive the fork. A forked worker therefore runs
*XLA-free* (`enter_xla_free_mode`): tensor creation (`torch.tensor`, `as_tensor`,
`from_numpy`), jtorch's datasets, transforms and `default_collate` work on numpy host
tensors there, and any other jtorch op raises `XlaUnavailableError` at once instead of
hanging. The worker then hands that batch back to the main process, which loads it itself
(see `dataloader._MultiProcessingDataLoaderIter`), so unchanged programs still run.
Workers started with "spawn" or "forkserver" are fresh interpreters where JAX works fully.

Measured on the CPU machine used for the benchmarks (benchmarks/dataloader.py): forked
workers start in milliseconds and need no pickling of the dataset, while spawned workers
take about 2 s each to import JAX and must unpickle the dataset; "spawn" also re-runs the
main module, which unguarded tutorial scripts cannot survive. Hence fork stays the default.
"""

from __future__ import annotations

import os
import queue
import random
import traceback
from dataclasses import dataclass

import numpy as np

from jtorch.utils.data._utils import host


class ManagerWatchdog:
    """Tells a worker whether the main process that started it is still alive."""

    def __init__(self):
        self.manager_pid = os.getppid()
        self.manager_dead = False

    def is_alive(self):
        if not self.manager_dead:
            self.manager_dead = os.getppid() != self.manager_pid
        return not self.manager_dead


_worker_info = None


@dataclass(frozen=True)
class WorkerInfo:
    """torch's WorkerInfo: id, num_workers, seed and the worker's copy of the dataset."""

    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str | None = "multiprocessing"


def get_worker_info():
    """torch.utils.data.get_worker_info: this worker's WorkerInfo; None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    seed: int | None = None


@dataclass(frozen=True)
class _NeedsMainProcess:
    """A forked worker met an op that needs XLA; the main process loads this batch."""

    worker_id: int
    what: str


class KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError shows its traceback text."""

    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """torch._utils.ExceptionWrapper: an exception's type and traceback text, re-raised in
    the main process as the same type with "Caught X in DataLoader worker process N"."""

    def __init__(self, exc_info=None, where="in background"):
        import sys
        if exc_info is None:
            exc_info = sys.exc_info()
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        # raised without a local name, so the exception's traceback does not hold it in a cycle
        raise self.exc_type(msg)


# ---- XLA-free mode (forked workers) -------------------------------------------------------

class XlaUnavailableError(RuntimeError):
    """A jtorch op that needs XLA was called in a forked DataLoader worker."""

    def __init__(self, what):
        self.what = what
        super().__init__(
            f"{what} needs XLA, which a DataLoader worker started with fork cannot use (JAX is "
            "not fork-safe). Load data with numpy/PIL and jtorch transforms in the dataset, "
            "move tensor math to the training loop, or pass multiprocessing_context='spawn' "
            "to the DataLoader (the script then needs an `if __name__ == '__main__':` guard).")


class _RefuseJit(dict):
    """Stands in for an Op's cache of jitted functions: every lookup refuses."""

    def __init__(self, op):
        super().__init__()
        self.op = op

    def get(self, key, default=None):
        name = getattr(self.op.fn, "__name__", None) or self.op.name()
        raise XlaUnavailableError(f"jtorch op `{name}`")


def _refuse_compile(*args, **kwargs):
    raise XlaUnavailableError("a JAX computation")


def _numpy_asarray(a, dtype=None, order=None, *, copy=None, device=None):
    return np.array(a, dtype=dtype, copy=True) if copy else np.asarray(a, dtype=dtype)


def _numpy_array(a, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    return np.array(a, dtype=dtype, copy=copy, ndmin=ndmin)


def enter_xla_free_mode():
    """Make this forked process XLA-free: array creation yields numpy, the Tensor methods
    datasets use most (indexing, dtype casts, reshapes) run on numpy, other ops refuse at
    once (and the batch is loaded by the main process)."""
    import jax.numpy as jnp
    from jax._src import compiler

    from jtorch import _dispatch
    from jtorch._tensor import Tensor
    host.xla_free = True
    jnp.asarray = _numpy_asarray  # jtorch's tensor factories build their arrays with these
    jnp.array = _numpy_array
    for op in _dispatch._ALL_OPS:
        op._jitted = _RefuseJit(op)
    compiler.backend_compile_and_load = _refuse_compile  # the net for anything else
    for name, fn in _HOST_METHODS.items():
        setattr(Tensor, name, _on_host(fn))


def _on_host(fn):
    def method(self, *args, **kwargs):
        return host.host_tensor(np.asarray(fn(host.host_array(self), *args, **kwargs)))
    method.__name__ = fn.__name__
    return method


def _np_index(index):
    """A Tensor index with tensors replaced by their numpy values."""
    from jtorch._tensor import Tensor
    if isinstance(index, tuple):
        return tuple(_np_index(i) for i in index)
    if isinstance(index, Tensor):
        return host.host_array(index)
    return index


def _shape(args):
    return tuple(args[0]) if len(args) == 1 and not isinstance(args[0], int) else args


def _np_dtype(dtype):
    from jtorch import _dtypes
    return _dtypes.as_dtype(dtype).np


def _to(a, *args, **kwargs):
    """Tensor.to for dtypes (and the CPU): anything else needs XLA."""
    from jtorch import _dtypes
    dtype = kwargs.get("dtype")
    for arg in args:
        if isinstance(arg, (_dtypes.dtype, type)):
            dtype = arg
        elif arg is not None and str(arg) != "cpu":
            raise XlaUnavailableError(f"Tensor.to({arg!r})")
    device = kwargs.get("device")
    if device is not None and str(device) != "cpu":
        raise XlaUnavailableError(f"Tensor.to(device={device!r})")
    return a if dtype is None else a.astype(_np_dtype(dtype))


def _squeeze(a, dim=None):
    if dim is None:
        return np.squeeze(a)
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    return np.squeeze(a, tuple(d for d in dims if a.shape[d] == 1))


def _flatten(a, start_dim=0, end_dim=-1):
    if a.ndim == 0:
        return a.reshape(1)
    start, end = start_dim % a.ndim, end_dim % a.ndim
    return a.reshape(a.shape[:start] + (-1,) + a.shape[end + 1:])


# numpy versions of the Tensor methods datasets call most, used in XLA-free workers; their
# results are copies where torch gives views (a worker's samples are collated, not mutated)
_HOST_METHODS = {
    "__getitem__": lambda a, index: a[_np_index(index)],
    "to": _to,
    "float": lambda a, memory_format=None: a.astype(np.float32),
    "double": lambda a, memory_format=None: a.astype(np.float64),
    "half": lambda a, memory_format=None: a.astype(np.float16),
    "long": lambda a, memory_format=None: a.astype(np.int64),
    "int": lambda a, memory_format=None: a.astype(np.int32),
    "short": lambda a, memory_format=None: a.astype(np.int16),
    "byte": lambda a, memory_format=None: a.astype(np.uint8),
    "bool": lambda a, memory_format=None: a.astype(np.bool_),
    "view": lambda a, *shape: a.reshape(_shape(shape)),
    "reshape": lambda a, *shape: a.reshape(_shape(shape)),
    "unsqueeze": lambda a, dim: np.expand_dims(a, dim),
    "squeeze": _squeeze,
    "permute": lambda a, *dims: a.transpose(_shape(dims)),
    "flatten": _flatten,
    "clone": lambda a, memory_format=None: a.copy(),
    "contiguous": lambda a, memory_format=None: a,
    "detach": lambda a: a,
}


def seed_generator(generator, seed):
    """generator.manual_seed(seed) without XLA: the threefry key JAX's PRNGKey(seed) makes."""
    generator._seed = seed
    generator._key = np.array([(seed >> 32) & 0xFFFFFFFF, seed & 0xFFFFFFFF], dtype=np.uint32)


# ---- seeding ------------------------------------------------------------------------------

def _generate_state(base_seed, worker_id):
    """torch's numpy seed for a worker: a SeedSequence-like hash of (worker_id, base_seed)."""
    INIT_A, MULT_A = 0x43B0D7E5, 0x931E8875
    INIT_B, MULT_B = 0x8B51F9DD, 0x58F38DED
    MIX_MULT_L, MIX_MULT_R = 0xCA01F9DD, 0x4973F715
    XSHIFT = 4 * 8 // 2
    MASK32 = 0xFFFFFFFF

    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_A = INIT_A

    def hash(value):
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        return (value ^ (value >> XSHIFT)) & MASK32

    def mix(x, y):
        result = ((MIX_MULT_L * x) & MASK32) - ((MIX_MULT_R * y) & MASK32)
        result &= MASK32
        return (result ^ (result >> XSHIFT)) & MASK32

    for i in range(len(pool)):
        pool[i] = hash(entropy[i])
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))

    hash_const_B = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        data_val = (data_val * hash_const_B) & MASK32
        data_val = (data_val ^ (data_val >> XSHIFT)) & MASK32
        state.append(data_val)
    return state


def _seed_worker(base_seed, worker_id, xla_free):
    """Seed Python's, numpy's and jtorch's RNGs as torch seeds a worker's."""
    import jtorch
    seed = base_seed + worker_id
    random.seed(seed)
    if xla_free:
        seed_generator(jtorch.default_generator, seed)
    else:
        jtorch.manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


# ---- the loop -----------------------------------------------------------------------------

# How often an idle worker looks at done_event and at its parent. Shorter than torch's
# MP_STATUS_CHECK_INTERVAL: an iterator collected by the cyclic GC (an exception's traceback
# keeps it in a cycle) has its queues' finalizers run before its own, which can swallow the
# None that tells a worker to stop; the worker then stops on done_event instead.
_POLL_INTERVAL = 0.2

def _serialize(idx, data, worker_id):
    """Pickle a result here, so an unpicklable batch becomes an error the main process sees
    (a multiprocessing.Queue pickles in a background thread and would lose it)."""
    from multiprocessing.reduction import ForkingPickler
    try:
        return bytes(ForkingPickler.dumps((idx, data)))
    except Exception:
        wrapped = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        return bytes(ForkingPickler.dumps((idx, wrapped)))


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation,
                 collate_fn, drop_last, base_seed, init_fn, worker_id, num_workers,
                 persistent_workers, xla_free):
    from jtorch.utils.data.dataloader import _DatasetKind
    try:
        if xla_free:
            enter_xla_free_mode()
        seed = _seed_worker(base_seed, worker_id, xla_free)

        global _worker_info
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed,
                                  dataset=dataset)

        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                  collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")

        iteration_end = False
        watchdog = ManagerWatchdog()
        while watchdog.is_alive():
            try:
                r = index_queue.get(timeout=_POLL_INTERVAL)
            except queue.Empty:
                if done_event.is_set():
                    break  # shut down even if the None sent to this queue was lost
                continue
            if isinstance(r, _ResumeIteration):
                data_queue.put(_serialize(r, None, worker_id))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation,
                                                      collate_fn, drop_last)
                continue
            if r is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = r
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    data = fetcher.fetch(index)
                except XlaUnavailableError as e:
                    data = _NeedsMainProcess(worker_id, e.what)
                except Exception as e:
                    if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
                        data = _IterableDatasetStopIteration(worker_id)
                        iteration_end = True
                    else:
                        data = ExceptionWrapper(
                            where=f"in DataLoader worker process {worker_id}")
            data_queue.put(_serialize(idx, data, worker_id))
            del data, idx, index, r
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
