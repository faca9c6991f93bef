"""Op-spec table of the shape and indexing family (issue 4, "Shape and indexing"), run against
torch: repeats, stacks, splits, flips, scatters, index_* ops, masks, takes, triangles and
diagonals, broadcasting and the views (movedim, unflatten, as_strided, T/mT/H/mH, ...), plus
view write-through programs and tracing errors of value-dependent ops."""

from __future__ import annotations

import os
import subprocess
import sys

import jax
import numpy as np
import pytest
from _opspec import (
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
    index,
    ties,
)
from _oracle import run_both

import jtorch

torch = pytest.importorskip("torch")

# torch's (and jtorch's) deprecation warnings for samples that exercise deprecated forms
pytestmark = [pytest.mark.filterwarnings("ignore:.*scatter with Tensor src is deprecated"),
              pytest.mark.filterwarnings("ignore:.*it will be required to pass the indexing"),
              pytest.mark.filterwarnings("ignore:The use of `x.T` on tensors"),
              pytest.mark.filterwarnings("ignore:.*is deprecated on 0-D tensors")]


def idx(rng, *shape, high):
    """Random in-range indices in [0, high)."""
    return np.asarray(rng.integers(0, high, shape), np.int64)


def perm_rows(rng, rows, cols, high):
    """(rows, cols) indices, unique within each column: scatter targets without collisions
    (torch's scatter with duplicate targets is nondeterministic)."""
    return np.stack([rng.permutation(high)[:rows] for _ in range(cols)], 1).astype(np.int64)


# ---- repeats and stacks ----------------------------------------------------------------------

def repeat_samples(rng):
    return [
        S(f32(rng, 2, 3), 2, 3, grad=True),
        S(f32(rng, 2, 3), (2, 1, 2), grad=True),
        S(NonContig(f32(rng, 2, 3)), 1, 2, grad=True),
        S(f32(rng), 3, grad=True),
        S(i64(rng, 3), 0, 2),
        S(bools(rng, 2), 2),
        S(f32(rng, 2, 3), 2, error=True),
        S(f32(rng, 2, 3), -1, 2, error=True),
    ]


def tile_samples(rng):
    return [
        S(f32(rng, 2, 3), (2,), grad=True),
        S(f32(rng, 2, 3), (2, 1, 2), grad=True),
        S(i64(rng, 3), (2, 2)),
        S(f32(rng), (3,), grad=True),
    ]


def repeat_interleave_samples(rng):
    return [
        S(f32(rng, 2, 3), 2, grad=True),
        S(f32(rng, 2, 3), 2, 1, grad=True),
        S(f32(rng, 2, 3), index(1, 2), dim=0, grad=True),
        S(f32(rng, 2, 3), index(0, 3, 1), dim=-1, grad=True),
        S(f32(rng, 2, 3), index(2), dim=1, grad=True),
        S(f32(rng, 2, 3), np.array(2), dim=0),
        S(f32(rng, 2, 3), index(1, 2), dim=0, output_size=3, grad=True),
        S(i64(rng, 4), index(1, 0, 2, 1)),
        S(f32(rng), 3),
        S(NonContig(f32(rng, 3, 2)), index(1, 2, 0), dim=0),
        S(f32(rng, 2, 3), index(1, 2), dim=0, output_size=4, error=True),
        S(f32(rng, 2, 3), index(1, 2), dim=1, error=True),
        S(f32(rng, 2, 3), index(1, -2), dim=0, error=True),
        S(f32(rng, 2, 3), -1, error=True),
        S(f32(rng, 2, 3), index(1, 2).reshape(1, 2), dim=0, error=True),
    ]


def repeat_interleave_counts_samples(rng):
    return [S(index(1, 0, 3)), S(index(2)), S(np.zeros(0, np.int64)),
            S(index(1, 2), output_size=3)]


def hstack_samples(rng):
    return [
        S([f32(rng, 2, 3), f32(rng, 2, 1)], grad=True),
        S([f32(rng, 3), f32(rng, 2)], grad=True),
        S([f32(rng), f32(rng, 2)], grad=True),
        S([i64(rng, 2, 2), f32(rng, 2, 1)]),
        S([NonContig(f32(rng, 2, 3)), f32(rng, 2, 3)]),
        S([f32(rng, 2, 3), f32(rng, 3, 3)], error=True),
        S([], error=True),
    ]


def vstack_samples(rng):
    return [
        S([f32(rng, 2, 3), f32(rng, 1, 3)], grad=True),
        S([f32(rng, 3), f32(rng, 3)], grad=True),
        S([f32(rng), f32(rng, 1)], grad=True),
        S([f32(rng, 3), f32(rng, 2, 3)]),
        S([i32(rng, 2), i64(rng, 2)]),
        S([f32(rng, 2), f32(rng, 3)], error=True),
    ]


def dstack_samples(rng):
    return [
        S([f32(rng, 2, 3), f32(rng, 2, 3)], grad=True),
        S([f32(rng, 3), f32(rng, 3)], grad=True),
        S([f32(rng), f32(rng)], grad=True),
        S([f32(rng, 2, 3, 1), f32(rng, 2, 3)]),
        S([f32(rng, 2, 3), f32(rng, 3, 3)], error=True),
    ]


def column_stack_samples(rng):
    return [
        S([f32(rng, 3), f32(rng, 3, 2)], grad=True),
        S([f32(rng), f32(rng, 1, 2)], grad=True),
        S([i64(rng, 2), bools(rng, 2)]),
        S([f32(rng, 3), f32(rng, 2)], error=True),
    ]


def cat_alias_samples(rng):
    return [
        S([f32(rng, 2, 3), f32(rng, 1, 3)], grad=True),
        S([f32(rng, 2, 3), f32(rng, 2, 1)], dim=-1, grad=True),
        S([i64(rng, 2), f32(rng, 3)]),
        S([f32(rng, 2, 3), f32(rng, 2, 2)], error=True),
    ]


# ---- splits ----------------------------------------------------------------------------------

def tensor_split_samples(rng):
    return [
        S(f32(rng, 7, 2), 3, grad=True),
        S(f32(rng, 2, 5), 2, 1, grad=True),
        S(f32(rng, 2, 5), [1, 3], -1, grad=True),
        S(f32(rng, 6), (4, 2, 9), grad=True),
        S(f32(rng, 6), [-2], grad=True),
        S(f32(rng, 2, 5), index(1, 4), 1, grad=True),
        S(f32(rng, 2, 5), np.array(2), 1),
        S(NonContig(f32(rng, 4, 3)), 2),
        S(i64(rng, 3), 5),
        S(f32(rng, 0, 3), 2),
        S(f32(rng, 4), 0, error=True),
        S(f32(rng), 2, error=True),
        S(f32(rng, 4), 2, 1, error=True),
        S(f32(rng, 4), np.array([1.0]), error=True),
    ]


