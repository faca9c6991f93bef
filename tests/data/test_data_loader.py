"""DataLoader against torch's: batches (order, structure, dtypes) with and without workers,
len, drop_last, argument errors, shuffling, seeding, worker processes (worker_init_fn,
get_worker_info, IterableDataset sharding, persistent workers, exceptions with their original
type, dead workers and timeouts without hangs) and the fork-safety fallback."""

import os
import time
import warnings

import jax
import numpy as np
import pytest
from _compare import assert_same

import jtorch
from jtorch.utils import data as J

torch = pytest.importorskip("torch")
from torch.utils import data as T  # noqa: E402


def tensor_datasets(n=10):
    x = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n) % 4
    return (J.TensorDataset(jtorch.tensor(x), jtorch.tensor(y)),
            T.TensorDataset(torch.tensor(x), torch.tensor(y)))


class Records:
    """A map-style dataset of dict samples with numbers, strings and arrays (no tensors)."""

    def __init__(self, n=9):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"id": i, "score": i / 2, "name": f"item{i}",
                "vec": np.full((2,), i, np.float32), "pair": (i, float(i))}


def loaders(j_dataset, t_dataset, **kwargs):
    return J.DataLoader(j_dataset, **kwargs), T.DataLoader(t_dataset, **kwargs)


@pytest.mark.parametrize("kwargs", [
    {}, {"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": 4},
    {"batch_size": 10}, {"batch_size": 20, "drop_last": True}, {"batch_size": None},
    {"batch_sampler": [[0, 5], [9], [1, 2, 3]]}, {"sampler": [9, 8, 7], "batch_size": 2},
])
def test_batches_match_torch_without_shuffle(kwargs):
    for make in (tensor_datasets, lambda: (Records(), Records())):
        jd, td = make()
        jl, tl = loaders(jd, td, **kwargs)
        assert len(jl) == len(tl)
        j_batches, t_batches = list(jl), list(tl)
        assert len(j_batches) == len(t_batches)
        for jb, tb in zip(j_batches, t_batches):
            assert_same(jb, tb)


def test_batches_are_jax_backed_cpu_tensors():
    jl = J.DataLoader(tensor_datasets()[0], batch_size=4)
    x, y = next(iter(jl))
    assert isinstance(x._raw, jax.Array) and x.device.type == "cpu"
    assert x.dtype == jtorch.float32 and y.dtype == jtorch.int64
    assert (x.to("cpu") is x) and float((x * 2).sum()) == 2 * float(x.sum())


