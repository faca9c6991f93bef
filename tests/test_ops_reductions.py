"""The op-spec table for statistical reductions, scans, sorting and counting (issue 4): std/var,
norms, logsumexp, all/any, cumulative ops, sort/topk/kthvalue/median/mode, quantiles, unique,
bincount, histc, searchsorted. Values, dtypes, shapes, named tuples, gradients (torch's choice at
ties) and exception types are compared with torch."""

from __future__ import annotations

import math

import jax
import numpy as np
import pytest
from _opspec import (
    Dtype,
    NonContig,
    OpSpec,
    S,
    bools,
    define_tests,
    f32,
    f64,
    first,
    i32,
    i64,
    ties,
)

import jtorch
from jtorch._tensor import from_array

torch = pytest.importorskip("torch")

NAN, INF = math.nan, math.inf


def distinct(rng, *shape, dtype=np.float32):
    """Values without ties (a shuffled range), where torch's choice among equal elements is
    unspecified (topk, kthvalue, unstable sort)."""
    n = int(np.prod(shape))
    return np.asarray(rng.permutation(n).reshape(shape) - n / 2, dtype) / 4


def with_nans(rng, *shape):
    x = f32(rng, *shape)
    x[rng.random(shape) < 0.3] = NAN
    return x


def uint8(rng, *shape):
    return np.asarray(rng.integers(0, 3, shape), np.uint8)


# ---- var, std -------------------------------------------------------------------------------

def var_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), (0, -1), keepdim=True, grad=True),
        S(f32(rng, 3, 4), 0, False, True, grad=True),  # dim, unbiased, keepdim
        S(f32(rng, 3, 4), False, grad=True),  # std(x, unbiased)
        S(f32(rng, 3, 4), dim=1, correction=0, grad=True),
        S(f64(rng, 3, 4), dim=-1, correction=2.5, grad=True),
        S(np.ones((3, 4), np.float32), 1, grad=True),  # zero deviation: std's gradient is 0
        S(NonContig(f32(rng, 3, 4)), 0, grad=True),
        S(f32(rng, 3, 4), dim=None, keepdim=True),
        S(f32(rng, 1, 4), 0),  # one element: NaN
        S(f32(rng, 2, 3), 1, correction=4),  # N - correction < 0: inf
        S(f32(rng)),
        S(f32(rng, 0)),
        S(f32(rng, 0, 3), 0),
        S(np.asarray(f32(rng, 3, 4) + 1j * f32(rng, 3, 4), np.complex64), 1),
        S(i64(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), 0, error=True),
        S(f32(rng, 3, 4), 2, error=True),
        S(f32(rng, 3, 4), (0, 0), error=True),
        S(f32(rng, 3, 4), 0, True, correction=1, error=True),
    ]


def var_mean_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), (0, 2), keepdim=True, correction=0, grad=True),
        S(np.ones((2, 3), np.float32), 0, grad=True),
        S(f32(rng, 0)),
        S(i64(rng, 3), error=True),
    ]


# ---- logsumexp, nan-aware, logic, counting, aminmax -------------------------------------------

