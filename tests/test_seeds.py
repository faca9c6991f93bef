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
}


def _run(module, source):
    out = io.StringIO()
    namespace = {"torch": module, "np": np}
    with contextlib.redirect_stdout(out):
        exec(textwrap.dedent(source), namespace)
    return out.getvalue()


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