def test_custom_collate_fn_and_iterable_dataset_batches_match_torch():
    jd, td = tensor_datasets(7)

    def collate(batch):
        return {"n": len(batch), "first": batch[0]}
    jl, tl = loaders(jd, td, batch_size=3, collate_fn=collate)
    for jb, tb in zip(jl, tl):
        assert_same(jb, tb)

    class JStream(J.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    class TStream(T.IterableDataset):
        def __iter__(self):
            return iter(range(7))

        def __len__(self):
            return 7

    for kwargs in ({"batch_size": 3}, {"batch_size": 3, "drop_last": True}, {"batch_size": None}):
        jl, tl = loaders(JStream(), TStream(), **kwargs)
        assert len(jl) == len(tl)
        for jb, tb in zip(list(jl), list(tl), strict=True):
            assert_same(jb, tb)


def errors_alike(j_call, t_call):
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(t_err.type) as j_err:
        j_call()
    assert str(j_err.value) == str(t_err.value)


class JStream(J.IterableDataset):
    def __iter__(self):
        return iter(range(3))


class TStream(T.IterableDataset):
    def __iter__(self):
        return iter(range(3))


@pytest.mark.parametrize("kwargs", [
    {"num_workers": -1}, {"timeout": -1}, {"prefetch_factor": 2},
    {"num_workers": 1, "prefetch_factor": -1}, {"persistent_workers": True},
    {"shuffle": True, "sampler": [0, 1]}, {"batch_sampler": [[0]], "batch_size": 2},
    {"batch_sampler": [[0]], "drop_last": True}, {"batch_size": None, "drop_last": True},
    {"multiprocessing_context": "fork"}, {"num_workers": 1, "multiprocessing_context": "nope"},
    {"num_workers": 1, "multiprocessing_context": 3},
])
def test_argument_errors_match_torch(kwargs):
    jd, td = tensor_datasets()
    errors_alike(lambda: J.DataLoader(jd, **kwargs), lambda: T.DataLoader(td, **kwargs))


@pytest.mark.parametrize("kwargs", [{"shuffle": True}, {"sampler": [0]},
                                    {"batch_sampler": [[0]]}])
def test_iterable_dataset_argument_errors_match_torch(kwargs):
    errors_alike(lambda: J.DataLoader(JStream(), **kwargs),
                 lambda: T.DataLoader(TStream(), **kwargs))


def test_attributes_cannot_be_set_after_init_like_torch():
    jl, tl = loaders(*tensor_datasets())
    for attr in ("batch_size", "sampler", "dataset", "drop_last"):
        errors_alike(lambda a=attr: setattr(jl, a, None), lambda a=attr: setattr(tl, a, None))
    jl.num_workers = 0  # other attributes may change, as in torch


def test_shuffle_gives_a_permutation_each_epoch_reproducible_under_manual_seed():
    jd = J.TensorDataset(jtorch.arange(40))
    loader = J.DataLoader(jd, batch_size=8, shuffle=True)
    jtorch.manual_seed(123)
    epoch1 = [i for (b,) in loader for i in b.tolist()]
    epoch2 = [i for (b,) in loader for i in b.tolist()]
    assert sorted(epoch1) == sorted(epoch2) == list(range(40)) and epoch1 != epoch2
    jtorch.manual_seed(123)
    assert [i for (b,) in loader for i in b.tolist()] == epoch1
    g = jtorch.Generator().manual_seed(5)
    a = [b.tolist() for (b,) in J.DataLoader(jd, batch_size=8, shuffle=True, generator=g)]
    g.manual_seed(5)
    assert [b.tolist() for (b,) in J.DataLoader(jd, batch_size=8, shuffle=True,
                                                 generator=g)] == a


# ---- worker processes ------------------------------------------------------------------------

class WorkerTagged(J.Dataset):
    """Items tell which worker (and process) produced them."""

    def __len__(self):
        return 8

    def __getitem__(self, i):
        info = J.get_worker_info()
        return {"i": i, "worker": -1 if info is None else info.id,
                "num_workers": 0 if info is None else info.num_workers,
                "seed": 0 if info is None else info.seed, "pid": os.getpid(),
                "np_random": int(np.random.randint(0, 2**31)),
                "same_dataset": info is not None and info.dataset is not self}


def test_workers_give_the_same_batches_in_the_same_order_as_torch():
    jd, td = tensor_datasets(11)
    for kwargs in ({"batch_size": 3}, {"batch_size": 2, "drop_last": True},
                   {"batch_size": None}, {"batch_size": 4, "prefetch_factor": 1}):
        jl = J.DataLoader(jd, num_workers=2, **kwargs)
        kwargs.pop("prefetch_factor", None)
        tl = T.DataLoader(td, num_workers=0, **kwargs)
        for jb, tb in zip(list(jl), list(tl), strict=True):
            assert_same(jb, tb)
    jl = J.DataLoader(Records(), num_workers=2, batch_size=4)
    tl = T.DataLoader(Records(), batch_size=4)
    for jb, tb in zip(list(jl), list(tl), strict=True):
        assert_same(jb, tb)


def test_worker_info_seeds_and_worker_init_fn():
    assert J.get_worker_info() is None
    seen = []
    batches = list(J.DataLoader(WorkerTagged(), batch_size=2, num_workers=2,
                                worker_init_fn=lambda wid: np.random.seed(1000 + wid)))
    for b in batches:
        seen += [dict(zip(b, vals)) for vals in zip(*[b[k].tolist() for k in b])]
    assert [s["i"] for s in seen] == list(range(8))
    assert [s["worker"] for s in seen] == [0, 0, 1, 1, 0, 0, 1, 1]  # round-robin, in order
    assert {s["num_workers"] for s in seen} == {2}
    by_worker = {s["worker"]: s for s in seen}
    assert by_worker[1]["seed"] == by_worker[0]["seed"] + 1  # base_seed + worker_id
    assert by_worker[0]["pid"] != by_worker[1]["pid"] != os.getpid()
    # worker_init_fn ran in each worker, after torch's own seeding
    first = {s["worker"]: s["np_random"] for s in seen if s["i"] in (0, 2)}
    assert first == {0: np.random.RandomState(1000).randint(0, 2**31),
                     1: np.random.RandomState(1001).randint(0, 2**31)}


@pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")  # torch's workers, not jtorch's
def test_iterable_dataset_sharded_by_worker_info_yields_each_item_once():
    class Sharded(J.IterableDataset):
        def __iter__(self):
            info = J.get_worker_info()
            start, step = (0, 1) if info is None else (info.id, info.num_workers)
            return iter(range(start, 10, step))

    out = [int(x) for x in J.DataLoader(Sharded(), num_workers=2)]
    assert sorted(out) == list(range(10))
    assert out[:4] == [0, 1, 2, 3]  # torch interleaves the workers' batches
    unsharded = sorted(int(x) for b in J.DataLoader(JStream(), batch_size=2, num_workers=2)
                       for x in b)
    expected = sorted(int(x) for b in T.DataLoader(TStream(), batch_size=2, num_workers=2)
                      for x in b)
    assert unsharded == expected == [0, 0, 1, 1, 2, 2]  # every worker replays the stream


class Failing(J.Dataset):
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise self.error
        return i


class MyError(Exception):
    pass


@pytest.mark.parametrize("error", [KeyError("missing key"), ValueError("bad value"),
                                   MyError("custom"), IndexError("off the end")])
def test_worker_exceptions_keep_their_type_and_traceback(error):
    ds = Failing()
    ds.error = error
    loader = J.DataLoader(ds, batch_size=2, num_workers=2)
    start = time.monotonic()
    with pytest.raises(type(error)) as info:
        list(loader)
    message = str(info.value)
    assert f"Caught {type(error).__name__} in DataLoader worker process 1." in message
    assert "Traceback (most recent call last)" in message and "raise self.error" in message
    assert time.monotonic() - start < 20


def test_worker_init_fn_exception_and_dead_worker_and_timeout_do_not_hang():
    def bad_init(worker_id):
        raise RuntimeError(f"init failed in {worker_id}")

    with pytest.raises(RuntimeError, match="init failed in 0"):
        list(J.DataLoader(Records(), num_workers=2, worker_init_fn=bad_init))

    class Dies(J.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            os._exit(3)

    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"DataLoader worker \(pid\(s\) \d+.*\) exited "
                                           "unexpectedly"):
        list(J.DataLoader(Dies(), num_workers=2, timeout=1))

    class Slow(J.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(1.5)
            return i

    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.3 seconds"):
        list(J.DataLoader(Slow(), num_workers=1, timeout=0.3))
    assert time.monotonic() - start < 20


def test_persistent_workers_are_reused_across_epochs():
    loader = J.DataLoader(WorkerTagged(), batch_size=4, num_workers=2, persistent_workers=True)
    pids = [sorted({p for b in loader for p in b["pid"].tolist()}) for _ in range(3)]
    assert pids[0] == pids[1] == pids[2] and len(pids[0]) == 2
    assert [b["i"].tolist() for b in loader] == [[0, 1, 2, 3], [4, 5, 6, 7]]
    loader._iterator._shutdown_workers()


def test_in_order_false_and_pin_memory_still_give_every_batch():
    jd, _ = tensor_datasets(12)
    batches = list(J.DataLoader(jd, batch_size=3, num_workers=2, in_order=False))
    assert sorted(v for b in batches for v in b[1].tolist()) == sorted(np.arange(12) % 4)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        pinned = list(J.DataLoader(jd, batch_size=6, pin_memory=True))
    assert len(pinned) == 2
    if not jtorch.accelerator.is_available():
        assert any("'pin_memory' argument is set as true but no accelerator" in str(x.message)
                   for x in w)


def test_iterable_len_mismatch_warns_like_torch():
    class Liar(J.IterableDataset):
        def __iter__(self):
            return iter(range(5))

        def __len__(self):
            return 2

    loader = J.DataLoader(Liar(), batch_size=None)
    assert len(loader) == 2
    with pytest.warns(UserWarning, match="was reported to be 2"):
        assert len(list(loader)) == 5


# ---- fork safety -----------------------------------------------------------------------------

class UsesTensorOps(J.Dataset):
    """__getitem__ does jtorch math: that needs XLA, which a forked worker cannot use."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return jtorch.tensor([i, i + 1]).float() * 2, jtorch.tensor(i)


def test_a_batch_needing_xla_is_loaded_by_the_main_process_with_one_warning():
    loader = J.DataLoader(UsesTensorOps(), batch_size=4, num_workers=2)
    with pytest.warns(UserWarning, match="could not load a batch: jtorch op") as record:
        batches = list(loader)
        batches += list(loader)
    assert sum("could not load a batch" in str(w.message) for w in record) == 1
    expected = [[[0, 2], [2, 4], [4, 6], [6, 8]], [[8, 10], [10, 12]]] * 2
    assert [b[0].tolist() for b in batches] == expected
    assert batches[0][1].dtype == jtorch.int64


def test_tensor_factories_and_jtorch_transforms_run_inside_forked_workers():
    from jtorch.vision import transforms

    class Factories(J.Dataset):
        def __len__(self):
            return 4

        def __getitem__(self, i):
            img = np.full((4, 4), i * 10, np.uint8)
            x = transforms.Normalize([0.5], [0.5])(transforms.ToTensor()(img))
            return x, jtorch.tensor(i), jtorch.from_numpy(np.arange(2) + i), os.getpid()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback to the main process
        batches = list(J.DataLoader(Factories(), batch_size=2, num_workers=2))
    assert all(pid != os.getpid() for b in batches for pid in b[3].tolist())
    x = batches[1][0]
    assert x.shape == (2, 1, 4, 4) and x.dtype == jtorch.float32
    np.testing.assert_allclose(x.numpy()[1, 0, 0, 0], (30 / 255 - 0.5) / 0.5, rtol=1e-6)
    assert batches[1][1].tolist() == [2, 3] and batches[1][2].tolist() == [[2, 3], [3, 4]]


def test_common_tensor_methods_in_getitem_run_inside_forked_workers():
    class FromTensors(J.Dataset):  # the usual custom dataset over preloaded tensors
        def __init__(self):
            self.x = jtorch.arange(60, dtype=jtorch.uint8).reshape(5, 3, 4)
            self.y = jtorch.tensor([3, 1, 4, 1, 5])

        def __len__(self):
            return 5

        def __getitem__(self, i):
            img = self.x[i].float().unsqueeze(0).permute(0, 2, 1).reshape(-1)
            return img[jtorch.tensor([0, 11])].to(jtorch.float64), self.y[i].long(), \
                self.x[i, 1:, ::2].flatten().clone().squeeze(), os.getpid()

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing fell back to the main process
        got = list(J.DataLoader(FromTensors(), batch_size=2, num_workers=2))
    expected = list(J.DataLoader(FromTensors(), batch_size=2))
    assert all(pid != os.getpid() for b in got for pid in b[3].tolist())
    for g, e in zip(got, expected, strict=True):
        for a, b in zip(g[:3], e[:3]):
            assert a.dtype == b.dtype and a.tolist() == b.tolist()


def test_fresh_async_tensors_in_the_dataset_do_not_hang_forked_workers():
    # jtorch.randn dispatches asynchronously; forking before it finishes used to block the
    # worker forever on the never-ready array (host.settle_arrays waits first).
    for _ in range(2):
        ds = J.TensorDataset(jtorch.randn(2000, 64) * 3 + 1, jtorch.arange(2000))
        start = time.monotonic()
        out = list(J.DataLoader(ds, batch_size=500, num_workers=2, timeout=30))
        assert len(out) == 4 and time.monotonic() - start < 30
        np.testing.assert_array_equal(out[3][1].numpy(), np.arange(1500, 2000))


def test_unpicklable_batches_are_reported_not_lost():
    class Unpicklable(J.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return lambda: i

    with pytest.raises(Exception, match="Caught .* in DataLoader worker process 0"):
        list(J.DataLoader(Unpicklable(), batch_size=None, num_workers=1, timeout=20,
                          collate_fn=lambda x: x))


@pytest.mark.slow
def test_spawn_workers_run_jtorch_ops():
    loader = J.DataLoader(UsesTensorOps(), batch_size=3, num_workers=2,
                          multiprocessing_context="spawn")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [b[0].tolist() for b in loader] == [[[0, 2], [2, 4], [4, 6]],
                                                   [[6, 8], [8, 10], [10, 12]]]
