"""The op-spec machinery: sample inputs run on torch and jtorch, compared.

Like PyTorch's OpInfo. An op-spec table is a list of `OpSpec` entries: an op name, the forms
torch gives it (function `torch.add(x, y)`, method `x.add(y)`, in-place `x.clone().add_(y)`)
and a function producing its samples from a seeded numpy RNG. `define_tests(OPS)` returns the
parametrized tests a `tests/test_ops*.py` module exposes: every sample in every form run on
both libraries, comparing values, dtypes and shapes (`test_function`, `test_method`,
`test_inplace`), gradients (`test_grad`) and, for samples marked as bad input, the exception
type. Adding an op is adding one entry to one family's table.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

LIBS = (torch, jtorch)

# ---- inputs: numpy arrays, made into torch / jtorch tensors ------------------------------


@dataclass(frozen=True)
class NonContig:
    """An array given to the op as `t.transpose(0, 1)` of a tensor holding the array's
    transpose: a non-contiguous view with the array's values."""

    array: np.ndarray


@dataclass(frozen=True)
class Raw:
    """A value passed to both libraries unconverted (a numpy array for `torch.tensor`)."""

    value: Any


@dataclass(frozen=True)
class Dtype:
    """A dtype by name: `torch.<name>` on one side, `jtorch.<name>` on the other."""

    name: str


def make_leaf(lib, array, requires_grad, tensors):
    # A C-ordered copy: torch's from_numpy shares memory and keeps numpy's strides.
    t = lib.from_numpy(np.array(array, order="C"))
    if requires_grad and t.is_floating_point():
        t.requires_grad_()
    tensors.append(t)
    return t


def to_lib(lib, value, requires_grad, tensors):
    """`value` with its numpy arrays made into `lib` tensors (collected in `tensors`);
    lists, tuples and dicts are converted item by item, other values passed as they are."""
    if isinstance(value, Raw):
        return value.value
    if isinstance(value, Dtype):
        return getattr(lib, value.name)
    if isinstance(value, NonContig):
        base = make_leaf(lib, value.array.swapaxes(0, 1), requires_grad, tensors)
        return base.transpose(0, 1)
    if isinstance(value, np.ndarray):
        return make_leaf(lib, value, requires_grad, tensors)
    if isinstance(value, (list, tuple)):
        return type(value)(to_lib(lib, v, requires_grad, tensors) for v in value)
    if isinstance(value, dict):
        return {k: to_lib(lib, v, requires_grad, tensors) for k, v in value.items()}
    return value


def rng_for(*key):
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def f32(rng, *shape):
    return np.asarray(rng.standard_normal(shape), np.float32)


def f64(rng, *shape):
    return np.asarray(rng.standard_normal(shape), np.float64)


def positive(rng, *shape, dtype=np.float32):
    return np.asarray(rng.uniform(0.5, 2.0, shape), dtype)


def ties(rng, *shape):
    """Small integer-valued floats: repeated values and exact zeros, where gradients of
    max/min/clamp/relu must pick torch's subgradient."""
    return np.asarray(rng.integers(-2, 3, shape), np.float32)


def i64(rng, *shape, low=-5, high=6):
    return np.asarray(rng.integers(low, high, shape), np.int64)


def i32(rng, *shape, low=-5, high=6):
    return np.asarray(rng.integers(low, high, shape), np.int32)


def nonzero_i64(rng, *shape):
    return np.where(rng.random(shape) < 0.5, -1, 1) * i64(rng, *shape, low=1, high=4)


def bools(rng, *shape):
    return np.asarray(rng.random(shape) < 0.5)


def index(*values):
    return np.array(values, np.int64)


# ---- specs ------------------------------------------------------------------------------


@dataclass
class Sample:
    args: tuple
    kwargs: dict
    grad: bool = False   # float inputs require grad; gradients are compared
    error: bool = False  # bad input: both libraries must raise the same exception type
    xfail: dict = field(default_factory=dict)  # form ("function", ..., "grad", "*") -> reason


def S(*args, grad=False, error=False, xfail=None, **kwargs):
    return Sample(args, kwargs, grad, error, xfail or {})


@dataclass
class OpSpec:
    name: str
    samples: Callable[[np.random.Generator], list]
    forms: str = "f"  # f: torch.<name>(...) (or `call`), m: Tensor.<name>, i: Tensor.<name>_
    call: Callable | None = None  # (lib, *args, **kwargs) -> output, the function form


