"""Run one program on torch and on jtorch and compare what it observed, step by step.

A program is `program(lib, rec)`: `lib` is the `torch` or the `jtorch` module, `rec` a
`Recorder` that notes observations (tensor values and layout, Python facts, raised errors).
`run_both` runs it on both libraries and asserts the two records agree entry by entry.
"""

from __future__ import annotations

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

RTOL, ATOL = 1e-5, 1e-6


class Recorder:
    """The observations of one run, in order: `(step, what, value)` entries."""

    def __init__(self, lib):
        self.lib = lib
        self.log = []

    def tensors(self, step, **tensors):
        """Values, dtype, shape, layout metadata and version of each named tensor."""
        for name, t in tensors.items():
            values = t.detach().numpy() if t.requires_grad else t.numpy()
            self.log.append((step, name, {
                "values": np.array(values),
                "dtype": str(t.dtype),
                "shape": tuple(t.shape),
                "stride": tuple(t.stride()),
                "storage_offset": t.storage_offset(),
                "is_contiguous": t.is_contiguous(),
                "_version": t._version,
                "requires_grad": t.requires_grad,
                "is_leaf": t.is_leaf,
            }))

    def values(self, step, **tensors):
        """Only the values and dtype of each named tensor (None stays None)."""
        for name, t in tensors.items():
            if t is None:
                self.log.append((step, name, None))
            else:
                self.log.append((step, name, {"values": np.array(t.detach().numpy()),
                                              "dtype": str(t.dtype)}))

    def fact(self, step, **facts):
        """Plain Python values (bools, ints, strings, tuples) that must be equal."""
        for name, value in facts.items():
            self.log.append((step, name, value))

    def sharing(self, step, a, b, name="shares"):
        """torch's storage-sharing facts: equal data_ptr, and equal storage start."""
        start = lambda t: t.data_ptr() - t.storage_offset() * t.element_size()
        self.fact(step, **{f"{name}.data_ptr": a.data_ptr() == b.data_ptr(),
                           f"{name}.storage": start(a) == start(b)})

    def error(self, step, fn, message=False):
        """Call `fn`; note the exception type raised (or None) and, with `message=True`, its
        text, which jtorch's must contain (torch's first sentence)."""
        try:
            fn()
        except Exception as e:  # noqa: BLE001  (the type is what is compared)
            self.log.append((step, "raises", type(e).__name__))
            if message:
                self.log.append((step, "message", str(e)))
            return
        self.log.append((step, "raises", None))


def run_both(program):
    """Run `program` on torch and on jtorch, assert the records agree; returns their count."""
    expected = Recorder(torch)
    program(torch, expected)
    actual = Recorder(jtorch)
    program(jtorch, actual)
    assert expected.log, "the program observed nothing"
    assert [e[:2] for e in actual.log] == [e[:2] for e in expected.log]
    for (step, name, want), (_, _, got) in zip(expected.log, actual.log):
        _compare(f"{step}: {name}", want, got)
    return len(expected.log)  # the number of records compared


def main_sentence(message):
    """torch's message up to its first sentence break ('. ' or a newline)."""
    return message.split("\n")[0].split(". ")[0]


def _compare(where, want, got):
    if where.endswith(": message"):
        assert main_sentence(want) in got, f"{where}: torch says {want!r}, jtorch {got!r}"
        return
    if isinstance(want, dict):
        assert isinstance(got, dict), f"{where}: torch {want!r}, jtorch {got!r}"
        assert want.keys() == got.keys(), where
        for key in want:
            if key == "values":
                assert got[key].shape == want[key].shape, f"{where}: shape"
                np.testing.assert_allclose(got[key], want[key], rtol=RTOL, atol=ATOL,
                                           err_msg=where)
            else:
                assert got[key] == want[key], f"{where}: {key}: torch {want[key]!r}, " \
                                              f"jtorch {got[key]!r}"
        return
    assert got == want, f"{where}: torch {want!r}, jtorch {got!r}"
