"""Random sampling against torch's documented laws, not its streams (jtorch has its own):
shapes, dtypes, ranges and moments of every sampler; same-seed reproducibility; generator
independence and state save/restore; torch's exception types for bad parameters."""

from __future__ import annotations

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

N = 20000  # samples for moment checks: standard errors ~1/sqrt(N) < 0.01


def values(t):
    return np.asarray(t.detach().numpy(), np.float64)


def close(value, target, tol):
    assert abs(value - target) < tol, (value, target)


# ---- factories: shapes, dtypes, ranges, moments ---------------------------------------------

@pytest.mark.parametrize("sizes", [((2, 3),), ([2, 3],), (jtorch.Size([2, 3]),)])
def test_randint_forms(sizes):
    a = jtorch.randint(5, *sizes)
    b = jtorch.randint(-3, 5, *sizes)
    c = jtorch.randint(low=1, high=3, size=sizes[0] if len(sizes) == 1 else sizes)
    for t in (a, b, c):
        assert t.dtype is jtorch.int64 and tuple(t.shape) == (2, 3)
    assert values(a).min() >= 0 and values(a).max() < 5
    assert values(b).min() >= -3 and values(b).max() < 5


def test_randint_law_and_dtypes():
    x = values(jtorch.randint(0, 10, (N,)))
    assert set(np.unique(x)) == set(range(10))
    close(x.mean(), 4.5, 0.1)
    f = jtorch.randint(3, (4,), dtype=jtorch.float32)
    assert f.dtype is jtorch.float32 and set(values(f)) <= {0.0, 1.0, 2.0}
    u = jtorch.randint(0, 256, (100,), dtype=jtorch.uint8)
    assert u.dtype is jtorch.uint8
    like = jtorch.randint_like(jtorch.zeros(2, 3, dtype=jtorch.float64), 1, 3)
    assert like.dtype is jtorch.float64 and set(values(like).ravel()) <= {1.0, 2.0}
    assert jtorch.randint_like(jtorch.zeros(4, dtype=jtorch.int32), 7).dtype is jtorch.int32


def test_randperm():
    p = jtorch.randperm(50)
    assert p.dtype is jtorch.int64 and sorted(p.tolist()) == list(range(50))
    assert jtorch.randperm(0).shape == (0,)
    assert jtorch.randperm(4, dtype=jtorch.float32).dtype is jtorch.float32
    firsts = [jtorch.randperm(5)[0].item() for _ in range(40)]
    assert len(set(firsts)) > 1


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_rand_randn_dtypes(dtype):
    d = getattr(jtorch, dtype)
    u, n = jtorch.rand(3, 4, dtype=d), jtorch.randn((3, 4), dtype=d)
    assert u.dtype is d and n.dtype is d and u.shape == n.shape == (3, 4)
    assert 0 <= u.float().min().item() and u.float().max().item() <= 1


def test_rand_randn_moments_and_like():
    u = values(jtorch.rand(N))
    close(u.mean(), 0.5, 0.02)
    close(u.var(), 1 / 12, 0.01)
    assert u.min() >= 0 and u.max() < 1
    n = values(jtorch.randn(N, dtype=jtorch.float64))
    close(n.mean(), 0.0, 0.03)
    close(n.std(), 1.0, 0.03)
    base = jtorch.zeros(5, 2, dtype=jtorch.float64)
    assert jtorch.rand_like(base).dtype is jtorch.float64
    assert jtorch.randn_like(base, dtype=jtorch.float32).dtype is jtorch.float32
    assert jtorch.rand_like(base).shape == (5, 2)
    c = jtorch.randn(N, dtype=jtorch.complex64)
    assert c.dtype is jtorch.complex64
    z = np.asarray(c.numpy())
    close(np.mean(np.abs(z) ** 2), 1.0, 0.05)  # torch: E|z|^2 = 1


def test_normal_all_forms():
    mean, std = jtorch.arange(1.0, 6.0), jtorch.full((5,), 0.5)
    assert jtorch.normal(mean, std).shape == (5,)
    assert jtorch.normal(mean).dtype is jtorch.float32
    assert jtorch.normal(0.5, jtorch.ones(3, dtype=jtorch.float64)).dtype is jtorch.float64
    assert jtorch.normal(2.0, 3.0, size=(1, 4)).shape == (1, 4)
    assert jtorch.normal(2, 3, (2,), dtype=jtorch.float64).dtype is jtorch.float64
    assert jtorch.normal(jtorch.zeros(2, 1), jtorch.ones(3)).shape == (2, 3)
    x = values(jtorch.normal(jtorch.full((N,), 3.0), jtorch.full((N,), 2.0)))
    close(x.mean(), 3.0, 0.1)
    close(x.std(), 2.0, 0.1)
    y = values(jtorch.normal(-1.0, 0.5, (N,)))
    close(y.mean(), -1.0, 0.03)
    close(y.std(), 0.5, 0.03)


