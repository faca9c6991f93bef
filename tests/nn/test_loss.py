"""Loss functions and modules against torch: values, dtypes, grad_fn names and gradients for
every reduction, class-index and probability targets, weights, ignore_index, label smoothing,
K-dimensional inputs, CTC, the legacy size_average/reduce arguments, reprs and errors."""

import math
import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

REDUCTIONS = ("none", "mean", "sum")


def _rng(seed):
    return np.random.default_rng(seed)


def _normal(shape, seed=0, scale=1.5):
    return (_rng(seed).normal(size=shape) * scale).astype(np.float32)


def _uniform(shape, seed=0, low=0.05, high=0.95):
    return _rng(seed).uniform(low, high, size=shape).astype(np.float32)


def _signs(shape, seed=0):
    return np.where(_rng(seed).random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def _classes(shape, n, seed=0):
    return _rng(seed).integers(0, n, size=shape).astype(np.int64)


def _log_probs(shape, seed=0, axis=-1):
    x = _normal(shape, seed)
    return (x - np.log(np.exp(x).sum(axis=axis, keepdims=True))).astype(np.float32)


def _close(jt, t, rtol=1e-5, atol=1e-5):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _tensors(lib, arrays, grad):
    return [None if a is None else lib.tensor(a, requires_grad=i in grad)
            for i, a in enumerate(arrays)]


def _backward_both(t_out, j_out, seed=42):
    """Backpropagate the same random output gradient through both (a weighted sum)."""
    w = _normal(tuple(t_out.shape), seed=seed)
    t_out.backward(torch.tensor(w))
    j_out.backward(jtorch.tensor(w))


def _compare(loss, arrays, grad=(0,), reductions=REDUCTIONS, rtol=1e-5, atol=1e-5, **kwargs):
    """Run `loss(F, *tensors, reduction=r, **kwargs)` on torch and jtorch for each reduction:
    same value, dtype and grad_fn name; the same gradients for the arrays at positions `grad`
    (checked for every reduction but 'sum', whose gradient is that of 'none' with unit
    weights; skipping it keeps the number of compiled programs down)."""
    for reduction in reductions:
        ts, js = _tensors(torch, arrays, grad), _tensors(jtorch, arrays, grad)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t_out = loss(TF, *ts, reduction=reduction, **kwargs)
            j_out = loss(JF, *js, reduction=reduction, **kwargs)
        _close(j_out, t_out, rtol, atol)
        assert j_out.grad_fn.name() == t_out.grad_fn.name(), reduction
        if reduction == "sum" and len(reductions) > 1:
            continue
        _backward_both(t_out, j_out)
        for i in grad:
            _close(js[i].grad, ts[i].grad, rtol, atol)


X, Y = _normal((4, 3)), _normal((4, 3), seed=1)
P, Q = _uniform((4, 3)), _uniform((4, 3), seed=1)
W = _uniform((4, 3), seed=2)

ELEMENTWISE = {
    "l1": (lambda F, x, y, **kw: F.l1_loss(x, y, **kw), [X, Y], (0, 1), {}),
    "l1 weighted": (lambda F, x, y, w, **kw: F.l1_loss(x, y, weight=w, **kw), [X, Y, W], (0, 1),
                    {}),
    "mse": (lambda F, x, y, **kw: F.mse_loss(x, y, **kw), [X, Y], (0, 1), {}),
    "mse weighted": (lambda F, x, y, w, **kw: F.mse_loss(x, y, weight=w, **kw), [X, Y, W],
                     (0, 1, 2), {}),
    "smooth_l1": (lambda F, x, y, **kw: F.smooth_l1_loss(x, y, **kw), [X, Y], (0, 1), {}),
    "smooth_l1 beta": (lambda F, x, y, **kw: F.smooth_l1_loss(x, y, **kw), [X, Y], (0, 1),
                       {"beta": 0.5}),
    "smooth_l1 beta 0": (lambda F, x, y, **kw: F.smooth_l1_loss(x, y, **kw), [X, Y], (0,),
                         {"beta": 0.0}),
    "huber": (lambda F, x, y, **kw: F.huber_loss(x, y, **kw), [X, Y], (0, 1), {"delta": 0.7}),
    "huber weighted": (lambda F, x, y, w, **kw: F.huber_loss(x, y, weight=w, **kw), [X, Y, W],
                       (0, 1), {}),
    "soft_margin": (lambda F, x, y, **kw: F.soft_margin_loss(x, y, **kw), [X, _signs((4, 3))],
                    (0,), {}),
    "bce": (lambda F, p, q, **kw: F.binary_cross_entropy(p, q, **kw), [P, Q], (0, 1), {}),
    "bce weighted": (lambda F, p, q, w, **kw: F.binary_cross_entropy(p, q, w, **kw),
                     [P, Q, _uniform((3,), seed=3)], (0, 1), {}),
    "bce clamped logs": (lambda F, p, q, **kw: F.binary_cross_entropy(p, q, **kw),
                         [np.array([0.0, 1.0, 0.5, 1e-30], np.float32),
                          np.array([0.0, 1.0, 1.0, 1.0], np.float32)], (0,), {}),
    "bce_with_logits": (lambda F, x, q, **kw: F.binary_cross_entropy_with_logits(x, q, **kw),
                        [X * 4, Q], (0, 1), {}),
    "bce_with_logits weights": (
        lambda F, x, q, w, pw, **kw: F.binary_cross_entropy_with_logits(x, q, w, pos_weight=pw,
                                                                        **kw),
        [X, Q, _uniform((3,), seed=3), _uniform((3,), seed=4, high=3.0)], (0, 1), {}),
    "kl_div": (lambda F, x, q, **kw: F.kl_div(x, q, **kw), [_log_probs((4, 3)), P], (0, 1), {}),
    "kl_div log_target": (lambda F, x, q, **kw: F.kl_div(x, q, **kw),
                          [_log_probs((4, 3)), _log_probs((4, 3), seed=1)], (0, 1),
                          {"log_target": True}),
    "poisson_nll": (lambda F, x, y, **kw: F.poisson_nll_loss(x, y, **kw),
                    [X, _uniform((4, 3), high=4.0)], (0, 1), {}),
    "poisson_nll full": (lambda F, x, y, **kw: F.poisson_nll_loss(x, y, **kw),
                         [P * 3, _uniform((4, 3), seed=5, high=4.0)], (0,),
                         {"log_input": False, "full": True}),
    "gaussian_nll": (lambda F, x, y, v, **kw: F.gaussian_nll_loss(x, y, v, **kw),
                     [X, Y, np.abs(Y) + 0.1], (0, 1, 2), {}),
    "gaussian_nll short var full": (lambda F, x, y, v, **kw: F.gaussian_nll_loss(x, y, v, **kw),
                                    [X, Y, _uniform((4,), seed=6)], (0, 2), {"full": True}),
    "gaussian_nll broadcast var": (lambda F, x, y, v, **kw: F.gaussian_nll_loss(x, y, v, **kw),
                                   [X, Y, _uniform((4, 1), seed=6)], (0, 2), {"eps": 0.5}),
    "gaussian_nll float var": (lambda F, x, y, **kw: F.gaussian_nll_loss(x, y, 0.5, **kw),
                               [X, Y], (0, 1), {}),
    "hinge_embedding": (lambda F, x, y, **kw: F.hinge_embedding_loss(x, y, **kw),
                        [X, _signs((4, 3))], (0,), {"margin": 0.5}),
    "multilabel_soft_margin": (lambda F, x, y, w, **kw: F.multilabel_soft_margin_loss(x, y, w,
                                                                                       **kw),
                               [X, Q, _uniform((3,), seed=3)], (0, 1), {}),
    "margin_ranking": (lambda F, a, b, y, **kw: F.margin_ranking_loss(a, b, y, **kw),
                       [X[:, 0], X[:, 1], _signs((4,))], (0, 1), {"margin": 0.3}),
    "cosine_embedding": (lambda F, a, b, y, **kw: F.cosine_embedding_loss(a, b, y, **kw),
                         [X, Y, _signs((4,))], (0, 1), {"margin": 0.2}),
    "cosine_embedding 1d": (lambda F, a, b, y, **kw: F.cosine_embedding_loss(a, b, y, **kw),
                            [X[0], Y[0], np.float32(-1.0)], (0, 1), {}),
    "triplet_margin": (lambda F, a, pos, n, **kw: F.triplet_margin_loss(a, pos, n, **kw),
                       [X, Y, _normal((4, 3), seed=7)], (0, 1, 2), {}),
    "triplet_margin p1 swap": (lambda F, a, pos, n, **kw: F.triplet_margin_loss(a, pos, n,
                                                                                **kw),
                               [X, Y, _normal((4, 3), seed=7)], (0, 1, 2),
                               {"p": 1, "swap": True, "margin": 2.0}),
    "triplet_margin 1d": (lambda F, a, pos, n, **kw: F.triplet_margin_loss(a, pos, n, **kw),
                          [X[0], Y[0], X[1]], (0, 1, 2), {}),
    "triplet_with_distance": (
        lambda F, a, p, n, **kw: F.triplet_margin_with_distance_loss(a, p, n, **kw),
        [X, Y, _normal((4, 3), seed=7)], (0, 1, 2), {"swap": True}),
    "triplet_with_custom_distance": (
        lambda F, a, p, n, **kw: F.triplet_margin_with_distance_loss(
            a, p, n, distance_function=lambda u, v: (u - v).abs().sum(-1), **kw),
        [X, Y, _normal((4, 3), seed=7)], (0, 1, 2), {"margin": 3.0}),
}


SLOW = pytest.mark.slow  # extra variants of paths the default run already covers


def _params(names, slow):
    return [pytest.param(name, id=name, marks=SLOW if name in slow else ()) for name in names]


SLOW_ELEMENTWISE = {"smooth_l1", "smooth_l1 beta 0", "huber", "bce weighted", "bce_with_logits",
                    "kl_div log_target", "poisson_nll", "gaussian_nll",
                    "gaussian_nll broadcast var", "gaussian_nll float var",
                    "cosine_embedding 1d", "triplet_margin", "triplet_margin 1d",
                    "triplet_with_distance"}


@pytest.mark.parametrize("name", _params(ELEMENTWISE, SLOW_ELEMENTWISE))
def test_loss_values_names_and_gradients(name):
    loss, arrays, grad, kwargs = ELEMENTWISE[name]
    _compare(loss, arrays, grad, **kwargs)


def test_kl_div_batchmean_and_mean_warning():
    arrays = [_log_probs((4, 3)), P]
    _compare(lambda F, x, q, **kw: F.kl_div(x, q, **kw), arrays, (0, 1),
             reductions=("batchmean",))
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        JF.kl_div(jtorch.tensor(arrays[0]), jtorch.tensor(arrays[1]))


CLASS_CASES = {
    "2d": ((4, 5), (4,), {}),
    "unbatched": ((5,), (), {}),
    "3d": ((3, 5, 4), (3, 4), {}),
    "4d": ((2, 5, 3, 2), (2, 3, 2), {}),
    "5d": ((2, 5, 2, 2, 2), (2, 2, 2, 2), {}),
    "weight": ((4, 5), (4,), {"weight": True}),
    "weight 3d": ((3, 5, 4), (3, 4), {"weight": True}),
    "ignore_index": ((6, 5), (6,), {"ignore_index": 2}),
    "weight ignore_index": ((6, 5), (6,), {"weight": True, "ignore_index": 1}),
    "label_smoothing": ((4, 5), (4,), {"label_smoothing": 0.1}),
    "label_smoothing weight ignore": ((6, 5), (6,), {"label_smoothing": 0.3, "weight": True,
                                                     "ignore_index": 0}),
    "label_smoothing 3d": ((3, 5, 4), (3, 4), {"label_smoothing": 0.2}),
    "label_smoothing unbatched": ((5,), (), {"label_smoothing": 0.2}),
}


def _class_arrays(input_shape, target_shape, options):
    x = _normal(input_shape, seed=3)
    y = _classes(target_shape, input_shape[1] if len(input_shape) > 1 else input_shape[0])
    if "ignore_index" in options:
        y.reshape(-1)[:2] = options["ignore_index"]
    w = _uniform((x.shape[1] if x.ndim > 1 else x.shape[0],), seed=4) \
        if options.get("weight") else None
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    return [x, y, w], kwargs


SLOW_CLASS_CASES = {"3d", "weight", "weight 3d", "ignore_index", "label_smoothing",
                    "label_smoothing 3d", "label_smoothing unbatched"}


@pytest.mark.parametrize("case", _params(CLASS_CASES, SLOW_CLASS_CASES))
def test_cross_entropy_class_indices(case):
    arrays, kwargs = _class_arrays(*CLASS_CASES[case])
    _compare(lambda F, x, y, w, **kw: F.cross_entropy(x, y, w, **kw), arrays, (0,), **kwargs)


@pytest.mark.parametrize("case", _params([c for c in CLASS_CASES if "label_smoothing" not in c],
                                         {"unbatched", "4d", "5d", "weight", "ignore_index"}))
def test_nll_loss(case):
    arrays, kwargs = _class_arrays(*CLASS_CASES[case])
    arrays[0] = _log_probs(arrays[0].shape, axis=1 if arrays[0].ndim > 1 else 0)
    _compare(lambda F, x, y, w, **kw: F.nll_loss(x, y, w, **kw), arrays, (0,), **kwargs)


@pytest.mark.parametrize("options", [
    {}, pytest.param({"weight": True}, marks=SLOW),
    pytest.param({"label_smoothing": 0.25}, marks=SLOW),
    {"weight": True, "label_smoothing": 0.1}, {"kdim": True},
    pytest.param({"unbatched": True}, marks=SLOW)])
def test_cross_entropy_probability_targets(options):
    shape = (3, 4, 2) if options.get("kdim") else (4,) if options.get("unbatched") else (5, 4)
    class_axis = 0 if len(shape) == 1 else 1
    x = _normal(shape, seed=5)
    target = np.exp(_log_probs(shape, seed=6, axis=class_axis))
    w = _uniform((4,), seed=7) if options.get("weight") else None
    kwargs = {"label_smoothing": options.get("label_smoothing", 0.0)}
    _compare(lambda F, x, y, w, **kw: F.cross_entropy(x, y, w, **kw), [x, target, w], (0, 1),
             **kwargs)


def test_cross_entropy_all_targets_ignored_is_nan():
    x, y = jtorch.tensor(X), jtorch.full((4,), -100)
    t_loss = TF.cross_entropy(torch.tensor(X), torch.full((4,), -100))
    assert math.isnan(JF.cross_entropy(x, y).item()) and math.isnan(t_loss.item())


def test_quickstart_cross_entropy_on_logits():
    """The quickstart's loss: CrossEntropyLoss on a (64, 10) batch of logits from Linear."""
    tlin, jlin = tnn.Linear(784, 10), jnn.Linear(784, 10)
    jlin.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in tlin.state_dict().items()})
    x, y = _normal((64, 784), seed=8), _classes((64,), 10, seed=9)
    t_loss = tnn.CrossEntropyLoss()(tlin(torch.tensor(x)), torch.tensor(y))
    j_loss = jnn.CrossEntropyLoss()(jlin(jtorch.tensor(x)), jtorch.tensor(y))
    _close(j_loss, t_loss)
    assert j_loss.grad_fn.name() == "NllLossBackward0"
    t_loss.backward()
    j_loss.backward()
    _close(jlin.weight.grad, tlin.weight.grad)
    _close(jlin.bias.grad, tlin.bias.grad)


