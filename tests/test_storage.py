"""Tensor.storage(), untyped_storage() and resize_() against torch."""

import pytest

import jtorch

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")


def _program(lib):
    out = []
    p = lib.tensor([[4.0, 1.0, 2.0], [5.0, 3.0, 6.0]])
    t = p.t()
    row = p[1]
    s = t.storage()  # a view's storage is its base's, in memory order
    out += [s.tolist(), len(s), s.size(), s.element_size(), s.nbytes(), str(s.dtype), repr(s)]
    s[4] = -7.0
    out += [p.tolist(), t.tolist(), row.tolist(), p.untyped_storage().nbytes()]
    contiguous = t.contiguous()
    out += [contiguous.storage().tolist()]
    q = lib.arange(6).view(2, 3)
    q.resize_(3, 2)
    out += [q.tolist(), q.stride()]
    q.resize_(2)
    out += [q.tolist()]
    e = lib.zeros(0)
    out += [repr(e.storage()), lib.tensor([1, 2]).storage()[1]]
    return out


def test_storage_and_resize_match_torch():
    assert [str(v) for v in _program(jtorch)] == [str(v) for v in _program(torch)]


def test_resize_errors_match_torch():
    for lib in (torch, jtorch):
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            lib.ones(2, requires_grad=True).resize_(3)
        with pytest.raises(RuntimeError):
            lib.ones(2).resize_(-1, 2)