def hsplit_samples(rng):
    return [
        S(f32(rng, 2, 4), 2, grad=True),
        S(f32(rng, 6), 3, grad=True),
        S(f32(rng, 2, 4), [1, 3], grad=True),
        S(f32(rng, 2, 4), 3, error=True),
        S(f32(rng), 1, error=True),
    ]


def vsplit_samples(rng):
    return [
        S(f32(rng, 4, 2), 2, grad=True),
        S(f32(rng, 4, 2), [3], grad=True),
        S(f32(rng, 4), 2, error=True),
        S(f32(rng, 3, 2), 2, error=True),
    ]


def dsplit_samples(rng):
    return [
        S(f32(rng, 1, 2, 4), 2, grad=True),
        S(f32(rng, 1, 2, 4), [1], grad=True),
        S(f32(rng, 2, 4), 2, error=True),
    ]


def split_sizes_samples(rng):
    return [
        S(f32(rng, 5, 2), [2, 3], grad=True),
        S(f32(rng, 2, 5), (1, 0, 4), -1, grad=True),
        S(f32(rng, 5), [5]),
        S(f32(rng, 5), [2, 2], error=True),
        S(f32(rng, 5), [2, 4], error=True),
    ]


# ---- flips and rolls -------------------------------------------------------------------------

def flip_samples(rng):
    return [
        S(f32(rng, 2, 3, 4), (0, 2), grad=True),
        S(f32(rng, 2, 3), [-1], grad=True),
        S(NonContig(f32(rng, 2, 3)), (0, 1), grad=True),
        S(f32(rng, 2, 3), (), grad=True),
        S(f32(rng), (0,), grad=True),
        S(i64(rng, 4), (0,)),
        S(bools(rng, 2, 2), (1,)),
        S(f32(rng, 0, 2), (0,)),
        S(f32(rng, 2, 3), (0, 0), error=True),
        S(f32(rng, 2, 3), (2,), error=True),
    ]


def flip_method_samples(rng):
    return [S(f32(rng, 2, 3), 0, 1, grad=True), S(f32(rng, 2, 3), (1,), grad=True)]


def fliplr_samples(rng):
    return [S(f32(rng, 2, 3), grad=True), S(i64(rng, 2, 3, 2)), S(f32(rng, 3), error=True)]


def flipud_samples(rng):
    return [S(f32(rng, 2, 3), grad=True), S(i64(rng, 3)), S(f32(rng), error=True)]


def roll_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 3, 4), -5, 1, grad=True),
        S(f32(rng, 3, 4), (1, 2), (0, 1), grad=True),
        S(f32(rng, 3, 4), (7,), (-1,), grad=True),
        S(NonContig(f32(rng, 3, 4)), 2, 0, grad=True),
        S(f32(rng), 3, grad=True),
        S(i64(rng, 5), 2),
        S(f32(rng, 0, 3), 1, 0),
        S(f32(rng, 3, 4), (1, 2), 0, error=True),
        S(f32(rng, 3, 4), (1, 2), error=True),
        S(f32(rng, 3, 4), 1, 2, error=True),
    ]


def rot90_samples(rng):
    return [
        S(f32(rng, 2, 3), grad=True),
        S(f32(rng, 2, 3), 2, grad=True),
        S(f32(rng, 2, 3), -1, grad=True),
        S(f32(rng, 2, 3, 4), 3, (2, 0), grad=True),
        S(f32(rng, 2, 3), 5, [1, 0], grad=True),
        S(i64(rng, 2, 3), 4),
        S(f32(rng, 2, 3), 1, (0,), error=True),
        S(f32(rng, 2, 3), 1, (0, 0), error=True),
        S(f32(rng, 3), error=True),
    ]


# ---- scatter family --------------------------------------------------------------------------

def scatter_samples(rng):
    return [
        S(f32(rng, 4, 3), 0, perm_rows(rng, 2, 3, 4), f32(rng, 2, 3), grad=True),
        S(f32(rng, 3, 5), 1, perm_rows(rng, 2, 3, 5).T.copy(), f32(rng, 3, 2), grad=True),
        S(f32(rng, 3, 5), 1, perm_rows(rng, 2, 3, 5).T.copy(), f32(rng, 3, 3)),
        S(f32(rng, 4, 3), -2, perm_rows(rng, 2, 2, 4), f32(rng, 2, 2), grad=True),
        S(f32(rng, 4, 3), 0, perm_rows(rng, 2, 3, 4), 2.5, grad=True),
        S(f32(rng, 4, 3), 0, perm_rows(rng, 2, 3, 4), value=-1.0, grad=True),
        S(f32(rng, 5), 0, index(4, 0), f32(rng, 2), grad=True),
        S(NonContig(f32(rng, 4, 3)), 1, perm_rows(rng, 3, 2, 3).T.copy(), f32(rng, 4, 4)),
        S(i64(rng, 4, 3), 0, perm_rows(rng, 2, 3, 4), i64(rng, 2, 3)),
        S(i64(rng, 4, 3), 0, perm_rows(rng, 2, 3, 4), 7),
        S(f32(rng, 4, 3), 0, np.asarray(perm_rows(rng, 2, 3, 4), np.int32), f32(rng, 2, 3)),
        S(f32(rng, 4, 3), 0, np.zeros((0, 3), np.int64), f32(rng, 2, 3)),
        S(f32(rng, 4, 3), 0, idx(rng, 2, 3, high=4), f32(rng, 2, 3), reduce="add"),
        S(f32(rng, 4, 3), 0, idx(rng, 2, 3, high=4), f32(rng, 2, 3), reduce="multiply"),
        S(f32(rng, 4, 3), 0, idx(rng, 2, 3, high=4), 2.0, reduce="add"),
        S(f32(rng), 0, np.array(0), f32(rng)),
        S(f32(rng, 4, 3), 0, index(0).reshape(1, 1), f64(rng, 1, 1), error=True),
        S(f32(rng, 4, 3), 0, np.zeros((1, 1)), 1.0, error=True),
        S(f32(rng, 4, 3), 0, index(4).reshape(1, 1), 1.0, error=True),
        S(f32(rng, 4, 3), 0, index(-1).reshape(1, 1), 1.0, error=True),
        S(f32(rng, 4, 3), 0, index(0, 1), 1.0, error=True),
        S(f32(rng, 4, 3), 0, index(0, 0, 0, 0).reshape(1, 4), 1.0, error=True),
        S(f32(rng, 4, 3), 0, index(0).reshape(1, 1), f32(rng, 1, 1), reduce="max", error=True),
        S(f32(rng, 4, 3), 2, index(0).reshape(1, 1), 1.0, error=True),
    ]


