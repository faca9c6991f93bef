"""Optax GradientTransformations in torch's form, where Optax's own differs from torch's rule.

Each is built from Optax's pieces (`optax.tree_utils.tree_update_moment`, its state tuples) and says
which torch behaviour it reproduces and how the stock Optax transform differs. The helpers at
the top are the shared pieces of torch's rules: `maximize`, L2 weight decay in the gradient,
decoupled (AdamW-style) weight decay.
"""

from __future__ import annotations

from typing import NamedTuple

import jax
import jax.numpy as jnp
import optax
from optax import tree_utils as otu


def negate_if(maximize):
    """torch's `maximize=True`: step along +grad (the gradient is negated first)."""
    return optax.scale(-1.0) if maximize else optax.identity()


def l2_penalty_if(enabled, weight_decay):
    """torch's `weight_decay` in the gradient (SGD, Adam, ...): g + weight_decay * param.
    A static flag because torch skips the term entirely when weight_decay == 0."""
    return optax.add_decayed_weights(weight_decay) if enabled else optax.identity()


def weight_decay_terms(enabled, decoupled, weight_decay, lr):
    """(before the moments, after scale(-lr)): L2 weight decay in the gradient, or torch's
    decoupled decay (AdamW: param *= 1 - lr * weight_decay, applied with the update)."""
    if not enabled:
        return optax.identity(), optax.identity()
    if decoupled:
        return optax.identity(), decoupled_weight_decay(lr, weight_decay)
    return optax.add_decayed_weights(weight_decay), optax.identity()


def decoupled_weight_decay(lr, weight_decay):
    """torch's decoupled decay, param *= 1 - lr * weight_decay, as an update added after
    scale(-lr). optax.adamw's add_decayed_weights before scale(-lr) is the same in exact
    arithmetic, but torch rounds the factor 1 - lr * weight_decay to float32 (for lr * wd =
    1e-4 that moves the decay by 3e-4 of itself), and we reproduce torch's rounding."""

    def decay(updates, params):
        factor = jnp.asarray(1 - lr * weight_decay)
        return jax.tree.map(lambda u, p: u + (p * factor.astype(p.dtype) - p), updates, params)

    return optax.stateless(decay)


def _steps(count):
    """The step number torch uses after its `step += 1`, in double precision as torch's
    Python-float bias corrections are."""
    return optax.safe_increment(count), optax.safe_increment(count).astype(jnp.float64)


def scale_by_torch_amsgrad(b1, b2, eps):
    """torch's Adam(amsgrad=True): `max_exp_avg_sq` is the running max of the raw second
    moment, bias-corrected with the current step when used:
    m / bc1 / (sqrt(max_v) / sqrt(bc2) + eps). optax.scale_by_amsgrad keeps the max of the
    bias-corrected moment instead, a different rule."""

    def init_fn(params):
        zeros = otu.tree_zeros_like(params)
        return optax.ScaleByAmsgradState(count=jnp.zeros([], jnp.int32), mu=zeros, nu=zeros,
                                         nu_max=zeros)

    def update_fn(updates, state, params=None):
        mu = otu.tree_update_moment(updates, state.mu, b1, 1)
        nu = otu.tree_update_moment_per_elem_norm(updates, state.nu, b2, 2)
        nu_max = jax.tree.map(jnp.maximum, state.nu_max, nu)
        count, t = _steps(state.count)
        bc1, bc2_sqrt = 1 - b1 ** t, jnp.sqrt(1 - b2 ** t)
        updates = jax.tree.map(
            lambda m, v: (m / bc1.astype(m.dtype)) / (jnp.sqrt(v) / bc2_sqrt.astype(v.dtype) + eps),
            mu, nu_max)
        return updates, optax.ScaleByAmsgradState(count=count, mu=mu, nu=nu, nu_max=nu_max)

    return optax.GradientTransformation(init_fn, update_fn)