def test_multi_margin_loss():
    x, y = _normal((5, 4), seed=10), _classes((5,), 4, seed=11)
    w = _uniform((4,), seed=12)
    loss = lambda F, x, y, w, **kw: F.multi_margin_loss(x, y, weight=w, **kw)
    _compare(loss, [x, y, None], (0,))
    _compare(loss, [x, y, w], (0,), p=2, margin=0.5)
    _compare(loss, [x[0], y[0], w], (0,))


def test_multilabel_margin_loss():
    x = _normal((3, 4), seed=13)
    y = np.array([[3, 0, -1, 1], [1, 2, 3, 0], [-1, 1, 0, 0]], np.int64)
    loss = lambda F, x, y, **kw: F.multilabel_margin_loss(x, y, **kw)
    _compare(loss, [x, y], (0,))
    _compare(loss, [x[0], y[0]], (0,))


def test_margin_gradients_at_ties():
    """Hinges exactly at zero: torch's clamp_min passes the gradient, its margin kernels
    (`if z > 0`) do not."""
    ties = [
        (lambda F, a, b, y, **kw: F.margin_ranking_loss(a, b, y, **kw),
         [np.array([1.0, 2.0, 0.5], np.float32), np.array([1.0, 1.0, 0.5], np.float32),
          np.array([1.0, 1.0, -1.0], np.float32)], (0, 1)),
        (lambda F, x, y, **kw: F.multi_margin_loss(x, y, **kw),
         [np.array([[1.0, 0.0, 2.0]], np.float32), np.array([0])], (0,)),
        (lambda F, x, y, **kw: F.hinge_embedding_loss(x, y, **kw),
         [np.array([1.0, 0.5], np.float32), np.array([-1.0, -1.0], np.float32)], (0,)),
    ]
    for loss, arrays, grad in ties:
        _compare(loss, arrays, grad, reductions=("sum",))


