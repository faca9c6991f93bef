"""Differential tests: jtorch._printing.tensor_repr against real ``repr(torch_tensor)``."""

import zlib

import numpy as np
import pytest

from jtorch import _printing

torch = pytest.importorskip("torch")

FLOAT_DTYPES = ["float16", "bfloat16", "float32", "float64"]
COMPLEX_DTYPES = ["complex64", "complex128"]
INT_DTYPES = ["int8", "int16", "int32", "int64", "uint8"]
ALL_DTYPES = FLOAT_DTYPES + COMPLEX_DTYPES + INT_DTYPES + ["bool"]

SHAPES = [
    (),
    (1,),
    (5,),
    (2, 3),
    (2, 3, 4),
    (0,),
    (0, 3),
    (2, 0, 3),
    (1, 1, 1),
    (2000,),
    (40, 40),
    (3, 200, 5),
    (2, 1, 2, 3),
]

KINDS = {
    "float": ["normal", "intlike", "wide", "tiny", "huge", "special", "negative"],
    "complex": ["normal", "intlike", "wide", "special"],
    "int": ["small", "big"],
    "bool": ["bool"],
}

SPECIALS = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0])


def kind_family(dtype_name):
    if dtype_name in FLOAT_DTYPES:
        return "float"
    if dtype_name in COMPLEX_DTYPES:
        return "complex"
    if dtype_name in INT_DTYPES:
        return "int"
    return "bool"


def rng_for(*key):
    """A numpy RNG seeded deterministically from the case description."""
    return np.random.default_rng(zlib.crc32(repr(key).encode()))


def real_values(rng, kind, shape):
    """float64 values of one of the float value kinds."""
    vals = _real_values(rng, kind, shape)
    return np.asarray(vals, dtype=np.float64).reshape(shape)


def _real_values(rng, kind, shape):
    if kind == "normal":
        return rng.standard_normal(shape)
    if kind == "intlike":
        return rng.integers(-100, 100, shape).astype(np.float64)
    if kind == "wide":  # spans many decades: sci mode
        return rng.choice([-1.0, 1.0], shape) * 10.0 ** rng.uniform(-6, 10, shape)
    if kind == "tiny":
        return rng.standard_normal(shape) * 1e-6
    if kind == "huge":
        return rng.standard_normal(shape) * 1e9
    if kind == "negative":
        return -rng.uniform(0.5, 30.0, shape)
    if kind == "special":
        vals = np.asarray(rng.standard_normal(shape) * 10)
        mask = rng.random(shape) < 0.4
        vals[mask] = rng.choice(SPECIALS, int(np.count_nonzero(mask)))
        return vals
    raise AssertionError(kind)


def make_values(dtype_name, shape, kind, seed_key=()):
    """numpy values (float64 / complex128 / int64 / bool) for a test case."""
    rng = rng_for(dtype_name, shape, kind, seed_key)
    family = kind_family(dtype_name)
    if family == "float":
        return real_values(rng, kind, shape)
    if family == "complex":
        return make_complex(real_values(rng, kind, shape), real_values(rng, kind, shape))
    if family == "int":
        info = np.iinfo(np.dtype(dtype_name))
        if kind == "small":
            lo, hi = max(info.min, -50), min(info.max, 50)
        else:
            lo, hi = info.min, info.max
        return rng.integers(lo, hi, shape, endpoint=True, dtype=np.int64)
    return rng.random(shape) < 0.5


def make_complex(real, imag):
    """real + 1j*imag without the nan that inf * 1j would produce."""
    out = np.empty(np.shape(real), np.complex128)
    out.real = real
    out.imag = imag
    return out


def to_torch(values, dtype_name):
    return torch.from_numpy(np.array(values)).to(getattr(torch, dtype_name))


def to_numpy(t):
    """What the Tensor class hands to tensor_repr (bfloat16 as float32)."""
    t = t.detach()
    if t.dtype == torch.bfloat16:
        t = t.float()
    return t.numpy()


def ours(t, **kwargs):
    default = str(torch.get_default_dtype()).removeprefix("torch.")
    return _printing.tensor_repr(
        to_numpy(t),
        dtype_name=str(t.dtype).removeprefix("torch."),
        default_dtype_name=default,
        **kwargs,
    )


def assert_same(t, **kwargs):
    expected = repr(t)
    got = ours(t, **kwargs)
    assert got == expected, f"\nexpected:\n{expected}\ngot:\n{got}"


@pytest.fixture(autouse=True)
def _reset_printoptions():
    """Both sides start and end every test with the default print options."""
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    _printing.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)


def set_both(**options):
    torch.set_printoptions(**options)
    _printing.set_printoptions(**options)