def scatter_add_samples(rng):
    return [
        S(f32(rng, 4, 3), 0, idx(rng, 5, 3, high=4), f32(rng, 5, 3), grad=True),
        S(f32(rng, 3, 4), -1, idx(rng, 3, 6, high=4), f32(rng, 3, 6), grad=True),
        S(f32(rng, 3, 4), -1, idx(rng, 3, 6, high=4), f32(rng, 3, 7)),
        S(f64(rng, 4), 0, index(1, 1, 3), f64(rng, 3), grad=True),
        S(i64(rng, 4, 3), 0, idx(rng, 2, 3, high=4), i64(rng, 2, 3)),
        S(NonContig(f32(rng, 4, 3)), 1, idx(rng, 3, 2, high=3), NonContig(f32(rng, 3, 3))),
        S(f32(rng, 4, 3), 0, index(0).reshape(1, 1), f64(rng, 1, 1), error=True),
        S(f32(rng, 4, 3), 0, index(9).reshape(1, 1), f32(rng, 1, 1), error=True),
    ]


def scatter_reduce_samples(rng):
    """Random float values (no ties, no zeros) where gradients are compared."""
    samples = []
    for reduce in ("sum", "prod", "mean", "amax", "amin"):
        for include_self in (True, False):
            samples.append(S(f32(rng, 4, 3), 0, idx(rng, 5, 3, high=4), f32(rng, 5, 3), reduce,
                             include_self=include_self, grad=True))
    return samples + [
        S(f32(rng, 3, 4), 1, idx(rng, 3, 6, high=4), f32(rng, 3, 6), "amax", grad=True),
        S(ties(rng, 4, 3), 0, idx(rng, 5, 3, high=4), ties(rng, 5, 3), "amax", grad=True),
        S(ties(rng, 4, 3), 0, idx(rng, 5, 3, high=4), ties(rng, 5, 3), "amin",
          include_self=False, grad=True),
        S(f32(rng, 4), 0, index(1, 1, 2), np.array([0.0, 2.0, 0.0], np.float32), "prod",
          grad=True),
        S(np.array([0.0, 3.0, 2.0], np.float32), 0, index(0, 1, 1),
          np.array([4.0, 0.0, 0.0], np.float32), "prod", grad=True),
        S(i64(rng, 4, 3), 0, idx(rng, 5, 3, high=4), i64(rng, 5, 3), "mean"),
        S(i64(rng, 4, 3), 0, idx(rng, 5, 3, high=4), i64(rng, 5, 3), "mean", include_self=False),
        S(i64(rng, 4), 0, index(0, 0, 2), i64(rng, 3), "amin", include_self=False),
        S(i32(rng, 4), 0, index(0, 3, 3), i32(rng, 3), "prod"),
        S(NonContig(f32(rng, 4, 3)), 1, idx(rng, 4, 5, high=3), f32(rng, 4, 5), "sum"),
        S(f32(rng, 4, 3), 0, idx(rng, 2, 3, high=4), f32(rng, 2, 3), "max"),
        S(f32(rng, 4, 3), 0, idx(rng, 2, 3, high=4), f32(rng, 2, 3), "foo", error=True),
        S(f32(rng, 4, 3), 0, idx(rng, 2, 3, high=4), f64(rng, 2, 3), "sum", error=True),
    ]


# ---- index_* ---------------------------------------------------------------------------------

def index_select_samples(rng):
    return [
        S(f32(rng, 4, 3), 0, index(3, 0, 3), grad=True),
        S(f32(rng, 4, 3), -1, index(2), grad=True),
        S(f32(rng, 4, 3), 1, np.array(1), grad=True),
        S(NonContig(f32(rng, 4, 3)), 1, index(0, 2), grad=True),
        S(f32(rng), 0, index(0), grad=True),
        S(i64(rng, 4, 3), 0, np.asarray(index(1, 2), np.int32)),
        S(f32(rng, 4, 3), 0, np.zeros(0, np.int64)),
        S(f32(rng, 4, 3), 0, index(4), error=True),
        S(f32(rng, 4, 3), 0, index(-1), error=True),
        S(f32(rng, 4, 3), 0, np.array([1.0]), error=True),
        S(f32(rng, 4, 3), 0, index(1).reshape(1, 1), error=True),
        S(f32(rng, 4, 3), 2, index(1), error=True),
    ]


