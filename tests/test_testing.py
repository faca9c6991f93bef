"""jtorch.testing.assert_close and make_tensor against torch.testing: the same pass/fail
outcome, exception type and message text for tensors, Python/numpy scalars, sequences and
mappings, with torch's per-dtype default tolerances."""

from __future__ import annotations

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

NAN, INF = float("nan"), float("inf")

CASES = [
    "T([1., 2., 3.]), T([1., 2.5, 3.])",
    "T([[1., 2.], [3, 4]]), T([[1., 2.5], [3, 4.0001]])",
    "T([1., 2.]), T([1., 2.])",
    "T([1., 2.]), T([1., 2.], dtype=lib.float64)",
    "T([1., 2.]), T([1., 2.5], dtype=lib.float64), check_dtype=False",
    "T([1., 2.]), T([1., 2., 3.])",
    "T([1, 2]), T([1, 3])",
    "T([1, 2]), T([0, 3])",
    "T([True, False]), T([True, True])",
    "T(1.5), T(2.5)",
    "T(NAN), T(NAN)",
    "T(NAN), T(NAN), equal_nan=True",
    "T([NAN, 1.]), T([1., 1.])",
    "T([INF, 1.]), T([INF, 1.])",
    "T([INF, 1.]), T([-INF, 1.])",
    "T([1., 0.]), T([1., 1e-6])",
    "T([1., 0.]), T([1., 1e-3]), rtol=0, atol=1e-2",
    "T([1., 0.]), T([1., 1e-3]), rtol=0",
    "T([1., 0.]), T([1., 1e-3]), atol=0",
    "T([1., 0.]), T([1., 1e-3]), rtol=0, atol=0",
    "T([1., 0.]), T([1., 1e-1]), msg='custom'",
    "T([1., 0.]), T([1., 1e-1]), msg=lambda m: 'H\\n' + m + '\\nF'",
    "[T(1.), T(2.)], [T(1.), T(3.)]",
    "[T(1.)], [T(1.), T(3.)]",
    "(T([1.]), [T([2.]), T([3.])]), (T([1.]), [T([2.]), T([3.5])])",
    "{'a': T(1.), 'b': T([2.])}, {'a': T(1.), 'b': T([3.])}",
    "{'a': 1}, {'b': 1}",
    "{'a': T([1, 2])}, {'a': T([1, 2])}",
    "1.0, 1.0 + 1e-8",
    "1.0, 1.1",
    "1, 2",
    "1, 1.0",
    "1, 1.0, check_dtype=False",
    "1 + 1j, 1 + 2j",
    "True, False",
    "True, True",
    "None, None",
    "None, 1",
    "'a', 'a'",
    "np.array([1., 2.]), np.array([1., 2.1])",
    "np.array([1, 2]), np.array([1, 2])",
    "np.float32(1.0), 1.0",
    "T([1., 2.], dtype=lib.float16), T([1., 2.01], dtype=lib.float16)",
    "T([1., 2.], dtype=lib.float16), T([1., 2.001], dtype=lib.float16)",
    "T([1., 2.], dtype=lib.bfloat16), T([1., 2.5], dtype=lib.bfloat16)",
    "T([1., 2.], dtype=lib.float64), T([1., 2. + 1e-6], dtype=lib.float64)",
    "T([1 + 1j, 2.]), T([1 + 1j, 2.5j])",
    "lib.ones(2, 3).t(), lib.ones(3, 2), check_stride=True",
    "lib.ones(2, 3).t(), lib.ones(3, 2)",
    "T([2 ** 40, 5]), T([2 ** 40 + 1, 5])",
    "T([5, 3], dtype=lib.uint8), T([3, 5], dtype=lib.uint8)",
    "lib.zeros(3, 4), lib.zeros(3, 4).index_fill(1, T([2]), 0.5)",
    "T([1., 2.], requires_grad=True), T([1., 2.])",
    "(1, 2), [1, 2]",
    "lib.Size([2]), lib.Size([3])",
    "T([]), T([])",
    "T([[1.5]]), T([[1.6]])",
]


def outcome(lib, case):
    try:
        eval(f"lib.testing.assert_close({case})",
             {"lib": lib, "T": lib.tensor, "np": np, "NAN": NAN, "INF": INF})
    except Exception as e:  # noqa: BLE001  (type and text are compared)
        return type(e), str(e).replace("jtorch._tensor.Tensor", "torch.Tensor")
    return None


@pytest.mark.parametrize("case", CASES)
def test_assert_close_matches_torch(case):
    assert outcome(jtorch, case) == outcome(torch, case)


def test_only_one_tolerance_is_a_value_error():
    with pytest.raises(ValueError, match="Both 'rtol' and 'atol' must be either specified"):
        jtorch.testing.assert_close(jtorch.ones(2), jtorch.ones(2), rtol=1e-3)


def test_mismatch_message_text():
    with pytest.raises(AssertionError) as info:
        jtorch.testing.assert_close(jtorch.tensor([1.0, 2.0, 3.0]),
                                    jtorch.tensor([1.0, 2.5, 3.0]))
    assert str(info.value) == (
        "Tensor-likes are not close!\n\n"
        "Mismatched elements: 1 / 3 (33.3%)\n"
        "Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)\n"
        "Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)")


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int64", "int32", "uint8",
                                   "bool", "complex64"])
def test_make_tensor(dtype):
    d = getattr(jtorch, dtype)
    t = jtorch.testing.make_tensor(3, 4, dtype=d)
    assert t.dtype is d and t.shape == (3, 4) and not t.requires_grad
    values = np.asarray(t.numpy())
    if dtype not in ("bool", "complex64"):
        assert values.min() >= -9 and values.max() <= 9
    bounded = jtorch.testing.make_tensor((50,), dtype=d, low=0, high=5)
    if dtype not in ("bool", "complex64"):
        v = np.asarray(bounded.numpy()).astype(np.float64)
        assert v.min() >= 0 and v.max() <= 5
    if dtype in ("float32", "float64", "complex64"):
        g = jtorch.testing.make_tensor(2, dtype=d, requires_grad=True)
        assert g.requires_grad and g.is_leaf
    nz = jtorch.testing.make_tensor(200, dtype=d, low=-1, high=1, exclude_zero=True)
    if dtype != "bool":
        assert (np.asarray(nz.numpy()) != 0).all()


def test_make_tensor_noncontiguous_and_errors():
    t = jtorch.testing.make_tensor(3, 4, dtype=jtorch.float32, noncontiguous=True)
    assert t.shape == (3, 4) and not t.is_contiguous()
    with pytest.raises(ValueError):
        torch.testing.make_tensor(2, dtype=torch.float32, device="cpu", low=3, high=1)
    with pytest.raises(ValueError):
        jtorch.testing.make_tensor(2, dtype=jtorch.float32, low=3, high=1)