def scale_by_torch_adagrad(initial_accumulator_value, eps):
    """torch's Adagrad denominator: sum += g * g; g / (sqrt(sum) + eps). optax.scale_by_rss
    puts eps inside the root and zeroes entries whose sum is 0."""

    def init_fn(params):
        return optax.ScaleByRssState(
            sum_of_squares=otu.tree_full_like(params, initial_accumulator_value))

    def update_fn(updates, state, params=None):
        sums = jax.tree.map(lambda g, s: s + g * g, updates, state.sum_of_squares)
        updates = jax.tree.map(lambda g, s: g / (jnp.sqrt(s) + eps), updates, sums)
        return updates, optax.ScaleByRssState(sum_of_squares=sums)

    return optax.GradientTransformation(init_fn, update_fn)


class ScaleByTorchNAdamState(NamedTuple):
    count: jax.Array
    mu_product: jax.Array
    mu: optax.Updates
    nu: optax.Updates


def scale_by_torch_nadam(b1, b2, eps, momentum_decay):
    """torch's NAdam (Dozat 2016 with the momentum schedule mu_t = b1 (1 - 0.96^(t psi) / 2)
    and the running product of mu_t in state): (1 - mu_t) / (1 - prod) * g / denom +
    mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom, denom = sqrt(v / bc2) + eps.
    optax.nadam is Adam with a Nesterov look-ahead and no momentum schedule."""

    def init_fn(params):
        zeros = otu.tree_zeros_like(params)
        return ScaleByTorchNAdamState(count=jnp.zeros([], jnp.int32),
                                      mu_product=jnp.ones([], jnp.float32), mu=zeros, nu=zeros)

    def update_fn(updates, state, params=None):
        count, t = _steps(state.count)
        mu_t = b1 * (1.0 - 0.5 * 0.96 ** (t * momentum_decay))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
        # torch multiplies its float32 0-d tensor in place, then reads it back as a Python float
        mu_product = state.mu_product * mu_t.astype(state.mu_product.dtype)
        prod = mu_product.astype(jnp.float64)
        grad_coef = (1.0 - mu_t) / (1.0 - prod)
        moment_coef = mu_next / (1.0 - prod * mu_next)
        mu = otu.tree_update_moment(updates, state.mu, b1, 1)
        nu = otu.tree_update_moment_per_elem_norm(updates, state.nu, b2, 2)
        bc2 = 1 - b2 ** t

        def direction(g, m, v):
            denom = jnp.sqrt(v / bc2.astype(v.dtype)) + eps
            return (grad_coef.astype(g.dtype) * (g / denom)
                    + moment_coef.astype(m.dtype) * (m / denom))

        updates = jax.tree.map(direction, updates, mu, nu)
        return updates, ScaleByTorchNAdamState(count=count, mu_product=mu_product, mu=mu, nu=nu)

    return optax.GradientTransformation(init_fn, update_fn)


def scale_by_torch_radam(b1, b2, eps):
    """torch's RAdam: m / bc1 * rect * sqrt(bc2) / (sqrt(v) + eps) when rho_t > 5, else
    m / bc1. optax.scale_by_radam adds eps to sqrt(v / bc2) (torch: to sqrt(v)) and switches
    at rho_t >= threshold (torch: > 5)."""

    def init_fn(params):
        zeros = otu.tree_zeros_like(params)
        return optax.ScaleByAdamState(count=jnp.zeros([], jnp.int32), mu=zeros, nu=zeros)

    def update_fn(updates, state, params=None):
        mu = otu.tree_update_moment(updates, state.mu, b1, 1)
        nu = otu.tree_update_moment_per_elem_norm(updates, state.nu, b2, 2)
        count, t = _steps(state.count)
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * t * b2 ** t / bc2
        rectified = rho_t > 5.0
        rect = jnp.sqrt(jnp.where(rectified, (rho_t - 4) * (rho_t - 2) * rho_inf
                                  / ((rho_inf - 4) * (rho_inf - 2) * rho_t), 1.0))

        def direction(m, v):
            m_hat = m / bc1.astype(m.dtype)
            adaptive = jnp.sqrt(bc2).astype(v.dtype) / (jnp.sqrt(v) + eps)
            return jnp.where(rectified, m_hat * adaptive * rect.astype(m.dtype), m_hat)

        updates = jax.tree.map(direction, mu, nu)
        return updates, optax.ScaleByAdamState(count=count, mu=mu, nu=nu)

    return optax.GradientTransformation(init_fn, update_fn)