def index_add_samples(rng):
    return [
        S(f32(rng, 4, 3), 0, index(3, 0, 3), f32(rng, 3, 3), grad=True),
        S(f32(rng, 4, 3), -1, index(2, 0), f32(rng, 4, 2), alpha=2.5, grad=True),
        S(NonContig(f32(rng, 4, 3)), 1, index(0), f32(rng, 4, 1), grad=True),
        S(f32(rng), 0, index(0), f32(rng), grad=True),
        S(i64(rng, 4, 3), 0, index(1, 1), i64(rng, 2, 3), alpha=3),
        S(f32(rng, 4, 3), 0, np.asarray(index(1, 2), np.int32), f32(rng, 2, 3)),
        S(f32(rng, 4, 3), 0, index(1), f64(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, index(1, 2), f32(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, index(1), f32(rng, 1, 2), error=True),
        S(f32(rng, 4, 3), 0, index(4), f32(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, index(-1), f32(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, np.array([1.0]), f32(rng, 1, 3), error=True),
    ]


def index_copy_samples(rng):
    return [
        S(f32(rng, 4, 3), 0, index(3, 0), f32(rng, 2, 3), grad=True),
        S(f32(rng, 4, 3), -1, index(2, 0), f32(rng, 4, 2), grad=True),
        S(NonContig(f32(rng, 4, 3)), 1, index(1), f32(rng, 4, 1), grad=True),
        S(i64(rng, 4, 3), 0, np.array(1), i64(rng, 1, 3)),
        S(f32(rng, 4, 3), 0, index(1), f64(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, index(1, 2), f32(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, index(4), f32(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, np.array([1.0]), f32(rng, 1, 3), error=True),
        S(f32(rng, 4, 3), 0, index(1), f32(rng, 3), error=True),
    ]


def index_fill_samples(rng):
    return [
        S(f32(rng, 4, 3), 0, index(3, 0), 2.5, grad=True),
        S(f32(rng, 4, 3), -1, index(2, -1), -1.0, grad=True),
        S(f32(rng, 4, 3), 1, index(1), f32(rng), grad=True),
        S(NonContig(f32(rng, 4, 3)), 1, index(0), 0.0, grad=True),
        S(i64(rng, 4, 3), 0, index(1), 2.7),
        S(bools(rng, 4), 0, index(1, 2), True),
        S(f32(rng, 4, 3), 0, index(4), 1.0, error=True),
        S(f32(rng, 4, 3), 0, np.array([1.0]), 1.0, error=True),
        S(f32(rng, 4, 3), 0, index(1), f32(rng, 2), error=True),
    ]


def index_put_samples(rng):
    return [
        S(f32(rng, 4, 3), (index(0, 2),), f32(rng, 2, 3), grad=True),
        S(f32(rng, 4, 3), (index(0, 2), index(1, 1)), f32(rng, 2), grad=True),
        S(f32(rng, 4, 3), (index(0, 0),), f32(rng, 3), True, grad=True),
        S(f32(rng, 4, 3), (index(1, 1, 3), index(0, 0, 2)), f32(rng, 3), accumulate=True,
          grad=True),
        S(f32(rng, 4, 3), (bools(rng, 4, 3),), f32(rng), grad=True),
        S(f32(rng, 4, 3), [index(3).reshape(1, 1), index(0, 2)], f32(rng, 1)),
        S(i64(rng, 4), (index(1, 3),), i64(rng)),
        S(f32(rng, 4, 3), (index(0),), f64(rng, 3), error=True),
        S(f32(rng, 4, 3), (index(5),), f32(rng, 3), error=True),
        S(f32(rng, 4, 3), (np.array([0.0]),), f32(rng, 3), error=True),
    ]


# ---- flat and masked -------------------------------------------------------------------------

def take_samples(rng):
    return [
        S(f32(rng, 3, 4), index(0, 11, 5, 5), grad=True),
        S(f32(rng, 3, 4), index(-1, -12).reshape(2, 1), grad=True),
        S(NonContig(f32(rng, 3, 4)), index(1, 4, 7), grad=True),
        S(f32(rng), np.array(0), grad=True),
        S(i64(rng, 5), np.zeros((0, 2), np.int64)),
        S(f32(rng, 3, 4), index(12), error=True),
        S(f32(rng, 3, 4), index(-13), error=True),
        S(f32(rng, 3, 4), np.array([1.0]), error=True),
        S(f32(rng, 3, 4), np.array([1], np.int32), error=True),
    ]


def put_samples(rng):
    return [
        S(f32(rng, 3, 4), index(0, 11, 5), f32(rng, 3), grad=True),
        S(f32(rng, 3, 4), index(-1, 2).reshape(2, 1), f32(rng, 2), grad=True),
        S(f32(rng, 3, 4), index(1, 1, 3), f32(rng, 3), True, grad=True),
        S(f32(rng, 3, 4), index(1, 1, 3), f32(rng, 3, 1), accumulate=True),
        S(i64(rng, 5), index(2), i64(rng, 1)),
        S(f32(rng, 3, 4), index(12), f32(rng, 1), error=True),
        S(f32(rng, 3, 4), index(1), f64(rng, 1), error=True),
        S(f32(rng, 3, 4), index(1), f32(rng, 2), error=True),
        S(f32(rng, 3, 4), np.array([1.0]), f32(rng, 1), error=True),
    ]


def take_along_dim_samples(rng):
    return [
        S(f32(rng, 3, 4), idx(rng, 3, 2, high=4), 1, grad=True),
        S(f32(rng, 3, 4), idx(rng, 5, 4, high=3), 0, grad=True),
        S(f32(rng, 3, 4), idx(rng, 1, 2, high=4), -1, grad=True),
        S(f32(rng, 3, 1), idx(rng, 3, 4, high=1), 0, grad=True),
        S(f32(rng, 3, 4), idx(rng, 2, 3, high=12), grad=True),
        S(f32(rng, 3, 4), index(-1).reshape(1, 1), 1),
        S(NonContig(f32(rng, 3, 4)), idx(rng, 3, 1, high=4), 1),
        S(i64(rng, 3, 4), idx(rng, 3, 2, high=4), 1),
        S(f32(rng, 3, 4), np.asarray(idx(rng, 3, 2, high=4), np.int32), 1, error=True),
        S(f32(rng, 3, 4), index(0), 1, error=True),
        S(f32(rng, 3, 4), idx(rng, 2, 2, high=4), 1, error=True),
    ]


def masked_select_samples(rng):
    return [
        S(f32(rng, 3, 4), bools(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), bools(rng, 4), grad=True),
        S(f32(rng, 4), bools(rng, 3, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), bools(rng, 3, 4), grad=True),
        S(f32(rng), np.array(True), grad=True),
        S(i64(rng, 3, 4), np.zeros((3, 4), bool)),
        S(f32(rng, 3, 4), bools(rng, 5), error=True),
        S(f32(rng, 3, 4), i64(rng, 3, 4), error=True),
    ]


def masked_scatter_samples(rng):
    return [
        S(f32(rng, 3, 4), bools(rng, 3, 4), f32(rng, 12), grad=True),
        S(f32(rng, 3, 4), bools(rng, 4), f32(rng, 4, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), bools(rng, 3, 4), NonContig(f32(rng, 4, 3)), grad=True),
        S(i64(rng, 3, 4), bools(rng, 3, 4), i64(rng, 20)),
        S(f32(rng, 3, 4), np.zeros((3, 4), bool), f32(rng, 0)),
        S(f32(rng, 3, 4), np.ones((3, 4), bool), f32(rng, 11), error=True),
        S(f32(rng, 3, 4), i64(rng, 3, 4), f32(rng, 12), error=True),
        S(f32(rng, 3, 4), bools(rng, 3, 4), f64(rng, 12), error=True),
    ]


def masked_scatter_broadcast_samples(rng):
    # out of place only: the in-place form can't broadcast self
    return [S(f32(rng, 4), bools(rng, 3, 4), f32(rng, 12), grad=True)]


def nonzero_samples(rng):
    return [
        S(ties(rng, 3, 4)), S(bools(rng, 2, 3, 2)), S(i64(rng, 5)), S(f32(rng)),
        S(np.zeros((), np.float32)), S(f32(rng, 0, 3)), S(NonContig(ties(rng, 3, 4))),
        S(ties(rng, 3, 4), as_tuple=True), S(f32(rng), as_tuple=True),
        S(bools(rng, 2, 3), as_tuple=False),
    ]


# ---- triangles and diagonals -----------------------------------------------------------------

def tril_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 2, 3, 4), -1, grad=True),
        S(f32(rng, 3, 4), diagonal=-5, grad=True),
        S(NonContig(f32(rng, 3, 4)), 2, grad=True),
        S(i64(rng, 3, 3)),
        S(bools(rng, 3, 3)),
        S(f32(rng, 0, 3)),
        S(f32(rng, 3), error=True),
    ]


def diag_samples(rng):
    return [
        S(f32(rng, 3), grad=True),
        S(f32(rng, 3), 2, grad=True),
        S(f32(rng, 3), -1, grad=True),
        S(f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 1, grad=True),
        S(f32(rng, 3, 4), diagonal=-2, grad=True),
        S(NonContig(f32(rng, 3, 4)), grad=True),
        S(i64(rng, 2)),
        S(f32(rng, 0)),
        S(f32(rng, 3, 4), 7),
        S(f32(rng), error=True),
        S(f32(rng, 2, 2, 2), error=True),
    ]


def diag_embed_samples(rng):
    return [
        S(f32(rng, 2, 3), grad=True),
        S(f32(rng, 2, 3), 1, grad=True),
        S(f32(rng, 2, 3), -2, 0, 2, grad=True),
        S(f32(rng, 3), offset=0, dim1=1, dim2=0, grad=True),
        S(i64(rng, 2, 2)),
        S(f32(rng, 2, 3), 0, 0, -3, error=True),
        S(f32(rng, 2, 3), 0, 0, 3, error=True),
    ]


def diagflat_samples(rng):
    return [
        S(f32(rng, 3), grad=True),
        S(f32(rng, 2, 2), -1, grad=True),
        S(f32(rng), 1, grad=True),
        S(i64(rng, 3), 2),
    ]


def trace_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), grad=True),
        S(f64(rng, 2, 2), grad=True),
        S(i32(rng, 3, 3)),
        S(bools(rng, 2, 2), error=True),
        S(f32(rng, 0, 3)),
        S(f32(rng, 3), error=True),
        S(f32(rng, 2, 2, 2), error=True),
    ]


def diagonal_scatter_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3), grad=True),
        S(f32(rng, 3, 4), f32(rng, 2), 2, grad=True),
        S(f32(rng, 2, 3, 4), f32(rng, 3, 1), -1, 0, 2, grad=True),
        S(i64(rng, 3, 3), i64(rng, 3)),
        S(f32(rng, 3, 4), f32(rng, 2), error=True),
        S(f32(rng, 3, 4), f32(rng, 3), 0, 0, 0, error=True),
    ]