# ---- CTC ------------------------------------------------------------------------------------

def _ctc_inputs(seed=0, steps=6, batch=3, classes=5):
    logits = _normal((steps, batch, classes), seed=seed)
    targets = np.array([[1, 2, 2], [3, 1, 0], [4, 4, 4]], np.int64)[:batch]
    return logits, targets, [6, 5, 6][:batch], [3, 2, 1][:batch]


def _ctc_both(logits, targets, input_lengths, target_lengths, through_log_softmax=True,
              **kwargs):
    outputs, grads = [], []
    for lib, F in ((torch, TF), (jtorch, JF)):
        leaf = lib.tensor(logits, requires_grad=True)
        log_probs = leaf.log_softmax(2) if through_log_softmax else leaf
        out = F.ctc_loss(log_probs, lib.tensor(targets), lib.tensor(input_lengths),
                         lib.tensor(target_lengths), **kwargs)
        out.backward(lib.tensor(_normal(tuple(out.shape), seed=1)))
        outputs.append(out)
        grads.append(leaf.grad)
    _close(outputs[1], outputs[0], atol=1e-4)
    assert outputs[1].grad_fn.name() == outputs[0].grad_fn.name()
    _close(grads[1], grads[0], atol=1e-4)


def test_ctc_loss_padded_targets_all_reductions():
    logits, targets, il, tl = _ctc_inputs()
    _ctc_both(logits, targets, il, tl, reduction="none")
    _ctc_both(logits, targets, il, tl, reduction="mean")
    t_sum = TF.ctc_loss(torch.tensor(logits).log_softmax(2), torch.tensor(targets), il, tl,
                        reduction="sum")
    j_sum = JF.ctc_loss(jtorch.tensor(logits).log_softmax(2), jtorch.tensor(targets), il, tl,
                        reduction="sum")
    _close(j_sum, t_sum, atol=1e-4)


