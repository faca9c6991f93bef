"""The op-spec table for pointwise math beyond the core arithmetic (issue 4): special values,
integer and bool dtype rules, torch's gradients at special points, Scalar/Tensor overloads."""

from __future__ import annotations

import numpy as np
from _opspec import (  # noqa: F401
    NonContig,
    OpSpec,
    S,
    binary_samples,
    bools,
    define_tests,
    f32,
    f64,
    first,
    i32,
    i64,
    nonzero_i64,
    positive,
    ties,
    torch,
)

import jtorch

NAN, INF = np.nan, np.inf
SPECIALS = np.array([0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 0.5, -2.5, 3.75], np.float32)


def uniform(low, high):
    def values(rng, *shape):
        return np.asarray(rng.uniform(low, high, shape), np.float32)
    return values


unit = uniform(-0.9, 0.9)        # asin, acos, atanh, erfinv
above_one = uniform(1.1, 3.0)    # acosh
probability = uniform(0.05, 0.95)  # logit
small = uniform(-3.0, 3.0)       # sinh, cosh, exp2: moderate magnitudes


def float_fn_samples(values=f32):
    """Float-valued unary functions: integer and bool inputs give float32; special values."""
    def samples(rng):
        return [
            S(values(rng, 3, 4), grad=True),
            S(i64(rng, 3, 4, low=1)),
            S(NonContig(values(rng, 3, 4)), grad=True),
            S(np.asarray(values(rng, 3, 4), np.float64), grad=True),
            S(SPECIALS),
            S(values(rng), grad=True),
            S(f32(rng, 2, 0), grad=True),
            S(i32(rng, 3, 4, low=1)),
            S(bools(rng, 3, 4)),
        ]
    return samples


def float_fn(name, values=f32, n=5):
    """An entry for one float-valued unary function; all its samples for `n=None`."""
    samples = float_fn_samples(values)
    return OpSpec(name, samples if n is None else first(n, samples), "fmi")


def halves(rng):
    return np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.49999997, 1e8 + 0.5], np.float32)


def rounding_samples(rng):
    return [
        S(f32(rng, 3, 4) * 3, grad=True),
        S(i64(rng, 3, 4)),
        S(halves(rng)),
        S(SPECIALS),
        S(bools(rng, 3, 4), error=True),
        S(NonContig(f32(rng, 3, 4) * 3), grad=True),
        S(f64(rng, 3, 4) * 3, grad=True),
        S(i32(rng, 3, 4)),
        S(np.asarray(f32(rng) * 3), grad=True),
        S(f32(rng, 0)),
    ]


def round_samples(rng):
    return rounding_samples(rng) + [
        S(f32(rng, 3, 4) * 100, decimals=2, grad=True),
        S(np.array([0.125, 0.135, -0.135, 2.675, 1234.5], np.float32), decimals=2),
        S(np.array([15.0, 25.0, 1234.0, -35.0], np.float32), decimals=-1),
        S(f64(rng, 3, 4) * 10, decimals=3, grad=True),
        S(f32(rng, 3, 4), decimals=0),
        S(i64(rng, 3, 4), decimals=1, error=True),
        S(i64(rng, 3, 4), decimals=0, error=True),
    ]


def frac_samples(rng):
    return [
        S(f32(rng, 3, 4) * 3, grad=True),
        S(SPECIALS),
        S(NonContig(f32(rng, 3, 4) * 3), grad=True),
        S(f64(rng, 3, 4) * 3, grad=True),
        S(np.asarray(f32(rng) * 3), grad=True),
        S(i64(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), error=True),
    ]


def sign_samples(rng):
    return [
        S(ties(rng, 3, 4), grad=True),
        S(SPECIALS, grad=True),
        S(i64(rng, 3, 4)),
        S(bools(rng, 3, 4)),
        S(NonContig(ties(rng, 3, 4)), grad=True),
        S(f64(rng, 3, 4), grad=True),
        S(i32(rng, 3, 4)),
        S(f32(rng), grad=True),
        S(f32(rng, 0)),
    ]


def square_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(i64(rng, 3, 4)),
        S(bools(rng, 3, 4)),
        S(i32(rng, 3, 4)),
        S(NonContig(f32(rng, 3, 4)), grad=True),
        S(f32(rng), grad=True),
        S(f32(rng, 2, 0)),
    ]


