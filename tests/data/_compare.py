"""Compare what jtorch and torch produced: nested batches of tensors, numbers and strings."""

from __future__ import annotations

import numpy as np

import jtorch


def assert_same(j, t, path="batch"):
    """`j` (jtorch) has the structure, container types, dtypes, shapes and values of `t`."""
    import torch
    if isinstance(t, torch.Tensor):
        assert isinstance(j, jtorch.Tensor), f"{path}: {type(j)} is not a Tensor"
        assert str(j.dtype) == str(t.dtype), f"{path}: dtype {j.dtype} != {t.dtype}"
        assert tuple(j.shape) == tuple(t.shape), f"{path}: shape {j.shape} != {t.shape}"
        np.testing.assert_array_equal(j.numpy(), t.numpy(), err_msg=path)
        return
    assert type(j).__name__ == type(t).__name__, f"{path}: {type(j)} != {type(t)}"
    if isinstance(t, dict):
        assert list(j) == list(t), f"{path}: keys {list(j)} != {list(t)}"
        for k in t:
            assert_same(j[k], t[k], f"{path}[{k!r}]")
    elif isinstance(t, (list, tuple)):
        assert len(j) == len(t), f"{path}: length {len(j)} != {len(t)}"
        for i, (a, b) in enumerate(zip(j, t)):
            assert_same(a, b, f"{path}[{i}]")
    else:
        assert j == t, f"{path}: {j!r} != {t!r}"