def select_scatter_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 4), 0, 1, grad=True),
        S(f32(rng, 3, 4), f32(rng, 3), -1, -1, grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3), 1, 0, grad=True),
        S(i64(rng, 3, 4), i64(rng, 4), 0, 2),
        S(f32(rng, 3, 4), f32(rng, 3), 0, 0, error=True),
        S(f32(rng, 3, 4), f32(rng, 4), 0, 3, error=True),
    ]


def slice_scatter_samples(rng):
    return [
        S(f32(rng, 6, 4), f32(rng, 2, 4), grad=True, start=0, end=2),
        S(f32(rng, 4, 6), f32(rng, 4, 2), 1, 1, 5, 2, grad=True),
        S(f32(rng, 4, 6), f32(rng, 4, 3), -1, None, None, 2, grad=True),
        S(f32(rng, 4, 6), f32(rng, 4, 6), 1, -10, 10),
        S(i64(rng, 4, 3), i64(rng, 1, 3), 0, -1),
        S(f32(rng, 4, 6), f32(rng, 4, 2), 1, 0, 3, error=True),
    ]


def narrow_copy_samples(rng):
    return [
        S(f32(rng, 3, 4), 1, 1, 2, grad=True),
        S(f32(rng, 3, 4), 0, -2, 2),
        S(NonContig(f32(rng, 3, 4)), 1, 0, 3, grad=True),
        S(i64(rng, 5), 0, 2, 0),
        S(f32(rng, 3, 4), 1, 1, 5, error=True),
    ]


# ---- broadcasting, meshgrid, atleast_nd ------------------------------------------------------

def broadcast_to_samples(rng):
    return [
        S(f32(rng, 3, 1), (2, 3, 4), grad=True),
        S(f32(rng, 4), [3, -1], grad=True),
        S(f32(rng), (2, 2), grad=True),
        S(NonContig(f32(rng, 1, 3)), (2, 3, 1), error=True),
        S(i64(rng, 1), (0,)),
        S(f32(rng, 3), (4, 2), error=True),
        S(f32(rng, 2, 3), (3,), error=True),
    ]


def broadcast_tensors_samples(rng):
    return [
        S(f32(rng, 3, 1), f32(rng, 4), grad=True),
        S(f32(rng), f32(rng, 2, 2), i64(rng, 2, 1), grad=True),
        S(f32(rng, 2)),
        S(f32(rng, 3), f32(rng, 4), error=True),
    ]


def broadcast_shapes_samples(rng):
    return [S((2, 1), (3,)), S(3, (2, 1)), S(), S((0, 1), (1, 4)), S((2, 1), (3, 4), error=True)]


def meshgrid_samples(rng):
    return [
        S(f32(rng, 2), f32(rng, 3), indexing="ij", grad=True),
        S(f32(rng, 2), f32(rng, 3), f32(rng, 4), indexing="xy", grad=True),
        S([f32(rng, 2), f32(rng)], indexing="xy", grad=True),
        S(i64(rng, 3), indexing="ij"),
        S(f32(rng, 2), f32(rng, 3)),
        S(f32(rng, 2, 2), f32(rng, 3), indexing="ij", error=True),
        S(f32(rng, 2), f32(rng, 3), indexing="ji", error=True),
        S(f32(rng, 2), f64(rng, 3), indexing="ij", error=True),
    ]


def atleast_samples(rng):
    return [
        S(f32(rng), grad=True), S(f32(rng, 3), grad=True), S(f32(rng, 2, 3), grad=True),
        S(f32(rng, 1, 2, 3)), S(f32(rng), f32(rng, 3), grad=True), S([f32(rng, 2), i64(rng)]),
    ]


# ---- views -----------------------------------------------------------------------------------

def movedim_samples(rng):
    return [
        S(f32(rng, 2, 3, 4), 0, 2, grad=True),
        S(f32(rng, 2, 3, 4), (0, 1), (2, 0), grad=True),
        S(f32(rng, 2, 3, 4), -1, 0, grad=True),
        S(NonContig(f32(rng, 2, 3)), 0, 1, grad=True),
        S(f32(rng), 0, -1, grad=True),
        S(i64(rng, 2, 3), [1], [0]),
        S(f32(rng, 2, 3), (0, 1), (0,), error=True),
        S(f32(rng, 2, 3), (0, 0), (0, 1), error=True),
        S(f32(rng, 2, 3), (0, 1), (1, 1), error=True),
        S(f32(rng, 2, 3), 2, 0, error=True),
    ]