# ---------------------------------------------------------------------------
# The big grid: every dtype x shape x value kind, default options
# ---------------------------------------------------------------------------

GRID = [
    (dtype, shape, kind)
    for dtype in ALL_DTYPES
    for kind in KINDS[kind_family(dtype)]
    for shape in SHAPES
]


@pytest.mark.parametrize(("dtype", "shape", "kind"), GRID, ids=str)
def test_grid(dtype, shape, kind):
    assert_same(to_torch(make_values(dtype, shape, kind), dtype))


# ---------------------------------------------------------------------------
# Hand-picked values around the formatter's decision boundaries
# ---------------------------------------------------------------------------

HANDPICKED = [
    [np.nan],
    [np.inf, -np.inf],
    [-0.0],
    [0.0, -0.0],
    [0.0, 0.0, 0.0],
    [np.nan, 1.5],
    [np.nan, 2.0, -3.0],
    [-np.inf, 1e-5],
    [1e-4, 1.0],
    [9.9e-5, 1.0],
    [1.0, 1000.0],
    [1.0, 1000.5],
    [1.0, 1001.0],
    [1e8],
    [1.0000001e8],
    [123456789.0],
    [1e8, 1.0],
    [0.5, 1.0, 2.0],
    [1.0, 2.0, 3.0],
    [-1.0, 2.0, -3.0],
    [1e-20, 1e20],
    [1e-300, 1e300],
    [3.14159265, -2.71828, 1e-3],
    [0.99995, 0.00005],
    [65504.0, -65504.0],
    [1.0 / 3.0, 2.0 / 3.0],
    [12345.678, -0.001],
    [5e-324, 1.0],
    [-0.0, 1.0, np.nan],
]


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + COMPLEX_DTYPES)
@pytest.mark.parametrize("vals", HANDPICKED, ids=str)
def test_handpicked_vectors(vals, dtype):
    values = np.array(vals)
    if dtype in COMPLEX_DTYPES:
        values = make_complex(values, values[::-1])
    assert_same(to_torch(values, dtype))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("value", [0.0, -0.0, 1.0, -2.5, 1e-7, 3e9, np.nan, np.inf, 7.0, 1e5])
def test_scalars(value, dtype):
    if dtype in INT_DTYPES + ["bool"] and not np.isfinite(value):
        value = 3.0
    if dtype == "uint8":
        value = abs(value)
    values = np.array(value)
    if dtype in COMPLEX_DTYPES:
        values = make_complex(values, -0.5 * values)
    assert_same(to_torch(values, dtype))


@pytest.mark.parametrize(
    "values",
    [
        np.array([[1 + 1j, np.nan + 0j], [complex(0, -0.0), complex(np.inf, -np.inf)]]),
        np.array([complex(-0.0, -0.0), complex(0.0, 0.0)]),
        np.array([1e-6 + 1e6j, 2 + 3j]),
        np.array([1.5 - 2j, -1.5 + 2j]),
        np.array([1j, 2j]),
    ],
    ids=str,
)
@pytest.mark.parametrize("dtype", COMPLEX_DTYPES)
def test_complex_special(values, dtype):
    assert_same(to_torch(values, dtype))


@pytest.mark.parametrize("dtype", INT_DTYPES + ["bool"])
def test_integer_extremes(dtype):
    if dtype == "bool":
        values = np.array([True, False, True])
    else:
        info = np.iinfo(np.dtype(dtype))
        values = np.array([info.min, info.max, 0, -1 if info.min < 0 else 1])
    assert_same(to_torch(values, dtype))


# ---------------------------------------------------------------------------
# Print options
# ---------------------------------------------------------------------------

OPTION_SETS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8, "sci_mode": True},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 5},
    {"edgeitems": 1},
    {"edgeitems": 0},
    {"linewidth": 40},
    {"linewidth": 20, "threshold": 20, "edgeitems": 2},
    {"profile": "full"},
    {"profile": "short"},
    {"profile": "full", "linewidth": 120},
]
OPTION_DTYPES = ["float32", "float64", "bfloat16", "float16", "complex64", "int64", "bool"]
OPTION_SHAPES = [(), (7,), (2, 3, 4), (0, 3), (40, 40), (2000,), (6, 12)]


def mismatch(t, **kwargs):
    """None when both sides agree, else a readable description of the difference."""
    expected = repr(t)
    got = ours(t, **kwargs)
    if got == expected:
        return None
    return f"expected:\n{expected}\ngot:\n{got}"