def test_ctc_loss_gradient_of_log_probs_leaf_is_torchs():
    """torch's ctc backward gives exp(lp) - posterior for the log_probs themselves (the
    docs' example differentiates a log_softmax output made a leaf)."""
    logits, targets, il, tl = _ctc_inputs(seed=1)
    log_probs = _log_probs(logits.shape, seed=1)
    _ctc_both(log_probs, targets, il, tl, reduction="mean", through_log_softmax=False)


def test_ctc_loss_concatenated_targets():
    logits, _, il, tl = _ctc_inputs(seed=2)
    _ctc_both(logits, np.array([1, 2, 2, 3, 1, 4], np.int64), il, tl, reduction="none")


def test_ctc_loss_unbatched_infeasible_and_empty():
    logits, targets, _, _ = _ctc_inputs(seed=3)
    results = {}
    for lib, F in ((torch, TF), (jtorch, JF)):
        lp = lib.tensor(logits).log_softmax(2)
        results[lib] = (
            F.ctc_loss(lp[:, 0], lib.tensor(targets[0]), lib.tensor(6), lib.tensor(3),
                       reduction="none"),
            # two frames cannot emit 1, 1 (a blank must separate them): infinite loss
            F.ctc_loss(lp[:, :1], lib.tensor([[1, 1, 0]]), [2], [2], reduction="none"),
            # no frames: zero loss for the empty target
            F.ctc_loss(lp, lib.tensor(targets), [0, 6, 6], [0, 2, 1], reduction="none"),
        )
    for j, t in zip(results[jtorch], results[torch]):
        _close(j, t, atol=1e-4)
    # zero_infinity zeroes the infinite loss and its gradient
    _ctc_both(logits[:, :1], np.array([[1, 1, 0]], np.int64), [2], [2], reduction="none",
              zero_infinity=True)