def test_normal_gradients_are_zero_as_torch():
    for lib in (torch, jtorch):
        m = lib.zeros(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        out = lib.normal(m, s)
        assert type(out.grad_fn).__name__ == "NormalBackward3"
        out.sum().backward()
        assert m.grad.tolist() == [0.0] * 3 and s.grad.tolist() == [0.0] * 3
        assert type(lib.normal(m, 2.0).grad_fn).__name__ == "NormalBackward1"
        assert type(lib.normal(1.0, s).grad_fn).__name__ == "NormalBackward2"


def test_bernoulli_and_poisson():
    p = jtorch.full((N,), 0.3)
    b = values(jtorch.bernoulli(p))
    assert set(np.unique(b)) <= {0.0, 1.0}
    close(b.mean(), 0.3, 0.02)
    edges = jtorch.bernoulli(jtorch.tensor([0.0, 1.0] * 50, dtype=jtorch.float64))
    assert edges.dtype is jtorch.float64 and edges.tolist() == [0.0, 1.0] * 50
    scalar_p = values(jtorch.bernoulli(jtorch.zeros(N), p=0.75))
    close(scalar_p.mean(), 0.75, 0.02)
    assert jtorch.zeros(2, 3).bernoulli().shape == (2, 3)
    rates = jtorch.tensor([0.5, 4.0]).repeat(N // 2)
    x = values(jtorch.poisson(rates)).reshape(-1, 2)
    assert (x == np.round(x)).all() and x.min() >= 0
    close(x[:, 0].mean(), 0.5, 0.05)
    close(x[:, 1].mean(), 4.0, 0.1)
    close(x[:, 1].var(), 4.0, 0.3)
    prob = jtorch.full((3,), 0.5, requires_grad=True)
    assert type(jtorch.bernoulli(prob).grad_fn).__name__ == "BernoulliBackward0"


def test_multinomial():
    w = jtorch.tensor([1.0, 0.0, 3.0])
    draws = values(jtorch.multinomial(w, N, replacement=True))
    assert draws.dtype == np.float64 and set(np.unique(draws)) <= {0.0, 2.0}
    close((draws == 2).mean(), 0.75, 0.02)
    no_rep = jtorch.multinomial(jtorch.ones(2, 6), 6)
    assert no_rep.dtype is jtorch.int64 and no_rep.shape == (2, 6)
    assert [sorted(row) for row in no_rep.tolist()] == [list(range(6))] * 2
    picks = jtorch.multinomial(jtorch.tensor([0.0, 1.0, 0.0, 1.0]), 2)
    assert sorted(picks.tolist()) == [1, 3]
    first = values(jtorch.stack([jtorch.multinomial(jtorch.tensor([1.0, 9.0]), 1)
                                 for _ in range(300)]))
    close((first == 1).mean(), 0.9, 0.06)
    assert jtorch.multinomial(jtorch.ones(0, 3), 2).shape == (0, 2)


# ---- in-place samplers ----------------------------------------------------------------------

def test_inplace_samplers_moments():
    x = jtorch.empty(N, dtype=jtorch.float64)
    u = values(x.uniform_(-2, 4))
    assert u.min() >= -2 and u.max() < 4
    close(u.mean(), 1.0, 0.05)
    n = values(x.normal_(5, 2))
    close(n.mean(), 5.0, 0.1)
    close(n.std(), 2.0, 0.1)
    e = values(x.exponential_(4.0))
    assert e.min() >= 0
    close(e.mean(), 0.25, 0.02)
    g = values(x.geometric_(0.25))
    assert g.min() >= 1 and (g == np.round(g)).all()
    close(g.mean(), 4.0, 0.15)
    ln = values(x.log_normal_(0.0, 0.5))
    assert ln.min() > 0
    close(np.log(ln).mean(), 0.0, 0.03)
    close(np.log(ln).std(), 0.5, 0.03)
    c = values(x.cauchy_(1.0, 2.0))
    close(np.median(c), 1.0, 0.1)
    close(np.median(np.abs(c - 1.0)), 2.0, 0.15)  # the half-width of a Cauchy is sigma
    b = values(x.bernoulli_(0.2))
    close(b.mean(), 0.2, 0.02)
    b = values(x.bernoulli_(jtorch.full((N,), 0.6, dtype=jtorch.float64)))
    close(b.mean(), 0.6, 0.02)


@pytest.mark.parametrize("dtype,low,high", [("float32", 0, 2 ** 24), ("int64", 0, 2 ** 63 - 1),
                                            ("int32", 0, 2 ** 31 - 1), ("uint8", 0, 255),
                                            ("bool", 0, 1), ("int8", 0, 127)])
def test_random_default_range(dtype, low, high):
    x = getattr(jtorch, dtype)
    v = np.asarray(jtorch.zeros(2000, dtype=x).random_().numpy()).astype(np.float64)
    assert v.min() >= low and v.max() <= high
    assert v.max() > high / 4  # spread over the range, not clustered at 0


def test_random_to_and_from_to():
    x = jtorch.zeros(N, dtype=jtorch.int64)
    v = values(x.random_(5))
    assert set(np.unique(v)) == set(range(5))
    v = values(x.random_(-5, 5))
    assert v.min() == -5 and v.max() == 4
    f = values(jtorch.zeros(100).random_(3, 6))
    assert set(np.unique(f)) <= {3.0, 4.0, 5.0}
    b = jtorch.zeros(10, dtype=jtorch.int64).bernoulli_(0.5)
    assert b.dtype is jtorch.int64 and set(b.tolist()) <= {0, 1}
    assert jtorch.zeros(3, dtype=jtorch.int64).geometric_(0.5).dtype is jtorch.int64


def test_inplace_samplers_return_self_and_bump_version():
    x = jtorch.zeros(4)
    for fill in (lambda t: t.uniform_(), lambda t: t.normal_(), lambda t: t.random_(3),
                 lambda t: t.bernoulli_(), lambda t: t.exponential_(), lambda t: t.cauchy_(),
                 lambda t: t.log_normal_(), lambda t: t.geometric_(0.3)):
        before = x._version
        assert fill(x) is x and x._version == before + 1
    view = jtorch.zeros(2, 3)
    view[0].uniform_(1, 2)
    assert (values(view[0]) >= 1).all() and values(view[1]).tolist() == [0.0] * 3


def test_inplace_sampler_history_as_torch():
    for lib in (torch, jtorch):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            lib.ones(3, requires_grad=True).uniform_()
        for call, node in [("normal_()", "NormalBackward0"), ("random_()", "RandomBackward2"),
                           ("random_(5)", "RandomBackward1"),
                           ("random_(1, 5)", "RandomBackward0"),
                           ("bernoulli_(0.5)", "BernoulliBackward2"),
                           ("exponential_()", "ExponentialBackward0")]:
            x = lib.ones(3, requires_grad=True) * 2
            out = eval(f"x.{call}", {"x": x})
            assert type(out.grad_fn).__name__ == node, (lib.__name__, call)
        leaf = lib.ones(3, requires_grad=True)
        (leaf * 2).uniform_().sum().backward()
        assert leaf.grad.tolist() == [0.0] * 3
        with lib.no_grad():
            leaf.normal_()  # allowed without grad mode (nn.init)


# ---- seeds, generators, states --------------------------------------------------------------

def draw(**kwargs):
    return [jtorch.rand(3, **kwargs).tolist(), jtorch.randn(2, 2, **kwargs).tolist(),
            jtorch.randint(0, 100, (4,), **kwargs).tolist(), jtorch.randperm(6, **kwargs).tolist(),
            jtorch.normal(0.0, 1.0, (2,), **kwargs).tolist(),
            jtorch.bernoulli(jtorch.full((4,), 0.5), **kwargs).tolist(),
            jtorch.multinomial(jtorch.ones(5), 3, **kwargs).tolist(),
            jtorch.zeros(3).exponential_(**kwargs).tolist()]


def test_manual_seed_reproduces_every_sampler():
    jtorch.manual_seed(1234)
    first = draw()
    jtorch.manual_seed(1234)
    assert draw() == first
    jtorch.manual_seed(1235)
    assert draw() != first
    assert jtorch.initial_seed() == 1235


def test_generators_are_independent_of_the_global_one():
    g = jtorch.Generator().manual_seed(7)
    a = draw(generator=g)
    jtorch.manual_seed(0)
    jtorch.rand(10)  # global draws do not move g
    g2 = jtorch.Generator()
    assert g2.manual_seed(7) is g2
    jtorch.rand(10)
    assert draw(generator=g2) == a
    assert jtorch.initial_seed() == 0
    h = jtorch.Generator().manual_seed(7)
    before = jtorch.get_rng_state()
    draw(generator=h)
    assert jtorch.get_rng_state().tolist() == before.tolist()


def test_rng_state_save_restore():
    jtorch.manual_seed(3)
    state = jtorch.get_rng_state()
    assert state.dtype is jtorch.uint8 and state.ndim == 1
    first = draw()
    jtorch.set_rng_state(state)
    assert draw() == first
    g = jtorch.Generator().manual_seed(11)
    saved = g.get_state()
    a = jtorch.rand(4, generator=g).tolist()
    assert g.set_state(saved) is g
    assert jtorch.rand(4, generator=g).tolist() == a
    assert g.initial_seed() == 11


def test_seed_and_initial_seed():
    s = jtorch.seed()
    assert isinstance(s, int) and 0 <= s < 2 ** 64 and jtorch.initial_seed() == s
    assert jtorch.manual_seed(-1).initial_seed() == torch.manual_seed(-1).initial_seed()
    assert jtorch.Generator().initial_seed() == torch.Generator().initial_seed()
    assert jtorch.Generator().device == jtorch.device("cpu")
    torch.manual_seed(0)
    jtorch.manual_seed(0)


def test_under_compile_the_seed_reproduces():
    def step(x):
        return x + jtorch.rand(3)
    compiled = jtorch.compile(step)
    jtorch.manual_seed(5)
    a = compiled(jtorch.zeros(3)).tolist()
    jtorch.manual_seed(5)
    b = compiled(jtorch.zeros(3)).tolist()
    assert a == b and len(set(a)) == 3


# ---- torch's errors ---------------------------------------------------------------------------

ERRORS = [
    "randint(5, 5, (2,))", "randint(5, 3, (2,))", "randint(0, 300, (2,), dtype=lib.uint8)",
    "randint(3, (2,), dtype=lib.bool)", "randperm(-1)",
    "rand(2, dtype=lib.int64)", "randn(2, dtype=lib.int64)",
    "rand_like(lib.zeros(2, dtype=lib.int64))", "randn_like(lib.zeros(2, dtype=lib.int32))",
    "normal(lib.zeros(2), lib.ones(3))", "normal(lib.zeros(2), -1.0)",
    "normal(lib.zeros(2), -lib.ones(2))", "normal(lib.zeros(3, dtype=lib.int64), 1.0)",
    "normal(0.0, 1.0)", "normal(0.0, -1.0, (2,))",
    "bernoulli(lib.tensor([0.2, 1.5]))", "bernoulli(lib.tensor([0, 1]))",
    "bernoulli(lib.tensor([0.2, 0.5]), 2.0)",
    "multinomial(lib.tensor([0.2, 0.8]), 3)", "multinomial(lib.tensor([0.2, -0.8]), 1)",
    "multinomial(lib.tensor([0.0, 0.0]), 1)", "multinomial(lib.tensor([0.2, 0.8]), 0)",
    "multinomial(lib.zeros(2, 2, 2), 1)", "multinomial(lib.tensor(0.5), 1)",
    "multinomial(lib.tensor([1, 2]), 1)", "multinomial(lib.tensor([float('nan'), 1.0]), 1)",
    "poisson(lib.tensor([1, 2]))", "poisson(lib.tensor([-1.0, 2.0]))",
    "zeros(3).random_(2, 2)", "zeros(3).random_(3, 2)",
    "zeros(3, dtype=lib.uint8).random_(0, 300)", "zeros(3).bernoulli_(1.5)",
    "zeros(3).exponential_(0)", "zeros(3, dtype=lib.int64).exponential_()",
    "zeros(3).geometric_(0)", "zeros(3).geometric_(1.5)", "zeros(3).log_normal_(1, 0)",
    "zeros(3, dtype=lib.int64).log_normal_()", "zeros(3).cauchy_(0, 0)",
    "zeros(3, dtype=lib.int64).cauchy_()", "zeros(3).normal_(0, -1)",
    "zeros(3, dtype=lib.int64).normal_()", "zeros(3, dtype=lib.int64).uniform_()",
    "zeros(3).uniform_(2, 1)", "manual_seed(2 ** 64)", "manual_seed(-2 ** 63 - 1)",
    "set_rng_state(lib.zeros(3))", "set_rng_state(lib.zeros(3, dtype=lib.uint8))",
    "set_rng_state([1, 2])", "rand(2, generator=3)",
]


def raised(lib, expr):
    try:
        eval("lib." + expr, {"lib": lib})
    except Exception as e:  # noqa: BLE001  (the type and text are compared)
        return e
    return None


@pytest.mark.parametrize("expr", ERRORS)
def test_errors_match_torch(expr):
    expected, actual = raised(torch, expr), raised(jtorch, expr)
    assert expected is not None, "torch did not raise: fix the case"
    assert type(actual) is type(expected), (actual, expected)
    if "state" not in expr and "generator" not in expr and "normal(0.0, 1.0)" not in expr:
        assert str(actual).split("\n")[0] == str(expected).split("\n")[0]