def swapaxes_samples(rng):
    return [S(f32(rng, 2, 3, 4), 0, 2, grad=True), S(NonContig(f32(rng, 2, 3)), -1, 0),
            S(f32(rng, 2, 3), 0, 2, error=True)]


def unflatten_samples(rng):
    return [
        S(f32(rng, 2, 6), 1, (2, 3), grad=True),
        S(f32(rng, 6, 2), 0, [-1, 2, 1], grad=True),
        S(NonContig(f32(rng, 6, 2)), 0, (3, 2), grad=True),
        S(i64(rng, 4), 0, (2, 2)),
        S(f32(rng, 0, 2), 0, (0, 5)),
        S(f32(rng, 2, 6), 1, (2, 2), error=True),
        S(f32(rng, 2, 6), 1, (), error=True),
        S(f32(rng, 2, 6), 1, (-1, -1), error=True),
        S(f32(rng, 2, 6), 2, (2, 3), error=True),
    ]


def as_strided_samples(rng):
    return [
        S(f32(rng, 3, 4), (2, 2), (1, 2), grad=True),
        S(f32(rng, 12), (3, 3), (3, 1), 2, grad=True),
        S(f32(rng, 12), (5, 4), (2, 1), grad=True),  # overlapping sliding windows
        S(f32(rng, 2, 3), (2, 3, 2), (0, 1, 3), grad=True),
        S(NonContig(f32(rng, 3, 4)), (3,), (5,), grad=True),
        S(i64(rng, 6), (2, 3), (1, 2)),
        S(f32(rng, 6), (0, 3), (1, 1)),
        S(f32(rng, 6), (2, 2), (1,), error=True),
        S(f32(rng, 6), (2, 3), (4, 1), error=True),
    ]


def expand_as_samples(rng):
    return [S(f32(rng, 3, 1), f32(rng, 2, 3, 4), grad=True), S(i64(rng, 1), i64(rng, 5)),
            S(f32(rng, 3), f32(rng, 4), error=True)]


def view_as_samples(rng):
    return [S(f32(rng, 3, 4), f32(rng, 2, 6), grad=True), S(i64(rng, 4), f32(rng, 2, 2)),
            S(f32(rng, 3, 4), f32(rng, 5), error=True)]


def squeeze_dims_samples(rng):
    return [
        S(f32(rng, 1, 3, 1, 2), (0, 2), grad=True),
        S(f32(rng, 1, 3, 1, 2), (-1, -2), grad=True),
        S(f32(rng, 1, 3), (), grad=True),
        S(f32(rng, 1, 3), (0, 2), error=True),
    ]


def transposes(lib, x, which):
    return getattr(x, which)


def transposes_samples(rng):
    return [
        S(f32(rng, 2, 3), "T", grad=True), S(f32(rng, 2, 3, 4), "T", grad=True),
        S(f32(rng, 3), "T"), S(f32(rng), "T"),
        S(f32(rng, 2, 3, 4), "mT", grad=True), S(f32(rng, 3), "mT", error=True),
        S(f32(rng, 2, 3), "H", grad=True), S(f32(rng, 2, 3, 4), "H", error=True),
        S(f32(rng, 2, 3, 4), "mH", grad=True), S(f32(rng, 3), "mH", error=True),
        S(f32(rng), "mH"), S(f32(rng), "mT"), S(f32(rng), "H"),
        S(NonContig(f32(rng, 2, 3)), "mT", grad=True),
    ]


# ---- indexing --------------------------------------------------------------------------------

def getitem_more_samples(rng):
    x = lambda: f32(rng, 3, 4, 5)  # noqa: E731
    return [
        S(x(), (Ellipsis, 0), grad=True),
        S(x(), (None, Ellipsis, slice(1, None)), grad=True),
        S(x(), (index(0, 2).reshape(2, 1), index(1, 3, 0)), grad=True),
        S(x(), (slice(None), index(0, 3).reshape(2, 1), index(1, 4)), grad=True),
        S(x(), (index(0, 2), slice(1, 3), index(1, 4)), grad=True),
        S(x(), (bools(rng, 3), slice(None, 2)), grad=True),
        S(x(), (slice(1, None), bools(rng, 4)), grad=True),
        S(x(), (Ellipsis, bools(rng, 4, 5)), grad=True),
        S(x(), (None, 1, None, Ellipsis, None)),
        S(x(), (True,)),
        S(x(), (False, Ellipsis)),
        S(x(), (0, [1, 2], [[0], [4]])),
        S(x(), (slice(-2, None), -1, slice(None, None, 3))),
        S(x(), (index(-1, -3),)),
        S(i32(rng, 3, 4), (np.asarray([0, 2], np.int32), slice(None))),
        S(bools(rng, 3, 4), (slice(None), [1, 1])),
        S(x(), (slice(None), slice(None, None, -2)), error=True),
        S(x(), (Ellipsis, 5), error=True),
        S(x(), (slice(None), index(0, 4)), error=True),
        S(x(), (Ellipsis, 1, Ellipsis)),
        S(x(), (Ellipsis, True, 0, False)),
        S(x(), (True, [0, 1])),
        S(x(), ([[0], [1]], True), grad=True),
        S(x(), (slice(None), True, 1)),
        S(x(), (index(0, 1), index(0, 1, 2)), error=True),
    ]


def setitem_more_samples(rng):
    x = lambda: f32(rng, 3, 4, 5)  # noqa: E731
    return [
        S(x(), (Ellipsis, 0), f32(rng, 3, 1), grad=True),
        S(x(), (None, Ellipsis, slice(1, None)), f32(rng, 1, 4, 4), grad=True),
        S(x(), (index(0, 2).reshape(2, 1), index(1, 3, 0)), f32(rng, 3, 1), grad=True),
        S(x(), (bools(rng, 3), slice(None, 2)), f32(rng, 5), grad=True),
        S(x(), (slice(1, None), bools(rng, 4)), 3.0),
        S(x(), (0, True), f32(rng, 4, 5)),
        S(x(), (True, [0, 2]), f32(rng, 4, 5), grad=True),
        S(x(), (False,), 2.0),
        S(x(), (index(0, 0), index(1, 1)), f32(rng, 5)),
        S(x(), slice(None, 1), f32(rng, 1, 1, 1, 4, 5)),
        S(x(), (Ellipsis, slice(None, None, 2)), i64(rng, 3)),
        S(x(), 0, f32(rng, 2, 4, 5), error=True),
        S(x(), (slice(None, None, -1),), 1.0, error=True),
        S(x(), (0, 9), 1.0, error=True),
    ]


