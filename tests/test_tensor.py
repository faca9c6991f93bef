"""Tensor basics against torch: dtypes, type promotion, devices, creation, metadata, printing."""

import itertools

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

DTYPE_NAMES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128", "uint8",
               "int8", "int16", "int32", "int64", "bool"]


def jt_dtype(name):
    return getattr(jtorch, name)


def t_dtype(name):
    return getattr(torch, name)


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_dtype_attributes_match_torch(name):
    jd, td = jt_dtype(name), t_dtype(name)
    assert repr(jd) == repr(td)
    assert jd.is_floating_point == td.is_floating_point
    assert jd.is_complex == td.is_complex
    assert jd.itemsize == td.itemsize
    assert jd.is_signed == td.is_signed


@pytest.mark.parametrize("alias", ["half", "float", "double", "short", "int", "long", "cfloat",
                                   "cdouble"])
def test_dtype_aliases(alias):
    assert repr(getattr(jtorch, alias)) == repr(getattr(torch, alias))


@pytest.mark.parametrize("a,b", list(itertools.combinations_with_replacement(DTYPE_NAMES, 2)))
def test_promote_types_matches_torch(a, b):
    assert repr(jtorch.promote_types(jt_dtype(a), jt_dtype(b))) == \
        repr(torch.promote_types(t_dtype(a), t_dtype(b)))


SCALARS = [True, 2, 2.5, 1 + 2j]


@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("ndim", [0, 1])
def test_result_type_with_scalars_and_zero_dim(name, ndim):
    shape = () if ndim == 0 else (2,)
    jt = jtorch.zeros(shape, dtype=jt_dtype(name))
    tt = torch.zeros(shape, dtype=t_dtype(name))
    for s in SCALARS:
        if name == "float16" and isinstance(s, complex):
            continue  # torch gives complex32, which JAX lacks (README: compatibility notes)
        assert repr(jtorch.result_type(jt, s)) == repr(torch.result_type(tt, s)), s
    for other in DTYPE_NAMES:  # a 0-d tensor of another dtype against this one
        if name == "float16" and other.startswith("complex"):
            continue  # complex32 again
        j0 = jtorch.zeros((), dtype=jt_dtype(other))
        t0 = torch.zeros((), dtype=t_dtype(other))
        assert repr(jtorch.result_type(jt, j0)) == repr(torch.result_type(tt, t0)), other


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_default_dtype_drives_inference(default):
    jtorch.set_default_dtype(jt_dtype(default))
    torch.set_default_dtype(t_dtype(default))
    try:
        for data in ([1, 2], [1.0, 2], [True], [1 + 1j], 3.5):
            assert repr(jtorch.tensor(data).dtype) == repr(torch.tensor(data).dtype), data
        assert repr((jtorch.tensor([1, 2]) / 2).dtype) == repr((torch.tensor([1, 2]) / 2).dtype)
        assert repr(jtorch.zeros(2).dtype) == repr(torch.zeros(2).dtype)
        assert repr((jtorch.tensor([1, 2]) * 1.5).dtype) == \
            repr((torch.tensor([1, 2]) * 1.5).dtype)
    finally:
        jtorch.set_default_dtype(jtorch.float32)
        torch.set_default_dtype(torch.float32)


def test_set_default_dtype_rejects_integers():
    with pytest.raises(TypeError):
        torch.set_default_dtype(torch.int64)
    with pytest.raises(TypeError):
        jtorch.set_default_dtype(jtorch.int64)


def test_tensor_from_numpy_keeps_dtype():
    for dt in (np.float64, np.int32, np.uint8, np.bool_, np.float16):
        values = np.arange(6).reshape(2, 3).astype(dt)
        assert repr(jtorch.tensor(values).dtype) == repr(torch.tensor(values).dtype)
        assert repr(jtorch.from_numpy(values).dtype) == repr(torch.from_numpy(values).dtype)
        np.testing.assert_array_equal(jtorch.from_numpy(values).numpy(), values)


def test_tensor_from_list_of_tensors_and_bad_data():
    parts = [jtorch.tensor(1.5), jtorch.tensor(2.5)]
    assert jtorch.tensor(parts).tolist() == [1.5, 2.5]
    with pytest.raises(ValueError):
        torch.tensor(["a"])
    with pytest.raises(ValueError):
        jtorch.tensor(["a"])
    with pytest.raises(RuntimeError, match="Could not infer dtype of object"):
        torch.tensor([object()])
    with pytest.raises(RuntimeError, match="Could not infer dtype of object"):
        jtorch.tensor([object()])


