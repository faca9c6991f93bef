"""The op-spec table for creation ops: torch.tensor's inference from nested data, the sized
factories (sizes as varargs, tuple, list, torch.Size, size=), linspace/logspace/eye,
empty_strided, complex/polar, the `*_like` and `Tensor.new_*` factories, from_numpy and
frombuffer, with torch's errors for bad input. The machinery is in `_opspec.py`; the
printing, dtype-utility and legacy-constructor checks are in test_tensor.py."""

from __future__ import annotations

import numpy as np
from _opspec import Dtype, NonContig, OpSpec, Raw, S, define_tests, f32, f64, i64, positive, torch

import jtorch


def nested_tensor_samples(rng):
    return [
        S(Raw([[1, 2], [3, 4]])),
        S(Raw([True, 1, 2.5])),
        S(Raw([True, 1])),
        S(Raw([True, False])),
        S(Raw([[1, 2], [3, 4.5]])),
        S(Raw([])),
        S(Raw([[], []])),
        S(Raw([[[]]])),
        S(Raw(3.5)),
        S(Raw(7)),
        S(Raw((1, 2))),
        S(Raw(range(4))),
        S(Raw([np.float32(1.5), 2])),
        S(Raw([np.int32(3), np.int32(4)])),
        S(Raw(np.float32(1.5))),
        S(Raw(np.int32(3))),
        S(Raw(np.float64(3))),
        S(Raw([np.array([1, 2]), np.array([3, 4])])),
        S(Raw(np.arange(6, dtype=np.int16).reshape(2, 3))),
        S(Raw([True, np.bool_(False)])),
        S(Raw([np.float16(1), True])),
        S(Raw([2 ** 63 - 1, -2 ** 63])),
        S(Raw([1.5, -2.7]), dtype=Dtype("int64")),
        S(Raw([1, 2]), dtype=Dtype("float16")),
        S(Raw([1.5, 0]), dtype=Dtype("bool")),
        S(Raw(np.arange(3, dtype=np.int16)), dtype=Dtype("float64")),
        S(Raw([1.5, 2]), requires_grad=True),
        # torch's errors
        S(Raw([[1, 2], [3]]), error=True),
        S(Raw([[1], []]), error=True),
        S(Raw([1, [2]]), error=True),
        S(Raw([[1], 2]), error=True),
        S(Raw([1, None]), error=True),
        S(Raw(None), error=True),
        S(Raw({1: 2}), error=True),
        S(Raw("a"), error=True),
        S(Raw(["a"]), error=True),
        S(Raw([1, 2 ** 64]), error=True),
        S(Raw([1, 2]), requires_grad=True, error=True),
    ]


def complex_data(lib, data, **kwargs):
    out = lib.tensor(data, **kwargs) if not isinstance(data, str) else \
        lib.linspace(0, 1 + 1j, 3)
    return str(out.dtype), tuple(out.shape), out.tolist()


def tensor_of_tensors(lib, kind):
    """torch.tensor of a list holding tensors (0-d ones are scalars, others errors)."""
    parts = {"0d_mixed": [lib.tensor(1), lib.tensor(2.5)],
             "0d_int": [lib.tensor(1), lib.tensor(2)],
             "0d_int32": [lib.tensor(1, dtype=lib.int32), 2],
             "0d_double": [lib.tensor(1.0, dtype=lib.float64), 2],
             "1elem": [lib.tensor([1.0]), lib.tensor([2.0])],
             "nested": [[lib.tensor(1.0)], [lib.tensor(2)]],
             "multi_int": [lib.tensor([1, 2]), lib.tensor([2, 3])],
             "multi_float": [lib.tensor([1.0, 2]), lib.tensor([2.0, 3])]}[kind]
    return lib.tensor(parts)


def tensor_of_tensors_samples(rng):
    return [S(kind) for kind in ("0d_mixed", "0d_int", "0d_int32", "0d_double", "1elem",
                                 "nested")] + \
        [S(kind, error=True) for kind in ("multi_int", "multi_float")]


def as_tensor_identity(lib, dtype_name, device):
    """torch.as_tensor shares a tensor given its own dtype and device, copies otherwise."""
    t = lib.ones(3)
    dtype = None if dtype_name is None else getattr(lib, dtype_name)
    out = lib.as_tensor(t, dtype=dtype, device=device)
    return out is t, out


def as_tensor_samples(rng):
    return [S(None, None), S("float32", None), S("float32", "cpu"), S("float64", None),
            S("int64", "cpu")]