def setitem(lib, x, key, value):
    out = x.clone()
    out[key] = value
    return out


# ---- the table -------------------------------------------------------------------------------

def _method_only(name):
    return lambda lib, x, *args, **kwargs: getattr(x, name)(*args, **kwargs)


OPS = [
    OpSpec("repeat", repeat_samples, "m"),
    OpSpec("tile", tile_samples, "fm"),
    OpSpec("Tensor.tile varargs", lambda rng: [S(f32(rng, 2, 3), 2, 2, grad=True)],
           call=_method_only("tile")),
    OpSpec("repeat_interleave", repeat_interleave_samples, "fm"),
    OpSpec("repeat_interleave(counts)", repeat_interleave_counts_samples,
           call=lambda lib, *a, **k: lib.repeat_interleave(*a, **k)),
    OpSpec("hstack", hstack_samples),
    OpSpec("vstack", vstack_samples),
    OpSpec("row_stack", first(2, vstack_samples)),
    OpSpec("dstack", dstack_samples),
    OpSpec("column_stack", column_stack_samples),
    OpSpec("concat", cat_alias_samples),
    OpSpec("concatenate", first(2, cat_alias_samples)),
    OpSpec("tensor_split", tensor_split_samples, "fm"),
    OpSpec("hsplit", hsplit_samples, "fm"),
    OpSpec("vsplit", vsplit_samples, "fm"),
    OpSpec("dsplit", dsplit_samples, "fm"),
    OpSpec("split(sizes)", split_sizes_samples, call=lambda lib, *a: lib.split(*a)),
    OpSpec("flip", flip_samples, "fm"),
    OpSpec("Tensor.flip varargs", flip_method_samples, call=_method_only("flip")),
    OpSpec("fliplr", fliplr_samples, "fm"),
    OpSpec("flipud", flipud_samples, "fm"),
    OpSpec("roll", roll_samples, "fm"),
    OpSpec("rot90", rot90_samples, "fm"),
    OpSpec("scatter", scatter_samples, "fmi"),
    OpSpec("scatter_add", scatter_add_samples, "fmi"),
    OpSpec("scatter_reduce", scatter_reduce_samples, "fmi"),
    OpSpec("index_select", index_select_samples, "fm"),
    OpSpec("index_add", index_add_samples, "fmi"),
    OpSpec("index_copy", index_copy_samples, "fmi"),
    OpSpec("index_fill", index_fill_samples, "fmi"),
    OpSpec("index_put", index_put_samples, "fmi"),
    OpSpec("take", take_samples, "fm"),
    OpSpec("put", put_samples, "fmi"),
    OpSpec("take_along_dim", take_along_dim_samples, "fm"),
    OpSpec("masked_select", masked_select_samples, "fm"),
    OpSpec("masked_scatter", masked_scatter_samples, "fmi"),
    OpSpec("masked_scatter(broadcast self)", masked_scatter_broadcast_samples,
           call=lambda lib, *a: lib.masked_scatter(*a)),
    OpSpec("nonzero", nonzero_samples, "fm"),
    OpSpec("argwhere", first(3, nonzero_samples), "fm"),
    OpSpec("tril", tril_samples, "fmi"),
    OpSpec("triu", tril_samples, "fmi"),
    OpSpec("diag", diag_samples, "fm"),
    OpSpec("diag_embed", diag_embed_samples, "fm"),
    OpSpec("diagflat", diagflat_samples, "fm"),
    OpSpec("trace", trace_samples, "fm"),
    OpSpec("diagonal_scatter", diagonal_scatter_samples, "fm"),
    OpSpec("select_scatter", select_scatter_samples, "fm"),
    OpSpec("slice_scatter", slice_scatter_samples, "fm"),
    OpSpec("narrow_copy", narrow_copy_samples, "fm"),
    OpSpec("broadcast_to", broadcast_to_samples, "fm"),
    OpSpec("broadcast_tensors", broadcast_tensors_samples),
    OpSpec("broadcast_shapes", broadcast_shapes_samples),
    OpSpec("meshgrid", meshgrid_samples),
    OpSpec("atleast_1d", atleast_samples),
    OpSpec("atleast_2d", atleast_samples),
    OpSpec("atleast_3d", atleast_samples),
    OpSpec("movedim", movedim_samples, "fm"),
    OpSpec("moveaxis", first(3, movedim_samples), "fm"),
    OpSpec("swapaxes", swapaxes_samples, "fm"),
    OpSpec("swapdims", first(2, swapaxes_samples), "fm"),
    OpSpec("unflatten", unflatten_samples, "fm"),
    OpSpec("as_strided", as_strided_samples, "fm"),
    OpSpec("expand_as", expand_as_samples, "m"),
    OpSpec("view_as", view_as_samples, "m"),
    OpSpec("squeeze(dims)", squeeze_dims_samples, call=lambda lib, *a: lib.squeeze(*a)),
    OpSpec("T/mT/H/mH", transposes_samples, call=transposes),
    OpSpec("getitem(more)", getitem_more_samples, call=lambda lib, x, key: x[key]),
    OpSpec("setitem(more)", setitem_more_samples, call=setitem),
]

globals().update(define_tests(OPS))


# ---- views: writes through them reach the base -----------------------------------------------

VIEW_PROGRAMS = {
    "movedim": lambda lib, x: x.movedim(0, 2),
    "moveaxis": lambda lib, x: lib.moveaxis(x, (0, 1), (1, 0)),
    "swapaxes": lambda lib, x: x.swapaxes(0, 1),
    "unflatten": lambda lib, x: x.unflatten(2, (2, 2)),
    "diagonal": lambda lib, x: x.diagonal(0, 1, 2),
    "as_strided": lambda lib, x: x.as_strided((2, 3), (1, 4), 1),
    "T": lambda lib, x: x[0].T,
    "mT": lambda lib, x: x.mT,
    "H": lambda lib, x: x[1].H,
    "mH": lambda lib, x: x.mH,
    "view_as": lambda lib, x: x.view_as(lib.zeros(6, 4)),
    "tensor_split": lambda lib, x: lib.tensor_split(x, 3, 2)[1],
    "hsplit": lambda lib, x: lib.hsplit(x, [1])[1],
    "atleast_3d": lambda lib, x: lib.atleast_3d(x[0, 0]),
}