@pytest.mark.parametrize("spec", ["cpu", "cuda", "cuda:1", "cpu:0"])
def test_device_objects_match_torch(spec):
    jd, td = jtorch.device(spec), torch.device(spec)
    assert (repr(jd), str(jd), jd.type, jd.index) == (repr(td), str(td), td.type, td.index)
    assert jd == spec


def test_device_errors_match_torch():
    for bad in ("gpu", "cuda:x"):
        with pytest.raises(RuntimeError):
            torch.device(bad)
        with pytest.raises(RuntimeError):
            jtorch.device(bad)
    assert jtorch.device("cuda", 1) == jtorch.device("cuda:1")


def test_cpu_only_machine_answers_like_torch_cpu_build():
    if jtorch.cuda.is_available():
        pytest.skip("an accelerator is visible to JAX")
    assert jtorch.cuda.is_available() is torch.cuda.is_available() is False
    assert jtorch.cuda.device_count() == 0
    assert jtorch.accelerator.is_available() is False
    assert jtorch.accelerator.current_accelerator() is None
    assert jtorch.backends.mps.is_available() is False
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        jtorch.zeros(2).cuda()
    with pytest.raises(AssertionError):
        jtorch.zeros(2, device="cuda")


def test_tensors_live_on_cpu_and_to_returns_self():
    x = jtorch.ones(2, 3)
    assert x.device == jtorch.device("cpu") and x.is_cpu and not x.is_cuda
    assert x.get_device() == -1
    assert x.to("cpu") is x and x.cpu() is x and x.to(jtorch.float32) is x
    assert x.to(jtorch.device("cpu"), jtorch.float64).dtype is jtorch.float64
    assert x.to(jtorch.zeros(1, dtype=jtorch.int32)).dtype is jtorch.int32
    assert x.to(dtype=jtorch.float16, copy=True).dtype is jtorch.float16
    assert x.to("cpu", copy=True) is not x


@pytest.mark.parametrize("method,dtype", [("float", "float32"), ("double", "float64"),
                                          ("half", "float16"), ("bfloat16", "bfloat16"),
                                          ("int", "int32"), ("long", "int64"),
                                          ("short", "int16"), ("char", "int8"),
                                          ("byte", "uint8"), ("bool", "bool")])
def test_cast_methods(method, dtype):
    values = [[1.7, 0.0], [2.5, 100.2]]  # in range: out-of-range float->int casts are undefined
    jt = getattr(jtorch.tensor(values), method)()
    tt = getattr(torch.tensor(values), method)()
    assert repr(jt.dtype) == repr(tt.dtype) == f"torch.{dtype}"
    np.testing.assert_array_equal(np.asarray(jt.float().numpy()), tt.float().numpy())


def test_type_strings():
    x = jtorch.zeros(2)
    assert x.type() == torch.zeros(2).type() == "torch.FloatTensor"
    assert x.type("torch.LongTensor").dtype is jtorch.int64
    assert x.type(jtorch.float64).dtype is jtorch.float64
    assert jtorch.zeros(2, dtype=jtorch.int64).type() == "torch.LongTensor"


def test_metadata_matches_torch():
    for shape in [(), (0,), (3,), (2, 3, 4)]:
        jt, tt = jtorch.zeros(shape), torch.zeros(shape)
        assert repr(jt.shape) == repr(tt.shape) and repr(jt.size()) == repr(tt.size())
        assert (jt.dim(), jt.ndim, jt.numel(), jt.element_size(), jt.nbytes) == \
            (tt.dim(), tt.ndim, tt.numel(), tt.element_size(), tt.nbytes)
        assert jt.stride() == tt.stride() and jt.is_contiguous() == tt.is_contiguous()
    x = jtorch.zeros(2, 3)
    assert x.size(-1) == 3 and x.shape[0] == 2 and isinstance(x.shape, tuple)
    assert repr(x.shape[1:]) == "torch.Size([3])"
    with pytest.raises(IndexError):
        x.size(2)


def test_python_conversions_and_their_errors():
    assert jtorch.tensor([3.5]).item() == 3.5 and isinstance(jtorch.tensor(3).item(), int)
    assert jtorch.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert float(jtorch.tensor(2.5)) == 2.5 and int(jtorch.tensor(7)) == 7
    assert bool(jtorch.tensor([1])) and [10, 20][jtorch.tensor(1)] == 20
    assert len(jtorch.zeros(4, 2)) == 4
    for fn, exc in [(lambda t: t.item(), RuntimeError), (lambda t: bool(t), RuntimeError)]:
        with pytest.raises(exc):
            fn(torch.zeros(2))
        with pytest.raises(exc):
            fn(jtorch.zeros(2))
    for fn in (len, iter):
        with pytest.raises(TypeError):
            fn(torch.tensor(1.0))
        with pytest.raises(TypeError):
            fn(jtorch.tensor(1.0))