def as_tensor_data_samples(rng):
    return [S(Raw([1, 2])), S(Raw([1, 2]), dtype=Dtype("float32")), S(Raw(np.float32(2))),
            S(Raw(3)), S(f64(rng, 3)), S(f32(rng, 2, 2), dtype=Dtype("float64"))]


SIZE_FORMS = {
    "varargs": ((2, 3), {}), "tuple": (((2, 3),), {}), "list": (([2, 3],), {}),
    "size_kw": ((), {"size": (2, 3)}), "empty_tuple": (((),), {}), "empty_list": (([],), {}),
    "zero": ((0, 4), {}), "np_int": ((np.int64(3),), {}), "np_in_tuple": (((np.int64(3), 2),), {}),
    # torch's TypeErrors and RuntimeErrors
    "float": ((2.5,), {}), "bool": ((True,), {}), "str": (("3",), {}),
    "nested": ((2, (3,)), {}), "two_tuples": (((2, 3), [4]), {}), "negative": ((-1,), {}),
}
SIZE_ERRORS = {"float", "bool", "str", "nested", "two_tuples", "negative"}


def sized(name):
    def call(lib, form, **kwargs):
        args, size_kwargs = SIZE_FORMS.get(form, ((lib.Size([2, 1]),), {}))
        out = getattr(lib, name)(*args, **size_kwargs, **kwargs)
        return out if name != "empty" else (out.shape, str(out.dtype), out.requires_grad)
    return call


def sized_samples(rng):
    return [S(form, error=form in SIZE_ERRORS) for form in SIZE_FORMS] + [
        S("torch_size"),
        S("varargs", dtype=Dtype("int64")),
        S("tuple", dtype=Dtype("float64"), requires_grad=True),
        S("list", dtype=Dtype("bool")),
        S("varargs", device="cpu"),
        S("varargs", dtype=Dtype("int64"), requires_grad=True, error=True),
    ]


def full_samples(rng):
    return [
        S((2, 3), 1.5), S([2], 7), S((2,), True), S((), 2.5),
        S((2,), 1.5, dtype=Dtype("int64")), S((2, 2), 3, dtype=Dtype("float64")),
        S(Raw(torch.Size([2])), 1.0),
        S(2, 1.5, error=True), S((-1,), 1.0, error=True),
    ]


def full_tensor_fill(lib, shape):
    return lib.full((2,), lib.ones(shape) * 2.5)


def like_samples(rng):
    x = f32(rng, 2, 3)
    ints = i64(rng, 2, 3)
    return [S(x), S(ints), S(NonContig(x)), S(x, dtype=Dtype("int64")),
            S(ints, dtype=Dtype("float64")), S(x, requires_grad=True), S(x, device="cpu"),
            S(f32(rng, 0, 2)), S(f32(rng))]


def like_shape(name):
    def call(lib, x, **kwargs):
        out = getattr(lib, name)(x, **kwargs)
        return out.shape, str(out.dtype), out.requires_grad, out.device.type
    return call


def full_like_samples(rng):
    return [S(i64(rng, 2, 3), 2.7), S(i64(rng, 2), 2.7, dtype=Dtype("float32")),
            S(f32(rng, 2), 1, requires_grad=True), S(f64(rng, 3), True)]


def new_samples(rng):
    x = f32(rng, 2, 3)
    return [S(x, 2, 3), S(x, (2, 3)), S(x, [4]), S(x, Raw(torch.Size([2]))), S(x, error=True),
            S(i64(rng, 3), 2), S(x, 2, dtype=Dtype("int64")), S(x, 2, requires_grad=True),
            S(x, 2.5, error=True)]


def new_full_samples(rng):
    return [S(f32(rng, 2), (2, 3), 3), S(np.zeros(2, np.int32), (2,), 3.5),
            S(f32(rng, 2), [2], 1.5, dtype=Dtype("float64"))]


def new_tensor_samples(rng):
    return [S(f32(rng, 2), Raw([1, 2])), S(f32(rng, 2), Raw([1.5, 2])),
            S(np.zeros(2, np.int32), Raw([1.5, 2])),
            S(f32(rng, 2), Raw([1, 2]), dtype=Dtype("int64")),
            S(f32(rng, 2), Raw([1.0]), requires_grad=True)]