def binary_samples(rng, nonzero=False, grad=True, full=True):
    """Samples for elementwise binary ops: broadcasting, 0-d, non-contiguous, scalars, mixed
    dtypes, empty tensors and a broadcast error. `nonzero` keeps integer divisors away from 0;
    `grad=False` for ops torch does not differentiate; `full=False` keeps the core cases for
    ops whose promotion and broadcasting another entry covers in full."""
    rhs_int = (lambda *s: nonzero_i64(rng, *s)) if nonzero else (lambda *s: i64(rng, *s))
    core = [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=grad),
        S(f32(rng, 3, 4), f32(rng, 4), grad=grad),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 3, 4), grad=grad),
        S(f32(rng, 3, 4), 2.5, grad=grad),
        S(f32(rng, 3, 4), f64(rng, 3, 4), grad=grad),
        S(i64(rng, 3, 4), 3),
        S(i64(rng, 3, 4), 2.5),
        S(i32(rng, 3, 4), rhs_int()),
        S(f32(rng, 2, 0), f32(rng, 0), grad=grad),
        S(f32(rng, 3, 4), f32(rng, 5), error=True),
    ]
    if not full:
        return core
    return core + [
        S(f32(rng, 2, 1, 4), f32(rng, 3, 1), grad=grad),
        S(f32(rng), f32(rng, 3, 4), grad=grad),
        S(f32(rng, 3, 4), 3, grad=grad),
        S(f32(rng, 3, 4), f64(rng), grad=grad),
        S(i32(rng, 3, 4), rhs_int(3, 4)),
        S(i64(rng, 3, 4), positive(rng, 3, 4)),
        S(f32(rng, 0), f32(rng, 0)),
    ]


def bool_samples(rng):
    return [S(bools(rng, 3, 4), bools(rng, 3, 4)), S(bools(rng, 3, 4), 2), S(i64(rng, 3, 4), True)]


def unary_float_samples(rng, values=f32):
    """Samples for float-valued elementwise functions (integers and bools give float32)."""
    return [
        S(values(rng, 3, 4), grad=True),
        S(i64(rng, 3, 4, low=1)),
        S(NonContig(values(rng, 3, 4)), grad=True),
        S(np.asarray(values(rng, 3, 4), np.float64), grad=True),
        S(values(rng), grad=True),
        S(f32(rng, 0)),
        S(f32(rng, 2, 0), grad=True),
        S(i32(rng, 3, 4, low=1)),
        S(bools(rng, 3, 4)),
    ]


def unary_signed_samples(rng, values=f32):
    """Samples for dtype-preserving elementwise functions (neg, abs, relu): bool is an error."""
    return [
        S(values(rng, 3, 4), grad=True),
        S(i64(rng, 3, 4)),
        S(bools(rng, 3, 4), error=True),
        S(NonContig(values(rng, 3, 4)), grad=True),
        S(np.asarray(values(rng, 3, 4), np.float64), grad=True),
        S(values(rng), grad=True),
        S(f32(rng, 0)),
        S(f32(rng, 2, 0), grad=True),
        S(i32(rng, 3, 4)),
    ]


def first(n, samples):
    """The first n samples only: for an op sharing its mechanism (promotion, dim handling) with
    the entry above it, which runs them all. Sample lists put the essential cases first."""
    return lambda rng: samples(rng)[:n]



# ---- running a sample ---------------------------------------------------------------------

TOLERANCES = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
              "float64": (1e-7, 1e-7), "complex64": (1.3e-6, 1e-5),
              "complex128": (1e-7, 1e-7)}


def call_form(lib, spec, form, args, kwargs):
    """Run one form of the op on `lib` tensors: function, method, or in-place on a clone."""
    if form == "function":
        if spec.call is not None:
            return spec.call(lib, *args, **kwargs)
        return getattr(lib, spec.name)(*args, **kwargs)
    if form == "method":
        return getattr(args[0], spec.name)(*args[1:], **kwargs)
    target = args[0].clone()
    result = getattr(target, spec.name + "_")(*args[1:], **kwargs)
    assert result is target, f"{spec.name}_ must return self"
    return result


def outcome(lib, spec, form, sample, requires_grad=False):
    """(output, exception, input tensors) of running the sample's form on `lib`."""
    tensors = []
    args = to_lib(lib, sample.args, requires_grad, tensors)
    kwargs = to_lib(lib, sample.kwargs, requires_grad, tensors)
    try:
        return call_form(lib, spec, form, args, kwargs), None, tensors
    except Exception as e:  # torch raises many types; the test compares them
        return None, e, tensors