def positive_samples(rng):
    return [
        S(f32(rng, 3, 4), grad=True),
        S(i64(rng, 3, 4)),
        S(NonContig(f32(rng, 3, 4))),
        S(bools(rng, 3, 4), error=True),
        S(2.5, error=True),
    ]


def nan_to_num_samples(rng):
    with_specials = np.concatenate([SPECIALS, f32(rng, 2)]).reshape(3, 4)
    return [
        S(SPECIALS, grad=True),
        S(SPECIALS, 1.0, 2.0, -3.0, grad=True),
        S(SPECIALS, nan=-1.0, posinf=5.0),
        S(SPECIALS.astype(np.float64), neginf=-7.0, grad=True),
        S(SPECIALS.astype(np.float16)),
        S(NonContig(with_specials), grad=True),
        S(i64(rng, 3, 4), 1.0, 2.0, -3.0),
        S(bools(rng, 3, 4)),
        S(f32(rng, 0)),
    ]


def logit_samples(rng):
    return [
        S(probability(rng, 3, 4), grad=True),
        S(uniform(-0.2, 1.2)(rng, 3, 4), eps=0.1, grad=True),
        S(uniform(-0.2, 1.2)(rng, 3, 4), 0.25, grad=True),
        S(i64(rng, 3, 4, low=-1, high=3)),
        S(NonContig(probability(rng, 3, 4)), grad=True),
        S(np.asarray(probability(rng, 3, 4), np.float64), eps=1e-6, grad=True),
        S(np.array([0.0, 1.0, 0.5, NAN], np.float32)),
        S(probability(rng), grad=True),
        S(bools(rng, 3, 4), eps=0.01),
    ]


def classification_samples(rng):
    return [
        S(SPECIALS),
        S(i64(rng, 3, 4)),
        S(bools(rng, 3, 4)),
        S(SPECIALS.astype(np.float64)),
        S(NonContig(np.concatenate([SPECIALS, SPECIALS[:2]]).reshape(3, 4))),
        S(SPECIALS.astype(np.float16)),
        S(np.array(INF, np.float32)),
        S(f32(rng, 0)),
        S(i32(rng, 3, 4)),
    ]


def tensor_binary_samples(rng, nonzero=False, grad=True):
    """binary_samples with Tensor operands only; a Number `other` is torch's TypeError."""
    samples = [s for s in binary_samples(rng, nonzero=nonzero, grad=grad)
               if not isinstance(s.args[1], (int, float))]
    return samples + [S(f32(rng, 3, 4), 2.0, error=True)]


def fmod_samples(rng):
    return binary_samples(rng, nonzero=True) + [
        S(f32(rng, 3, 4) * 5, -1.5, grad=True),
        S(np.array([5.0, -5.0, INF, NAN, 0.0], np.float32), np.array([3.0, 3.0, 2.0, 1.0, INF],
                                                                     np.float32)),
        S(bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(2.0, f32(rng, 3, 4), error=True),
    ]


def atan2_samples(rng):
    return tensor_binary_samples(rng) + [
        S(np.array([0.0, 0.0, 1.0, -1.0], np.float32), np.array([0.0, -1.0, 0.0, 0.0],
                                                                np.float32), grad=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
    ]


def hypot_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f64(rng, 3, 4), grad=True),
        S(np.array([0.0, 3.0, 0.0], np.float32), np.array([0.0, 4.0, -2.0], np.float32),
          grad=True),
        S(f32(rng, 3, 4), i64(rng, 3, 4)),
        S(f32(rng, 2, 0), f32(rng, 0), grad=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), 2.0, error=True),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
    ]