# views with stride-0 dims are read-only (torch refuses writes through them)
READ_ONLY_VIEWS = {
    "broadcast_to": lambda lib, x: lib.broadcast_to(x[0, 0], (3, 4)),
    "broadcast_tensors": lambda lib, x: lib.broadcast_tensors(x[0, :1], x[1])[0],
    "meshgrid": lambda lib, x: lib.meshgrid(x[0, 0], x[1, 1], indexing="xy")[1],
    "expand_as": lambda lib, x: x[:, :1].expand_as(x[:, :2]),
}


@pytest.mark.parametrize("name", sorted(VIEW_PROGRAMS))
def test_view_writes_reach_base(name):
    make = VIEW_PROGRAMS[name]

    def program(lib, rec):
        base = lib.arange(24, dtype=lib.float32).reshape(2, 3, 4)
        view = make(lib, base)
        rec.tensors("view", view=view)
        rec.sharing("view", base, view)
        view.mul_(-1)  # written through the view
        rec.tensors("after view write", base=base, view=view)
        base.add_(100)  # the view sees its base's new values
        rec.tensors("after base write", base=base, view=view)
    assert run_both(program)


@pytest.mark.parametrize("name", sorted(READ_ONLY_VIEWS))
def test_broadcast_views_follow_base(name):
    make = READ_ONLY_VIEWS[name]

    def program(lib, rec):
        base = lib.arange(24, dtype=lib.float32).reshape(2, 3, 4)
        view = make(lib, base)
        rec.tensors("view", view=view)
        rec.error("write", lambda: view.mul_(2))
        base.add_(100)
        rec.tensors("after base write", base=base, view=view)
    assert run_both(program)


def test_view_of_leaf_requiring_grad_backward():
    def program(lib, rec):
        w = lib.arange(12, dtype=lib.float32).reshape(3, 4).requires_grad_()
        y = (w.movedim(0, 1).unflatten(0, (2, 2)) * 2).sum() + w.as_strided((2, 2), (1, 4)).sum()
        y.backward()
        rec.values("grad", grad=w.grad)
    assert run_both(program)


def test_in_place_ops_through_views():
    def program(lib, rec):
        base = lib.zeros(4, 5)
        base.T.index_fill_(1, lib.tensor([0, 2]), 1.0)
        base[1:].scatter_add_(1, lib.tensor([[0, 0], [4, 1]]), lib.ones(2, 2))
        base.diagonal().copy_(lib.arange(4.0))
        base[:, 1:].tril_()
        rec.tensors("base", base=base)
    assert run_both(program)


# ---- value-dependent shapes --------------------------------------------------------------------

@pytest.mark.parametrize("op", ["nonzero", "masked_select", "getitem_mask", "repeat_interleave"])
def test_value_dependent_ops_refuse_tracing(op):
    calls = {
        "nonzero": lambda x: jtorch.nonzero(x),
        "masked_select": lambda x: jtorch.masked_select(x, x > 0),
        "getitem_mask": lambda x: x[x > 0],
        "repeat_interleave": lambda x: x.repeat_interleave((x > 0).long()),
    }

    def traced(array):
        return calls[op](jtorch._tensor.from_array(array))._array

    with pytest.raises(RuntimeError, match=op.split("_mask")[0].replace("getitem", "mask")):
        jax.jit(traced)(np.ones(3, np.float32))


def test_traceable_index_ops_under_jit():
    """Ops with a fixed output shape trace: scatter, index_add, masked_scatter, take and
    repeat_interleave with output_size."""
    def step(array):
        x = jtorch._tensor.from_array(array)
        i = jtorch.tensor([2, 0])
        out = x.scatter_add(0, i, x[:2]) + x.index_add(0, i, x[:2]) + jtorch.take(x, i[[1, 0, 0]])
        out = out + x.masked_scatter(x > 0, x.flip(0))
        return (out.sum() + x[:2].repeat_interleave(i, output_size=2).sum())._array

    x = np.array([1.0, -2.0, 3.0], np.float32)
    t = torch.from_numpy(x)
    ti = torch.tensor([2, 0])
    want = (t.scatter_add(0, ti, t[:2]) + t.index_add(0, ti, t[:2]) + torch.take(t, ti[[1, 0, 0]])
            + t.masked_scatter(t > 0, t.flip(0))).sum() + t[:2].repeat_interleave(ti).sum()
    np.testing.assert_allclose(np.asarray(jax.jit(step)(x)), want.numpy(), rtol=1e-6)


def test_meshgrid_warns_without_indexing():
    with pytest.warns(UserWarning, match="indexing"):
        jtorch.meshgrid(jtorch.ones(2), jtorch.ones(3))


def test_atleast_returns_input_itself():
    x = jtorch.ones(2, 3)
    assert jtorch.atleast_1d(x) is x and jtorch.atleast_2d(x) is x
    assert jtorch.atleast_2d((x, x))[1] is x


def test_as_strided_outside_input_elements_raises():
    # torch reads the base's storage here; jtorch reads only the input's own elements
    x = jtorch.arange(12.0).reshape(3, 4)[1]
    assert x.as_strided((2,), (1,), 4).tolist() == [4.0, 5.0]
    with pytest.raises(RuntimeError, match="as_strided"):
        x.as_strided((2,), (1,), 0)


def test_index_tensor_dtype_and_device():
    x = jtorch.arange(6.0).reshape(2, 3)
    for dtype in (jtorch.int32, jtorch.int64):
        i = jtorch.tensor([1, 0], dtype=dtype)
        assert x[i].tolist() == [[3.0, 4.0, 5.0], [0.0, 1.0, 2.0]]
    assert x[jtorch.tensor([1], device="cpu")].device == x.device



def test_index_tensors_on_another_device():
    """As torch (a CPU index into a CUDA tensor), index tensors and masks on another device
    index and assign; the result stays on the indexed tensor's device. Two host devices stand
    in for CPU and accelerator, in a fresh process."""
    program = """
import jax, jtorch
from jtorch._tensor import from_array
cpu0, cpu1 = jax.devices("cpu")[:2]
x = from_array(jax.device_put(jax.numpy.arange(6.0), cpu1))
i = from_array(jax.device_put(jax.numpy.array([0, 2]), cpu0))
m = from_array(jax.device_put(jax.numpy.arange(6.0) > 3, cpu0))
assert x[i].tolist() == [0.0, 2.0] and x[i]._array.devices() == {cpu1}
assert x[m].tolist() == [4.0, 5.0]
x[i] = -1.0
x[m] = 9.0
assert x.tolist() == [-1.0, 1.0, -1.0, 3.0, 9.0, 9.0] and x._array.devices() == {cpu1}
"""
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=2")
    done = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
