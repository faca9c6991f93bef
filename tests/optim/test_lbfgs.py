"""LBFGS against torch: closure-driven steps (fixed step and strong-Wolfe line search, short
and long histories) give torch's losses, parameters and state."""

import numpy as np
import pytest

import jtorch
import jtorch.optim  # noqa: F401  (until jtorch/__init__.py imports it)

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.standard_normal((32, 5))
Y = np.tanh(X @ RNG.standard_normal((5, 1))) + 0.1 * RNG.standard_normal((32, 1))
W1 = 0.5 * RNG.standard_normal((5, 6))
W2 = 0.5 * RNG.standard_normal((6, 1))


def _fit(lib, steps, dtype, **options):
    w1, w2 = (lib.nn.Parameter(lib.tensor(w.astype(dtype))) for w in (W1, W2))
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    opt = lib.optim.LBFGS([w1, w2], **options)

    def closure():
        opt.zero_grad()
        loss = ((lib.tanh(x @ w1) @ w2 - y) ** 2).mean()
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return losses, [w1, w2], opt


def _summary(opt, params):
    state = opt.state[params[0]]
    return {"func_evals": state["func_evals"], "n_iter": state["n_iter"],
            "history": len(state["old_dirs"]), "t": float(state["t"]),
            "prev_loss": state["prev_loss"]}


OPTIONS = [
    {"lr": 0.5, "max_iter": 4, "history_size": 3},
    {"lr": 1, "max_iter": 5, "history_size": 10, "line_search_fn": "strong_wolfe"},
    {"lr": 0.8, "max_iter": 3, "history_size": 2, "line_search_fn": "strong_wolfe",
     "tolerance_change": 1e-7},
]
OPTION_IDS = ["fixed step", "strong_wolfe", "strong_wolfe short history"]


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_lbfgs_matches_torch_in_float64(options):
    """In float64 the two runs agree to rounding over 20 steps (60 to 100 iterations): the
    same algorithm, decisions and state."""
    t_losses, t_params, t_opt = _fit(torch, 20, np.float64, **options)
    j_losses, j_params, j_opt = _fit(jtorch, 20, np.float64, **options)
    np.testing.assert_allclose(j_losses, t_losses, rtol=2e-5)
    assert t_losses[-1] < 0.01 * t_losses[0]
    for p, expected in zip(j_params, t_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.detach().numpy(), rtol=1e-4,
                                   atol=1e-6)
    t_sum, j_sum = _summary(t_opt, t_params), _summary(j_opt, j_params)
    assert {k: j_sum[k] for k in ("func_evals", "n_iter", "history")} == \
        {k: t_sum[k] for k in ("func_evals", "n_iter", "history")}
    np.testing.assert_allclose(j_sum["prev_loss"], t_sum["prev_loss"], rtol=1e-4)
    # the strong-Wolfe step comes from a cubic fit through nearly equal losses
    np.testing.assert_allclose(j_sum["t"], t_sum["t"], rtol=1e-2)
    assert list(j_opt.state_dict()["state"][0]) == list(t_opt.state_dict()["state"][0])
    assert j_opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]


@pytest.mark.parametrize("options", OPTIONS, ids=OPTION_IDS)
def test_lbfgs_matches_torch_in_float32(options):
    """In float32 quasi-Newton steps amplify rounding (torch's own float32 and float64 runs
    part ways after ~10 steps here), so the comparison covers the first steps."""
    t_losses, t_params, _ = _fit(torch, 6, np.float32, **options)
    j_losses, j_params, _ = _fit(jtorch, 6, np.float32, **options)
    np.testing.assert_allclose(j_losses, t_losses, rtol=1e-4)
    for p, expected in zip(j_params, t_params):
        np.testing.assert_allclose(p.detach().numpy(), expected.detach().numpy(), rtol=1e-3,
                                   atol=1e-4)


def test_lbfgs_rejects_param_groups_and_unknown_line_search():
    p = jtorch.nn.Parameter(jtorch.ones(2))
    q = jtorch.nn.Parameter(jtorch.ones(2))
    with pytest.raises(ValueError, match="per-parameter options"):
        jtorch.optim.LBFGS([{"params": [p]}, {"params": [q]}])
    opt = jtorch.optim.LBFGS([p], line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_lbfgs_stops_at_a_stationary_point():
    p = jtorch.nn.Parameter(jtorch.zeros(3))
    opt = jtorch.optim.LBFGS([p])

    def closure():
        opt.zero_grad()
        loss = (p ** 2).sum()
        loss.backward()
        return loss

    assert float(opt.step(closure)) == 0.0
    assert opt.state[p] == {"func_evals": 1, "n_iter": 0}