def assert_same(actual, expected, where="output", computed_in=None):
    """jtorch's `actual` equals torch's `expected`: structure, dtype, shape, values (within the
    tolerance of their dtype, or of `computed_in` when the values were computed in a less
    precise dtype, as a float64 input's gradient through a float32 op is)."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, jtorch.Tensor), f"{where}: {type(actual).__name__}"
        assert str(actual.dtype) == str(expected.dtype), f"{where}: dtype"
        assert tuple(actual.shape) == tuple(expected.shape), f"{where}: shape"
        assert actual.requires_grad == expected.requires_grad, f"{where}: requires_grad"
        want = expected.detach().resolve_conj().numpy()
        got = actual.detach().numpy()
        if want.dtype.kind in "fc":
            rtol, atol = max(TOLERANCES[str(expected.dtype).removeprefix("torch.")],
                             TOLERANCES.get(computed_in, (0, 0)))
            np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=where)
        else:
            np.testing.assert_array_equal(got, want, err_msg=where)
    elif isinstance(expected, (tuple, list)):
        assert type(actual).__name__ == type(expected).__name__, f"{where}: type"
        assert len(actual) == len(expected), f"{where}: length"
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_same(a, e, f"{where}[{i}]")
        if hasattr(expected, "indices"):  # torch.return_types: named fields too
            assert_same(actual.values, expected.values, f"{where}.values")
            assert_same(actual.indices, expected.indices, f"{where}.indices")
    else:
        assert actual == expected, where


def primary_form(spec):
    return "function" if "f" in spec.forms else "method"


def check_form(spec, sample, form):
    expected, error, _ = outcome(torch, spec, form, sample)
    if form == primary_form(spec):
        assert (error is not None) == sample.error, \
            f"torch {'raised ' + repr(error) if error else 'did not raise'}: fix the sample"
    if error is not None:
        tensors = []
        args = to_lib(jtorch, sample.args, False, tensors)
        kwargs = to_lib(jtorch, sample.kwargs, False, tensors)
        with pytest.raises(type(error)):
            call_form(jtorch, spec, form, args, kwargs)
        return
    actual, jt_error, _ = outcome(jtorch, spec, form, sample)
    if jt_error is not None:
        raise jt_error
    assert_same(actual, expected)


def output_tensors(out):
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in output_tensors(o)]
    return [out]


def backward_with_cotangents(lib, outputs, rng_key):
    """Backward from the float outputs with fixed random cotangents: the gradient of
    `sum((out * cot).sum())`, without compiling that reduction for every shape."""
    rng = rng_for(*rng_key)
    roots = [out for out in outputs if out.requires_grad]
    cotangents = [lib.from_numpy(np.asarray(rng.standard_normal(tuple(out.shape)),
                                            str(out.dtype).removeprefix("torch.")))
                  for out in roots]
    if roots:
        lib.autograd.backward(roots, cotangents)


def params(OPS, SAMPLES, form):
    """pytest params (spec, index, sample) for every sample of every entry having the form;
    the gradient test runs the samples marked `grad` in the entry's primary form."""
    out = []
    for spec in OPS:
        if form != "grad" and form[0] not in spec.forms:
            continue
        for i, sample in enumerate(SAMPLES[spec.name]):
            if form == "grad" and not sample.grad:
                continue
            reason = sample.xfail.get(form) or sample.xfail.get("*")
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            out.append(pytest.param(spec, i, sample, id=f"{spec.name}-{i}", marks=marks))
    return out


# ---- the tests ----------------------------------------------------------------------------


def check_grad(spec, i, sample):
    form = primary_form(spec)
    grads = {}
    for lib in LIBS:
        out, error, tensors = outcome(lib, spec, form, sample, requires_grad=True)
        if error is not None:
            raise error
        outputs = output_tensors(out)
        backward_with_cotangents(lib, outputs, (spec.name, i, "cotangent"))
        grads[lib] = ([o.requires_grad for o in outputs], [t.grad for t in tensors])
    # The output dtype a gradient was computed in: the least precise one.
    computed_in = max((str(o.dtype).removeprefix("torch.") for o in outputs if o.requires_grad),
                      key=lambda name: TOLERANCES[name])
    (jt_flags, jt_grads), (th_flags, th_grads) = grads[jtorch], grads[torch]
    assert jt_flags == th_flags, "which outputs require grad"
    assert any(th_flags), "a grad sample must have a differentiable output"
    assert len(jt_grads) == len(th_grads)
    for k, (actual, expected) in enumerate(zip(jt_grads, th_grads)):
        assert (actual is None) == (expected is None), f"input {k}: grad None-ness"
        if expected is not None:
            assert_same(actual, expected, f"input {k} grad", computed_in)


ALL_SPECS = {}  # name -> OpSpec over every table defined so far (the coverage test reads it)


def define_tests(OPS):
    """The four parametrized tests over one table; a test module does
    `globals().update(define_tests(OPS))`."""
    SAMPLES = {spec.name: spec.samples(rng_for(spec.name)) for spec in OPS}
    assert len(SAMPLES) == len(OPS), "op names in the table must be unique"
    for spec in OPS:
        ALL_SPECS[spec.name] = spec

    @pytest.mark.parametrize("spec,i,sample", params(OPS, SAMPLES, "function"))
    def test_function(spec, i, sample):
        check_form(spec, sample, "function")

    @pytest.mark.parametrize("spec,i,sample", params(OPS, SAMPLES, "method"))
    def test_method(spec, i, sample):
        check_form(spec, sample, "method")

    @pytest.mark.parametrize("spec,i,sample", params(OPS, SAMPLES, "inplace"))
    def test_inplace(spec, i, sample):
        check_form(spec, sample, "inplace")

    @pytest.mark.parametrize("spec,i,sample", params(OPS, SAMPLES, "grad"))
    def test_grad(spec, i, sample):
        check_grad(spec, i, sample)

    return {"test_function": test_function, "test_method": test_method,
            "test_inplace": test_inplace, "test_grad": test_grad}