def logsumexp_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), (0, 2), True, grad=True),
        S(f64(rng, 3, 4) * 300, 0, grad=True),  # large values: computed stably
        S(np.array([[-INF, 1.0], [-INF, -INF]], np.float32), 1),
        S(NonContig(f32(rng, 3, 4)), -1, grad=True),
        S(f32(rng), 0, grad=True),
        S(i64(rng, 3, 4), 1),
        S(bools(rng, 3), 0),
        S(f32(rng, 0), 0),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def nansum_samples(rng):
    return [
        S(with_nans(rng, 3, 4), grad=True),
        S(with_nans(rng, 3, 4), 1, grad=True),
        S(with_nans(rng, 2, 3, 4), (0, 2), True, grad=True),
        S(i32(rng, 3, 4), 0),
        S(i64(rng, 3, 4), dtype=Dtype("float64")),
        S(bools(rng, 3, 4)),
        S(f32(rng, 0)),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def nanmean_samples(rng):
    return [
        S(with_nans(rng, 3, 4), grad=True),
        S(with_nans(rng, 3, 4), 1, True, grad=True),
        S(np.full((2, 3), NAN, np.float32), 1),
        S(f64(rng, 3, 4), (0, 1)),
        S(i64(rng, 3, 4), error=True),
    ]


def all_any_samples(rng):
    sparse = np.asarray(rng.integers(0, 4, (3, 4)) > 0, np.float32) * f32(rng, 3, 4)
    return [
        S(bools(rng, 3, 4)),
        S(bools(rng, 3, 4), 1),
        S(sparse, 0, True),
        S(i64(rng, 2, 3, 4), (0, 2)),
        S(uint8(rng, 3, 4)),  # uint8 keeps uint8
        S(uint8(rng, 3, 4), 1),
        S(np.array([NAN, 0.0], np.float32), 0),
        S(NonContig(bools(rng, 3, 4)), -1),
        S(f32(rng)),
        S(f32(rng, 0)),
        S(bools(rng, 2, 0), 1),
        S(bools(rng, 3, 4), 2, error=True),
    ]


def count_nonzero_samples(rng):
    return [
        S(i64(rng, 3, 4, low=-1, high=2)),
        S(ties(rng, 3, 4), 1),
        S(ties(rng, 2, 3, 4), (0, -1)),
        S(bools(rng, 3, 4), 0),
        S(f32(rng)),
        S(f32(rng, 0)),
        S(ties(rng, 3, 4), 2, error=True),
        S(ties(rng, 3, 4), (0, 0), error=True),
    ]


def aminmax_samples(rng):
    return [
        S(ties(rng, 3, 4), grad=True),
        S(ties(rng, 3, 4), dim=1, grad=True),  # ties share the gradient evenly
        S(f32(rng, 2, 3, 4), dim=-1, keepdim=True, grad=True),
        S(f32(rng, 3, 4), keepdim=True),
        S(i64(rng, 3, 4), dim=0),
        S(bools(rng, 3)),
        S(f32(rng), grad=True),
        S(f32(rng, 0, 3), dim=1),
        S(f32(rng, 0), error=True),
        S(f32(rng, 3, 4), dim=2, error=True),
    ]


# ---- norms ----------------------------------------------------------------------------------

def norm_samples(rng):
    x = f32(rng, 3, 4)
    with_zero = np.array([[0.0, 1.5, -2.0], [0.0, 0.0, 0.0]], np.float32)
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 3, 4), INF, grad=True),
        S(f32(rng, 3, 4), -INF, 0, grad=True),
        S(f32(rng, 3, 4), 0),
        S(f32(rng, 3, 4), 3.5, 1, True, grad=True),
        S(f32(rng, 3, 4), 0.5, grad=True),
        S(f32(rng, 3, 4), "fro", 1, grad=True),
        S(f32(rng, 2, 3, 4), "fro", (0, 2), grad=True),
        S(f32(rng, 3, 4), "nuc", grad=True),
        S(f32(rng, 2, 3, 4), "nuc", (0, 2), True, grad=True),
        S(with_zero, 2, 1, grad=True),  # a zero norm: gradient 0, as torch
        S(with_zero, 3, 1, grad=True),
        S(with_zero, 1, 1, grad=True),
        S(np.array([0.0, 2.0, -2.0], np.float32), INF, grad=True),
        S(x, dtype=Dtype("float64"), grad=True),
        S(f64(rng, 3, 4), p=2, dim=(0, 1)),
        S(NonContig(f32(rng, 3, 4)), 2, 0, grad=True),
        S(f32(rng), grad=True),
        S(f32(rng, 0)),
        S(np.asarray(f32(rng, 3) + 1j * f32(rng, 3), np.complex64)),
        S(i64(rng, 3, 4), error=True),
        S(f32(rng, 0), INF, error=True),
        S(f32(rng, 3, 4), "nuc", 1, error=True),
        S(f32(rng, 4), "nuc", error=True),
        S(f32(rng, 2, 3, 4), "fro", (0, 1, 2), error=True),
        S(f32(rng, 3, 4), "abc", error=True),
        S(f32(rng, 3, 4), 2, 2, error=True),
    ]