class TorchASGDState(NamedTuple):
    count: jax.Array
    eta: jax.Array
    mu: jax.Array
    ax: optax.Updates


def torch_asgd(lr, lambd, alpha, t0):
    """torch's ASGD (Polyak averaging; Optax has none): param *= 1 - lambd * eta;
    param -= eta * g; ax tracks the average of the new param (ax += (param - ax) * mu, or
    ax = param while mu == 1); then eta = lr / (1 + lambd lr t)^alpha, mu = 1 / max(1, t - t0).
    The learning rate is the state `eta`, so this transform gives the final updates."""

    def init_fn(params):
        return TorchASGDState(count=jnp.zeros([], jnp.int32), eta=jnp.asarray(lr, jnp.float32),
                              mu=jnp.ones([], jnp.float32), ax=otu.tree_zeros_like(params))

    def update_fn(updates, state, params):
        count, t = _steps(state.count)
        eta = state.eta.astype(jnp.float64)

        def new_param(g, p):
            return p * (1 - lambd * eta).astype(p.dtype) - eta.astype(p.dtype) * g

        new_params = jax.tree.map(new_param, updates, params)
        mu = state.mu
        ax = jax.tree.map(lambda a, p: jnp.where(mu != 1, a + (p - a) * mu.astype(a.dtype), p),
                          state.ax, new_params)
        updates = jax.tree.map(lambda new, p: new - p, new_params, params)
        new_eta = lr / (1 + lambd * lr * t) ** alpha
        new_mu = 1 / jnp.maximum(1.0, t - t0)
        return updates, TorchASGDState(count=count, eta=new_eta.astype(state.eta.dtype),
                                       mu=new_mu.astype(state.mu.dtype), ax=ax)

    return optax.GradientTransformation(init_fn, update_fn)


def scale_by_torch_rprop(learning_rate, eta_minus, eta_plus, min_step_size, max_step_size):
    """torch's Rprop. The step sizes come from optax.scale_by_rprop, with torch's clamp to
    [min, max] added where grad * prev == 0 (Optax leaves those unclamped). The update is
    torch's: step_size * sign(g), zero where the sign flipped — Optax returns the update
    stored at the previous step instead — and `prev` is torch's: the gradient, zeroed where
    the sign flipped (Optax stores step * sign(g): the same sign, all the rule reads)."""
    inner = optax.scale_by_rprop(learning_rate, eta_minus, eta_plus, min_step_size,
                                 max_step_size)

    def update_fn(updates, state, params=None):
        sign = jax.tree.map(lambda g, prev: g * prev, updates, state.prev_updates)
        step_sizes = jax.tree.map(
            lambda s, size: jnp.where(s == 0, jnp.clip(size, min_step_size, max_step_size),
                                      size), sign, state.step_sizes)
        _, new_state = inner.update(updates, state._replace(step_sizes=step_sizes))
        prev = jax.tree.map(lambda s, g: jnp.where(s < 0, jnp.zeros_like(g), g), sign, updates)
        updates = jax.tree.map(lambda g, size: jnp.sign(g) * size, prev, new_state.step_sizes)
        return updates, optax.ScaleByRpropState(step_sizes=new_state.step_sizes,
                                                prev_updates=prev)

    return optax.GradientTransformation(inner.init, update_fn)