# ---- modules --------------------------------------------------------------------------------

MODULES = {
    "L1Loss": (lambda nn, lib: nn.L1Loss(), [X, Y]),
    "MSELoss": (lambda nn, lib: nn.MSELoss(reduction="sum"), [X, Y]),
    "CrossEntropyLoss": (lambda nn, lib: nn.CrossEntropyLoss(), [X, _classes((4,), 3)]),
    "CrossEntropyLoss options": (
        lambda nn, lib: nn.CrossEntropyLoss(weight=lib.tensor([0.2, 0.3, 0.5]), ignore_index=1,
                                            reduction="sum", label_smoothing=0.1),
        [X, _classes((4,), 3)]),
    "NLLLoss": (lambda nn, lib: nn.NLLLoss(weight=lib.tensor([1.0, 2.0, 3.0])),
                [_log_probs((4, 3)), _classes((4,), 3)]),
    "PoissonNLLLoss": (lambda nn, lib: nn.PoissonNLLLoss(log_input=False, eps=1e-6),
                       [P, Q]),
    "GaussianNLLLoss": (lambda nn, lib: nn.GaussianNLLLoss(full=True, eps=1e-3), [X, Y, P]),
    "KLDivLoss": (lambda nn, lib: nn.KLDivLoss(reduction="batchmean", log_target=True),
                  [_log_probs((4, 3)), _log_probs((4, 3), seed=2)]),
    "BCELoss": (lambda nn, lib: nn.BCELoss(weight=lib.tensor([0.5, 1.0, 2.0])), [P, Q]),
    "BCEWithLogitsLoss": (lambda nn, lib: nn.BCEWithLogitsLoss(
        pos_weight=lib.tensor([1.0, 2.0, 3.0])), [X, Q]),
    "HingeEmbeddingLoss": (lambda nn, lib: nn.HingeEmbeddingLoss(margin=2.0),
                           [X, _signs((4, 3))]),
    "MultiLabelMarginLoss": (lambda nn, lib: nn.MultiLabelMarginLoss(),
                             [X, np.array([[0, -1, 1]] * 4, np.int64)]),
    "SmoothL1Loss": (lambda nn, lib: nn.SmoothL1Loss(beta=0.5), [X, Y]),
    "HuberLoss": (lambda nn, lib: nn.HuberLoss(delta=2.0), [X, Y]),
    "SoftMarginLoss": (lambda nn, lib: nn.SoftMarginLoss(), [X, _signs((4, 3))]),
    "MultiLabelSoftMarginLoss": (lambda nn, lib: nn.MultiLabelSoftMarginLoss(), [X, Q]),
    "CosineEmbeddingLoss": (lambda nn, lib: nn.CosineEmbeddingLoss(margin=0.1),
                            [X, Y, _signs((4,))]),
    "MarginRankingLoss": (lambda nn, lib: nn.MarginRankingLoss(margin=0.5),
                          [X[:, 0], X[:, 1], _signs((4,))]),
    "MultiMarginLoss": (lambda nn, lib: nn.MultiMarginLoss(p=2, margin=0.5,
                                                           weight=lib.tensor([1.0, 2.0, 3.0])),
                        [X, _classes((4,), 3)]),
    "TripletMarginLoss": (lambda nn, lib: nn.TripletMarginLoss(margin=0.5, p=3, swap=True),
                          [X, Y, P]),
    "TripletMarginWithDistanceLoss": (lambda nn, lib: nn.TripletMarginWithDistanceLoss(),
                                      [X, Y, P]),
    "CTCLoss": (lambda nn, lib: nn.CTCLoss(blank=4, zero_infinity=True),
                [_log_probs((6, 3, 5)), np.array([[1, 2, 2], [3, 1, 0], [0, 0, 0]], np.int64),
                 np.array([6, 5, 6]), np.array([3, 2, 1])]),
}