def arange_samples(rng):
    return [
        S(0, 1, 0.1), S(0, 1, 0.3), S(1, 2.5, 0.5), S(-1.0, 1.0, 0.1), S(0, 10, 3),
        S(0, 10, 3, dtype=Dtype("float32")), S(0.5, 10, 3, dtype=Dtype("int64")),
        S(10, 0, -3), S(1.0, 0.0, -0.125), S(5), S(2.5), S(0, 1e-3, 1e-4),
        S(0, 10, 1, dtype=Dtype("float64"), requires_grad=True),
        S(0, 10, -1, error=True), S(0, 10, 0, error=True),
    ]


def linspace_samples(rng):
    return [
        S(0, 10, 5), S(0, 10, 0), S(0, 10, 1), S(-1.5, 2.25, 7), S(0, 1, 100),
        S(3, -3, 10), S(0, 10, 4, dtype=Dtype("int64")), S(-1, 1, 7, dtype=Dtype("int32")),
        S(0.0, 1.0, 5, dtype=Dtype("float64")), S(0, 1, 3, requires_grad=True),
        S(0, 1, 11, dtype=Dtype("float16")),
        S(0, 10, -1, error=True), S(0, 1, 3, dtype=Dtype("bool"), error=True),
    ]


def linspace_tensor_bounds(lib, start_shape):
    return lib.linspace(lib.zeros(start_shape), lib.tensor(1.0), 3)


def logspace_samples(rng):
    return [
        S(0, 2, 3), S(0, 2, 3, base=2), S(0, 2, 3, 2), S(-2, 2, 9),
        S(0, 2, 3, dtype=Dtype("int64")), S(0, 1, 3, base=10, dtype=Dtype("float64")),
        S(0, 2, 0), S(2, 0, 3, base=0.5), S(1, 3, 5, base=3.5),
        S(0, 2, -1, error=True),
    ]


def eye_samples(rng):
    return [S(3), S(2, 3), S(3, 2), S(0), S(1, 0), S(2, 3, dtype=Dtype("int64")),
            S(3, dtype=Dtype("bool")), S(2, requires_grad=True),
            S(-1, error=True), S(2, -1, error=True), S(2.0, error=True)]


def empty_strided_call(lib, size, stride):
    t = lib.empty_strided(size, stride)
    return t.shape, t.stride(), t.is_contiguous(), str(t.dtype)


def empty_strided_samples(rng):
    return [S((2, 3), (3, 1)), S((2, 3), (1, 2)), S((4,), (1,)),
            S((2, 3), (3,), error=True)]


def complex_samples(rng):
    return [
        S(f32(rng, 3, 4), f32(rng, 3, 4), grad=True),
        S(f64(rng, 2, 1), f64(rng, 3), grad=True),
        S(f32(rng), f32(rng, 2), grad=True),
        S(NonContig(f32(rng, 3, 4)), f32(rng, 4, 3).T.copy(), grad=True),
        S(f32(rng, 0), f32(rng, 0)),
        S(f32(rng, 2), f64(rng, 2), error=True),
        S(i64(rng, 2), i64(rng, 2), error=True),
        S(f32(rng, 2), f32(rng, 3), error=True),
    ]


def polar_samples(rng):
    """torch's polar gradient assumes abs >= 0 (its documented domain)."""
    return [S(positive(rng, 3, 4), f32(rng, 3, 4), grad=True),
            S(positive(rng, 2, 1, dtype=np.float64), f64(rng, 3), grad=True),
            S(f32(rng, 2), f64(rng, 2), error=True), S(i64(rng, 2), i64(rng, 2), error=True)]


def parts_of(name):
    """The op's complex result as (|out + 1|, real, imag): _opspec compares real tensors, and
    gradients flow through the modulus (the real and imaginary parts are plain values)."""
    def call(lib, a, b):
        out = getattr(lib, name)(a, b)
        values = out.detach().numpy()
        return (lib.abs(out + 1), lib.from_numpy(values.real.copy()),
                lib.from_numpy(values.imag.copy()))
    return call


def from_numpy_samples(rng):
    return [S(Raw(np.arange(6).reshape(2, 3))), S(Raw(np.array([1.5], np.float16))),
            S(Raw(np.array([True, False]))), S(Raw(np.arange(6, dtype=np.int8)[::2])),
            S(Raw(np.asfortranarray(np.ones((2, 3), np.float32)))),
            S(Raw([1, 2]), error=True), S(Raw(np.array(["a"])), error=True)]