def copysign_samples(rng):
    return binary_samples(rng) + [
        S(np.array([0.0, -0.0, 1.0, 2.0], np.float32), np.array([-1.0, 1.0, -0.0, NAN],
                                                                np.float32), grad=True),
        S(f32(rng, 3, 4), -0.0, grad=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
    ]


def xlogy_samples(rng):
    return [
        S(f32(rng, 3, 4), positive(rng, 3, 4), grad=True),
        S(np.array([0.0, 0.0, 1.0, 2.0, 0.0, -1.0, 0.0, 0.0], np.float32),
          np.array([0.0, 2.0, 0.0, NAN, NAN, 3.0, -1.0, INF], np.float32), grad=True),
        S(2.5, positive(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 3.0, grad=True),
        S(NonContig(f32(rng, 3, 4)), positive(rng, 4), grad=True),
        S(f32(rng, 3, 4), np.asarray(positive(rng, 3, 4), np.float64), grad=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4, low=0)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(f32(rng, 2, 0), f32(rng, 0)),
        S(2, 3, error=True),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
    ]


def heaviside_samples(rng):
    return [
        S(ties(rng, 3, 4), f32(rng, 3, 4)),
        S(ties(rng, 3, 4), f32(rng)),
        S(i64(rng, 3, 4, low=-1, high=2), i64(rng, 4)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(NonContig(ties(rng, 3, 4)), f32(rng, 3, 4)),
        S(SPECIALS, SPECIALS[::-1].copy()),
        S(f32(rng, 0), f32(rng, 0)),
        S(ties(rng, 3, 4), f64(rng, 3, 4), error=True),
        S(ties(rng, 3, 4), 0.5, error=True),
        S(ties(rng, 3, 4), f32(rng, 5), error=True),
    ]


def float_power_samples(rng):
    return [
        S(positive(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), 2, grad=True),
        S(np.array([0.0, 0.0, 1.0, 2.0, 0.0], np.float32), np.array([0.0, 2.0, 0.0, -1.0, 0.5],
                                                                    np.float32), grad=True),
        S(f64(rng, 3, 4), 3, grad=True),
        S(i64(rng, 3, 4), 2),
        S(i64(rng, 3, 4), i64(rng, 3, 4, low=0, high=3)),
        S(positive(rng, 3, 4), 0.5, grad=True),
        S(2.5, f32(rng, 3, 4), grad=True),
        S(positive(rng, 3, 4), f64(rng), grad=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(f32(rng, 0), 2),
        S(positive(rng, 3, 4), f32(rng, 5), error=True),
    ]


def fmax_samples(rng):
    nan = np.array([1.0, NAN, -1.0, NAN, 2.0], np.float32)
    other = np.array([NAN, 0.0, 0.0, NAN, 2.0], np.float32)
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(ties(rng, 3, 4), ties(rng, 4), grad=True),
        S(nan, other, grad=True),
        S(other, nan, grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), grad=True),
        S(f32(rng), f32(rng, 3, 4), grad=True),
        S(i64(rng, 3, 4), i32(rng, 3, 4)),
        S(i64(rng, 3, 4), f32(rng, 3, 4)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(f32(rng, 2, 0), f32(rng, 0)),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
        S(f32(rng, 3, 4), 0.5, error=True),
    ]


def logical_samples(rng):
    return [
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(ties(rng, 3, 4), i64(rng, 3, 4, low=-1, high=2)),
        S(i64(rng, 3, 4, low=-1, high=2), bools(rng, 4)),
        S(np.array([NAN, 0.0, -0.0, 1.0], np.float32), np.array([1.0, 1.0, 1.0, 0.0], np.float32)),
        S(NonContig(ties(rng, 3, 4)), bools(rng, 3, 4)),
        S(ties(rng), ties(rng, 3, 4)),
        S(ties(rng, 3, 4), f64(rng)),
        S(f32(rng, 0), f32(rng, 0)),
        S(bools(rng, 3, 4), bools(rng, 5), error=True),
        S(bools(rng, 3, 4), True, error=True),
    ]


def isclose_samples(rng):
    x = f32(rng, 3, 4)
    noisy = x + np.asarray(rng.uniform(-2e-5, 2e-5, (3, 4)), np.float32)
    odd = np.array([INF, -INF, INF, NAN, NAN, 1.0, 0.0], np.float32)
    other = np.array([INF, INF, 1e30, NAN, 1.0, 1.0 + 1e-6, 1e-9], np.float32)
    return [
        S(x, noisy),
        S(x, noisy, rtol=1e-3, atol=0.0),
        S(x, noisy, 0.0, 1e-5),
        S(odd, other),
        S(odd, other, equal_nan=True),
        S(x, x[0]),
        S(NonContig(x), noisy),
        S(i64(rng, 3, 4), i64(rng, 3, 4)),
        S(i64(rng, 3, 4), i64(rng, 3, 4), rtol=0.5, atol=0.6),
        S(bools(rng, 3, 4), bools(rng, 3, 4), atol=1.0),
        S(np.asarray(x, np.float64), np.asarray(noisy, np.float64), rtol=0.0, atol=0.0),
        S(np.asarray(x, np.float16), np.asarray(noisy, np.float16)),
        S(f32(rng, 0), f32(rng, 0)),
        S(x, np.asarray(noisy, np.float64), error=True),
        S(x, noisy, rtol=-1.0, error=True),
        S(x, noisy, atol=-1.0, error=True),
        S(x, 1.0, error=True),
        S(x, f32(rng, 5), error=True),
    ]


def allclose_samples(rng):
    x = f32(rng, 3, 4)
    return [
        S(x, x + 1e-7),
        S(x, x + 1e-3),
        S(x, x + 1e-3, rtol=0.1, atol=0.01),
        S(np.array([NAN, 1.0], np.float32), np.array([NAN, 1.0], np.float32)),
        S(np.array([NAN, 1.0], np.float32), np.array([NAN, 1.0], np.float32), equal_nan=True),
        S(x, x[1]),
        S(i64(rng, 3, 4), i64(rng, 3, 4)),
        S(f32(rng, 0), f32(rng, 0)),
        S(x, np.asarray(x, np.float64), error=True),
        S(x, f32(rng, 5), error=True),
    ]


def equal_samples(rng):
    x = ties(rng, 3, 4)
    return [
        S(x, x.copy()),
        S(x, ties(rng, 3, 4)),
        S(x, x[:2].copy()),
        S(x, x[0].copy()),
        S(np.asarray(x, np.int64), np.asarray(x, np.float64)),
        S(np.array([1, 0]), np.array([True, False])),
        S(np.array([NAN], np.float32), np.array([NAN], np.float32)),
        S(np.array(1.0, np.float32), np.array([1.0], np.float32)),
        S(NonContig(x), x.copy()),
        S(f32(rng, 0), f32(rng, 0)),
        S(x, 1.0, error=True),
    ]


def lerp_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), 0.3, grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), 0.7, grad=True),
        S(f32(rng, 3, 4), f32(rng, 4), uniform(-0.5, 1.5)(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), f32(rng, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), f64(rng), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), np.array(1)),
        S(f64(rng, 3, 4), f64(rng, 3, 4), -1.5, grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), 0.5, grad=True),
        S(f32(rng), f32(rng), 0.25, grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), 1),
        S(f32(rng, 2, 0), f32(rng, 0), 0.5),
        S(i64(rng, 3, 4), i64(rng, 3, 4), 0.5, error=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), i64(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), f64(rng, 3, 4), 0.5, error=True),
        S(f32(rng, 3, 4), f64(rng), 0.5, error=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), f64(rng, 4), error=True),
        S(f32(rng, 3, 4), 2.0, 0.5, error=True),
        S(f32(rng, 3, 4), f32(rng, 5), 0.5, error=True),
    ]


