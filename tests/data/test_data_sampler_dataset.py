"""Datasets, random_split and samplers against torch's: lengths, orders (where torch's order
is deterministic), permutation/distribution properties (where it is random) and errors."""

import collections
import warnings

import numpy as np
import pytest
from _compare import assert_same

import jtorch
from jtorch.utils import data as J

torch = pytest.importorskip("torch")
from torch.utils import data as T  # noqa: E402


def errors_alike(j_call, t_call):
    with pytest.raises(Exception) as t_err:
        t_call()
    with pytest.raises(t_err.type) as j_err:
        j_call()
    assert str(j_err.value) == str(t_err.value)


# ---- datasets -------------------------------------------------------------------------------

def test_tensor_dataset_items_match_torch():
    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    y = np.arange(6)
    jd = J.TensorDataset(jtorch.tensor(x), jtorch.tensor(y))
    td = T.TensorDataset(torch.tensor(x), torch.tensor(y))
    assert len(jd) == len(td) == 6
    for i in [0, 3, -1]:
        assert_same(jd[i], td[i])
    assert_same(jd[1:3], td[1:3])
    assert_same(jd[jtorch.tensor(2)], td[torch.tensor(2)])
    errors_alike(lambda: J.TensorDataset(jtorch.zeros(3), jtorch.zeros(4)),
                 lambda: T.TensorDataset(torch.zeros(3), torch.zeros(4)))