# ---- scans ----------------------------------------------------------------------------------

def cumsum_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), -3, grad=True),
        S(NonContig(f32(rng, 3, 4)), 0, grad=True),
        S(f32(rng, 3, 4), 0, dtype=Dtype("float64"), grad=True),
        S(f32(rng), 0, grad=True),
        S(i32(rng, 3, 4), 1),  # int64
        S(i32(rng, 3, 4), 1, dtype=Dtype("int32")),
        S(uint8(rng, 5), 0),
        S(bools(rng, 5), 0),
        S(f32(rng, 3, 4), 0, dtype=Dtype("int64")),
        S(f32(rng, 2, 0), 1),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def cumprod_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, grad=True),
        S(np.array([[2.0, 0.0, 3.0, 0.0], [1.0, 2.0, 0.0, 4.0]], np.float32), 1, grad=True),
        S(f64(rng, 2, 3, 4), 0, grad=True),
        S(i32(rng, 3, 4), 1),
        S(f32(rng), 0, grad=True),
        S(f32(rng, 0), 0),
        S(f32(rng, 3, 4), -3, error=True),
    ]


def logcumsumexp_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, grad=True),
        S(f64(rng, 2, 3, 4) * 100, 0, grad=True),
        S(NonContig(f32(rng, 3, 4)), -1, grad=True),
        S(np.array([-INF, 1.0, -INF], np.float32), 0),
        S(f32(rng), 0),
        S(f32(rng, 2, 0), 1),
        S(i64(rng, 3), 0, error=True),
        S(f32(rng, 3), 1, error=True),
    ]


def cummax_samples(rng):
    return [
        S(ties(rng, 3, 5), 1, grad=True),  # ties take the later index
        S(f32(rng, 2, 3, 4), 0, grad=True),
        S(np.array([1.0, 3.0, 3.0, NAN, 2.0, NAN, 5.0], np.float32), 0, grad=True),
        S(NonContig(ties(rng, 3, 4)), 1, grad=True),
        S(i64(rng, 3, 4), -1),
        S(bools(rng, 6), 0),
        S(f32(rng), 0, grad=True),
        S(f32(rng, 0), 0),
        S(f32(rng, 3, 4), 2, error=True),
    ]


# ---- sorting and selection ------------------------------------------------------------------