def addcmul_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4), value=0.5, grad=True),
        S(f32(rng, 3, 1), f32(rng, 4), f32(rng, 3, 4), value=-2, grad=True),
        S(f32(rng, 3, 4), f64(rng, 3, 4), f32(rng), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4), value=np.array(2.0)),
        S(i64(rng, 3, 4), i64(rng, 3, 4), i64(rng, 3, 4), value=2),
        S(i64(rng, 3, 4), i64(rng, 3, 4), i64(rng, 3, 4), value=2.5),
        S(f32(rng, 3, 4), i64(rng, 3, 4), i64(rng, 3, 4)),
        S(i64(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4)),
        S(f32(rng, 0), f32(rng, 0), f32(rng, 0)),
        S(bools(rng, 3, 4), bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), 2.0, f32(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), f32(rng, 3, 4), value=np.array([2.0]), error=True),
        S(f32(rng, 3), f32(rng, 4), f32(rng, 3), error=True),
    ]


def addcdiv_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), positive(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), positive(rng, 3, 4), value=-0.5, grad=True),
        S(f32(rng, 3, 1), f32(rng, 4), positive(rng, 3, 4), value=3, grad=True),
        S(f32(rng, 3, 4), f64(rng, 3, 4), positive(rng), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), positive(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), positive(rng, 3, 4), value=np.array(2.0)),
        S(i64(rng, 3, 4), f32(rng, 3, 4), positive(rng, 3, 4)),
        S(f32(rng, 3, 4), f32(rng, 3, 4), nonzero_i64(rng, 3, 4)),
        S(f32(rng, 0), f32(rng, 0), f32(rng, 0)),
        S(f32(rng, 3, 4), i64(rng, 3, 4), nonzero_i64(rng, 3, 4), error=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), nonzero_i64(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), 2.0, error=True),
    ]