def test_numpy_conversion():
    x = jtorch.tensor([[1.0, 2.0]])
    arr = x.numpy()
    assert arr.dtype == np.float32 and arr.tolist() == [[1.0, 2.0]]
    arr[0, 0] = 9  # a copy: writable, and the tensor is unchanged (see the README)
    assert x.tolist() == [[1.0, 2.0]]
    assert np.asarray(jtorch.arange(3)).tolist() == [0, 1, 2]
    with pytest.raises(RuntimeError, match="Can't call numpy\\(\\) on Tensor that requires grad"):
        jtorch.ones(2, requires_grad=True).numpy()


def _both(fn):
    return fn(jtorch), fn(torch)


REPR_CASES = [
    lambda m: m.tensor([1.0, 2.5, -3.0]),
    lambda m: m.tensor([[1, 2], [3, 4]]),
    lambda m: m.tensor([1, 2], dtype=m.int32),
    lambda m: m.tensor([True, False]),
    lambda m: m.tensor(3.25),
    lambda m: m.zeros(0, 3),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float64),
    lambda m: m.ones(2, 2, requires_grad=True),
    lambda m: m.ones(2, 2, requires_grad=True) * 2,
    lambda m: m.ones(3, requires_grad=True).sum(),
    lambda m: m.arange(2000.0),
    lambda m: m.tensor([1e-8, 1e6]),
    lambda m: m.tensor([1.0, 2.0], dtype=m.float16),
]


@pytest.mark.parametrize("case", range(len(REPR_CASES)))
def test_repr_matches_torch(case):
    jt, tt = _both(REPR_CASES[case])
    assert repr(jt) == repr(tt)
    assert str(jt) == str(tt)


def test_printoptions_are_torchs():
    jtorch.set_printoptions(precision=2)
    torch.set_printoptions(precision=2)
    try:
        assert repr(jtorch.tensor([1.23456])) == repr(torch.tensor([1.23456]))
    finally:
        jtorch.set_printoptions(profile="default")
        torch.set_printoptions(profile="default")


def test_format_of_zero_dim_tensor():
    assert f"{jtorch.tensor(0.5):.2f}" == f"{torch.tensor(0.5):.2f}" == "0.50"


def test_random_factories_shapes_dtypes_and_reproducibility():
    jtorch.manual_seed(3)
    a = jtorch.randn(2, 3)
    jtorch.manual_seed(3)
    b = jtorch.randn(2, 3)
    assert a.tolist() == b.tolist() and a.dtype is jtorch.float32 and a.shape == (2, 3)
    c = jtorch.rand(1000, dtype=jtorch.float64)
    assert c.dtype is jtorch.float64 and 0 <= c.min().item() and c.max().item() < 1
    assert abs(c.mean().item() - 0.5) < 0.05
    n = jtorch.randn(4000)
    assert abs(n.mean().item()) < 0.1 and abs(((n * n).mean().item()) - 1) < 0.1
    g = jtorch.Generator().manual_seed(5)
    assert jtorch.rand(3, generator=g).tolist() == \
        jtorch.rand(3, generator=jtorch.Generator().manual_seed(5)).tolist()
    state = jtorch.get_rng_state()
    first = jtorch.rand(2).tolist()
    jtorch.set_rng_state(state)
    assert jtorch.rand(2).tolist() == first
    with pytest.raises(RuntimeError):
        torch.rand(2, dtype=torch.int64)
    with pytest.raises(RuntimeError):
        jtorch.rand(2, dtype=jtorch.int64)


def test_factories_match_torch():
    cases = [
        lambda m: m.zeros(2, 3), lambda m: m.zeros((2, 3)), lambda m: m.ones([1, 2, 5]),
        lambda m: m.full((2,), 7), lambda m: m.full((2,), 7.0), lambda m: m.full((1,), True),
        lambda m: m.arange(5), lambda m: m.arange(1, 4, 0.5), lambda m: m.arange(0, 1, 0.25),
        lambda m: m.zeros_like(m.ones(2, dtype=m.int32)), lambda m: m.ones(2, dtype=m.float64),
        lambda m: m.empty(3).zero_(), lambda m: m.ones(2, 2).new_zeros(3),
        lambda m: m.Tensor([1, 2]), lambda m: m.Tensor(2, 3).zero_(),
    ]
    for case in cases:
        jt, tt = _both(case)
        assert repr(jt) == repr(tt)