@pytest.mark.parametrize("name", list(MODULES))
def test_loss_modules(name):
    """Each module forwards its options to the functional: same repr, state_dict keys and
    value (gradients through the modules are those of the functionals tested above; a few
    are checked here too)."""
    build, arrays = MODULES[name]
    tmod, jmod = build(tnn, torch), build(jnn, jtorch)
    assert repr(jmod) == repr(tmod)
    assert list(jmod.state_dict()) == list(tmod.state_dict())
    grad = (0,) if name in ("CrossEntropyLoss options", "BCEWithLogitsLoss", "CTCLoss") else ()
    ts, js = _tensors(torch, arrays, grad), _tensors(jtorch, arrays, grad)
    t_out, j_out = tmod(*ts), jmod(*js)
    _close(j_out, t_out, atol=1e-4)
    if grad:
        t_out.backward()
        j_out.backward()
        _close(js[0].grad, ts[0].grad, atol=1e-4)


def test_default_reprs():
    for name in ["L1Loss", "MSELoss", "CrossEntropyLoss", "NLLLoss", "BCELoss", "KLDivLoss",
                 "BCEWithLogitsLoss", "SmoothL1Loss", "HuberLoss", "CTCLoss", "SoftMarginLoss",
                 "MultiMarginLoss", "TripletMarginLoss", "GaussianNLLLoss", "PoissonNLLLoss"]:
        assert repr(getattr(jnn, name)()) == repr(getattr(tnn, name)()) == f"{name}()"


def test_weight_buffers_in_state_dict():
    weight = [0.2, 0.3, 0.5]
    t = tnn.CrossEntropyLoss(weight=torch.tensor(weight))
    j = jnn.CrossEntropyLoss(weight=jtorch.tensor(weight))
    assert list(j.state_dict()) == list(t.state_dict()) == ["weight"]
    _close(j.state_dict()["weight"], t.state_dict()["weight"])


# ---- reduction arguments and warnings -------------------------------------------------------

@pytest.mark.parametrize("size_average,reduce", [(None, False), (False, None), (True, True),
                                                 (False, True), (True, False)])
def test_legacy_size_average_and_reduce(size_average, reduce):
    ts, js = _tensors(torch, [X, Y], ()), _tensors(jtorch, [X, Y], ())
    with warnings.catch_warnings(record=True) as t_warned:
        warnings.simplefilter("always")
        t_out = TF.mse_loss(*ts, size_average=size_average, reduce=reduce)
        t_mod = tnn.L1Loss(size_average=size_average, reduce=reduce)
    with warnings.catch_warnings(record=True) as j_warned:
        warnings.simplefilter("always")
        j_out = JF.mse_loss(*js, size_average=size_average, reduce=reduce)
        j_mod = jnn.L1Loss(size_average=size_average, reduce=reduce)
    _close(j_out, t_out)
    assert j_mod.reduction == t_mod.reduction
    assert [str(w.message) for w in j_warned] == [str(w.message) for w in t_warned]


def test_size_mismatch_warning_and_elementwise_mean():
    x, y = jtorch.tensor(X[:, :1]), jtorch.tensor(X[:, 0])
    with pytest.warns(UserWarning) as warned:
        out = JF.mse_loss(x, y)
    with pytest.warns(UserWarning) as t_warned:
        expected = TF.mse_loss(torch.tensor(X[:, :1]), torch.tensor(X[:, 0]))
    assert str(warned[0].message) == str(t_warned[0].message)
    _close(out, expected)
    with pytest.warns(UserWarning, match="elementwise_mean"):
        out = JF.l1_loss(jtorch.tensor(X), jtorch.tensor(Y), reduction="elementwise_mean")
    _close(out, TF.l1_loss(torch.tensor(X), torch.tensor(Y)))


def test_dtype_promotion():
    for make in (lambda F, lib: F.mse_loss(lib.tensor(X), lib.tensor(Y, dtype=lib.float64)),
                 lambda F, lib: F.l1_loss(lib.tensor(X), lib.ones(4, 3, dtype=lib.int64)),
                 lambda F, lib: F.cross_entropy(lib.tensor(X, dtype=lib.float64),
                                                lib.tensor([0, 1, 2, 1])),
                 lambda F, lib: F.cross_entropy(lib.tensor(X), lib.tensor(Q, dtype=lib.float64)),
                 lambda F, lib: F.cross_entropy(lib.tensor(X), lib.tensor([0, 1, 2, 1],
                                                                         dtype=lib.uint8))):
        _close(make(JF, jtorch), make(TF, torch))


# ---- errors ---------------------------------------------------------------------------------

def _target(lib, values, dtype=None):
    return lib.tensor(values, dtype=dtype or lib.int64)