def sort_samples(rng):
    nans = np.array([[3.0, NAN, 1.0, -0.0, 0.0, NAN, -2.0]], np.float32)
    return [
        S(distinct(rng, 3, 5), grad=True),
        S(distinct(rng, 3, 5), 0, True, grad=True),
        S(ties(rng, 4, 6), dim=1, stable=True, grad=True),  # stable: ties keep their order
        S(ties(rng, 4, 6), dim=0, descending=True, stable=True, grad=True),
        S(nans, stable=True),  # NaN last
        S(nans, descending=True, stable=True),  # NaN first
        S(NonContig(distinct(rng, 3, 4)), 0, grad=True),
        S(i64(rng, 3, 6), stable=True, dim=1),
        S(bools(rng, 8), stable=True, dim=0, descending=True),
        S(f32(rng), grad=True),
        S(f32(rng, 0)),
        S(f32(rng, 2, 0), 0),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def argsort_samples(rng):
    return [
        S(distinct(rng, 3, 5)),
        S(distinct(rng, 3, 5), 0, True),
        S(ties(rng, 4, 6), dim=1, stable=True),
        S(ties(rng, 4, 6), dim=1, descending=True, stable=True),
        S(np.array([3.0, NAN, 1.0], np.float32)),
        S(i64(rng, 7), stable=True, dim=0),
        S(f32(rng)),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def msort_samples(rng):
    return [S(distinct(rng, 4, 3), grad=True), S(i64(rng, 5)), S(f32(rng), grad=True),
            S(f32(rng, 0, 2))]


def topk_samples(rng):
    return [
        S(distinct(rng, 3, 6), 2, grad=True),
        S(distinct(rng, 3, 6), 3, 0, grad=True),
        S(distinct(rng, 3, 6), 2, largest=False, grad=True),
        S(distinct(rng, 2, 3, 4), 4, -1, True, True, grad=True),
        S(np.array([3.0, NAN, 1.0, 2.0], np.float32), 2),  # NaN is the largest
        S(NonContig(distinct(rng, 3, 4)), 1, 0, grad=True),
        S(i64(rng, 8, low=-100, high=100), 3),
        S(distinct(rng, 5), 0),
        S(distinct(rng, 5), 5, grad=True),
        S(f32(rng), 1, grad=True),
        S(distinct(rng, 3, 4), 5, error=True),
        S(distinct(rng, 3, 4), -1, error=True),
        S(distinct(rng, 3, 4), 1, 2, error=True),
    ]


def kthvalue_samples(rng):
    return [
        S(distinct(rng, 3, 6), 2, grad=True),
        S(distinct(rng, 3, 6), 3, 0, True, grad=True),
        S(distinct(rng, 2, 3, 4), 4, -1, grad=True),
        S(np.array([[NAN, 2.0, NAN], [3.0, 1.0, NAN]], np.float32), 2, 1),
        S(NonContig(distinct(rng, 3, 4)), 1, 1, grad=True),
        S(i64(rng, 5, low=-100, high=100), 5),
        S(f32(rng), 1, grad=True),
        S(distinct(rng, 3), 4, error=True),
        S(distinct(rng, 3), 0, error=True),
        S(f32(rng, 0, 3), 1, 0, error=True),
    ]


def median_samples(rng):
    """median over all elements (the lower median; ties share the gradient evenly) and along
    a dim (values, indices; the index torch picks among ties is a stable sort's)."""
    return [
        S(ties(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), grad=True),
        S(np.array([1.0, NAN, 2.0, NAN], np.float32), grad=True),
        S(ties(rng, 3, 6), 1, grad=True),
        S(ties(rng, 4, 5), 0, True, grad=True),
        S(np.array([[NAN, 2.0, NAN], [3.0, 1.0, NAN], [1.0, 2.0, 3.0]], np.float32), 1),
        S(NonContig(f32(rng, 3, 4)), -1, grad=True),
        S(i64(rng, 3, 4)),
        S(i32(rng, 3, 4), 1),
        S(f32(rng), grad=True),
        S(f32(rng), 0, grad=True),
        S(f32(rng, 0)),
        S(f32(rng, 0, 3), 0, error=True),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def nanmedian_samples(rng):
    return [
        S(with_nans(rng, 3, 4), grad=True),
        S(np.array([1.0, NAN, 2.0, 2.0], np.float32), grad=True),
        S(np.array([[3.0, NAN, 2.0, 4.0], [1.0, 2.0, NAN, NAN], [NAN, 5.0, NAN, NAN]],
                   np.float32), 1, grad=True),
        S(with_nans(rng, 4, 3), 0, True, grad=True),
        S(np.full(3, NAN, np.float32)),
        S(i64(rng, 5)),
        S(f32(rng, 0)),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def mode_samples(rng):
    return [
        S(i64(rng, 3, 8, low=0, high=4)),
        S(ties(rng, 3, 8), grad=True),
        S(ties(rng, 6, 3), 0, True, grad=True),
        S(np.array([3.0, 1.0, 1.0, 2.0, 2.0, 0.0], np.float32)),  # equal counts: the smallest
        S(np.array([5.0, 2.0, 5.0, 5.0], np.float32), grad=True),  # the last occurrence
        S(NonContig(ties(rng, 4, 3)), 0),
        S(bools(rng, 2, 5)),
        S(f32(rng), grad=True),
        S(f32(rng, 0), 0, error=True),
        S(f32(rng, 3, 4), 2, error=True),
    ]


def quantile_samples(rng):
    q = np.array([0.0, 0.3, 0.5, 1.0], np.float32)
    return [
        S(distinct(rng, 3, 5), 0.3, grad=True),
        S(distinct(rng, 3, 5), q, 1, grad=True),
        S(distinct(rng, 3, 5), q, 0, True, grad=True),
        S(distinct(rng, 2, 3, 4), 0.75, -1, keepdim=True, grad=True),
        S(distinct(rng, 3, 4), np.float32(0.4), keepdim=True),
        *(S(distinct(rng, 3, 5), q, 1, interpolation=mode)
          for mode in ("lower", "higher", "midpoint", "nearest")),
        S(np.array([[1.0, NAN, 2.0], [1.0, 2.0, 3.0]], np.float32), 0.5, 1),  # NaN row: NaN
        S(distinct(rng, 6, dtype=np.float64), 0.25, grad=True),
        S(f32(rng), 0.5, 0),
        S(i64(rng, 5), 0.5, error=True),
        S(f32(rng, 5), 1.5, error=True),
        S(f32(rng, 5), np.array([0.5, 1.5], np.float32), error=True),
        S(f32(rng, 5), np.array([0.5], np.float64), error=True),
        S(f32(rng, 5), np.array([[0.5]], np.float32), error=True),
        S(f32(rng, 0), 0.5, error=True),
        S(f32(rng, 5), 0.5, interpolation="foo", error=True),
        S(f32(rng, 3, 4), 0.5, 2, error=True),
    ]


def nanquantile_samples(rng):
    q = np.array([0.25, 0.5], np.float32)
    return [
        S(with_nans(rng, 4, 6), 0.3, grad=True),
        S(np.array([[1.0, NAN, 2.0], [NAN, NAN, NAN], [3.0, 1.0, 2.0]], np.float32), q, 1),
        S(with_nans(rng, 4, 6), q, 1, interpolation="nearest"),
        S(i64(rng, 5), 0.5, error=True),
    ]


# ---- counting and searching -----------------------------------------------------------------

def unique_samples(rng):
    return [
        S(i64(rng, 12, low=0, high=5)),
        S(i64(rng, 3, 4), return_inverse=True, return_counts=True),
        S(ties(rng, 3, 4), return_counts=True),
        S(i64(rng, 10), sorted=False, return_inverse=True),
        S(np.array([3.0, NAN, NAN, 1.0, 3.0], np.float32)),  # NaNs are never equal
        S(np.array([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True, return_counts=True),
        S(np.array([[1, 1, 0], [2, 2, 5]]), dim=1, return_counts=True),
        S(bools(rng, 6), return_inverse=True),
        S(i64(rng)),
        S(i64(rng), return_inverse=True),
        S(f32(rng, 0)),
        S(i64(rng, 3, 4), dim=2, error=True),
    ]


def unique_consecutive_samples(rng):
    return [
        S(np.array([1, 1, 2, 2, 3, 1, 1, 2])),
        S(np.array([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True),
        S(np.array([[1, 2], [1, 2], [0, 5], [1, 2]]), dim=0, return_counts=True),
        S(i64(rng, 3, 4, low=0, high=2), return_inverse=True),
        S(f32(rng, 0)),
    ]


def bincount_samples(rng):
    x = i64(rng, 10, low=0, high=6)
    return [
        S(x),
        S(x, minlength=9),
        S(x, f32(rng, 10)),
        S(x, f64(rng, 10), 3),
        S(x, i64(rng, 10)),  # integer weights sum in float64
        S(i32(rng, 5, low=0, high=3)),
        S(uint8(rng, 5)),
        S(np.zeros(0, np.int64)),
        S(np.array([1, -1, 3]), error=True),
        S(i64(rng, 2, 3, low=0), error=True),
        S(f32(rng, 3), error=True),
        S(bools(rng, 3), error=True),
        S(x, f32(rng, 3), error=True),
        S(x, minlength=-1, error=True),
    ]


def histc_samples(rng):
    return [
        S(f32(rng, 20)),
        S(f32(rng, 4, 5), bins=4, min=-1, max=1),
        S(np.array([1.0, 2.0, 1.0, 5.0], np.float32), bins=4, min=0, max=3),
        S(np.array([0.0, 1.0, 2.0, 3.0], np.float64), 3, 0, 3),  # the top edge is in the last bin
        S(np.array([1.0, 1.0, 1.0], np.float32), bins=4),  # equal data: [min - 1, max + 1]
        S(f32(rng, 0), bins=4),
        S(NonContig(f32(rng, 3, 4)), 5),
        S(i64(rng, 5), bins=4, error=True),
        S(f32(rng, 5), bins=0, error=True),
        S(f32(rng, 5), bins=4, min=3, max=1, error=True),
        S(np.array([1.0, NAN], np.float32), bins=3, error=True),
    ]


def searchsorted_samples(rng):
    seq = np.array([1, 3, 5, 7])
    values = np.array([[3, 6], [9, 0]])
    return [
        S(seq, values),
        S(seq, values, right=True),
        S(seq, values, side="right"),
        S(seq, values, side="left"),
        S(seq, values, out_int32=True),
        S(seq, 4),
        S(seq.astype(np.float32), np.array([3, 6, 9])),  # mixed dtypes compare as promoted
        S(seq, np.array([3.5, 6.0, 9.0], np.float32)),
        S(np.array([[1, 3, 5, 7], [2, 4, 6, 8]]), np.array([[3, 6, 9], [3, 6, 9]]), right=True),
        S(np.array([7, 3, 5, 1]), np.array([3, 6, 9]), sorter=np.array([3, 1, 2, 0])),
        S(np.sort(f32(rng, 6)), f32(rng, 2, 3)),
        S(seq, np.zeros((0,), np.int64)),
        S(seq, values, side="left", right=True, error=True),
        S(seq, values, side="middle", error=True),
        S(np.array([[1, 3, 5, 7], [2, 4, 6, 8]]), np.array([[3, 6, 9]]), error=True),
        S(seq, values, sorter=np.array([0, 1]), error=True),
    ]


def bucketize_samples(rng):
    bounds = np.array([1, 3, 5, 7])
    return [
        S(np.array([[3, 6], [9, 0]]), bounds),
        S(np.array([[3, 6], [9, 0]]), bounds, right=True),
        S(4, bounds),
        S(f32(rng, 3, 4), np.sort(f32(rng, 5)), out_int32=True),
        S(np.array([3]), np.array([[1, 3, 5, 7]]), error=True),
    ]


OPS = [
    OpSpec("var", var_samples, "fm"),
    OpSpec("std", var_samples, "fm"),
    OpSpec("var_mean", var_mean_samples),
    OpSpec("std_mean", first(4, var_mean_samples)),
    OpSpec("logsumexp", logsumexp_samples, "fm"),
    OpSpec("nansum", nansum_samples, "fm"),
    OpSpec("nanmean", nanmean_samples, "fm"),
    OpSpec("all", all_any_samples, "fm"),
    OpSpec("any", first(7, all_any_samples), "fm"),
    OpSpec("count_nonzero", count_nonzero_samples, "fm"),
    OpSpec("aminmax", aminmax_samples, "fm"),
    OpSpec("norm", norm_samples, "fm"),
    OpSpec("cumsum", cumsum_samples, "fmi"),
    OpSpec("cumprod", cumprod_samples, "fmi"),
    OpSpec("logcumsumexp", logcumsumexp_samples, "fm"),
    OpSpec("cummax", cummax_samples, "fm"),
    OpSpec("cummin", first(5, cummax_samples), "fm"),
    OpSpec("sort", sort_samples, "fm"),
    OpSpec("argsort", argsort_samples, "fm"),
    OpSpec("msort", msort_samples, "fm"),
    OpSpec("topk", topk_samples, "fm"),
    OpSpec("kthvalue", kthvalue_samples, "fm"),
    OpSpec("median", median_samples, "fm"),
    OpSpec("nanmedian", nanmedian_samples, "fm"),
    OpSpec("mode", mode_samples, "fm"),
    OpSpec("quantile", quantile_samples, "fm"),
    OpSpec("nanquantile", nanquantile_samples, "fm"),
    OpSpec("unique", unique_samples, "fm"),
    OpSpec("unique_consecutive", unique_consecutive_samples, "fm"),
    OpSpec("bincount", bincount_samples, "fm"),
    OpSpec("histc", histc_samples, "fm"),
    OpSpec("searchsorted", searchsorted_samples),
    OpSpec("bucketize", bucketize_samples),
]

globals().update(define_tests(OPS))


# ---- behaviour outside the table -------------------------------------------------------------

def test_named_tuple_types():
    x = jtorch.tensor([[3.0, 1.0, 2.0]])
    for name, result in [("sort", x.sort()), ("topk", x.topk(1)), ("kthvalue", x.kthvalue(1)),
                         ("median", x.median(1)), ("nanmedian", x.nanmedian(1)),
                         ("mode", x.mode()), ("cummax", x.cummax(1)), ("cummin", x.cummin(1))]:
        assert type(result) is getattr(jtorch.return_types, name)
        assert result.values is result[0] and result.indices is result[1]
    mm = jtorch.aminmax(x)
    assert type(mm) is jtorch.return_types.aminmax and mm.min.item() == 1.0
    assert type(jtorch.std_mean(x)) is tuple and type(jtorch.var_mean(x)) is tuple


def test_out_arguments():
    x = jtorch.tensor([[3.0, 1.0, 2.0]])
    values, indices = jtorch.empty(0), jtorch.empty(0, dtype=jtorch.int64)
    result = jtorch.sort(x, out=(values, indices))
    assert result.values is values and values.tolist() == [[1.0, 2.0, 3.0]]
    assert indices.tolist() == [[1, 2, 0]]
    out = jtorch.empty(0)
    assert jtorch.std(x, out=out) is out and out.item() == 1.0
    out = jtorch.empty(0)
    assert jtorch.cumsum(x, 1, out=out).tolist() == [[3.0, 4.0, 6.0]]


def test_cumsum_inplace_keeps_dtype():
    x = jtorch.tensor([1, 2, 3], dtype=jtorch.int32)
    assert x.cumsum_(0) is x and x.dtype == jtorch.int32 and x.tolist() == [1, 3, 6]


@pytest.mark.parametrize("call", [
    lambda t: t.unique(), lambda t: t.unique_consecutive(), lambda t: t.long().bincount()])
def test_value_dependent_shapes_refuse_tracing(call):
    def traced(array):
        return call(from_array(array))._array

    with pytest.raises(RuntimeError, match="output shape depends on the input.s values"):
        jax.jit(traced)(np.array([1, 2, 2], np.float32))


def test_compile_runs_unique_eagerly():
    """jtorch.compile treats a value-dependent shape as a graph break, as torch.compile does:
    it warns and runs eagerly, or raises with fullgraph=True."""
    x = jtorch.tensor([3, 1, 3])
    step = jtorch.compile(lambda t: (t * 2).unique())
    with pytest.warns(UserWarning, match="unique"):
        for _ in range(3):
            assert step(x).tolist() == [2, 6]
    strict = jtorch.compile(lambda t: t.unique(), fullgraph=True)
    with pytest.raises(RuntimeError, match="unique"):
        for _ in range(3):
            strict(x)


def test_compiled_matches_eager():
    def step(x):
        return (x.sort(dim=1).values.std(1) + x.topk(2).values.sum(1) + x.median(1).values
                + x.quantile(0.3, dim=1) + x.cummax(1).values.sum(1) + x.histc(4)
                + x.round().mode(1).values + x.norm(3, 1) + x.logsumexp(1))

    x = jtorch.tensor(np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32))
    np.testing.assert_allclose(jtorch.compile(step)(x).numpy(), step(x).numpy(), rtol=1e-6)