@pytest.mark.parametrize("dtype", OPTION_DTYPES)
@pytest.mark.parametrize("options", OPTION_SETS, ids=str)
def test_printoptions(options, dtype):
    """Every shape and the first value kinds of ``dtype`` under one option set."""
    set_both(**options)
    failures = []
    checked = 0
    for kind in KINDS[kind_family(dtype)][:3]:
        for shape in OPTION_SHAPES:
            if options.get("profile") == "full" and np.prod(shape) > 1600 and kind != "normal":
                continue
            t = to_torch(make_values(dtype, shape, kind, seed_key="opts"), dtype)
            problem = mismatch(t)
            checked += 1
            if problem:
                failures.append(f"{shape} {kind}\n{problem}")
    assert checked > 0
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("options", OPTION_SETS, ids=str)
def test_get_printoptions_matches_torch(options):
    set_both(**options)
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    # sci_mode is reset whenever it is not passed, exactly like torch.
    set_both(sci_mode=True)
    set_both(precision=3)
    assert _printing.get_printoptions() == torch._tensor_str.get_printoptions()
    assert _printing.get_printoptions()["sci_mode"] is None


def test_printoptions_context_manager_restores():
    set_both(precision=6, linewidth=50)
    before = _printing.get_printoptions()
    with _printing.printoptions(precision=1, threshold=3):
        assert _printing.get_printoptions()["precision"] == 1
        torch.set_printoptions(precision=1, threshold=3)
        assert_same(torch.arange(10.0) / 3)
    assert _printing.get_printoptions() == before


# ---------------------------------------------------------------------------
# Default dtype float64
# ---------------------------------------------------------------------------

DEFAULT64_CASES = [
    (dtype, shape)
    for dtype in ["float32", "float64", "complex64", "complex128", "int64", "int32", "bool"]
    for shape in [(), (3,), (0,), (0, 2), (2, 2)]
]


@pytest.mark.parametrize(("dtype", "shape"), DEFAULT64_CASES, ids=str)
def test_default_dtype_float64(dtype, shape):
    torch.set_default_dtype(torch.float64)
    family = kind_family(dtype)
    t = to_torch(make_values(dtype, shape, KINDS[family][0]), dtype)
    assert_same(t)


# ---------------------------------------------------------------------------
# Suffixes: requires_grad, grad_fn, Parameter, device, and their wrapping
# ---------------------------------------------------------------------------

GRAD_DTYPES = ["float32", "float64", "bfloat16", "float16", "complex64"]
SUFFIX_SHAPES = [(), (3,), (0,), (0, 3), (2, 3), (40, 40)]


@pytest.mark.parametrize("dtype", GRAD_DTYPES)
@pytest.mark.parametrize("shape", SUFFIX_SHAPES, ids=str)
def test_requires_grad_leaf(dtype, shape):
    t = to_torch(make_values(dtype, shape, "normal"), dtype).requires_grad_()
    assert_same(t, requires_grad=True)


@pytest.mark.parametrize("dtype", GRAD_DTYPES)
@pytest.mark.parametrize("shape", SUFFIX_SHAPES, ids=str)
def test_grad_fn(dtype, shape):
    leaf = to_torch(make_values(dtype, shape, "normal"), dtype).requires_grad_()
    out = leaf * 1
    assert type(out.grad_fn).__name__ == "MulBackward0"
    assert_same(out, requires_grad=True, grad_fn_name="MulBackward0")


def test_grad_fn_scalar_sum():
    out = torch.arange(6.0, requires_grad=True).sum()
    assert_same(out, requires_grad=True, grad_fn_name=type(out.grad_fn).__name__)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", [(), (4,), (0,), (2, 3)], ids=str)
def test_parameter(dtype, shape):
    family = kind_family(dtype)
    t = to_torch(make_values(dtype, shape, KINDS[family][0]), dtype)
    grad = family in ("float", "complex")
    param = torch.nn.Parameter(t, requires_grad=grad)
    assert_same(param, requires_grad=grad, is_parameter=True)


# Vectors of growing length whose last line ends at every column around the
# linewidth, so that each suffix hits both branches of the wrapping rule.
WRAP_CASES = [
    ("float32", "plain"),
    ("float64", "plain"),
    ("int16", "plain"),
    ("complex64", "plain"),
    ("float32", "grad"),
    ("float64", "grad"),
    ("float16", "grad"),
    ("complex128", "grad"),
]


@pytest.mark.parametrize(("dtype", "variant"), WRAP_CASES, ids=str)
def test_suffix_wrapping(dtype, variant):
    failures = []
    for n in range(1, 40):
        family = kind_family(dtype)
        t = to_torch(make_values(dtype, (n,), KINDS[family][0], seed_key="wrap"), dtype)
        if variant == "grad":
            problem = mismatch(t.requires_grad_() * 1, grad_fn_name="MulBackward0")
        else:
            problem = mismatch(t)
        if problem:
            failures.append(f"n={n}\n{problem}")
    assert not failures, "\n\n".join(failures)