LOSS_ERRORS = {
    "ce target out of range": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                             _target(lib, [0, 1, 2, 3])),
    "ce negative target": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                         _target(lib, [0, -1, 2, 1])),
    "ce kd target out of range": lambda F, lib: F.cross_entropy(lib.zeros(2, 3, 2, 2),
                                                                lib.full((2, 2, 2), 3)),
    "ce float class targets": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                             lib.tensor([0.0, 1, 2, 1])),
    "ce int32 targets": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                       _target(lib, [0, 1, 2, 1], lib.int32)),
    "ce long targets of input shape": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                                     lib.zeros(4, 3,
                                                                               dtype=lib.int64)),
    "ce batch mismatch": lambda F, lib: F.cross_entropy(lib.zeros(4, 3), _target(lib, [0, 1])),
    "ce 2d target": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                   lib.zeros(4, 2, dtype=lib.int64)),
    "ce kd target shape": lambda F, lib: F.cross_entropy(lib.zeros(2, 3, 4),
                                                         lib.zeros(2, 5, dtype=lib.int64)),
    "ce 4d target shape": lambda F, lib: F.cross_entropy(lib.zeros(2, 3, 4, 4),
                                                         lib.zeros(2, 5, 4, dtype=lib.int64)),
    "ce 4d target dims": lambda F, lib: F.cross_entropy(lib.zeros(2, 3, 4, 4),
                                                        lib.zeros(2, 4, dtype=lib.int64)),
    "ce weight size": lambda F, lib: F.cross_entropy(lib.zeros(4, 3), _target(lib, [0, 1, 2, 1]),
                                                     weight=lib.ones(4)),
    "ce prob weight size": lambda F, lib: F.cross_entropy(lib.zeros(4, 3), lib.ones(4, 3),
                                                          weight=lib.ones(4)),
    "ce weight dtype": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                      _target(lib, [0, 1, 2, 1]),
                                                      weight=lib.ones(3, dtype=lib.float64)),
    "ce label_smoothing": lambda F, lib: F.cross_entropy(lib.zeros(4, 3),
                                                         _target(lib, [0, 1, 2, 1]),
                                                         label_smoothing=1.5),
    "ce prob ignore_index": lambda F, lib: F.cross_entropy(lib.zeros(4, 3), lib.ones(4, 3),
                                                           ignore_index=1),
    "ce reduction": lambda F, lib: F.cross_entropy(lib.zeros(4, 3), _target(lib, [0, 1, 2, 1]),
                                                   reduction="foo"),
    "ce integer input": lambda F, lib: F.cross_entropy(lib.ones(4, 3, dtype=lib.int64),
                                                       _target(lib, [0, 1, 2, 1])),
    "nll float target": lambda F, lib: F.nll_loss(lib.zeros(4, 3), lib.tensor([0.0, 1, 2, 1])),
    "nll 3d target": lambda F, lib: F.nll_loss(lib.zeros(4, 3),
                                               lib.zeros(4, 1, 1, dtype=lib.int64)),
    "nll out of range": lambda F, lib: F.nll_loss(lib.zeros(4, 3), _target(lib, [0, 5, 2, 1])),
    "nll 0d input": lambda F, lib: F.nll_loss(lib.tensor(1.0), _target(lib, 0)),
    "bce size": lambda F, lib: F.binary_cross_entropy(lib.full((4, 1), 0.5), lib.ones(4)),
    "bce range": lambda F, lib: F.binary_cross_entropy(lib.full((4,), 1.5), lib.ones(4)),
    "bce logits size": lambda F, lib: F.binary_cross_entropy_with_logits(lib.zeros(4, 1),
                                                                         lib.ones(4)),
    "mse broadcast": lambda F, lib: F.mse_loss(lib.zeros(4, 3), lib.zeros(4)),
    "mse integer": lambda F, lib: F.mse_loss(lib.ones(4, dtype=lib.int64),
                                             lib.ones(4, dtype=lib.int64)),
    "l1 weight size": lambda F, lib: F.l1_loss(lib.ones(4), lib.ones(4), weight=lib.ones(3)),
    "smooth_l1 beta": lambda F, lib: F.smooth_l1_loss(lib.ones(4), lib.ones(4), beta=-1.0),
    "huber delta": lambda F, lib: F.huber_loss(lib.ones(4), lib.ones(4), delta=0.0),
    "kl_div reduction": lambda F, lib: F.kl_div(lib.ones(4), lib.ones(4), reduction="foo"),
    "poisson reduction": lambda F, lib: F.poisson_nll_loss(lib.ones(4), lib.ones(4),
                                                           reduction="x"),
    "gaussian negative var": lambda F, lib: F.gaussian_nll_loss(lib.ones(4), lib.ones(4),
                                                                -lib.ones(4)),
    "gaussian negative float var": lambda F, lib: F.gaussian_nll_loss(lib.ones(4), lib.ones(4),
                                                                      -1.0),
    "gaussian var size": lambda F, lib: F.gaussian_nll_loss(lib.ones(4, 3), lib.ones(4, 3),
                                                            lib.ones(2)),
    "gaussian reduction": lambda F, lib: F.gaussian_nll_loss(lib.ones(4), lib.ones(4),
                                                             lib.ones(4), reduction="x"),
    "margin_ranking dims": lambda F, lib: F.margin_ranking_loss(lib.ones(4), lib.ones(4),
                                                                lib.ones(4, 1)),
    "cosine target dims": lambda F, lib: F.cosine_embedding_loss(lib.ones(4, 3), lib.ones(4, 3),
                                                                 lib.ones(4, 1)),
    "cosine input dims": lambda F, lib: F.cosine_embedding_loss(lib.ones(4), lib.ones(4, 3),
                                                                lib.ones(4)),
    "triplet margin": lambda F, lib: F.triplet_margin_loss(lib.ones(4, 3), lib.ones(4, 3),
                                                           lib.ones(4, 3), margin=0),
    "triplet dims": lambda F, lib: F.triplet_margin_loss(lib.ones(4, 3), lib.ones(3),
                                                         lib.ones(4, 3)),
    "triplet distance reduction": lambda F, lib: F.triplet_margin_with_distance_loss(
        lib.ones(4, 3), lib.ones(4, 3), lib.ones(4, 3), reduction="x"),
    "multi_margin p": lambda F, lib: F.multi_margin_loss(lib.ones(4, 3),
                                                         _target(lib, [0, 1, 2, 1]), p=3),
    "multi_margin weight dims": lambda F, lib: F.multi_margin_loss(
        lib.ones(4, 3), _target(lib, [0, 1, 2, 1]), weight=lib.ones(3, 1)),
    "multi_margin weight size": lambda F, lib: F.multi_margin_loss(
        lib.ones(4, 3), _target(lib, [0, 1, 2, 1]), weight=lib.ones(4)),
    "multi_margin target size": lambda F, lib: F.multi_margin_loss(lib.ones(4, 3),
                                                                   _target(lib, [0, 1, 2])),
    "multi_margin target range": lambda F, lib: F.multi_margin_loss(lib.ones(4, 3),
                                                                    _target(lib, [0, 1, 2, 3])),
    "multi_margin 3d": lambda F, lib: F.multi_margin_loss(lib.ones(2, 3, 4),
                                                          _target(lib, [0, 1])),
    "multilabel_margin size": lambda F, lib: F.multilabel_margin_loss(
        lib.ones(4, 3), lib.zeros(4, 2, dtype=lib.int64)),
    "multilabel_margin range": lambda F, lib: F.multilabel_margin_loss(
        lib.ones(4, 3), _target(lib, [[0, 3, -1]] * 4)),
    "multilabel_margin float": lambda F, lib: F.multilabel_margin_loss(lib.ones(4, 3),
                                                                       lib.zeros(4, 3)),
    "ctc input_lengths": lambda F, lib: F.ctc_loss(lib.zeros(5, 2, 4), _target(lib, [[1, 2]] * 2),
                                                   [6, 4], [2, 2]),
    "ctc target_lengths": lambda F, lib: F.ctc_loss(lib.zeros(5, 2, 4),
                                                    _target(lib, [[1, 2]] * 2), [5, 4], [3, 2]),
    "ctc lengths size": lambda F, lib: F.ctc_loss(lib.zeros(5, 2, 4), _target(lib, [[1, 2]] * 2),
                                                  [5], [2, 2]),
    "ctc blank": lambda F, lib: F.ctc_loss(lib.zeros(5, 2, 4), _target(lib, [[1, 2]] * 2),
                                           [5, 4], [2, 2], blank=4),
    "ctc dims": lambda F, lib: F.ctc_loss(lib.zeros(1, 5, 2, 4), _target(lib, [[1, 2]] * 2),
                                          [5, 4], [2, 2]),
    "ctc reduction": lambda F, lib: F.ctc_loss(lib.zeros(5, 2, 4), _target(lib, [[1, 2]] * 2),
                                               [5, 4], [2, 2], reduction="x"),
}


@pytest.mark.parametrize("name", list(LOSS_ERRORS))
def test_loss_errors(name):
    make = LOSS_ERRORS[name]
    with pytest.raises(Exception) as t_err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make(TF, torch)
    with pytest.raises(Exception) as j_err, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        make(JF, jtorch)
    assert type(j_err.value) is type(t_err.value)
    assert str(j_err.value) == str(t_err.value)


def test_module_constructor_errors():
    for make in (lambda nn, lib: nn.MultiMarginLoss(p=3),
                 lambda nn, lib: nn.MultiMarginLoss(weight=lib.ones(3, 1)),
                 lambda nn, lib: nn.TripletMarginLoss(margin=-1.0),
                 lambda nn, lib: nn.TripletMarginWithDistanceLoss(margin=0.0),
                 lambda nn, lib: nn.HuberLoss(delta="1")):
        with pytest.raises(Exception) as t_err:
            make(tnn, torch)
        with pytest.raises(Exception) as j_err:
            make(jnn, jtorch)
        assert type(j_err.value) is type(t_err.value)
        assert str(j_err.value) == str(t_err.value)
