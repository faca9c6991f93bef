"""The loss functions of torch.nn.functional.

Each loss is one funnel op whose backward node carries the name torch gives the loss's last
operation for that reduction (`MseLossBackward0`, `NllLossBackward0`, `MeanBackward0`, ...).
The deprecated size_average/reduce arguments map onto `reduction` as in torch (with its
warning). Checks on values (class indices in range, probabilities in [0, 1], non-negative
variances) run on eager CPU inputs, as torch's CPU kernels check them; on accelerators torch
checks asynchronously on the device and jtorch does not check, and under tracing values are
unknown.
"""

from __future__ import annotations

import functools
import numbers
import warnings

import jax
import numpy as np

from jtorch import _dtypes
from jtorch._api.creation import tensor
from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_loss
from jtorch._tensor import Tensor

__all__ = [
    "l1_loss", "mse_loss", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "smooth_l1_loss", "huber_loss", "kl_div", "ctc_loss",
    "margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss",
    "multilabel_margin_loss", "multilabel_soft_margin_loss", "multi_margin_loss",
    "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss",
    "poisson_nll_loss", "gaussian_nll_loss",
]

_REDUCED = {"mean": "MeanBackward0", "sum": "SumBackward0"}


@functools.cache
def _op(fn, name, saves=(0, 1)):
    """The funnel op running `fn` with backward node `name` (one per pair, made on first use)."""
    return Op(fn, name, saves=saves)


def _reduced_op(fn, reduction, none_name, saves=(0, 1)):
    """Losses computed elementwise then reduced: torch's node is that of the reduction."""
    return _op(fn, _REDUCED.get(reduction, none_name), saves)


# ---- reduction arguments --------------------------------------------------------------------

