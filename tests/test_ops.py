"""The op-spec table for the core ops: arithmetic, comparisons, the first reductions, matrix
products, views, indexing, operators and factories. The machinery (samples, forms, the
comparison with torch) is in `_opspec.py`; each op family has its own `test_ops_*.py` table.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest
from _opspec import (  # noqa: F401
    Dtype,
    NonContig,
    OpSpec,
    Raw,
    S,
    binary_samples,
    bool_samples,
    bools,
    define_tests,
    f32,
    f64,
    first,
    i32,
    i64,
    index,
    nonzero_i64,
    positive,
    ties,
    torch,
    unary_float_samples,
    unary_signed_samples,
)

import jtorch


def add_samples(rng):
    return binary_samples(rng) + bool_samples(rng) + [
        S(f32(rng, 3, 4), f32(rng, 3, 4), alpha=2.5, grad=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), alpha=2),
        S(i64(rng, 3, 4), i64(rng, 3, 4), alpha=2.5, error=True),
    ]


def sub_samples(rng):
    return binary_samples(rng, full=False) + [
        S(f32(rng, 3, 4), f32(rng, 3, 4), alpha=-2, grad=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), 2, error=True),
        S(i64(rng, 3, 4), True, error=True),
    ]


def mul_samples(rng):
    return binary_samples(rng, full=False) + bool_samples(rng)


def div_samples(rng):
    samples = binary_samples(rng, nonzero=True) + [S(bools(rng, 3, 4), bools(rng, 3, 4))]
    for mode in ("trunc", "floor"):
        samples += [
            S(f32(rng, 3, 4) * 4, f32(rng, 3, 4), rounding_mode=mode, grad=True),
            S(i64(rng, 3, 4), nonzero_i64(rng, 3, 4), rounding_mode=mode),
            S(i64(rng, 3, 4), -2, rounding_mode=mode),
            S(i64(rng, 3, 4), 2.5, rounding_mode=mode),
            S(i32(rng, 3, 4), nonzero_i64(rng), rounding_mode=mode),
        ]
    return samples + [S(f32(rng, 3, 4), 2.0, rounding_mode="round", error=True)]


def floor_divide_samples(rng):
    return binary_samples(rng, nonzero=True, grad=False, full=False) + [
        S(f32(rng, 3, 4) * 4, -1.5)]


def pow_samples(rng):
    return [
        S(positive(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(positive(rng, 3, 4), f32(rng, 4), grad=True),
        S(f32(rng, 3, 4), 2, grad=True),
        S(positive(rng, 3, 4), 0.5, grad=True),
        S(f32(rng, 3, 4), 0, grad=True),
        S(positive(rng, 3, 4), f64(rng), grad=True),
        S(NonContig(positive(rng, 3, 4)), 3, grad=True),
        S(2, f32(rng, 3, 4), grad=True),
        S(2.5, i64(rng, 3, 4)),
        S(i64(rng, 3, 4), 2),
        S(i64(rng, 3, 4), i64(rng, 3, 4, low=0, high=4)),
        S(i64(rng, 3, 4), 2.0),
        S(i32(rng, 3, 4), i64(rng, low=0, high=3)),
        S(i64(rng, 3, 4), -1, error=True),
        S(f32(rng, 0), 2),
        S(positive(rng, 3, 4), f32(rng, 5), error=True),
    ]


def maximum_samples(rng):
    nan = np.array([1.0, np.nan, -1.0, np.nan], np.float32)
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(ties(rng, 3, 4), ties(rng, 4), grad=True),
        S(f32(rng), f32(rng, 3, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), grad=True),
        S(nan, np.zeros(4, np.float32)),
        S(i64(rng, 3, 4), i32(rng, 3, 4)),
        S(i64(rng, 3, 4), f32(rng, 3, 4)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(f32(rng, 2, 0), f32(rng, 0)),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
    ]


def clamp_samples(rng):
    return [
        S(f32(rng, 3, 4), -0.5, 0.5, grad=True),
        S(ties(rng, 3, 4), min=-1.0, max=1.0, grad=True),
        S(ties(rng, 3, 4), min=0.0, grad=True),
        S(f32(rng, 3, 4), max=0.0, grad=True),
        S(f32(rng, 3, 4), 0.5, -0.5, grad=True),
        S(ties(rng, 3, 4), ties(rng, 3, 4) - 1, f32(rng, 4) + 1.5, grad=True),
        S(f32(rng, 3, 4), min=f32(rng, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), -0.5, 0.5, grad=True),
        S(f32(rng), -0.5, 0.5, grad=True),
        S(i64(rng, 3, 4), -2, 2),
        S(i64(rng, 3, 4), min=1.5),
        S(i32(rng, 3, 4), i64(rng), None),
        S(f32(rng, 0), 0.0, 1.0),
        S(f32(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), False, True, error=True),
    ]


def where_samples(rng):
    return [
        S(bools(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(bools(rng, 4), f32(rng, 3, 1), f32(rng), grad=True),
        S(bools(rng, 3, 4), f32(rng, 3, 4), 0.0, grad=True),
        S(bools(rng, 3, 4), 1.5, f32(rng, 3, 4), grad=True),
        S(bools(rng, 3, 4), NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), grad=True),
        S(bools(rng, 3, 4), i64(rng, 3, 4), f32(rng, 3, 4)),
        S(bools(rng, 3, 4), i32(rng, 3, 4), 2),
        S(bools(rng, 3, 4), f32(rng, 3, 4), f64(rng, 3, 4)),
        S(bools(rng, 0), f32(rng, 0), f32(rng, 0)),
        S(i64(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4), error=True),
        S(bools(rng, 5), f32(rng, 3, 4), f32(rng, 3, 4), error=True),
    ]


def comparison_samples(rng):
    x = ties(rng, 3, 4)
    return [
        S(x, ties(rng, 3, 4)),
        S(x, 1),
        S(i64(rng, 3, 4), 0.5),
        S(np.array([np.nan, 1.0, 2.0, np.nan], np.float32), np.array([np.nan, 1.0, 3.0, 0.0],
                                                                     np.float32)),
        S(x, ties(rng, 4)),
        S(x, 0.0),
        S(f32(rng), x),
        S(NonContig(x), x),
        S(i32(rng, 3, 4), i64(rng, 3, 4)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(f32(rng, 0), f32(rng, 0)),
        S(x, f32(rng, 5), error=True),
    ]


def bitwise_samples(rng):
    return [
        S(i64(rng, 3, 4, low=-8, high=8), i64(rng, 3, 4, low=-8, high=8)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(i32(rng, 3, 4), i64(rng)),
        S(i64(rng, 3, 4), 6),
        S(i64(rng, 3, 4), i64(rng, 4)),
        S(i32(rng, 3, 4), i64(rng, 3, 4)),
        S(bools(rng, 3, 4), True),
        S(NonContig(i64(rng, 3, 4)), i64(rng, 3, 4)),
        S(i64(rng, 0), i64(rng, 0)),
        S(f32(rng, 3, 4), f32(rng, 3, 4), error=True),
        S(i64(rng, 3, 4), 1.5, error=True),
    ]


def unary_bitwise_samples(rng):
    return [
        S(i64(rng, 3, 4)), S(i32(rng, 3, 4)), S(bools(rng, 3, 4)), S(i64(rng)),
        S(NonContig(i64(rng, 3, 4))), S(i64(rng, 0)), S(f32(rng, 3, 4), error=True),
    ]


def logical_not_samples(rng):
    return [
        S(bools(rng, 3, 4)), S(ties(rng, 3, 4)), S(i64(rng, 3, 4)), S(f32(rng)),
        S(NonContig(ties(rng, 3, 4))), S(f32(rng, 0)),
    ]


def sum_samples(rng):
    return [
        S(f32(rng, 2, 3, 4), grad=True),
        S(f32(rng, 2, 3, 4), -1, True, grad=True),
        S(f32(rng, 2, 3, 4), dim=(-1, 0), keepdim=True, grad=True),
        S(f32(rng, 3, 4), dtype=Dtype("float64"), grad=True),
        S(f32(rng), -1, True, grad=True),
        S(f32(rng, 2, 0), 1, grad=True),
        S(f32(rng, 2, 3, 4), 1),
        S(f32(rng, 2, 3, 4), (0, 2)),
        S(f32(rng, 2, 3, 4), dim=()),
        S(NonContig(f32(rng, 3, 4)), 0),
        S(f32(rng)),
        S(f32(rng), 0),
        S(f32(rng, 0)),
        S(f32(rng, 2, 0), 0),
        S(f64(rng, 3, 4), 1),
        S(f32(rng, 3, 4), 2, error=True),
        S(f32(rng, 3, 4), (0, 0), error=True),
    ]


def sum_int_samples(rng):
    return [
        S(i64(rng, 3, 4)), S(i32(rng, 3, 4), 1), S(bools(rng, 3, 4), 0), S(i32(rng, 3, 4), 1, True),
        S(i64(rng, 3, 4), dtype=Dtype("float32")), S(i64(rng, 0)),
    ]


def prod_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), -1, keepdim=True, grad=True),
        S(NonContig(f32(rng, 3, 4)), 0, grad=True),
        S(np.array([[1.5, 0.0, 2.0], [0.0, 0.0, 3.0]], np.float32), 1, grad=True),
        S(i64(rng, 3, 4), 0),
        S(i32(rng, 3, 4)),
        S(bools(rng, 3, 4), 1),
        S(f32(rng, 0, 3), 0),
        S(f32(rng, 3, 4), dtype=Dtype("float64")),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def mean_samples(rng):
    return [
        S(f32(rng, 2, 3, 4), grad=True),
        S(f32(rng, 2, 3, 4), -1, True, grad=True),
        S(f32(rng, 2, 3, 4), (0, 2), grad=True),
        S(f32(rng, 3, 4), dtype=Dtype("float64"), grad=True),
        S(NonContig(f32(rng, 3, 4)), 0, grad=True),
        S(f32(rng), 0, grad=True),
        S(f32(rng, 0)),
        S(f32(rng, 2, 0), 1),
        S(f32(rng, 3, 4), (0, 0), error=True),
        S(i64(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), 0, error=True),
        S(i64(rng, 3, 4), 1, dtype=Dtype("float64")),
    ]


def max_min_samples(rng):
    """torch.max/min: the full reduction, (values, indices) along a dim, and the binary form."""
    return [
        S(ties(rng, 3, 4), grad=True),
        S(ties(rng, 3, 4), 1, grad=True),
        S(f32(rng, 3, 4), f32(rng, 4), grad=True),
        S(f32(rng, 0), error=True),
        S(ties(rng, 3, 4), -2, True, grad=True),
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 2, 3, 4), dim=1, keepdim=False, grad=True),
        S(NonContig(f32(rng, 3, 4)), 0, grad=True),
        S(f32(rng), grad=True),
        S(f32(rng), 0, grad=True),
        S(i64(rng, 3, 4)),
        S(i32(rng, 3, 4), 1),
        S(bools(rng, 3, 4), 0),
        S(f32(rng, 2, 0), 0),
        S(f32(rng, 2, 0), 1, error=True),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def amax_samples(rng):
    return [
        S(ties(rng, 3, 4), grad=True),
        S(ties(rng, 3, 4), 1, grad=True),
        S(ties(rng, 2, 3, 4), (0, -1), True, grad=True),
        S(f32(rng, 0), error=True),
        S(i64(rng, 3, 4), 0),
        S(f32(rng, 3, 4), grad=True),
        S(ties(rng, 2, 3, 4), dim=-2, grad=True),
        S(NonContig(f32(rng, 3, 4)), 0, grad=True),
        S(f32(rng), grad=True),
        S(f32(rng), 0, grad=True),
        S(bools(rng, 3, 4)),
        S(f32(rng, 2, 0), 0),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def argmax_samples(rng):
    return [
        S(ties(rng, 3, 4)),
        S(ties(rng, 3, 4), 1),
        S(ties(rng, 3, 4), -2, True),
        S(f32(rng, 0), error=True),
        S(f32(rng, 3, 4)),
        S(ties(rng, 3, 4), keepdim=True),
        S(NonContig(ties(rng, 3, 4)), 1),
        S(f32(rng)),
        S(f32(rng), 0),
        S(i64(rng, 3, 4), 0),
        S(i32(rng, 2, 3, 4), 2),
        S(f32(rng, 2, 0), 0),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def mm_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 4, 5), grad=True),
        S(NonContig(f32(rng, 4, 3)), NonContig(f32(rng, 3, 4)), grad=True),
        S(f64(rng, 3, 4), f64(rng, 4, 5), grad=True),
        S(i64(rng, 3, 4), i64(rng, 4, 5)),
        S(f32(rng, 0, 4), f32(rng, 4, 5), grad=True),
        S(f32(rng, 3, 0), f32(rng, 0, 5), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), f64(rng, 4, 5), error=True),
        S(f32(rng, 4), f32(rng, 4, 5), error=True),
    ]


def matmul_samples(rng):
    return [
        S(f32(rng, 4), f32(rng, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 4), grad=True),
        S(f32(rng, 4), f32(rng, 4, 5), grad=True),
        S(f32(rng, 3, 4), f32(rng, 4, 5), grad=True),
        S(f32(rng, 2, 3, 4), f32(rng, 2, 4, 5), grad=True),
        S(f32(rng, 2, 3, 4), f32(rng, 4, 5), grad=True),
        S(f32(rng, 3, 4), f32(rng, 2, 4, 5), grad=True),
        S(f32(rng, 2, 3, 4), f32(rng, 4), grad=True),
        S(f32(rng, 4), f32(rng, 2, 4, 5), grad=True),
        S(f32(rng, 2, 1, 3, 4), f32(rng, 3, 4, 5), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 4, 5), grad=True),
        S(i64(rng, 2, 3, 4), i64(rng, 4)),
        S(f32(rng, 0), f32(rng, 0)),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
        S(f32(rng, 4), f32(rng, 5), error=True),
        S(f32(rng), f32(rng, 4), error=True),
        S(f32(rng, 2, 3, 4), f64(rng, 4, 5), error=True),
    ]


def softmax_samples(rng):
    return [
        S(f32(rng, 3, 4), -1, grad=True),
        S(f32(rng, 2, 3, 4), dim=1, grad=True),
        S(f32(rng, 3, 4), 1, dtype=Dtype("float64"), grad=True),
        S(i64(rng, 3, 4), 1, error=True),
        S(f32(rng), 0, grad=True),
        S(f32(rng, 3, 4), 0, grad=True),
        S(NonContig(f32(rng, 3, 4)), 1, grad=True),
        S(f64(rng, 3, 4), 1, grad=True),
        S(f32(rng, 0), 0),
        S(f32(rng, 2, 0), 1),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def cat_samples(rng):
    return [
        S([f32(rng, 3, 4), f32(rng, 2, 4)], grad=True),
        S([f32(rng, 3, 4), f32(rng, 3, 1), f32(rng, 3, 2)], dim=-1, grad=True),
        S((f32(rng, 3, 4), NonContig(f32(rng, 3, 4))), 1, grad=True),
        S([f32(rng, 3, 4)]),
        S([i32(rng, 3, 4), f32(rng, 3, 4)], grad=True),
        S([i32(rng, 3, 4), i64(rng, 1, 4)]),
        S([f32(rng, 3, 4), f32(rng, 0)], grad=True),
        S([f32(rng, 2, 0), f32(rng, 2, 0)], 1),
        S([bools(rng, 4), bools(rng, 4)]),
        S([f32(rng, 3, 4), f32(rng, 3, 5)], error=True),
        S([f32(rng, 3, 4), f32(rng, 4)], error=True),
        S([f32(rng, 3, 4), f32(rng, 3, 4)], 2, error=True),
        S([f32(rng), f32(rng)], error=True),
        S([], error=True),
    ]


def stack_samples(rng):
    return [
        S([f32(rng, 3, 4), f32(rng, 3, 4)], grad=True),
        S([f32(rng, 3, 4), f32(rng, 3, 4)], 1),
        S((f32(rng, 3, 4), NonContig(f32(rng, 3, 4))), dim=-1, grad=True),
        S([f32(rng), f32(rng), f32(rng)]),
        S([i64(rng, 4), f64(rng, 4)], grad=True),
        S([f32(rng, 0), f32(rng, 0)]),
        S([f32(rng, 3, 4), f32(rng, 4, 3)], error=True),
        S([f32(rng, 3, 4)], 3, error=True),
    ]


def gather_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, i64(rng, 3, 2, low=0, high=4), grad=True),
        S(f32(rng, 3, 4), 0, i64(rng, 2, 4, low=0, high=3), grad=True),
        S(f32(rng, 3, 4), -1, i64(rng, 2, 6, low=0, high=4), grad=True),
        S(f32(rng, 3, 4), 0, i64(rng, 5, 2, low=0, high=3), grad=True),
        S(NonContig(f32(rng, 3, 4)), 1, i64(rng, 3, 2, low=0, high=4), grad=True),
        S(i64(rng, 3, 4), 1, i64(rng, 3, 2, low=0, high=4)),
        S(f32(rng, 3, 4), 1, np.zeros((3, 0), np.int64)),
        S(f32(rng, 3, 4), 1, index(0, 4).reshape(1, 2), error=True),
        S(f32(rng, 3, 4), 1, i32(rng, 3, 2, low=0, high=4), grad=True),
        S(f32(rng, 3, 4), 1, index(0, 1), error=True),
    ]


def masked_fill_samples(rng):
    return [
        S(f32(rng, 3, 4), bools(rng, 3, 4), 0.5, grad=True),
        S(f32(rng, 3, 4), bools(rng, 4), -1.0, grad=True),
        S(f32(rng, 3, 4), bools(rng, 3, 4), np.asarray(2.0, np.float32), grad=True),
        S(NonContig(f32(rng, 3, 4)), bools(rng, 3, 4), 1, grad=True),
        S(i64(rng, 3, 4), bools(rng, 3, 4), 7),
        S(i64(rng, 3, 4), bools(rng, 3, 4), 2.5),
        S(bools(rng, 3, 4), bools(rng, 3, 4), True),
        S(f32(rng), np.asarray(True), 3.0, grad=True),
        S(f32(rng, 0), bools(rng, 0), 1.0),
        S(f32(rng, 3, 4), i64(rng, 3, 4, low=0, high=2), 0.0, error=True),
        S(f32(rng, 3, 4), bools(rng, 5), 0.0, error=True),
    ]


def one_tensor_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True), S(NonContig(f32(rng, 3, 4)), grad=True),
        S(f32(rng), grad=True), S(f32(rng, 2, 0)), S(i64(rng, 3, 4)), S(bools(rng, 3, 4)),
    ]


def reshape_samples(rng):
    return [
        S(f32(rng, 3, 4), (2, 6), grad=True),
        S(f32(rng, 3, 4), (-1,)),
        S(f32(rng, 2, 3, 4), (4, -1, 3)),
        S(NonContig(f32(rng, 3, 4)), (12,), grad=True),
        S(f32(rng), (1, 1)),
        S(f32(rng, 1), (), grad=True),
        S(f32(rng, 2, 0), (0, 5, 2)),
        S(f32(rng, 2, 0), (0, 5, -1), error=True),
        S(i64(rng, 3, 4), (4, 3)),
        S(f32(rng, 3, 4), (5, -1), error=True),
        S(f32(rng, 3, 4), (-1, -1), error=True),
    ]




def view_samples(rng):
    return [
        S(f32(rng, 3, 4), 2, 6, grad=True),
        S(f32(rng, 3, 4), -1, grad=True),
        S(f32(rng, 2, 3, 4), (6, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), 3, 2, 2, 1, grad=True),
        S(f32(rng), 1, grad=True),
        S(i64(rng, 3, 4), 12),
        S(NonContig(f32(rng, 3, 4)), -1, error=True),
        S(NonContig(f32(rng, 3, 4)), 4, 3, 1, error=True),
        S(f32(rng, 3, 4), 5, error=True),
    ]


def transpose_samples(rng):
    return [
        S(f32(rng, 3, 4), 0, 1, grad=True),
        S(f32(rng, 2, 3, 4), -1, 0, grad=True),
        S(NonContig(f32(rng, 3, 4)), 1, 0, grad=True),
        S(f32(rng, 3, 4), 1, 1, grad=True),
        S(f32(rng), 0, -1, grad=True),
        S(i64(rng, 2, 0), 0, 1),
        S(f32(rng, 3, 4), 0, 2, error=True),
    ]


def t_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True), S(NonContig(f32(rng, 3, 4)), grad=True),
        S(f32(rng, 4), grad=True), S(f32(rng), grad=True), S(i64(rng, 2, 0)),
        S(f32(rng, 2, 3, 4), error=True),
    ]


def permute_samples(rng):
    return [
        S(f32(rng, 2, 3, 4), (2, 0, 1), grad=True),
        S(f32(rng, 2, 3, 4), (-1, -3, 1), grad=True),
        S(NonContig(f32(rng, 3, 4)), (1, 0), grad=True),
        S(f32(rng), (), grad=True),
        S(i64(rng, 2, 0), (1, 0)),
        S(f32(rng, 2, 3, 4), (0, 0, 1), error=True),
        S(f32(rng, 2, 3, 4), (0, 1), error=True),
    ]


def squeeze_samples(rng):
    return [
        S(f32(rng, 1, 3, 1, 4), grad=True),
        S(f32(rng, 1, 3, 1, 4), 2),
        S(f32(rng, 1, 3, 1, 4), -4),
        S(f32(rng, 1, 3, 1, 4), 1),
        S(f32(rng, 1, 3, 1, 4), (0, 1, -2), grad=True),
        S(f32(rng)),
        S(f32(rng), 0, grad=True),
        S(i64(rng, 1, 0)),
        S(f32(rng, 1, 3, 1, 4), 4, error=True),
    ]


def unsqueeze_samples(rng):
    return [
        S(f32(rng, 3, 4), 0, grad=True),
        S(f32(rng, 3, 4), -1, grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(NonContig(f32(rng, 3, 4)), 2, grad=True),
        S(f32(rng), 0, grad=True),
        S(i64(rng, 2, 0), -2),
        S(f32(rng, 3, 4), 3, error=True),
    ]


def flatten_samples(rng):
    return [
        S(f32(rng, 2, 3, 4), grad=True),
        S(f32(rng, 2, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), 0, -2, grad=True),
        S(f32(rng, 2, 3, 4), start_dim=-1, grad=True),
        S(NonContig(f32(rng, 3, 4)), grad=True),
        S(f32(rng), grad=True),
        S(i64(rng, 2, 0, 3), 1),
        S(f32(rng, 2, 3, 4), 2, 1, error=True),
    ]


def expand_samples(rng):
    return [
        S(f32(rng, 3, 1), 3, 4, grad=True),
        S(f32(rng, 4), (2, 3, 4), grad=True),
        S(f32(rng, 3, 1), -1, 5, grad=True),
        S(f32(rng), 2, 3, grad=True),
        S(NonContig(f32(rng, 1, 3)), 2, 3, grad=True),
        S(i64(rng, 1, 0), 2, 0),
        S(f32(rng, 3, 4), 3, 5, error=True),
        S(f32(rng, 3, 4), 4, error=True),
    ]


def narrow_samples(rng):
    return [
        S(f32(rng, 3, 4), 0, 1, 2, grad=True),
        S(f32(rng, 3, 4), -1, -3, 2, grad=True),
        S(NonContig(f32(rng, 3, 4)), 1, 0, 4, grad=True),
        S(f32(rng, 3, 4), 1, 4, 0, grad=True),
        S(i64(rng, 3, 4), 0, 0, 3),
        S(f32(rng, 3, 4), 0, 2, 2, error=True),
    ]


def select_samples(rng):
    return [
        S(f32(rng, 3, 4), 0, 1, grad=True),
        S(f32(rng, 3, 4), 1, -1, grad=True),
        S(f32(rng, 2, 3, 4), -2, 2, grad=True),
        S(NonContig(f32(rng, 3, 4)), 1, 2, grad=True),
        S(i64(rng, 2, 0), 0, 1),
        S(f32(rng, 3, 4), 0, 3, error=True),
        S(f32(rng, 3, 4), 2, 0, error=True),
    ]


def diagonal_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 3, 4), -1, grad=True),
        S(f32(rng, 2, 3, 4), 0, 1, 2, grad=True),
        S(f32(rng, 2, 3, 4), offset=1, dim1=-1, dim2=0, grad=True),
        S(NonContig(f32(rng, 3, 4)), grad=True),
        S(f32(rng, 3, 4), 5, grad=True),
        S(i64(rng, 3, 4)),
        S(f32(rng, 3, 4), 0, 1, 1, error=True),
    ]


def unbind_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 2, 3, 4), -1, grad=True),
        S(NonContig(f32(rng, 3, 4)), 1, grad=True),
        S(i64(rng, 2, 0), 0),
        S(f32(rng, 0)),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def split_samples(rng):
    return [
        S(f32(rng, 3, 4), 2, grad=True),
        S(f32(rng, 3, 4), 3, 1, grad=True),
        S(f32(rng, 3, 4), [1, 3], 1, grad=True),
        S(f32(rng, 3, 4), [1, 0, 2], grad=True),
        S(NonContig(f32(rng, 3, 4)), 2, -1, grad=True),
        S(f32(rng, 3, 4), 5, grad=True),
        S(i64(rng, 3, 4), [2, 2], dim=1),
        S(f32(rng, 0), 2),
        S(f32(rng, 3, 4), [1, 1], error=True),
    ]


def chunk_samples(rng):
    return [
        S(f32(rng, 3, 4), 2, grad=True),
        S(f32(rng, 3, 4), 3, 1, grad=True),
        S(f32(rng, 3, 4), 5, grad=True),
        S(NonContig(f32(rng, 3, 4)), 2, dim=-1, grad=True),
        S(i64(rng, 2, 6), 4, 1),
        S(f32(rng, 3, 4), 0, error=True),
    ]


def getitem_samples(rng):
    """`x[key]` on a (3, 4, 5) tensor: basic, advanced and mixed keys."""
    x = lambda: f32(rng, 3, 4, 5)  # noqa: E731
    # Gradients are checked for one key of each kind; the others check values only.
    grad_keys = [
        (-1, -2, -3), (slice(1, None), slice(None, 3, 2)), (0, None, slice(1, 3)),
        (Ellipsis, 1), [-1, 0, -1], bools(rng, 3, 4), (0, slice(None), [1, 2]),
        ([0, 1], slice(None), [1, 2]), ([[0], [2]], [1, 3]),
    ]
    keys = [
        1, slice(None, None, 2), slice(5, 10), Ellipsis, (), index(0, 2), index(1), bools(rng, 3),
        (slice(None), [0, 2], [1, 3]), (1, [0, 2], slice(None, None, 2)),
        (Ellipsis, index(0, 4)), (bools(rng, 3), 0), np.zeros(0, np.int64),
        (slice(None), index(3, 0).reshape(2, 1)),
    ]
    samples = [S(x(), key, grad=True) for key in grad_keys] + [S(x(), key) for key in keys]
    return samples + [
        S(NonContig(f32(rng, 3, 4)), (slice(None), [0, 1])),
        S(NonContig(f32(rng, 3, 4)), (slice(None, None, 2), 1), grad=True),
        S(f32(rng), (), grad=True),
        S(f32(rng), None, grad=True),
        S(f32(rng), Ellipsis, grad=True),
        S(i64(rng, 3, 4, 5), (0, [1, 2])),
        S(x(), 3, error=True),
        S(x(), (0, -5), error=True),
        S(x(), (0, 0, 0, 0), error=True),
        S(x(), index(0, 3), error=True),
        S(x(), np.array([0.0, 1.0]), error=True),
        S(x(), bools(rng, 4), error=True),
        S(x(), slice(None, None, -1), error=True),
    ]


def setitem(lib, x, key, value):
    out = x.clone()
    out[key] = value
    return out


def setitem_through_view(lib, x, key, value):
    """`x.T[key] = value` on a copy of x: the write lands in the copy."""
    out = x.clone()
    out.transpose(0, 1)[key] = value
    return out


def setitem_samples(rng):
    x = lambda: f32(rng, 3, 4, 5)  # noqa: E731
    return [
        S(x(), 1, 0.5, grad=True),
        S(x(), (0, slice(None, None, 2)), f32(rng, 2, 1), grad=True),
        S(x(), index(0, 2), f32(rng, 2, 4, 5), grad=True),
        S(x(), (0, slice(None), [1, 2]), f32(rng, 4, 2), grad=True),
        S(x(), bools(rng, 3, 4), f32(rng, 5), grad=True),
        S(x(), bools(rng, 3, 4, 5), f32(rng), grad=True),
        S(x(), -1, f32(rng, 5)),
        S(x(), (Ellipsis, 2), f32(rng, 3, 4)),
        S(x(), (None, 0), f32(rng, 1, 4, 5)),
        S(x(), [2, 0], 1.5),
        S(x(), ([0, 1], slice(None), [1, 2]), f32(rng, 2, 4)),
        S(x(), bools(rng, 3, 4, 5), 0.0),
        S(x(), (1, 2, 3), f32(rng)),
        S(x(), 0, f64(rng, 4, 5)),
        S(x(), 0, 7),
        S(i64(rng, 3, 4, 5), (0, 1), 2.7),
        S(i64(rng, 3, 4, 5), bools(rng, 3, 4, 5), -1),
        S(f32(rng), (), 2.0, grad=True),
        S(NonContig(f32(rng, 3, 4)), (slice(None), 1), f32(rng, 3), grad=True),
        S(x(), 0, f32(rng, 3, 5), error=True),
        S(x(), 3, 1.0, error=True),
        S(x(), index(0, 3), 1.0, error=True),
    ]


def setitem_view_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, 0.5, grad=True),
        S(f32(rng, 3, 4), (slice(1, 3), slice(None, None, 2)), f32(rng, 2, 2), grad=True),
        S(f32(rng, 3, 4), [0, 3], f32(rng, 3), grad=True),
        S(f32(rng, 3, 4), bools(rng, 4, 3), 0.0, grad=True),
        S(i64(rng, 3, 4), (Ellipsis, 0), 9),
    ]


def operator_samples(rng, lhs=f32, rhs=f32, ints=True, grad=True, reflected_grad=True):
    """Tensor-tensor, tensor-scalar and scalar-tensor (reflected) operands; `grad` and
    `reflected_grad` say where torch has a derivative."""
    samples = [
        S(lhs(rng, 3, 4), rhs(rng, 3, 4), grad=grad),
        S(lhs(rng, 3, 4), rhs(rng, 4), grad=grad),
        S(lhs(rng, 3, 4), 2, grad=grad),
        S(2, rhs(rng, 3, 4), grad=grad and reflected_grad),
        S(1.5, rhs(rng, 3, 4), grad=grad and reflected_grad),
        S(lhs(rng), rhs(rng, 3, 4), grad=grad),
    ]
    if ints:
        samples += [S(i64(rng, 3, 4), 2.5), S(2.5, nonzero_i64(rng, 3, 4)),
                    S(i32(rng, 3, 4), nonzero_i64(rng)), S(3, nonzero_i64(rng, 3, 4))]
    return samples


def bitwise_operator_samples(rng):
    return [
        S(i64(rng, 3, 4), i64(rng, 3, 4)), S(bools(rng, 3, 4), bools(rng, 4)),
        S(i64(rng, 3, 4), 3), S(5, i64(rng, 3, 4)), S(True, bools(rng, 3, 4)),
        S(i32(rng, 3, 4), i64(rng)), S(f32(rng, 3, 4), 1, error=True),
    ]


def comparison_operator_samples(rng):
    return [
        S(ties(rng, 3, 4), ties(rng, 3, 4)), S(ties(rng, 3, 4), 0), S(1, ties(rng, 3, 4)),
        S(0.5, i64(rng, 3, 4)), S(i32(rng, 3, 4), i64(rng)), S(ties(rng, 3, 4), ties(rng, 4)),
    ]


def inplace_operator(op):
    """`target op= value` on a copy of the left operand, which must come back as the result."""
    def call(lib, x, value):
        target = x.clone()
        result = op(target, value)
        assert result is target
        return result
    return call


def inplace_operator_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 4), grad=True),
        S(f32(rng, 3, 4), 2, grad=True),
        S(f32(rng, 3, 4), i64(rng, 3, 4)),
        S(i64(rng, 3, 4), 2.5, error=True),
        S(i64(rng, 3, 4), f32(rng, 3, 4), error=True),
        S(f32(rng, 4), f32(rng, 3, 4), error=True),
    ]


def unary_operator_samples(rng):
    return [S(f32(rng, 3, 4), grad=True), S(i64(rng, 3, 4)), S(f32(rng), grad=True)]


# Creation ops take Python data; `Raw` passes numpy arrays through unconverted.
def tensor_samples(rng):
    return [
        S(3), S(2.5), S(True), S([1, 2, 3]), S([1, 2.5]), S([[1, 2], [3, 4]]), S([True, False]),
        S([1, True]), S([]), S([[]]), S(Raw(np.arange(3, dtype=np.int32))),
        S(Raw(np.ones((2, 2)))), S(Raw(np.array([True, False]))), S(Raw(np.float64(1.5))),
        S([1, 2], dtype=Dtype("float64")), S([1.7, -2.7], dtype=Dtype("int32")),
        S([[1, 2], [3]], error=True),
        S("abc", error=True),
    ]


def factory_samples(rng):
    return [
        S(2, 3), S((2, 3)), S([4]), S(()), S(0), S(2, 0, dtype=Dtype("float64")),
        S(3, dtype=Dtype("int32")), S((2, 2), dtype=Dtype("bool")),
        S(-1, error=True),
    ]


def full_samples(rng):
    return [
        S((2, 3), 1.5), S((2,), 7), S((2,), True), S([3], -2), S((), 4.0), S((0, 2), 1),
        S((2,), 2.7, dtype=Dtype("int64")), S((2,), 1, dtype=Dtype("float64")),
    ]


def arange_samples(rng):
    return [
        S(5), S(0.0, 1.0, 0.25), S(1, 2.5, 0.5), S(10, 0, -3), S(0, 5, dtype=Dtype("float64")),
        S(0, 5, 0, error=True), S(5, 0, 1, error=True),
    ]


def like_samples(rng):
    return [
        S(f32(rng, 3, 4)), S(i64(rng, 3)), S(bools(rng, 2, 0)), S(f64(rng)),
        S(NonContig(f32(rng, 3, 4))), S(i64(rng, 3), dtype=Dtype("float64")),
    ]


def full_like_samples(rng):
    return [
        S(f32(rng, 3, 4), 2.5), S(i64(rng, 3), 2.7), S(i64(rng, 3), 7), S(bools(rng, 2), 1),
        S(f32(rng, 3, 4), 2, dtype=Dtype("int64")),
    ]


OPS = [
    # elementwise arithmetic
    OpSpec("add", add_samples, "fmi"),
    OpSpec("sub", sub_samples, "fmi"),
    OpSpec("mul", mul_samples, "fmi"),
    OpSpec("div", div_samples, "fmi"),
    OpSpec("floor_divide", floor_divide_samples, "fmi"),
    OpSpec("remainder", lambda rng: binary_samples(rng, nonzero=True, full=False), "fmi"),
    OpSpec("pow", pow_samples, "fmi"),
    OpSpec("neg", first(4, unary_signed_samples), "fmi"),
    OpSpec("abs", first(4, unary_signed_samples), "fmi"),
    OpSpec("relu", lambda rng: unary_signed_samples(rng, values=ties), "fmi"),
    OpSpec("exp", unary_float_samples, "fmi"),
    OpSpec("log", lambda rng: unary_float_samples(rng, values=positive), "fmi"),
    OpSpec("sqrt", first(3, lambda rng: unary_float_samples(rng, values=positive)), "fmi"),
    OpSpec("sin", first(3, unary_float_samples), "fmi"),
    OpSpec("cos", first(3, unary_float_samples), "fmi"),
    OpSpec("tanh", first(3, unary_float_samples), "fmi"),
    OpSpec("sigmoid", first(3, unary_float_samples), "fmi"),
    OpSpec("maximum", maximum_samples, "fm"),
    OpSpec("minimum", maximum_samples, "fm"),
    OpSpec("clamp", clamp_samples, "fmi"),
    OpSpec("where", where_samples, "f"),
    OpSpec("Tensor.where", lambda rng: [where_samples(rng)[i] for i in (0, 1, 2, 4, 5)], "f",
           call=lambda lib, cond, x, y: x.where(cond, y)),
    # comparisons and logic
    OpSpec("eq", comparison_samples, "fmi"),
    *(OpSpec(name, first(4, comparison_samples), "fmi") for name in ("ne", "lt", "le", "gt",
                                                                     "ge")),
    OpSpec("bitwise_and", bitwise_samples, "fmi"),
    OpSpec("bitwise_or", first(4, bitwise_samples), "fmi"),
    OpSpec("bitwise_xor", first(4, bitwise_samples), "fmi"),
    OpSpec("bitwise_not", unary_bitwise_samples, "fmi"),
    OpSpec("logical_not", logical_not_samples, "fmi"),
    # reductions
    OpSpec("sum", lambda rng: sum_samples(rng) + sum_int_samples(rng), "fm"),
    OpSpec("mean", mean_samples, "fm"),
    OpSpec("prod", prod_samples, "fm"),
    OpSpec("max", max_min_samples, "fm"),
    OpSpec("min", first(5, max_min_samples), "fm"),
    OpSpec("amax", amax_samples, "fm"),
    OpSpec("amin", first(5, amax_samples), "fm"),
    OpSpec("argmax", argmax_samples, "fm"),
    OpSpec("argmin", first(4, argmax_samples), "fm"),
    # matrix products, softmax
    OpSpec("mm", mm_samples, "fm"),
    OpSpec("matmul", matmul_samples, "fm"),
    OpSpec("softmax", softmax_samples, "fm"),
    OpSpec("log_softmax", first(5, softmax_samples), "fm"),
    # joining, indexing by tensors
    OpSpec("cat", cat_samples),
    OpSpec("stack", stack_samples),
    OpSpec("gather", gather_samples, "fm"),
    OpSpec("masked_fill", masked_fill_samples, "fmi"),
    # copies, views and shapes
    OpSpec("clone", one_tensor_samples, "fm"),
    OpSpec("reshape", reshape_samples, "fm"),
    OpSpec("view", view_samples, "m"),
    OpSpec("transpose", transpose_samples, "fm"),
    OpSpec("t", t_samples, "fm"),
    OpSpec("permute", permute_samples, "fm"),
    OpSpec("squeeze", squeeze_samples, "fm"),
    OpSpec("unsqueeze", unsqueeze_samples, "fm"),
    OpSpec("flatten", flatten_samples, "fm"),
    OpSpec("expand", expand_samples, "m"),
    OpSpec("narrow", narrow_samples, "fm"),
    OpSpec("select", select_samples, "fm"),
    OpSpec("diagonal", diagonal_samples, "fm"),
    OpSpec("unbind", unbind_samples, "fm"),
    OpSpec("split", split_samples, "fm"),
    OpSpec("chunk", chunk_samples, "fm"),
    OpSpec("getitem", getitem_samples, call=lambda lib, x, key: x[key]),
    OpSpec("setitem", setitem_samples, call=setitem),
    OpSpec("setitem_view", setitem_view_samples, call=setitem_through_view),
    # operators, with reflected forms (2 - x) where the left operand is a Python number
    OpSpec("__add__", operator_samples, call=lambda lib, a, b: a + b),
    OpSpec("__sub__", operator_samples, call=lambda lib, a, b: a - b),
    OpSpec("__mul__", operator_samples, call=lambda lib, a, b: a * b),
    OpSpec("__truediv__", operator_samples, call=lambda lib, a, b: a / b),
    OpSpec("__floordiv__", lambda rng: operator_samples(rng, grad=False),
           call=lambda lib, a, b: a // b),
    OpSpec("__mod__", lambda rng: operator_samples(rng, reflected_grad=False),
           call=lambda lib, a, b: a % b),
    OpSpec("__pow__", lambda rng: operator_samples(rng, lhs=positive, ints=False) + [
        S(i64(rng, 3, 4), 2), S(2, i64(rng, 3, 4, low=0)), S(i64(rng, 3, 4), 0.5)],
        call=lambda lib, a, b: a ** b),
    OpSpec("__matmul__", matmul_samples, call=lambda lib, a, b: a @ b),
    OpSpec("__and__", bitwise_operator_samples, call=lambda lib, a, b: a & b),
    OpSpec("__or__", bitwise_operator_samples, call=lambda lib, a, b: a | b),
    OpSpec("__xor__", bitwise_operator_samples, call=lambda lib, a, b: a ^ b),
    OpSpec("__eq__", comparison_operator_samples, call=lambda lib, a, b: a == b),
    OpSpec("__ne__", comparison_operator_samples, call=lambda lib, a, b: a != b),
    OpSpec("__lt__", comparison_operator_samples, call=lambda lib, a, b: a < b),
    OpSpec("__le__", comparison_operator_samples, call=lambda lib, a, b: a <= b),
    OpSpec("__gt__", comparison_operator_samples, call=lambda lib, a, b: a > b),
    OpSpec("__ge__", comparison_operator_samples, call=lambda lib, a, b: a >= b),
    OpSpec("__neg__", unary_operator_samples, call=lambda lib, a: -a),
    OpSpec("__invert__", unary_bitwise_samples, call=lambda lib, a: ~a),
    OpSpec("__iadd__", inplace_operator_samples, call=inplace_operator(operator.iadd)),
    OpSpec("__isub__", inplace_operator_samples, call=inplace_operator(operator.isub)),
    OpSpec("__imul__", inplace_operator_samples, call=inplace_operator(operator.imul)),
    OpSpec("__itruediv__", inplace_operator_samples, call=inplace_operator(operator.itruediv)),
    # creation
    OpSpec("tensor", tensor_samples),
    OpSpec("zeros", factory_samples),
    OpSpec("ones", first(4, factory_samples)),
    OpSpec("full", full_samples),
    OpSpec("arange", arange_samples),
    OpSpec("zeros_like", like_samples),
    OpSpec("ones_like", first(3, like_samples)),
    OpSpec("full_like", full_like_samples),
]

globals().update(define_tests(OPS))


@pytest.mark.parametrize("values,kwargs", [
    ([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], {}),
    ([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], {"dim": 1}),
    ([[1.5, -2.0, 3.0], [0.5, 4.0, -1.0]], {"dim": -2, "keepdim": True}),
    ([[1, 2], [3, 4]], {"dim": 0}),
    ([[True, False]], {}),
])
def test_prod_matches_torch(values, kwargs):
    is_float = isinstance(values[0][0], float)
    jt = jtorch.tensor(values, requires_grad=is_float)
    tt = torch.tensor(values, requires_grad=is_float)
    j_out, t_out = jtorch.prod(jt, **kwargs), torch.prod(tt, **kwargs)
    assert str(j_out.dtype) == str(t_out.dtype) and tuple(j_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(j_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-6)
    if is_float:
        j_out.sum().backward()
        t_out.sum().backward()
        np.testing.assert_allclose(jt.grad.numpy(), tt.grad.numpy(), rtol=1e-5)
