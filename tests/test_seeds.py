"""Tensor and autograd snippets from the seed notes (../shared/seeds/001 and 002), run
unchanged with `torch` bound to real torch and to jtorch; their printed output must match."""

import contextlib
import io
import textwrap

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

SNIPPETS = {
    "001 tensor and numpy": """
        a = torch.tensor([12.0, 11], requires_grad=True)
        b = a.data.numpy()
        print(b, b.dtype)
    """,
    "001 autograd requires_grad_": """
        x = torch.ones(2, 2, requires_grad=True)
        a = torch.randn(2, 2)
        a.requires_grad_(True)
        print(a.requires_grad, x.requires_grad, x.is_leaf, x.grad_fn)
    """,
    "001 60-minute blitz autograd": """
        x = torch.ones(2, 2, requires_grad=True)
        y = x + 2
        print(y)
        print(y.grad_fn.name())
        z = y * y * 3
        out = z.mean()
        print(z, out)
        out.backward()
        print(x.grad)
        x.grad.data.zero_()
        print(x.grad)
        with torch.no_grad():
            print((x ** 2).requires_grad)
        print(x.detach().requires_grad)
    """,
    "002 creating tensors": """
        x = torch.tensor([[1, -1], [-1, 1]])
        print(x)
        x = torch.tensor(np.array([[1, -1], [-1, 1]]))
        print(x)
        x = torch.from_numpy(np.array([[1, -1], [-1, 1]]))
        print(x)
        x = torch.zeros([2, 2])
        y = torch.ones([1, 2, 5])
        print(x)
        print(y)
    """,
    "002 indexing": """
        y = torch.tensor([[4.0, 1.5], [5.0, 3.0], [2.0, 1.0]])
        print(y[0, 1])
        print(y[0], y[:, 1], y.shape)
    """,
    "002 shape ops": """
        x = torch.zeros([2, 3])
        print(x.shape)
        x = x.transpose(0, 1)
        print(x.shape)
        x = torch.zeros([1, 2, 3])
        x = x.squeeze(0)
        print(x.shape)
        x = torch.zeros([1, 2, 3])
        x = x.squeeze(1)
        print(x.shape)
        x = torch.zeros([2, 3])
        x = x.unsqueeze(1)
        print(x.shape)
        x = torch.zeros([2, 1, 3])
        y = torch.zeros([2, 3, 3])
        z = torch.zeros([2, 2, 3])
        w = torch.cat([x, y, z], dim=1)
        print(w.shape)
    """,
    "002 dtypes": """
        double_points = torch.ones(10, 2, dtype=torch.double)
        short_points = torch.tensor([[1, 2], [3, 4]], dtype=torch.short)
        print(short_points.dtype, double_points.dtype)
        double_points = torch.zeros(10, 2).double()
        short_points = torch.ones(10, 2).short()
        print(double_points.dtype, short_points.dtype)
        double_points = torch.zeros(10, 2).to(torch.double)
        short_points = torch.ones(10, 2).to(dtype=torch.short)
        print(double_points.dtype, short_points.dtype, short_points[:2])
        print((torch.ones(2, dtype=torch.short) * 2.5).dtype)
    """,
    "002 device": """
        x = torch.zeros(2)
        x = x.to('cpu')
        print(x.device, torch.cuda.is_available())
        device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
        print(torch.ones(2).to(device))
    """,
    "002 gradient calculation": """
        x = torch.tensor([[1., 0.], [-1., 1.]], requires_grad=True)
        z = x.pow(2).sum()
        z.backward()
        print(x.grad)
    """,
    "002 detach item": """
        loss = (torch.tensor([1.5, 2.5], requires_grad=True) * 2).sum()
        print(loss.detach().item(), loss)
    """,
    "002 points storage and strides": """
        points = torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
        second = points[1]
        print(second.storage_offset(), second.size(), points.stride())
        points_t = points.t()
        print(points_t.stride(), points_t.is_contiguous(), points.is_contiguous())
        second[0] = 10.0
        print(points)
        print(points_t.contiguous().stride())
    """,
    "001 creation table": """
        print(torch.arange(1, 6, 2), torch.zeros(2, 3), torch.ones(2).clone())
        print(torch.eye(3), torch.eye(2, 3))
        print(torch.from_numpy(np.arange(4.0)))
        print(torch.linspace(1, 10, 10), torch.linspace(0, 1, steps=5))
        print(torch.logspace(0, 2, 3), torch.logspace(-1, 1, steps=4))
    """,
    "001 random table (shapes, ranges)": """
        torch.manual_seed(0)
        r = torch.rand(2, 3)
        print(r.shape, r.dtype, bool(((r >= 0) & (r < 1)).all()))
        p = torch.randperm(6)
        print(p.dtype, sorted(p.tolist()))
        n = torch.randn(4, 4)
        print(n.shape, n.dtype)
        m = torch.normal(torch.zeros(3), torch.ones(3))
        print(m.shape, torch.normal(2.0, 3.0, size=(2, 2)).shape)
        u = torch.empty(5).uniform_(2, 3)
        print(bool(((u >= 2) & (u < 3)).all()))
    """,
    "001 tensor methods table": """
        a = torch.arange(12.0).view(3, 4)
        print(a.view(4, 3), a.view(-1).shape, a.unsqueeze(0).shape, a.unsqueeze(0).squeeze().shape)
        print(a[None].shape, a > 5)
        print(torch.gather(a, 1, torch.tensor([[0, 1], [3, 2], [1, 1]])))
        print(torch.index_select(a, 0, torch.tensor([0, 2])), a.index_select(1, torch.tensor([3])))
        print(torch.masked_select(a, a > 6), a[a > 6])
        print(torch.nonzero(torch.tensor([[0, 1], [2, 0]])))
        b = torch.ones(2, 3)
        b.resize_(3, 2)
        print(b.shape)
    """,
    "001 numeric table": """
        a = torch.tensor([[-1.5, 2.25], [3.75, -0.5]])
        print(a.abs(), torch.sqrt(a.abs()), torch.div(a, 2), torch.exp(a), torch.fmod(a, 2))
        print(torch.log(a.abs()), torch.pow(a, 2), a.cos(), a.sin(), torch.asin(a / 4))
        print(torch.atan2(a, a.t()), torch.cosh(a))
        print(a.ceil(), a.round(), a.floor(), a.trunc())
        print(torch.clamp(a, -1, 1), a.sigmoid(), a.tanh())
        print(torch.lerp(a, torch.zeros(2, 2), 0.25))
        print(torch.equal(torch.Tensor([1, 2]), torch.Tensor([1, 2])), torch.max(a))
        v = torch.tensor([3.0, 1.0, 2.0, 2.0, 5.0])
        print(v.mean(), v.sum(), v.median(), torch.mode(v), v.norm(), torch.dist(v, v * 2))
        print(v.std(), v.var(), v.cumsum(0), v.cumprod(0))
        print(v.gt(2), v.lt(2), v.ge(2), v.le(2), v.eq(2), v.ne(2))
        print(v.topk(2), v.sort(), torch.max(v, v.flip(0)), torch.min(v, v.flip(0)))
    """,
    "001 linear algebra table": """
        m = torch.tensor([[2.0, 1.0, 0.5], [1.0, 3.0, 0.25], [0.5, 0.25, 4.0]])
        print(m.trace(), m.diag(), torch.diag(torch.tensor([1.0, 2.0])))
        print(m.triu(), m.tril(-1), torch.triu(m, 1))
        b = torch.ones(2, 3, 3)
        print(torch.mm(m, m), torch.bmm(b, b))
        v = torch.tensor([1.0, 2.0, 3.0])
        print(torch.addmm(m, m, m), torch.addbmm(m, b, b), torch.addmv(v, m, v))
        print(torch.addr(m, v, v), torch.baddbmm(b, b, b))
        print(m.t(), torch.dot(v, v), torch.cross(v, v.flip(0), dim=0))
        print(torch.inverse(m))
        u, s, w = torch.svd(m)
        print(s)
    """,
    "001 data linspace": """
        x = torch.linspace(1, 10, 10)
        y = torch.linspace(10, 1, 10)
        print(x, y)
    """,
    "002 storage": """
        points = torch.tensor([[4.0, 1.0], [5.0, 3.0], [2.0, 1.0]])
        points_storage = points.storage()
        print(points_storage[0], len(points_storage))
        w = torch.tensor(([2, -3.4], [5, 8.8]))
        print(w.shape, len(w), w.dim())
    """,
    "002 torch function notes": """
        print(torch.arange(5), torch.arange(1, 4), torch.arange(1, 2.5, 0.5))
        x = torch.tensor([1, 2, 3])
        print(x.repeat_interleave(2), torch.repeat_interleave(torch.tensor([[1, 2], [3, 4]]), 2))
        print(torch.repeat_interleave(torch.tensor([[1, 2], [3, 4]]), 3, dim=1))
        a = torch.tensor([[1.0, -1.0], [2.0, 4.0]])
        print(torch.mean(a), a.mean(0), a.mean(1, keepdim=True), torch.zeros(2, 3))
        print(torch.stack([a, a]).shape, torch.stack([a, a], dim=1), torch.cat((a, a), 0))
        print(torch.clamp(a, min=-0.5, max=0.5), torch.zeros_like(a))
        print(torch.rand(2, 3).shape, torch.randn(2, 3).shape)
        print(torch.normal(2, 3, size=(1, 4)).shape)
        print(torch.matmul(a, a), a @ a, torch.reshape(a, (-1,)), a.reshape(4, -1).shape)
        print(torch.sort(torch.tensor([3, 1, 2])), torch.sort(a, descending=True))
        print(torch.zeros(2, 1, 2, 1).squeeze().shape, torch.zeros(2, 1).squeeze(0).shape)
    """,
    "002 None slicing": """
        x = torch.tensor([1, 2, 3, 4])
        print(x.unsqueeze(0), x[None, ...])
        print(x.unsqueeze(1), x[..., None])
        print(x[None, :], x[:, None])
    """,
    "002 max named tuple": """
        a = torch.tensor([[-1.2360, -0.2942, -0.1222, 0.8475],
                          [1.1949, -1.1127, -2.2379, -0.6702],
                          [1.5717, -0.9207, 0.1297, -1.8768],
                          [-0.6172, 1.0036, -0.6060, -0.2432]])
        print(torch.max(a, 1))
        r = torch.max(a, 1, keepdim=True)
        print(r.values.shape, r.indices, r[0].shape)
    """,
    "002 tensor methods": """
        x = torch.tensor([1, 2, 3])
        print(x.repeat(4, 2), x.repeat(4, 2).shape, x.repeat(2, 1, 3).shape)
        print(x.dim(), torch.zeros(2, 3).dim())
        print(x.type(), x.type(torch.FloatTensor), x.type('torch.DoubleTensor').dtype)
        print(x.type(torch.float64))
        y = torch.tensor([1.0, 2.0], requires_grad=True)
        print(y.detach().numpy())
    """,
    "002 FloatTensor input": """
        input = torch.FloatTensor([[1, 2, 0, 3, 1],
                                   [0, 1, 2, 3, 1],
                                   [1, 2, 1, 0, 0],
                                   [5, 2, 3, 1, 1],
                                   [2, 1, 0, 1, 1]])
        input = torch.reshape(input, (-1, 1, 5, 5))
        print(input.shape, input.dtype)
        x = torch.tensor([[1, -0.5], [-1, 3]])
        print(torch.reshape(x, (-1, 1, 2, 2)))
    """,
}