def _legacy_reduction(size_average, reduce, emit_warning=True):
    """torch.nn._reduction.legacy_get_string: the deprecated flags as a reduction string."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if size_average and reduce:
        result = "mean"
    elif reduce:
        result = "sum"
    else:
        result = "none"
    if emit_warning:
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{result}' instead.", stacklevel=3)
    return result


def _checked_reduction(reduction):
    """torch.nn._reduction.get_enum's validation ('elementwise_mean' is a deprecated 'mean')."""
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", stacklevel=3)
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _resolve(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    return _checked_reduction(reduction)


def _warn_size_mismatch(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size "
                      f"({input.shape}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _check_weight_size(weight, input):
    if weight is not None and weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


# ---- value checks on concrete inputs --------------------------------------------------------

def _concrete_values(t):
    """The values of `t` as numpy when eager on the CPU, else None (see the module doc)."""
    if not isinstance(t, Tensor):
        return None
    array = t._array
    if isinstance(array, jax.core.Tracer) or t.device.type != "cpu":
        return None
    return np.asarray(array)


def _check_class_bounds(target, n_classes, ignore_index):
    values = _concrete_values(target)
    if values is None or values.size == 0:
        return
    values = values.astype(np.int64)
    bad = values[((values < 0) | (values >= n_classes)) & (values != ignore_index)]
    if bad.size:
        raise IndexError(f"Target {int(bad.flat[0])} is out of bounds.")


def _n_classes(input):
    return input.shape[1] if input.ndim > 1 else input.shape[0]


# ---- regression losses ----------------------------------------------------------------------

_WEIGHTED_NAMES = {"none": "MulBackward0", "mean": "DivBackward0", "sum": "SumBackward0"}


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """torch.nn.functional.l1_loss: |input - target|, optionally weighted (a weighted 'mean'
    divides by the sum of the weights)."""
    _warn_size_mismatch(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    _check_weight_size(weight, input)
    name = _WEIGHTED_NAMES[reduction] if weight is not None \
        else _REDUCED.get(reduction, "AbsBackward0")
    return dispatch(_op(nn_loss.l1_loss, name), (input, target, weight), reduction=reduction)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """torch.nn.functional.mse_loss: (input - target)^2, optionally weighted."""
    _warn_size_mismatch(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    _check_weight_size(weight, input)
    name = _WEIGHTED_NAMES[reduction] if weight is not None else "MseLossBackward0"
    return dispatch(_op(nn_loss.mse_loss, name), (input, target, weight), reduction=reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """torch.nn.functional.smooth_l1_loss: 0.5 d^2 / beta below beta, |d| - 0.5 beta above."""
    _warn_size_mismatch(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    name = _REDUCED.get(reduction, "AbsBackward0") if beta == 0.0 else "SmoothL1LossBackward0"
    return dispatch(_op(nn_loss.smooth_l1_loss, name), (input, target), reduction=reduction,
                    beta=beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """torch.nn.functional.huber_loss: 0.5 d^2 below delta, delta (|d| - 0.5 delta) above."""
    _warn_size_mismatch(input, target)
    reduction = _checked_reduction(reduction)
    _check_weight_size(weight, input)
    name = "HuberLossBackward0" if weight is None \
        else _REDUCED.get(reduction, "MulBackward0")
    return dispatch(_op(nn_loss.huber_loss, name), (input, target, weight), reduction=reduction,
                    delta=delta)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """torch.nn.functional.soft_margin_loss: log(1 + exp(-target * input))."""
    reduction = _resolve(size_average, reduce, reduction)
    return dispatch(_op(nn_loss.soft_margin_loss, "SoftMarginLossBackward0"), (input, target),
                    reduction=reduction)


# ---- probabilistic losses -------------------------------------------------------------------

def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """torch.nn.functional.binary_cross_entropy on probabilities; logs clamped at -100."""
    reduction = _resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input "
                         f"size ({input.shape}) is deprecated. Please ensure they have the same "
                         "size.")
    values = _concrete_values(input)
    if values is not None and values.size and not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError("all elements of input should be between 0 and 1")
    return dispatch(_op(nn_loss.binary_cross_entropy, "BinaryCrossEntropyBackward0"),
                    (input, target, weight), reduction=reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """torch.nn.functional.binary_cross_entropy_with_logits, with pos_weight."""
    reduction = _resolve(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return dispatch(_op(nn_loss.binary_cross_entropy_with_logits,
                        "BinaryCrossEntropyWithLogitsBackward0"),
                    (input, target, weight, pos_weight), reduction=reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """torch.nn.functional.kl_div with input in log space; 'batchmean' divides the sum by the
    batch size."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the "
                          "support size.'batchmean' divides only by the batch size, and aligns "
                          "with the KL div math definition.'mean' will be changed to behave the "
                          "same as 'batchmean' in the next major release.", stacklevel=2)
        if reduction != "batchmean":
            reduction = _checked_reduction(reduction)
    if reduction == "batchmean":
        name = "DivBackward0" if input.ndim else "SumBackward0"
    else:
        name = _REDUCED.get(reduction, "MulBackward0" if log_target else "SubBackward0")
    return dispatch(_op(nn_loss.kl_div, name), (input, target), reduction=reduction,
                    log_target=log_target)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8,
                     reduce=None, reduction="mean"):
    """torch.nn.functional.poisson_nll_loss (Stirling term added where target > 1 with full)."""
    reduction = _resolve(size_average, reduce, reduction)
    op = _reduced_op(nn_loss.poisson_nll_loss, reduction,
                     "AddBackward0" if full else "SubBackward0")
    return dispatch(op, (input, target), log_input=log_input, full=full, eps=eps,
                    reduction=reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """torch.nn.functional.gaussian_nll_loss: 0.5 (log var + (input - target)^2 / var), var
    clamped to eps without changing its gradient (torch clamps under no_grad)."""
    if isinstance(var, numbers.Real) and not isinstance(var, Tensor):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = float(var)
    else:
        values = _concrete_values(var)
        if values is not None and (values < 0).any():
            raise ValueError("var has negative entry/entries")
        var = _shaped_variance(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    op = _reduced_op(nn_loss.gaussian_nll_loss, reduction,
                     "AddBackward0" if full else "MulBackward0", saves=(0, 1, 2))
    return dispatch(op, (input, target, var), full=full, eps=eps, reduction=reduction)


def _shaped_variance(input, var):
    """torch's variance shapes: the input's, one dim short (homoscedastic over the last dim),
    or broadcastable with exactly one mismatching dim."""
    if var.shape == input.shape:
        return var
    if input.shape[:-1] == var.shape:
        return var.unsqueeze(-1)
    if input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return var
    raise ValueError("var is of incorrect size")


# ---- classification losses ------------------------------------------------------------------

def _nll_name(ndim, reduction):
    """torch's node: nll_loss for 1-2D input, nll_loss2d for 4D, nll_loss2d plus a view back
    to the target's shape for other K-dimensional inputs with reduction='none'."""
    if ndim <= 2:
        return "NllLossBackward0"
    if ndim != 4 and reduction == "none":
        return "ViewBackward0"
    return "NllLoss2DBackward0"


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """torch.nn.functional.nll_loss on log-probabilities (C), (N, C) or (N, C, d1, ...);
    'mean' is sum(w_i l_i) / sum(w_i) over non-ignored targets."""
    reduction = _resolve(size_average, reduce, reduction)
    op = _op(nn_loss.nll_loss, _nll_name(input.ndim, reduction))
    out = dispatch(op, (input, target, weight), reduction=reduction, ignore_index=ignore_index)
    _check_class_bounds(target, _n_classes(input), ignore_index)
    return out


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """torch.nn.functional.cross_entropy on logits: class-index targets (int64, optionally
    label-smoothed, ignore_index, class weights) or, when target has the input's shape, class
    probabilities."""
    reduction = _resolve(size_average, reduce, reduction)
    probabilities = tuple(input.shape) == tuple(target.shape)
    if probabilities:
        name = "DivBackward1" if reduction == "mean" else "NegBackward0"
    elif label_smoothing > 0.0:
        name = "AddBackward0"
    else:
        name = _nll_name(input.ndim, reduction)
    out = dispatch(_op(nn_loss.cross_entropy, name), (input, target, weight),
                   reduction=reduction, ignore_index=ignore_index,
                   label_smoothing=float(label_smoothing))
    if not probabilities:
        _check_class_bounds(target, _n_classes(input), ignore_index)
    return out


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction="mean"):
    """torch.nn.functional.multilabel_soft_margin_loss: mean over classes of the logistic
    loss per class."""
    reduction = _resolve(size_average, reduce, reduction)
    op = _reduced_op(nn_loss.multilabel_soft_margin_loss, reduction, "DivBackward0")
    return dispatch(op, (input, target, weight), reduction=reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None,
                      reduce=None, reduction="mean"):
    """torch.nn.functional.multi_margin_loss: multi-class hinge loss (p = 1 or 2)."""
    reduction = _resolve(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    out = dispatch(_op(nn_loss.multi_margin_loss, "MultiMarginLossBackward0"),
                   (input, target, weight), p=p, margin=margin, reduction=reduction)
    values = _concrete_values(target)
    if values is not None and ((values < 0) | (values >= input.shape[-1])).any():
        raise RuntimeError("target out of range")
    return out


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """torch.nn.functional.multilabel_margin_loss: targets are class indices padded with -1."""
    reduction = _resolve(size_average, reduce, reduction)
    out = dispatch(_op(nn_loss.multilabel_margin_loss, "MultilabelMarginLossBackward0"),
                   (input, target), reduction=reduction)
    values = _concrete_values(target)
    if values is not None and ((values < -1) | (values >= input.shape[-1])).any():
        raise RuntimeError("argument #2 'target' is out of range")
    return out


# ---- embedding and ranking losses -----------------------------------------------------------

def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                        reduction="mean"):
    """torch.nn.functional.margin_ranking_loss: max(0, -target (input1 - input2) + margin)."""
    reduction = _resolve(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError("margin_ranking_loss : All input tensors should have same dimension "
                           f"but got sizes: input1: {input1.shape}, input2: {input2.shape}, "
                           f"target: {target.shape} ")
    op = _reduced_op(nn_loss.margin_ranking_loss, reduction, "ClampMinBackward0", (0, 1, 2))
    return dispatch(op, (input1, input2, target), margin=margin, reduction=reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None,
                         reduction="mean"):
    """torch.nn.functional.hinge_embedding_loss: x where target is 1, max(0, margin - x)
    where it is -1."""
    reduction = _resolve(size_average, reduce, reduction)
    op = _reduced_op(nn_loss.hinge_embedding_loss, reduction, "AddBackward0")
    return dispatch(op, (input, target), margin=margin, reduction=reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None,
                          reduction="mean"):
    """torch.nn.functional.cosine_embedding_loss: 1 - cos for target 1, max(0, cos - margin)
    for target -1."""
    reduction = _resolve(size_average, reduce, reduction)
    op = _reduced_op(nn_loss.cosine_embedding_loss, reduction, "AddBackward0", (0, 1, 2))
    return dispatch(op, (input1, input2, target), margin=margin, reduction=reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False,
                        size_average=None, reduce=None, reduction="mean"):
    """torch.nn.functional.triplet_margin_loss with pairwise p-norm distances."""
    reduction = _resolve(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    op = _reduced_op(nn_loss.triplet_margin_loss, reduction, "ClampMinBackward0", (0, 1, 2))
    return dispatch(op, (anchor, positive, negative), margin=margin, p=p, eps=eps, swap=swap,
                    reduction=reduction)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None,
                                      margin=1.0, swap=False, reduction="mean"):
    """torch.nn.functional.triplet_margin_with_distance_loss; distance_function defaults to
    the pairwise Euclidean distance."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")
    if distance_function is None:
        return triplet_margin_loss(anchor, positive, negative, margin=margin, swap=swap,
                                   reduction=reduction)
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    dist_swap = distance_function(positive, negative) if swap else None
    op = _reduced_op(nn_loss.triplet_from_distances, reduction, "ClampMinBackward0", (0, 1, 2))
    return dispatch(op, (dist_pos, dist_neg, dist_swap), margin=margin, reduction=reduction)


# ---- CTC ------------------------------------------------------------------------------------

def _lengths_tensor(lengths):
    if isinstance(lengths, Tensor):
        return lengths
    return tensor(list(lengths) if not isinstance(lengths, int) else lengths,
                  dtype=_dtypes.int64)


def _check_ctc_lengths(log_probs, targets, input_lengths, target_lengths):
    if log_probs.ndim not in (2, 3):
        return  # the op reports torch's dimension error
    steps = log_probs.shape[0]
    values = _concrete_values(input_lengths)
    if values is not None and values.size and values.max() > steps:
        raise RuntimeError(f"Expected input_lengths to have value at most {steps}, but got value "
                           f"{int(values.max())} (while checking arguments for "
                           "ctc_loss_allocate_outputs)")
    padded = targets.ndim == 2 or (log_probs.ndim == 2 and targets.ndim == 1)
    values = _concrete_values(target_lengths)
    if padded and values is not None and values.size and values.max() > targets.shape[-1]:
        raise RuntimeError(f"Expected tensor to have size at least {int(values.max())} at "
                           f"dimension 1, but got size {targets.shape[-1]} for argument #2 "
                           "'targets' (while checking arguments for ctc_loss_allocate_outputs)")


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean",
             zero_infinity=False):
    """torch.nn.functional.ctc_loss: log_probs (T, N, C) or (T, C); targets padded (N, S) or
    concatenated (sum(target_lengths),); 'mean' divides each loss by its target length before
    averaging over the batch. Gradients are torch's (see _ops.nn_loss.ctc_loss)."""
    reduction = _checked_reduction(reduction)
    input_lengths = _lengths_tensor(input_lengths)
    target_lengths = _lengths_tensor(target_lengths)
    _check_ctc_lengths(log_probs, targets, input_lengths, target_lengths)
    # zero_infinity ends torch's per-sample losses in a where
    op = _reduced_op(nn_loss.ctc_loss, reduction,
                     "WhereBackward0" if zero_infinity else "CtcLossBackward0", (0,))
    return dispatch(op, (log_probs, targets, input_lengths, target_lengths), blank=blank,
                    reduction=reduction, zero_infinity=zero_infinity)
