"""Complex tensors: real/imag/view_as_real/view_as_complex/conj/angle and torch's gradient
convention for complex inputs (the conjugate of JAX's), against torch."""

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

Z = np.array([1 + 2j, -3.5 + 0.5j, 0.25 - 1j], np.complex64)
W = np.array([2 - 1j, 1j, -0.5 + 0.5j], np.complex64)

PROGRAMS = {
    "real and imag": lambda lib, z, w: z.real * 2 + z.imag * 3,
    "abs squared of a product": lambda lib, z, w: (z * w).abs() ** 2,
    "view_as_real": lambda lib, z, w: lib.view_as_real(z.conj() * z + z) ** 3,
    "view_as_complex round trip": lambda lib, z, w: lib.view_as_complex(
        lib.view_as_real(z) * 2).abs(),
    "angle": lambda lib, z, w: z.angle() * lib.arange(3),
    "division and exp": lambda lib, z, w: lib.view_as_real((z / w).exp()),
}


@pytest.mark.parametrize("name", PROGRAMS)
def test_values_and_gradients_match_torch(name):
    results = {}
    for lib in (torch, jtorch):
        z = lib.tensor(Z, requires_grad=True)
        w = lib.tensor(W)
        out = PROGRAMS[name](lib, z, w)
        out.sum().backward()
        results[lib] = (out.detach().numpy(), str(out.dtype), z.grad.numpy())
    (jt_out, jt_dtype, jt_grad), (th_out, th_dtype, th_grad) = results[jtorch], results[torch]
    assert jt_dtype == th_dtype
    np.testing.assert_allclose(jt_out, th_out, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(jt_grad, th_grad, rtol=1e-5, atol=1e-5)


def test_accessors_on_real_tensors_and_errors_match_torch():
    for lib in (torch, jtorch):
        x = lib.tensor([1.0, -2.0])
        assert x.real.tolist() == [1.0, -2.0] and x.conj().tolist() == [1.0, -2.0]
        assert x.angle().tolist() == pytest.approx([0.0, np.pi])
        with pytest.raises(RuntimeError, match="imag is not implemented"):
            _ = x.imag
        with pytest.raises(RuntimeError):
            lib.view_as_real(x)
        with pytest.raises(RuntimeError):
            lib.view_as_complex(lib.ones(2, 3))
    assert str(jtorch.view_as_complex(jtorch.ones(2, 2, dtype=jtorch.float64)).dtype) == \
        "torch.complex128"


def test_memory_format_constants_and_random_module():
    x = jtorch.ones(2, 3, 4, 4)
    assert x.to(memory_format=jtorch.channels_last).shape == x.shape
    assert repr(jtorch.channels_last) == repr(torch.channels_last)
    jtorch.manual_seed(3)
    with jtorch.random.fork_rng():
        a = jtorch.rand(3)
    b = jtorch.rand(3)
    assert a.tolist() == b.tolist()
    assert jtorch.random.initial_seed() == 3


def test_func_functional_call_and_channel_shuffle_match_torch():
    outs = []
    for lib in (torch, jtorch):
        m = lib.nn.Linear(2, 1)
        params = {"weight": lib.tensor([[1.0, -2.0]]), "bias": lib.tensor([0.5])}
        y = lib.func.functional_call(m, params, (lib.tensor([[1.0, 1.0], [2.0, 0.5]]),))
        s = lib.channel_shuffle(lib.arange(8.0).view(1, 4, 2), 2)
        outs.append((y.tolist(), s.tolist()))
    assert outs[0] == outs[1]
