"""Flax NNX interop: a jtorch module trained by NNX/Optax, an NNX module trained by jtorch."""

import copy

import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import jtorch
from jtorch import nn
from jtorch.nnx import from_nnx, to_nnx


def _inputs():
    rng = np.random.default_rng(0)
    return rng.standard_normal((6, 3)).astype(np.float32)


def test_jtorch_module_trains_inside_nnx_like_jtorch_sgd():
    jtorch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    reference = copy.deepcopy(model)
    wrapped = to_nnx(model)
    x = _inputs()
    np.testing.assert_allclose(np.asarray(wrapped(jnp.asarray(x))),
                               model(jtorch.tensor(x)).detach().numpy(), rtol=1e-6)
    optimizer = nnx.Optimizer(wrapped, optax.sgd(0.1), wrt=nnx.Param)

    @nnx.jit
    def step(m, opt, x):
        loss, grads = nnx.value_and_grad(lambda m: (m(x) ** 2).mean())(m)
        opt.update(m, grads)
        return loss

    nnx_losses = [float(step(wrapped, optimizer, jnp.asarray(x))) for _ in range(3)]
    torch_losses = []
    for _ in range(3):
        reference.zero_grad()
        loss = (reference(jtorch.tensor(x)) ** 2).mean()
        loss.backward()
        with jtorch.no_grad():
            for p in reference.parameters():
                p -= 0.1 * p.grad
        torch_losses.append(loss.item())
    np.testing.assert_allclose(nnx_losses, torch_losses, rtol=1e-5)
    wrapped.sync_to_torch()
    for a, b in zip(model.parameters(), reference.parameters()):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-6)


class _Block(nnx.Module):
    def __init__(self, rngs):
        self.lin = nnx.Linear(3, 2, rngs=rngs)
        self.bn = nnx.BatchNorm(2, rngs=rngs)

    def __call__(self, x):
        return self.bn(self.lin(x))


def test_nnx_module_gives_jax_gradients_and_trains_with_backward():
    block = _Block(nnx.Rngs(0))
    wrapped = from_nnx(block)
    assert sorted(n for n, _ in wrapped.named_parameters()) == [
        "bn__bias", "bn__scale", "lin__bias", "lin__kernel"]
    assert sorted(n for n, _ in wrapped.named_buffers()) == ["bn__mean", "bn__var"]
    x = _inputs()
    loss = (wrapped(jtorch.tensor(x)) ** 2).mean()
    loss.backward()
    expected = nnx.grad(lambda m: (m(jnp.asarray(x)) ** 2).mean())(_Block(nnx.Rngs(0)))
    np.testing.assert_allclose(wrapped.lin__kernel.grad.numpy(),
                               np.asarray(expected["lin"]["kernel"].get_value()), rtol=1e-4,
                               atol=1e-6)
    # batch statistics moved like NNX's own
    reference = _Block(nnx.Rngs(0))
    reference(jnp.asarray(x))
    np.testing.assert_allclose(wrapped.bn__mean.numpy(),
                               np.asarray(reference.bn.mean.get_value()), rtol=1e-5, atol=1e-7)
    losses = []
    for _ in range(5):
        wrapped.zero_grad()
        loss = (wrapped(jtorch.tensor(x)) ** 2).mean()
        loss.backward()
        with jtorch.no_grad():
            for p in wrapped.parameters():
                p -= 0.1 * p.grad
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_to_nnx_rejects_float64_inputs_like_torch():
    model = to_nnx(nn.Linear(3, 1))
    with pytest.raises(RuntimeError, match="same dtype"):
        model(jnp.ones((2, 3), jnp.float64))
    assert model(jnp.ones((2, 3), jnp.float32)).shape == (2, 1)
