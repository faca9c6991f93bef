"""The funnel, views, in-place ops and backward run on tracers: the basis of jtorch.compile."""

import jax
import jax.extend
import numpy as np
import pytest

import jtorch
from jtorch._state import swapped_arrays
from jtorch._tensor import from_array


def _train_step(w_array, x_array, y_array):
    """A torch-style step: forward, backward, in-place SGD update under no_grad."""
    w = from_array(w_array, requires_grad=True)
    x, y = from_array(x_array), from_array(y_array)
    loss = ((x @ w).relu().sum(1) - y).pow(2).mean()
    loss.backward()
    with jtorch.no_grad():
        w.sub_(0.1 * w.grad)
        w.data[0, 0] = 5.0  # a write through a view of the parameter
    return w._array, loss._array, w.grad._array


def test_train_step_gives_the_same_result_eagerly_and_under_jit():
    rng = np.random.default_rng(0)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = rng.standard_normal(8).astype(np.float32)
    eager = _train_step(jax.numpy.asarray(w), jax.numpy.asarray(x), jax.numpy.asarray(y))
    traced = jax.jit(_train_step)(w, x, y)
    for e, t in zip(eager, traced):
        np.testing.assert_allclose(np.asarray(t), np.asarray(e), rtol=1e-6, atol=1e-6)
    assert float(np.asarray(traced[0])[0, 0]) == 5.0


def test_second_order_gradient_under_jit():
    def second_derivative(x_array):
        x = from_array(x_array, requires_grad=True)
        (g,) = jtorch.autograd.grad((x ** 3).sum(), x, create_graph=True)
        (gg,) = jtorch.autograd.grad(g.sum(), x)
        return gg._array

    values = np.array([1.0, 2.0, -3.0], np.float32)
    np.testing.assert_allclose(np.asarray(jax.jit(second_derivative)(values)), 6 * values)


def test_data_dependent_mask_indexing_fails_clearly_under_jit():
    def masked(x_array):
        x = from_array(x_array)
        return x[x > 0]._array

    with pytest.raises(RuntimeError, match="output shape depends on the input.s values"):
        jax.jit(masked)(np.ones(3, np.float32))


def _count_primitive(jaxpr, name):
    count = 0
    for eqn in jaxpr.eqns:
        count += eqn.primitive.name == name
        for sub in jax.extend.core.jaxprs_in_params(eqn.params):
            count += _count_primitive(sub, name)
    return count


def test_traced_backward_reuses_the_forward_instead_of_recomputing_it():
    """Under a trace each differentiable op is linearized once: an LSTM's forward scan appears
    once, plus its transpose (eagerly the backward re-runs the forward in its VJP; traced, that
    put the scan into a compiled step twice)."""
    jtorch.manual_seed(0)
    lstm = jtorch.nn.LSTM(3, 4, batch_first=True)
    weights = list(lstm.parameters())

    def grads_of(x_array, *w_arrays):
        with swapped_arrays(weights, w_arrays):
            out, _ = lstm(from_array(x_array))
            grads = jtorch.autograd.grad(out.pow(2).sum(), weights)
            return [g._array for g in grads]

    x = np.ones((2, 5, 3), np.float32)
    closed = jax.make_jaxpr(grads_of)(x, *(w._raw for w in weights))
    assert _count_primitive(closed.jaxpr, "scan") == 2
    eager = grads_of(x, *(w._raw for w in weights))
    traced = jax.jit(grads_of)(x, *(w._raw for w in weights))
    for e, t in zip(eager, traced):
        np.testing.assert_allclose(np.asarray(t), np.asarray(e), rtol=1e-5, atol=1e-6)


def test_traced_complex_gradient_is_torchs_conjugate_convention():
    def grad_of(a):
        z = from_array(a, requires_grad=True)
        loss = (z * z.conj()).real.sum() + (z * 2j).abs().sum()
        (g,) = jtorch.autograd.grad(loss, z)
        return g._array

    a = np.array([1 + 2j, -0.5 + 0.3j], np.complex64)
    expected = 2 * a + 2 * a / np.abs(a)  # torch's dL/dRe + i dL/dIm
    np.testing.assert_allclose(np.asarray(grad_of(a)), expected, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jax.jit(grad_of)(a)), expected, rtol=1e-5)