def _run(module, source):
    out = io.StringIO()
    namespace = {"torch": module, "np": np}
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(source), namespace)
    return out.getvalue()


@pytest.mark.filterwarnings("ignore:TypedStorage is deprecated")
@pytest.mark.parametrize("name", SNIPPETS)
def test_seed_snippet_prints_what_torch_prints(name):
    source = SNIPPETS[name]
    expected = _run(torch, source)
    assert _run(jtorch, source) == expected
    assert expected  # every snippet prints something


def test_lenet_style_manual_update_matches_torch():
    """001: `for f in net.parameters(): f.data.sub_(f.grad.data * learning_rate)`."""
    rng = np.random.default_rng(0)
    w1, w2 = rng.standard_normal((4, 8)), rng.standard_normal((8, 1))
    x, target = rng.standard_normal((5, 4)), rng.standard_normal((5, 1))
    results = []
    for m in (torch, jtorch):
        params = [m.tensor(w, dtype=m.float32, requires_grad=True) for w in (w1, w2)]
        inp, tgt = m.tensor(x, dtype=m.float32), m.tensor(target, dtype=m.float32)
        learning_rate = 0.01
        for _ in range(3):
            for f in params:
                if f.grad is not None:
                    f.grad.data.zero_()
            out = (inp @ params[0]).relu() @ params[1]
            loss = ((out - tgt) ** 2).mean()
            loss.backward()
            for f in params:
                f.data.sub_(f.grad.data * learning_rate)
        results.append([p.detach().numpy() for p in params])
    for t_param, j_param in zip(*results):
        np.testing.assert_allclose(j_param, t_param, rtol=1e-5, atol=1e-6)


def test_shared_parameter_write_is_seen_by_every_holder():
    """002: `net[2].weight.data[0, 0] = 100` on a layer used twice (no nn yet: one weight
    tensor held by two 'layers'), printed as the seed prints it."""
    source = """
        shared = torch.ones(3, 3, requires_grad=True)
        net = {2: {"weight": shared}, 4: {"weight": shared}}
        print(net[2]["weight"].data[0] == net[4]["weight"].data[0])
        net[2]["weight"].data[0, 0] = 100
        print(net[2]["weight"].data[0] == net[4]["weight"].data[0])
        print(net[4]["weight"])
    """
    expected = _run(torch, source)
    assert "100." in expected
    assert _run(jtorch, source) == expected