def true_divide_samples(rng):
    return binary_samples(rng, nonzero=True, full=False) + [
        S(f32(rng, 3, 4), f32(rng, 3, 4), rounding_mode="floor", error=True)]


def clip_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4) - 0.5, f32(rng, 4) + 0.5, grad=True),
        S(ties(rng, 3, 4), ties(rng, 3, 4) - 1, ties(rng, 4) + 1, grad=True),
        S(f32(rng, 3, 4), max=f32(rng, 3, 1), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), None, grad=True),
        S(i64(rng, 3, 4), min=f32(rng)),
        S(i64(rng, 3, 4), i64(rng, 4), i64(rng, 4) + 3),
        S(f32(rng, 3, 4), -0.5, 0.5, grad=True),
        S(f32(rng, 3, 4), min=f32(rng, 3, 4), max=1.0, error=True),
        S(f32(rng, 3, 4), f32(rng, 5), None, error=True),
    ]


def abs_at_special_points(rng):
    return [S(ties(rng, 3, 4), grad=True), S(SPECIALS, grad=True),
            S(np.zeros(3, np.float64), grad=True)]


def pow_at_special_points(rng):
    base = np.array([0.0, 0.0, 1.0, 2.0, 0.0, 0.0, -2.0], np.float32)
    exponent = np.array([0.0, 2.0, 0.0, -1.0, 0.5, -1.0, 2.0], np.float32)
    return [
        S(base, exponent, grad=True),
        S(np.zeros(3, np.float32), 0, grad=True),
        S(np.zeros(3, np.float32), 2.0, grad=True),
        S(ties(rng, 3, 4), 2, grad=True),
        S(0.0, exponent, grad=True),
        S(2.0, ties(rng, 3, 4), grad=True),
    ]


def add_number_tensor_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), alpha=np.array(2.5)),
        S(i64(rng, 3, 4), i64(rng, 3, 4), alpha=np.array(2)),
        S(f32(rng, 3, 4), f32(rng, 3, 4), alpha=np.array([2.0]), error=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), alpha=np.array(2.5), error=True),
        S(f32(rng, 3, 4), f32(rng, 3, 4), alpha=True, error=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), alpha=1.0, error=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4), alpha=False),
    ]


def is_nonzero_samples(rng):
    return [
        S(np.array([1.5], np.float32)),
        S(np.array(0, np.int64)),
        S(np.array([[False]])),
        S(np.array(NAN, np.float32)),
        S(np.array(-0.0, np.float64)),
        S(i64(rng, 2), error=True),
        S(f32(rng, 0), error=True),
    ]


def dtype_query_samples(rng):
    return [S(f32(rng, 3)), S(i64(rng, 3)), S(bools(rng, 2)), S(f64(rng)),
            S(np.zeros(2, np.complex64)), S(np.zeros(2, np.float16)), S(1.0, error=True)]


def special_fn_samples(values):
    """float_fn_samples plus the poles and negative arguments of gamma-like functions."""
    def samples(rng):
        poles = np.array([0.0, -0.0, -1.0, -2.0, -0.5, -1.5, 1.0, 2.0], np.float32)
        return float_fn_samples(values)(rng)[:5] + [
            S(poles), S(uniform(-3.0, -0.1)(rng, 3, 4))]
    return samples


def sinc_samples(rng):
    return float_fn_samples(small)(rng) + [
        S(np.array([0.0, -0.0, 1.0, 0.5, -2.0], np.float32), grad=True)]