@pytest.fixture
def cpu_is_not_default(monkeypatch):
    """Make torch believe the default device is CUDA, so CPU tensors show device='cpu'."""
    monkeypatch.setattr(torch._C, "_get_default_device", lambda: "cuda")


DEVICE_CASES = [
    (dtype, shape, grad)
    for dtype in ["float32", "float64", "int32", "bool"]
    for shape in [(), (3,), (0,), (0, 3), (2, 3), (40, 40), (6, 12), (11,)]
    for grad in [False, True]
    if not (grad and dtype in ("int32", "bool"))
]


@pytest.mark.parametrize(("dtype", "shape", "grad"), DEVICE_CASES, ids=str)
def test_device_suffix(cpu_is_not_default, dtype, shape, grad):
    family = kind_family(dtype)
    t = to_torch(make_values(dtype, shape, KINDS[family][0], seed_key="dev"), dtype)
    if grad:
        t.requires_grad_()
    assert_same(t, device="cpu", requires_grad=grad)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({}, "tensor([1., 2.], device='cuda:0')"),
        ({"dtype_name": "float64"}, "tensor([1., 2.], device='cuda:0', dtype=torch.float64)"),
        (
            {"requires_grad": True},
            "tensor([1., 2.], device='cuda:0', requires_grad=True)",
        ),
        (
            {"grad_fn_name": "AddBackward0", "requires_grad": True},
            "tensor([1., 2.], device='cuda:0', grad_fn=<AddBackward0>)",
        ),
        (
            {"is_parameter": True, "requires_grad": True},
            "Parameter containing:\ntensor([1., 2.], device='cuda:0', requires_grad=True)",
        ),
    ],
    ids=str,
)
def test_device_string_cuda(kwargs, expected):
    kwargs = {"dtype_name": "float32", **kwargs}
    got = _printing.tensor_repr(np.array([1.0, 2.0]), device="cuda:0", **kwargs)
    assert got == expected


def test_empty_with_device_string():
    got = _printing.tensor_repr(np.zeros((0, 3), np.int64), dtype_name="int64", device="cuda:1")
    assert got == "tensor([], device='cuda:1', size=(0, 3), dtype=torch.int64)"


def test_unknown_dtype_rejected():
    with pytest.raises(ValueError):
        _printing.tensor_repr(np.zeros(2), dtype_name="float8")


# ---------------------------------------------------------------------------
# End to end: repr of jtorch tensors under jtorch.set_printoptions, against torch
# ---------------------------------------------------------------------------

E2E_CASES = [
    "lib.arange(2000.0)", "lib.arange(3000).reshape(30, 100)", "lib.ones(40, 40) / 3",
    "lib.tensor([1e-8, 1.0, 1e6])", "lib.tensor([0.1, 123456.0])", "lib.tensor([1, -20, 300])",
    "lib.tensor([True, False])", "lib.tensor([1 + 2j, -0.5j])", "lib.tensor(2.5)",
    "lib.tensor(7)", "lib.zeros(0)", "lib.zeros(2, 0)", "lib.zeros(0, dtype=lib.int64)",
    "lib.tensor([1.5, 2.5], dtype=lib.float64)", "lib.tensor([1, 2], dtype=lib.int32)",
    "lib.tensor([1.5, 2.0], dtype=lib.float16)", "lib.ones(2, 3, requires_grad=True)",
    "lib.ones(2, 3, requires_grad=True) * 2", "lib.linspace(0, 1, 7, requires_grad=True).sum()",
    "lib.tensor([[1.0, float('nan')], [float('inf'), -2.0]])", "lib.eye(3, dtype=lib.int64)",
    "lib.arange(24.0).reshape(2, 3, 4) * 1.5", "lib.logspace(-10, 10, 5)",
]
E2E_OPTIONS = [
    {}, {"precision": 2}, {"precision": 8}, {"threshold": 5}, {"threshold": 5, "edgeitems": 1},
    {"linewidth": 30}, {"sci_mode": True}, {"sci_mode": False}, {"profile": "short"},
    {"profile": "full"}, {"profile": "default"},
]


@pytest.mark.parametrize("options", E2E_OPTIONS, ids=str)
def test_jtorch_tensor_repr_under_options(options):
    import jtorch

    torch.set_printoptions(**options)
    jtorch.set_printoptions(**options)
    failures = []
    for expr in E2E_CASES:
        expected = repr(eval(expr, {"lib": torch}))
        got = repr(eval(expr, {"lib": jtorch}))
        if got != expected:
            failures.append(f"{expr}\nexpected:\n{expected}\ngot:\n{got}")
    assert jtorch.get_printoptions() == torch._tensor_str.get_printoptions()
    assert not failures, "\n\n".join(failures)
