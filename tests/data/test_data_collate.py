"""default_collate and default_convert against torch's: structure, container types, dtypes
(Python ints -> int64, floats -> float64, numpy dtypes kept) and error types/messages."""

import collections

import numpy as np
import pytest
from _compare import assert_same

import jtorch
from jtorch.utils.data import default_collate, default_convert

torch = pytest.importorskip("torch")
from torch.utils.data import default_collate as t_default_collate  # noqa: E402
from torch.utils.data import default_convert as t_default_convert  # noqa: E402

Point = collections.namedtuple("Point", ["x", "y"])


def both(make):
    """make(lib) -> sample data built with `lib` (jtorch or torch) tensors."""
    return make(jtorch), make(torch)


CASES = {
    "python ints": lambda lib: [1, 2, 3],
    "python floats": lambda lib: [1.5, 2.0],
    "python bools": lambda lib: [True, False],
    "int then float": lambda lib: [1, 2.5],
    "float then int": lambda lib: [1.5, 2],
    "bool then int": lambda lib: [True, 2],
    "big ints": lambda lib: [2**62, -1],
    "strings": lambda lib: ["a", "bc"],
    "bytes": lambda lib: [b"a", b"bc"],
    "numpy float32": lambda lib: [np.ones((2, 3), np.float32), np.zeros((2, 3), np.float32)],
    "numpy int32": lambda lib: [np.arange(3, dtype=np.int32), np.arange(3, dtype=np.int32)],
    "numpy uint8": lambda lib: [np.full((2, 2), 7, np.uint8)] * 3,
    "numpy float64 scalars": lambda lib: [np.float64(1), np.float64(2.5)],
    "numpy float32 scalars": lambda lib: [np.float32(1), np.float32(2.5)],
    "numpy int32 scalars": lambda lib: [np.int32(1), np.int32(2)],
    "numpy bool scalars": lambda lib: [np.bool_(True), np.bool_(False)],
    "float tensors": lambda lib: [lib.ones(2, 3), lib.zeros(2, 3)],
    "int64 tensors": lambda lib: [lib.tensor([1, 2]), lib.tensor([3, 4])],
    "0-d tensors": lambda lib: [lib.tensor(1), lib.tensor(2)],
    "uint8 tensors": lambda lib: [lib.tensor([1, 2], dtype=lib.uint8)] * 2,
    "mixed dtype tensors": lambda lib: [lib.zeros(3, dtype=lib.int64), lib.zeros(3)],
    "tuples (image, label)": lambda lib: [(lib.ones(1, 2, 2), 3), (lib.zeros(1, 2, 2), 4)],
    "lists": lambda lib: [[1, 2.0, "a"], [3, 4.0, "b"]],
    "dicts": lambda lib: [{"a": 1, "b": "x", "c": lib.ones(2)},
                          {"a": 2, "b": "y", "c": lib.zeros(2)}],
    "nested": lambda lib: [{"p": (1, [2.0, np.float32(3)])}, {"p": (4, [5.0, np.float32(6)])}],
    "namedtuples": lambda lib: [Point(1, lib.ones(2)), Point(2, lib.zeros(2))],
    "ordered dicts": lambda lib: [collections.OrderedDict(b=1, a=2.0)] * 2,
}


@pytest.mark.parametrize("name", list(CASES))
def test_default_collate_matches_torch(name):
    j_batch, t_batch = both(CASES[name])
    assert_same(default_collate(j_batch), t_default_collate(t_batch))


CONVERT_CASES = {
    "ndarray": lambda lib: np.arange(3),
    "float32 ndarray": lambda lib: np.ones((2, 2), np.float32),
    "numpy scalar": lambda lib: np.float32(2),
    "tuple": lambda lib: (np.arange(2), 3),
    "list": lambda lib: [np.arange(2), "s"],
    "dict": lambda lib: {"a": np.arange(2), "b": 1.5},
    "namedtuple": lambda lib: Point(np.int64(0), np.arange(2)),
    "string array stays": lambda lib: np.array(["a", "b"]),
    "python number stays": lambda lib: 7,
    "tensor stays": lambda lib: lib.ones(2),
}


@pytest.mark.parametrize("name", list(CONVERT_CASES))
def test_default_convert_matches_torch(name):
    j_data, t_data = both(CONVERT_CASES[name])
    j_out, t_out = default_convert(j_data), t_default_convert(t_data)
    if isinstance(t_out, np.ndarray):
        assert isinstance(j_out, np.ndarray)
        np.testing.assert_array_equal(j_out, t_out)
    else:
        assert_same(j_out, t_out)


ERROR_CASES = {
    "unequal tensor sizes": lambda lib: [lib.zeros(3), lib.zeros(4)],
    "unequal sequence lengths": lambda lib: [[1, 2], [1]],
    "object": lambda lib: [object(), object()],
    "string arrays": lambda lib: [np.array(["a"]), np.array(["b"])],
    "None": lambda lib: [None, None],
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_default_collate_errors_match_torch(name):
    j_batch, t_batch = both(ERROR_CASES[name])
    with pytest.raises(Exception) as t_err:
        t_default_collate(t_batch)
    with pytest.raises(t_err.type) as j_err:
        default_collate(j_batch)
    # torch's messages name torch's own classes the same way ("<class 'object'>", dtypes)
    assert str(j_err.value) == str(t_err.value)


def test_collate_keeps_device_and_grad_of_tensors_that_require_grad():
    a = jtorch.ones(2, requires_grad=True)
    b = jtorch.zeros(2, requires_grad=True)
    out = default_collate([a, b])
    assert out.requires_grad and out.grad_fn is not None
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.ones(2, np.float32))