def frombuffer_samples(rng):
    buf = bytes(range(1, 9))
    return [S(Raw(bytearray(buf)), dtype=Dtype("int8")),
            S(Raw(bytearray(buf)), dtype=Dtype("int16")),
            S(Raw(bytearray(buf)), dtype=Dtype("int32"), count=1, offset=4),
            S(Raw(bytearray(buf)), dtype=Dtype("float32"), count=2),
            S(Raw(bytearray(buf[:3])), dtype=Dtype("int16"), error=True),
            S(Raw(bytearray(buf)), dtype=Dtype("int32"), count=3, error=True)]


def scalar_tensor_samples(rng):
    return [S(3), S(True), S(2.5), S(2, dtype=Dtype("int64")), S(1.5, dtype=Dtype("float64"))]


def asarray_call(lib, kind, **kwargs):
    t = lib.tensor([1.5, 2.0])
    if kind == "same":
        return lib.asarray(t, **kwargs) is t
    return lib.asarray(t, **kwargs)


def asarray_samples(rng):
    return [S("same"), S("same", copy=True), S("value", dtype=Dtype("float64")),
            S("value", copy=True)]


OPS = [
    OpSpec("tensor_data", nested_tensor_samples, call=lambda lib, d, **k: lib.tensor(d, **k)),
    OpSpec("complex_data", lambda rng: [S(Raw([1 + 2j, 1])), S(Raw(1.5j)), S("linspace")],
           call=complex_data),
    OpSpec("tensor_of_tensors", tensor_of_tensors_samples, call=tensor_of_tensors),
    OpSpec("as_tensor_shares", as_tensor_samples, call=as_tensor_identity),
    OpSpec("as_tensor", as_tensor_data_samples),
    OpSpec("asarray", asarray_samples, call=asarray_call),
    OpSpec("scalar_tensor", scalar_tensor_samples),
    OpSpec("from_numpy", from_numpy_samples),
    OpSpec("frombuffer", frombuffer_samples),
    OpSpec("zeros_sizes", sized_samples, call=sized("zeros")),
    OpSpec("ones_sizes", sized_samples, call=sized("ones")),
    OpSpec("empty_sizes", sized_samples, call=sized("empty")),
    OpSpec("full_sizes", full_samples, call=lambda lib, *a, **k: lib.full(*a, **k)),
    OpSpec("full_tensor_fill", lambda rng: [S(()), S((1,), error=True)], call=full_tensor_fill),
    OpSpec("zeros_like_opts", like_samples, call=lambda lib, x, **k: lib.zeros_like(x, **k)),
    OpSpec("ones_like_opts", like_samples, call=lambda lib, x, **k: lib.ones_like(x, **k)),
    OpSpec("empty_like_opts", like_samples, call=like_shape("empty_like")),
    OpSpec("full_like_opts", full_like_samples, call=lambda lib, x, v, **k:
           lib.full_like(x, v, **k)),
    OpSpec("new_zeros", new_samples, "m"),
    OpSpec("new_ones", new_samples, "m"),
    OpSpec("new_full", new_full_samples, "m"),
    OpSpec("new_tensor", new_tensor_samples, "m"),
    OpSpec("arange_steps", arange_samples, call=lambda lib, *a, **k: lib.arange(*a, **k)),
    OpSpec("linspace", linspace_samples),
    OpSpec("linspace_tensor_bounds", lambda rng: [S(()), S((1,), error=True)],
           call=linspace_tensor_bounds),
    OpSpec("logspace", logspace_samples),
    OpSpec("eye", eye_samples),
    OpSpec("empty_strided", empty_strided_samples, call=empty_strided_call),
    OpSpec("complex", complex_samples, call=parts_of("complex")),
    OpSpec("polar", polar_samples, call=parts_of("polar")),
]

globals().update(define_tests(OPS))


def test_new_empty_shape_and_dtype():
    for lib in (torch, jtorch):
        out = lib.ones(2, dtype=lib.float64).new_empty((3, 1))
        assert tuple(out.shape) == (3, 1) and str(out.dtype) == "torch.float64"


def test_factory_out_argument():
    for lib in (torch, jtorch):
        out = lib.zeros(1)
        result = lib.ones(2, 3, out=out)
        assert result is out and out.tolist() == [[1.0] * 3] * 2
        out = lib.zeros(5, dtype=lib.float64)
        assert lib.linspace(0, 1, 5, out=out) is out and out.dtype == lib.float64
        assert out.tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