def float_only_binary_samples(rng):
    inf = np.array([INF, -INF, INF, NAN, -INF, 0.0], np.float32)
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f32(rng, 4), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), grad=True),
        S(f32(rng, 3, 4), f64(rng, 3, 4), grad=True),
        S(inf, inf[::-1].copy()),
        S(f32(rng, 3, 4) * 50, f32(rng, 3, 4) * 50, grad=True),
        S(f32(rng, 3, 4), i64(rng, 3, 4)),
        S(f32(rng, 2, 0), f32(rng, 0), grad=True),
        S(i64(rng, 3, 4), i64(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(f32(rng, 3, 4), 2.0, error=True),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
    ]


def ldexp_samples(rng):
    # torch's gradient is grad * pow(2, other) in other's integer dtype: 0 for a negative
    # exponent (jtorch: grad * 2.0**other); gradients are compared for exponents >= 0
    return [
        S(f32(rng, 3, 4), i64(rng, 3, 4, low=0), grad=True),
        S(f32(rng, 3, 4), i64(rng, 4, low=0), grad=True),
        S(NonContig(f32(rng, 3, 4)), i32(rng, 3, 4, low=0), grad=True),
        S(f64(rng, 3, 4), i64(rng, 3, 4, low=0), grad=True),
        S(f32(rng, 3, 4), i64(rng, 3, 4)),
        S(i64(rng, 3, 4), i64(rng, 3, 4)),
        S(bools(rng, 3, 4), bools(rng, 3, 4)),
        S(f32(rng, 3, 4), 2, error=True),
        S(f32(rng, 3, 4), i64(rng, 5), error=True),
    ]


def gcd_samples(rng):
    return [
        S(i64(rng, 3, 4, low=-12, high=13), i64(rng, 3, 4, low=-12, high=13)),
        S(np.array([0, 0, -4, 6, 7]), np.array([0, 5, 6, -9, 0])),
        S(i32(rng, 3, 4, low=-12, high=13), i64(rng, 4, low=-12, high=13)),
        S(NonContig(i64(rng, 3, 4, low=-12, high=13)), i64(rng, 3, 4, low=1, high=13)),
        S(i64(rng, 0), i64(rng, 0)),
        S(f32(rng, 3, 4), f32(rng, 3, 4), error=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(i64(rng, 3, 4), 2, error=True),
    ]


def shift_samples(rng):
    amounts = np.array([0, 1, 5, 63, 64, 70, -1, -5])
    values = np.array([1, -1, 3, -8, 5, 1, 7, -3])
    return [
        S(values, amounts),
        S(i64(rng, 3, 4, low=-50, high=50), i64(rng, 3, 4, low=0, high=8)),
        S(i32(rng, 3, 4, low=-50, high=50), 3),
        S(np.array([1, 2, 255, 128], np.uint8), np.array([1, 9, 7, 200], np.uint8)),
        S(np.asarray(values, np.int32), np.asarray(amounts, np.int32)),
        S(NonContig(i64(rng, 3, 4)), i64(rng, 4, low=0, high=4)),
        S(2, i64(rng, 3, 4, low=0, high=8)),
        S(i64(rng, 0), i64(rng, 0)),
        S(f32(rng, 3, 4), 2, error=True),
        S(bools(rng, 3, 4), bools(rng, 3, 4), error=True),
        S(i64(rng, 3, 4), i64(rng, 5), error=True),
    ]


OPS = [
    # float-valued unary functions
    float_fn("expm1", n=None),
    float_fn("log1p", positive),
    float_fn("log2", positive),
    float_fn("log10", positive),
    float_fn("exp2", small),
    float_fn("rsqrt", positive),
    float_fn("reciprocal", positive),
    float_fn("tan", unit),
    float_fn("asin", unit),
    float_fn("arcsin", unit, n=3),
    float_fn("acos", unit),
    float_fn("arccos", unit, n=3),
    float_fn("atan"),
    float_fn("arctan", n=3),
    float_fn("sinh", small),
    float_fn("cosh", small),
    float_fn("asinh"),
    float_fn("arcsinh", n=3),
    float_fn("acosh", above_one),
    float_fn("arccosh", above_one, n=3),
    float_fn("atanh", unit),
    float_fn("arctanh", unit, n=3),
    float_fn("erf"),
    float_fn("erfc"),
    float_fn("erfinv", unit),
    float_fn("deg2rad", small),
    float_fn("rad2deg", small),
    OpSpec("logit", logit_samples, "fmi"),
    # dtype-preserving unary functions
    OpSpec("floor", rounding_samples, "fmi"),
    OpSpec("ceil", first(5, rounding_samples), "fmi"),
    OpSpec("trunc", first(5, rounding_samples), "fmi"),
    OpSpec("fix", first(5, rounding_samples), "fmi"),
    OpSpec("round", round_samples, "fmi"),
    OpSpec("frac", frac_samples, "fmi"),
    OpSpec("sign", sign_samples, "fmi"),
    # torch's sgn gradient of a real input is a ZeroTensor, which the grad test cannot read
    OpSpec("sgn", lambda rng: [S(*s.args) for s in sign_samples(rng)[:5]], "fmi"),
    OpSpec("square", square_samples, "fmi"),
    OpSpec("positive", positive_samples, "fm"),
    OpSpec("nan_to_num", nan_to_num_samples, "fmi"),
    OpSpec("abs_at_special_points", abs_at_special_points, call=lambda lib, x: lib.abs(x)),
    # classification
    OpSpec("isnan", classification_samples, "fm"),
    *(OpSpec(name, first(6, classification_samples), "fm")
      for name in ("isinf", "isfinite", "isposinf", "isneginf", "isreal")),
    OpSpec("isclose", isclose_samples, "fm"),
    OpSpec("allclose", allclose_samples, "fm"),
    OpSpec("equal", equal_samples, "fm"),
    OpSpec("is_nonzero", is_nonzero_samples, "fm"),
    OpSpec("is_floating_point", dtype_query_samples, "fm"),
    OpSpec("is_complex", dtype_query_samples, "fm"),
    # binary functions
    OpSpec("fmod", fmod_samples, "fmi"),
    OpSpec("true_divide", true_divide_samples, "fmi"),
    OpSpec("atan2", atan2_samples, "fmi"),
    OpSpec("arctan2", first(3, atan2_samples), "fmi"),
    OpSpec("hypot", hypot_samples, "fmi"),
    OpSpec("copysign", copysign_samples, "fmi"),
    OpSpec("xlogy", xlogy_samples, "fmi"),
    OpSpec("heaviside", heaviside_samples, "fmi"),
    OpSpec("float_power", float_power_samples, "fmi"),
    OpSpec("pow_at_special_points", pow_at_special_points,
           call=lambda lib, x, y: lib.pow(x, y)),
    OpSpec("fmax", fmax_samples, "fm"),
    OpSpec("fmin", fmax_samples, "fm"),
    OpSpec("logical_and", logical_samples, "fmi"),
    OpSpec("logical_or", first(4, logical_samples), "fmi"),
    OpSpec("logical_xor", first(4, logical_samples), "fmi"),
    OpSpec("clip", clip_samples, "fmi"),
    OpSpec("add_number_tensor", add_number_tensor_samples,
           call=lambda lib, x, y, **kw: lib.add(x, y, **kw)),
    # interpolation, fused multiply-adds
    OpSpec("lerp", lerp_samples, "fmi"),
    OpSpec("addcmul", addcmul_samples, "fmi"),
    OpSpec("addcdiv", addcdiv_samples, "fmi"),
    # special functions, log-sum-exp, integer functions and shifts
    OpSpec("sinc", sinc_samples, "fmi"),
    OpSpec("lgamma", special_fn_samples(positive), "fmi"),
    OpSpec("digamma", special_fn_samples(positive), "fmi"),
    float_fn("i0", small),
    OpSpec("signbit", classification_samples, "fm"),
    OpSpec("logaddexp", float_only_binary_samples, "fm"),
    OpSpec("logaddexp2", first(6, float_only_binary_samples), "fm"),
    OpSpec("ldexp", ldexp_samples, "fmi"),
    OpSpec("gcd", gcd_samples, "fmi"),
    OpSpec("lcm", first(4, gcd_samples), "fmi"),
    OpSpec("bitwise_left_shift", shift_samples, "fmi"),
    OpSpec("bitwise_right_shift", shift_samples, "fmi"),
    OpSpec("__lshift__", first(4, shift_samples), call=lambda lib, a, b: a << b),
    OpSpec("__rshift__", first(4, shift_samples), call=lambda lib, a, b: a >> b),
    OpSpec("__rlshift__", lambda rng: [S(3, i64(rng, 3, 4, low=0, high=8))],
           call=lambda lib, a, b: a << b),
]

globals().update(define_tests(OPS))


def test_positive_returns_its_input():
    x = jtorch.tensor([1.0, -2.0])
    assert jtorch.positive(x) is x and +x is x


def test_float_power_inplace_needs_a_double_tensor():
    x = jtorch.tensor([1.0, 2.0])
    try:
        x.float_power_(2)
    except RuntimeError as e:
        assert "float_power_ has dtype Float" in str(e)
    else:
        raise AssertionError("float_power_ on float32 must raise")
    y = jtorch.tensor([1.0, 2.0], dtype=jtorch.float64).float_power_(2)
    assert y.dtype == jtorch.float64 and y.tolist() == [1.0, 4.0]


def test_addcdiv_changing_value_does_not_recompile():
    from jtorch._api.pointwise import ADDCDIV
    x = jtorch.ones(3)
    for step in range(4):
        x.addcdiv_(jtorch.ones(3), jtorch.full((3,), 2.0), value=-0.1 * (step + 1))
        if step == 0:
            traces = ADDCDIV._jitted[()]._cache_size()
    assert list(ADDCDIV._jitted) == [()] and ADDCDIV._jitted[()]._cache_size() == traces
    np.testing.assert_allclose(x.numpy(), np.full(3, 0.5), rtol=1e-6)


def test_grad_fn_names():
    x = jtorch.tensor([0.3, 0.6], requires_grad=True)
    y = jtorch.tensor([0.5, 0.2], requires_grad=True)
    tx = torch.tensor([0.3, 0.6], requires_grad=True)
    ty = torch.tensor([0.5, 0.2], requires_grad=True)
    cases = [
        lambda lib, x, y: lib.expm1(x), lambda lib, x, y: lib.square(x),
        lambda lib, x, y: lib.fix(x), lambda lib, x, y: lib.round(x, decimals=1),
        lambda lib, x, y: lib.fmod(x, y), lambda lib, x, y: lib.fmod(x, 2.0),
        lambda lib, x, y: lib.xlogy(2.0, x), lambda lib, x, y: lib.xlogy(x, 2.0),
        lambda lib, x, y: lib.copysign(x, -1.0), lambda lib, x, y: lib.lerp(x, y, 0.3),
        lambda lib, x, y: lib.lerp(x, y, y), lambda lib, x, y: lib.addcdiv(x, x, y),
        lambda lib, x, y: lib.float_power(2.0, x), lambda lib, x, y: lib.arctan2(x, y),
        lambda lib, x, y: lib.nan_to_num(x), lambda lib, x, y: lib.fmin(x, y),
        lambda lib, x, y: lib.ldexp(x, lib.tensor([1, 2])), lambda lib, x, y: lib.sinc(x),
        lambda lib, x, y: lib.logaddexp2(x, y), lambda lib, x, y: lib.addcmul(x, x, y),
        lambda lib, x, y: x.add(y, alpha=2), lambda lib, x, y: lib.digamma(x),
    ]
    for case in cases:
        want, got = case(torch, tx, ty).grad_fn, case(jtorch, x, y).grad_fn
        assert got.name() == want.name()
        assert len(got.next_functions) == len(want.next_functions), want.name()


def test_float_power_complex_exponent():
    values = [0.5, 1.0, 2.0]
    got = jtorch.float_power(jtorch.tensor(values), 2j)
    want = torch.float_power(torch.tensor(values), 2j)
    assert got.dtype == jtorch.complex128
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-12)


def test_sign_and_sgn_gradients_are_zero():
    x = jtorch.tensor([-1.5, 0.0, 2.0], requires_grad=True)
    (x.sign() * 3 + x.sgn()).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]


def test_add_alpha_kinds_do_not_share_a_compiled_op():
    # alpha=True (an error for float tensors) and alpha=1 compare equal as cache keys
    x = jtorch.tensor([1.0, 2.0])
    try:
        jtorch.add(x, x, alpha=True)
    except RuntimeError:
        pass
    assert jtorch.add(x, x, alpha=1).tolist() == [2.0, 4.0]
    i = jtorch.tensor([1, 2])
    assert jtorch.add(i, i, alpha=2).tolist() == [3, 6]
    try:
        jtorch.add(i, i, alpha=2.0)
    except RuntimeError as e:
        assert "alpha must not be a floating point number" in str(e)
    else:
        raise AssertionError("a float alpha with integer tensors must raise")


def test_add_changing_alpha_does_not_recompile():
    from jtorch._api.math import ADD
    p = jtorch.ones(3)
    for step, lr in enumerate((0.1, 0.05, 0.025)):
        p.add_(jtorch.ones(3), alpha=-lr)
        if step == 0:
            traces = ADD._jitted[()]._cache_size()
    assert ADD._jitted[()]._cache_size() == traces
    np.testing.assert_allclose(p.numpy(), np.full(3, 1 - 0.175), rtol=1e-6)
