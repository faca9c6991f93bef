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


# ---- dtype utilities ------------------------------------------------------------------------

FINFO_DTYPES = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("name", FINFO_DTYPES)
def test_finfo_matches_torch(name):
    jf, tf = jtorch.finfo(jt_dtype(name)), torch.finfo(t_dtype(name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(jf, attr) == getattr(tf, attr), attr
    assert repr(jf) == repr(tf)


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo_matches_torch(name):
    ji, ti = jtorch.iinfo(jt_dtype(name)), torch.iinfo(t_dtype(name))
    assert (ji.bits, ji.max, ji.min, ji.dtype) == (ti.bits, ti.max, ti.min, ti.dtype)
    assert repr(ji) == repr(ti)


def test_finfo_iinfo_defaults_and_errors():
    assert jtorch.finfo().dtype == torch.finfo().dtype == "float32"
    assert jtorch.finfo(jtorch.float32) == jtorch.finfo(jtorch.float32)
    for fn, arg in [("finfo", "int32"), ("iinfo", "float32"), ("iinfo", "bool")]:
        with pytest.raises(TypeError) as theirs:
            getattr(torch, fn)(t_dtype(arg))
        with pytest.raises(TypeError) as ours:
            getattr(jtorch, fn)(jt_dtype(arg))
        assert str(ours.value) == str(theirs.value)


def test_typename_and_predicates():
    for make in (lambda m: m.zeros(2), lambda m: m.zeros(2, dtype=m.int64),
                 lambda m: m.zeros(2, dtype=m.bool), lambda m: 3, lambda m: np.zeros(2),
                 lambda m: [1]):
        assert jtorch.typename(make(jtorch)) == torch.typename(make(torch))
    assert jtorch.typename(jtorch.nn.Linear(2, 2)) == "torch.nn.modules.linear.Linear"
    for name in ("is_complex", "is_floating_point", "numel"):
        with pytest.raises(TypeError, match="must be Tensor, not int"):
            getattr(jtorch, name)(3)
    assert jtorch.is_complex(jtorch.zeros(2, dtype=jtorch.complex64))
    assert not jtorch.is_complex(jtorch.zeros(2)) and jtorch.is_tensor(jtorch.zeros(1))
    assert not jtorch.is_tensor(3) and jtorch.numel(jtorch.zeros(2, 3)) == 6
    assert jtorch.is_nonzero(jtorch.tensor([1])) and not jtorch.is_nonzero(jtorch.tensor(0.0))
    for bad in ([1, 2], []):
        with pytest.raises(RuntimeError):
            torch.is_nonzero(torch.tensor(bad))
        with pytest.raises(RuntimeError):
            jtorch.is_nonzero(jtorch.tensor(bad))


@pytest.mark.parametrize("dtype", DTYPE_NAMES)
def test_sizes_in_bytes(dtype):
    jt, tt = jtorch.zeros(2, 3, dtype=jt_dtype(dtype)), torch.zeros(2, 3, dtype=t_dtype(dtype))
    assert (jt.itemsize, jt.nbytes, jt.element_size(), jt.nelement(), jt.numel()) == \
        (tt.itemsize, tt.nbytes, tt.element_size(), tt.nelement(), tt.numel())
    assert (jt.is_floating_point(), jt.is_complex()) == (tt.is_floating_point(), tt.is_complex())


TO_FORMS = [
    "x.to(lib.float64)", "x.to(lib.float64, True, True)", "x.to('cpu', lib.float64, False, True)",
    "x.to(lib.zeros(1, dtype=lib.int32), non_blocking=True, copy=True)",
    "x.to(lib.zeros(1), copy=True) is x", "x.to(lib.zeros(1)) is x", "x.to(float)", "x.to(int)",
    "x.to(dtype=lib.float32, copy=True) is x", "x.to(device='cpu', dtype=lib.float32) is x",
    "x.to() is x", "x.to('cpu') is x", "x.to(lib.device('cpu'), non_blocking=True) is x",
    "x.to(lib.float16).to(lib.float32)", "x.to(lib.int8, copy=False)",
    "x.to(foo=1)", "x.to(lib.float64, lib.float32)", "x.double() is x", "x.float() is x",
    "x.type(lib.DoubleTensor)", "x.type('torch.IntTensor')", "x.type(lib.FloatTensor) is x",
    "x.type(lib.int64)", "x.type('torch.Foo')", "x.type('float')", "x.type()",
    "x.long().type()", "x.bool().type()", "x.cfloat().type()", "x.bfloat16().type()",
    "x.half().type()", "x.char().type()", "x.byte().type()", "x.short().type()",
]


@pytest.mark.parametrize("form", TO_FORMS)
def test_to_and_type_forms(form):
    def run(lib):
        x = lib.tensor([[1.5, -2.0, 3.0]])
        try:
            out = eval(form, {"lib": lib, "x": x})
        except Exception as e:  # noqa: BLE001
            return type(e).__name__
        if isinstance(out, (lib.Tensor,)):
            return str(out.dtype), out.tolist(), out.requires_grad
        return out
    assert run(jtorch) == run(torch)


def test_to_keeps_autograd():
    for lib in (torch, jtorch):
        x = lib.ones(2, requires_grad=True)
        y = x.to(lib.float64)
        assert type(y.grad_fn).__name__ == "ToCopyBackward0"
        y.sum().backward()
        assert x.grad.dtype == lib.float32 and x.grad.tolist() == [1.0, 1.0]


# ---- legacy constructors and Variable --------------------------------------------------------

LEGACY = [
    "lib.FloatTensor(2, 3).zero_()", "lib.FloatTensor([1, 2])", "lib.LongTensor([1, 2])",
    "lib.LongTensor([1.7, 2])", "lib.DoubleTensor([[1, 2]])", "lib.IntTensor(2).zero_()",
    "lib.ByteTensor([1, 2])", "lib.BoolTensor([1, 0])", "lib.HalfTensor([1, 0])",
    "lib.FloatTensor()", "lib.FloatTensor(lib.Size([2])).zero_()", "lib.FloatTensor((2, 3))",
    "lib.FloatTensor(np.array([1, 2]))", "lib.FloatTensor(lib.tensor([1., 2.]))",
    "lib.FloatTensor(lib.tensor([1, 2]))", "lib.FloatTensor(2, 3.0)", "lib.FloatTensor(2.0)",
    "lib.FloatTensor([1, 2], dtype=lib.float64)", "lib.Tensor([1, 2])", "lib.Tensor(2).zero_()",
    "lib.Tensor(np.array([1, 2]))", "lib.Tensor()", "lib.LongTensor(3).zero_()",
    "isinstance(lib.zeros(2), lib.FloatTensor)", "isinstance(lib.zeros(2), lib.LongTensor)",
    "isinstance(lib.zeros(2, dtype=lib.int64), lib.LongTensor)", "repr(lib.FloatTensor)",
    "lib.FloatTensor.dtype", "lib.autograd.Variable(lib.ones(2), requires_grad=True)",
    "lib.autograd.Variable(lib.ones(2)).requires_grad",
]


@pytest.mark.parametrize("expr", LEGACY)
def test_legacy_constructors(expr):
    def run(lib):
        try:
            out = eval(expr, {"lib": lib, "np": np})
        except Exception as e:  # noqa: BLE001
            return type(e).__name__
        return repr(out)
    assert run(jtorch) == run(torch)


# ---- default dtype --------------------------------------------------------------------------

DEFAULT_DTYPE_CASES = [
    "lib.tensor([1.0])", "lib.tensor([1, 2])", "lib.tensor(1 + 2j)", "lib.zeros(2)",
    "lib.arange(0.0, 1.0, 0.25)", "lib.arange(3)", "lib.linspace(0, 1, 3)", "lib.eye(2)",
    "lib.full((2,), 1.5)", "lib.rand(2).dtype", "lib.randn(2).dtype", "lib.finfo().dtype",
    "lib.Tensor([1])", "lib.tensor([1, 2]) / 2", "lib.ones(2, dtype=lib.float32)",
    "lib.tensor(np.float32(1.5))", "lib.scalar_tensor(2)", "lib.logspace(0, 1, 2)",
]


@pytest.mark.parametrize("expr", DEFAULT_DTYPE_CASES)
def test_float64_default_dtype(expr):
    outs = []
    for lib in (jtorch, torch):
        lib.set_default_dtype(lib.float64)
        try:
            assert lib.get_default_dtype() == lib.float64
            outs.append(repr(eval(expr, {"lib": lib, "np": np})))
        finally:
            lib.set_default_dtype(lib.float32)
    assert outs[0] == outs[1]


# ---- the seed programs' creation, conversion and printing snippets ---------------------------

def seed_snippets(lib):
    """Snippets of seeds 001 and 002 (Chinese PyTorch notes), printed as they print them."""
    out = []
    a = lib.tensor([12.0, 11], requires_grad=True)
    b = a.data.numpy()
    out += [repr(a), repr(b.tolist()), str(b.dtype)]
    x = lib.ones(2, 2, requires_grad=True)
    r = lib.randn(2, 2)
    r.requires_grad_(True)
    out += [repr(x), r.requires_grad, r.shape]
    out += [repr(lib.linspace(1, 10, 10)), repr(lib.linspace(10, 1, 10)), repr(lib.eye(3)),
            repr(lib.eye(2, 3)), repr(lib.logspace(0, 2, 3)), repr(lib.arange(0, 5, 2)),
            repr(lib.zeros(2, 3)), repr(lib.ones(2, 3)),
            repr(lib.from_numpy(np.array([[1, -1], [-1, 1]]))),
            repr(lib.tensor([[1, -1], [-1, 1]])), repr(lib.tensor(np.array([[1, -1], [-1, 1]]))),
            repr(lib.zeros([2, 2])), repr(lib.ones([1, 2, 5]))]
    p = lib.randperm(5)
    out += [p.dtype, sorted(p.tolist()), lib.rand(2, 3).shape, lib.randn(2, 3).shape]
    n = lib.normal(lib.arange(1.0, 6.0), lib.arange(1, 0, -0.2))
    out += [n.shape, n.dtype, lib.zeros(3).uniform_(2, 5).shape]
    double_points = lib.ones(10, 2, dtype=lib.double)
    short_points = lib.tensor([[1, 2], [3, 4]], dtype=lib.short)
    out += [double_points.dtype, short_points.dtype, repr(short_points),
            lib.zeros(10, 2).double().dtype, lib.ones(10, 2).short().dtype,
            lib.zeros(10, 2).to(lib.double).dtype, lib.ones(10, 2).to(dtype=lib.short).dtype,
            repr(lib.zeros(2, 2).to("cpu")), lib.cuda.is_available()]
    y = lib.tensor([[4.0, 1.5], [5.0, 3.0], [2.0, 1.0]])
    out += [repr(y[0, 1]), repr(y[:, -1]), repr(y[:, :-1])]
    g = lib.tensor([[1.0, 0.0], [-1.0, 1.0]], requires_grad=True)
    z = g.pow(2).sum()
    z.backward()
    out += [repr(g.grad), repr(z)]
    d = lib.linspace(1, 10, 10)
    out += [repr(d.view(2, 5)), repr(lib.equal(lib.Tensor([1, 2]), lib.Tensor([1, 2])))]
    return [str(o) for o in out]


def test_seed_snippets_behave_as_torch():
    assert seed_snippets(jtorch) == seed_snippets(torch)


def test_cuda_legacy_types_without_an_accelerator():
    if jtorch.cuda.is_available():
        pytest.skip("an accelerator is visible to JAX")
    for lib in (torch, jtorch):
        with pytest.raises(TypeError, match="type torch.cuda.FloatTensor not available"):
            lib.cuda.FloatTensor([1])
        assert not isinstance(lib.zeros(2), lib.cuda.FloatTensor)


@pytest.mark.parametrize("factory", ["tensor", "as_tensor", "asarray", "from_numpy", "Tensor",
                                     "FloatTensor"])
def test_numpy_data_is_copied_not_aliased(factory):
    """A tensor never sees later writes into the numpy array it was made from (JAX's CPU
    device_put can alias aligned buffers; jtorch copies, see the README's notes)."""
    for _ in range(8):  # several allocations: aliasing depends on the buffer's alignment
        a = np.zeros((64, 64), np.float32)
        t = getattr(jtorch, factory)(a)
        a[0, 0] = 5.0
        assert t[0, 0].item() == 0.0