class Squares(J.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        if not 0 <= i < self.n:
            raise IndexError(i)
        return i * i


class TSquares(T.Dataset):
    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i * i


def test_concat_dataset_matches_torch():
    j = J.ConcatDataset([Squares(3), Squares(4)])
    t = T.ConcatDataset([TSquares(3), TSquares(4)])
    assert j.cumulative_sizes == t.cumulative_sizes == [3, 7]
    assert [j[i] for i in range(-7, 7)] == [t[i] for i in range(-7, 7)]
    errors_alike(lambda: j[-8], lambda: t[-8])
    errors_alike(lambda: J.ConcatDataset([]), lambda: T.ConcatDataset([]))
    assert isinstance(Squares(2) + Squares(3), J.ConcatDataset)
    assert len(Squares(2) + Squares(3)) == 5


class Stream(J.IterableDataset):
    def __init__(self, items):
        self.items = items

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


def test_chain_dataset_and_iterable_add():
    chained = Stream([1, 2]) + Stream([3])
    assert isinstance(chained, J.ChainDataset)
    assert list(chained) == [1, 2, 3] and len(chained) == 3
    with pytest.raises(AssertionError, match="ChainDataset only supports IterableDataset"):
        list(J.ChainDataset([Squares(2)]))
    errors_alike(lambda: J.ConcatDataset([Stream([1])]),
                 lambda: T.ConcatDataset([T.ChainDataset([])]))


def test_subset_and_stack_dataset_match_torch():
    js, ts = J.Subset(Squares(10), [4, 1, 7]), T.Subset(TSquares(10), [4, 1, 7])
    assert [js[i] for i in range(3)] == [ts[i] for i in range(3)] and len(js) == 3
    assert js.__getitems__([0, 2]) == ts.__getitems__([0, 2])
    j_tuple, t_tuple = J.StackDataset(Squares(3), Squares(3)), T.StackDataset(TSquares(3),
                                                                             TSquares(3))
    assert j_tuple[2] == t_tuple[2] and len(j_tuple) == 3
    assert j_tuple.__getitems__([0, 1]) == t_tuple.__getitems__([0, 1])
    j_dict, t_dict = J.StackDataset(a=Squares(3), b=js), T.StackDataset(a=TSquares(3), b=ts)
    assert j_dict[1] == t_dict[1]
    assert j_dict.__getitems__([0, 2]) == t_dict.__getitems__([0, 2])
    errors_alike(lambda: J.StackDataset(Squares(2), Squares(3)),
                 lambda: T.StackDataset(TSquares(2), TSquares(3)))
    errors_alike(lambda: J.StackDataset(), lambda: T.StackDataset())
    errors_alike(lambda: J.StackDataset(Squares(1), a=Squares(1)),
                 lambda: T.StackDataset(TSquares(1), a=TSquares(1)))


def test_subset_subclass_overriding_getitem_only_is_rejected_like_torch():
    def bad_subclass(base):
        class Bad(base):
            def __getitem__(self, i):
                return 0
        return Bad

    errors_alike(lambda: bad_subclass(J.Subset)(Squares(3), [0]),
                 lambda: bad_subclass(T.Subset)(TSquares(3), [0]))


@pytest.mark.parametrize("n, lengths", [
    (10, [3, 7]), (10, [0.3, 0.7]), (11, [0.3, 0.3, 0.4]), (30, [0.3, 0.3, 0.4]),
    (5, [0.5, 0.5]), (7, [1 / 3, 1 / 3, 1 / 3]), (3, [0.1, 0.9]),
])
def test_random_split_lengths_match_torch(n, lengths):
    with warnings.catch_warnings(record=True) as t_warn:
        warnings.simplefilter("always")
        t_parts = T.random_split(range(n), lengths)
    with warnings.catch_warnings(record=True) as j_warn:
        warnings.simplefilter("always")
        j_parts = J.random_split(range(n), lengths)
    assert [len(p) for p in j_parts] == [len(p) for p in t_parts]
    assert [str(w.message) for w in j_warn] == [str(w.message) for w in t_warn]
    everything = sorted(i for p in j_parts for i in p)
    assert everything == list(range(n))  # disjoint and complete
    assert all(isinstance(p, J.Subset) for p in j_parts)


def test_random_split_is_reproducible_with_a_generator_and_errors_match_torch():
    a = J.random_split(range(20), [5, 15], generator=jtorch.Generator().manual_seed(42))
    b = J.random_split(range(20), [5, 15], generator=jtorch.Generator().manual_seed(42))
    c = J.random_split(range(20), [5, 15], generator=jtorch.Generator().manual_seed(43))
    assert [list(p) for p in a] == [list(p) for p in b]
    assert [list(p) for p in a] != [list(p) for p in c]
    jtorch.manual_seed(0)
    d = J.random_split(range(20), [10, 10])
    jtorch.manual_seed(0)
    e = J.random_split(range(20), [10, 10])
    assert [list(p) for p in d] == [list(p) for p in e]
    errors_alike(lambda: J.random_split(range(5), [2, 2]),
                 lambda: T.random_split(range(5), [2, 2]))
    errors_alike(lambda: J.random_split(range(5), [1.5, -0.5]),
                 lambda: T.random_split(range(5), [1.5, -0.5]))


# ---- samplers -------------------------------------------------------------------------------

def test_sequential_and_batch_samplers_match_torch():
    assert list(J.SequentialSampler(range(5))) == list(T.SequentialSampler(range(5)))
    for bs in (1, 3, 5, 7):
        for drop_last in (False, True):
            j = J.BatchSampler(J.SequentialSampler(range(10)), bs, drop_last)
            t = T.BatchSampler(T.SequentialSampler(range(10)), bs, drop_last)
            assert list(j) == list(t) and len(j) == len(t)
    for bad in (0, -1, True, 2.0):
        errors_alike(lambda b=bad: J.BatchSampler(range(3), b, False),
                     lambda b=bad: T.BatchSampler(range(3), b, False))
    errors_alike(lambda: J.BatchSampler(range(3), 2, 1), lambda: T.BatchSampler(range(3), 2, 1))


def test_random_sampler_permutations_replacement_and_errors():
    jtorch.manual_seed(0)
    s = J.RandomSampler(range(50))
    first, second = list(s), list(s)
    assert sorted(first) == sorted(second) == list(range(50)) and first != second
    jtorch.manual_seed(0)
    assert list(J.RandomSampler(range(50))) == first  # torch.manual_seed reproduces
    g1, g2 = jtorch.Generator().manual_seed(7), jtorch.Generator().manual_seed(7)
    assert list(J.RandomSampler(range(9), generator=g1)) == \
        list(J.RandomSampler(range(9), generator=g2))
    long = list(J.RandomSampler(range(4), num_samples=10))
    assert len(long) == 10 and sorted(long[:4]) == sorted(long[4:8]) == [0, 1, 2, 3]
    drawn = list(J.RandomSampler(range(3), replacement=True, num_samples=600))
    assert len(drawn) == len(J.RandomSampler(range(3), replacement=True, num_samples=600))
    counts = np.bincount(drawn, minlength=3)
    assert set(drawn) == {0, 1, 2} and counts.min() > 150  # ~200 each
    for kwargs in ({"replacement": 1}, {"num_samples": 0}, {"num_samples": 2.5}):
        errors_alike(lambda kw=kwargs: J.RandomSampler(range(3), **kw),
                     lambda kw=kwargs: T.RandomSampler(range(3), **kw))


def test_subset_random_sampler_is_a_permutation_of_the_indices():
    idx = [10, 20, 30, 40]
    out = list(J.SubsetRandomSampler(idx))
    assert sorted(out) == idx and len(J.SubsetRandomSampler(idx)) == 4


def test_weighted_random_sampler_distribution_and_errors():
    jtorch.manual_seed(1)
    weights = [0.1, 0.0, 0.6, 0.3]
    draws = list(J.WeightedRandomSampler(weights, 4000, replacement=True))
    freq = np.bincount(draws, minlength=4) / 4000
    np.testing.assert_allclose(freq, weights, atol=0.03)
    no_rep = list(J.WeightedRandomSampler([1.0, 5.0, 0.0, 2.0], 4, replacement=False))
    assert sorted(no_rep) == [0, 1, 2, 3] and no_rep[-1] == 2  # zero weight comes last
    s = J.WeightedRandomSampler(jtorch.tensor([1.0, 2.0]), 3)
    assert s.weights.dtype == jtorch.float64 and len(s) == 3
    for args in (([1.0, -1.0], 1), ([float("nan"), 1.0], 1), ([0.0, 0.0], 1),
                 ([1.0, 1.0], 3, False)):
        errors_alike(lambda a=args: list(J.WeightedRandomSampler(*a)),
                     lambda a=args: list(T.WeightedRandomSampler(*a)))
    for args in (([1.0], 0), ([1.0], 1, 1), ([[1.0]], 1)):
        errors_alike(lambda a=args: J.WeightedRandomSampler(*a),
                     lambda a=args: T.WeightedRandomSampler(*a))


def test_distributed_sampler_shards_match_torch():
    for rank in range(3):
        j = J.DistributedSampler(range(10), num_replicas=3, rank=rank, shuffle=False)
        t = T.DistributedSampler(range(10), num_replicas=3, rank=rank, shuffle=False)
        assert list(j) == list(t) and len(j) == len(t)
    shards = [list(J.DistributedSampler(range(10), 2, r, seed=3)) for r in range(2)]
    assert sorted(shards[0] + shards[1]) == list(range(10))


def test_sampler_base_accepts_the_old_data_source_argument():
    class MySampler(J.Sampler):
        def __init__(self, data_source):
            super().__init__(data_source)
            self.n = len(data_source)

        def __iter__(self):
            return iter(range(self.n - 1, -1, -1))

        def __len__(self):
            return self.n

    loader = J.DataLoader(Squares(4), sampler=MySampler(range(4)), batch_size=2)
    assert [b.tolist() for b in loader] == [[9, 4], [1, 0]]


def test_namedtuple_of_counts_is_a_sequence_not_a_mapping():
    # guards the collate recursion order: a namedtuple is handled before Sequence
    Pair = collections.namedtuple("Pair", "a b")
    out = J.default_collate([Pair(1, 2), Pair(3, 4)])
    assert type(out).__name__ == "Pair" and out.a.tolist() == [1, 3]
