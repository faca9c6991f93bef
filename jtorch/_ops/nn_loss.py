"""Pure loss math with torch's formulas, shape rules and reductions.

Every function ends in `reduce(loss, reduction)` ('none' | 'mean' | 'sum'), except where torch
normalizes differently (weighted means of nll/cross_entropy, ctc's per-target-length mean).
Checks that depend only on shapes and dtypes live here (they run once per trace); checks on
values (class indices out of range, probabilities outside [0, 1]) are made by the functional
layer on concrete inputs.
"""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

from jtorch import _dtypes
from jtorch._ops.promote import promote

_EPSILON = 1e-12  # torch's cosine_embedding_loss and binary_cross_entropy backward epsilon


def reduce(loss, reduction):
    """torch's apply_loss_reduction."""
    if reduction == "mean":
        return jnp.mean(loss)
    if reduction == "sum":
        return jnp.sum(loss)
    return loss


def _title(x):
    return _dtypes.title_name(_dtypes.from_jax(x.dtype))


def broadcast_pair(a, b):
    """a and b promoted to their torch result dtype and broadcast together (torch's
    RuntimeError naming the first mismatching dim otherwise)."""
    (a, b), _ = promote(a, b)
    ndim = max(a.ndim, b.ndim)
    sa = (1,) * (ndim - a.ndim) + a.shape
    sb = (1,) * (ndim - b.ndim) + b.shape
    for d in range(ndim - 1, -1, -1):
        if sa[d] != sb[d] and sa[d] != 1 and sb[d] != 1:
            raise RuntimeError(f"The size of tensor a ({sa[d]}) must match the size of tensor b "
                               f"({sb[d]}) at non-singleton dimension {d}")
    shape = jnp.broadcast_shapes(a.shape, b.shape)
    return jnp.broadcast_to(a, shape), jnp.broadcast_to(b, shape)


def _clamp_min_zero(z):
    """torch's clamp_min(z, 0): at z == 0 the gradient passes (jnp.maximum would halve it)."""
    return jnp.where(z >= 0, z, 0.0)


def _positive_part(z):
    """The hinge of torch's margin kernels (`if (z > 0)`): no gradient at z == 0."""
    return jnp.where(z > 0, z, 0.0)


def _weighted(loss, weight, reduction):
    """l1/mse with per-element weights: 'mean' is the weighted average, as in torch."""
    loss = loss * weight
    if reduction == "mean":
        return jnp.sum(loss) / jnp.sum(weight)
    return reduce(loss, reduction)


def _check_float(x, kernel):
    if not _dtypes.from_jax(x.dtype).is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_title(x)}\'')


# ---- regression losses ----------------------------------------------------------------------

def l1_loss(x, target, weight, *, reduction):
    x, target = broadcast_pair(x, target)
    loss = jnp.abs(x - target)
    return reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction)


def mse_loss(x, target, weight, *, reduction):
    x, target = broadcast_pair(x, target)
    _check_float(x, "mse_cpu")
    loss = jnp.square(x - target)
    return reduce(loss, reduction) if weight is None else _weighted(loss, weight, reduction)


def smooth_l1_loss(x, target, *, reduction, beta):
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    x, target = broadcast_pair(x, target)
    diff = jnp.abs(x - target)
    if beta == 0:
        return reduce(diff, reduction)
    return reduce(jnp.where(diff < beta, 0.5 * diff * diff / beta, diff - 0.5 * beta), reduction)


def huber_loss(x, target, weight, *, reduction, delta):
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    x, target = broadcast_pair(x, target)
    diff = jnp.abs(x - target)
    loss = jnp.where(diff < delta, 0.5 * diff * diff, delta * (diff - 0.5 * delta))
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)


def soft_margin_loss(x, target, *, reduction):
    x, target = broadcast_pair(x, target)
    return reduce(jax.nn.softplus(-target * x), reduction)


# ---- probabilistic losses -------------------------------------------------------------------

@jax.custom_vjp
def _bce_terms(x, target):
    """-(t log x + (1 - t) log(1 - x)) with logs clamped at -100, as torch."""
    log_x = jnp.maximum(jnp.log(x), -100.0)
    log_1mx = jnp.maximum(jnp.log1p(-x), -100.0)
    return -(target * log_x + (1 - target) * log_1mx)


def _bce_forward(x, target):
    return _bce_terms(x, target), (x, target)


def _bce_backward(saved, g):
    # torch's binary_cross_entropy_backward: (x - t) / max(x (1 - x), 1e-12)
    x, target = saved
    grad_x = g * (x - target) / jnp.maximum((1 - x) * x, _EPSILON)
    grad_t = g * (jnp.maximum(jnp.log1p(-x), -100.0) - jnp.maximum(jnp.log(x), -100.0))
    return grad_x, grad_t


_bce_terms.defvjp(_bce_forward, _bce_backward)


def binary_cross_entropy(x, target, weight, *, reduction):
    x, target = broadcast_pair(x, target)
    loss = _bce_terms(x, target)
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)


def binary_cross_entropy_with_logits(x, target, weight, pos_weight, *, reduction):
    x, target = broadcast_pair(x, target)
    log_sigmoid = jax.nn.log_sigmoid(x)
    if pos_weight is not None:
        log_sigmoid = log_sigmoid * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * x - log_sigmoid
    if weight is not None:
        loss = loss * weight
    return reduce(loss, reduction)


def kl_div(x, target, *, reduction, log_target):
    x, target = broadcast_pair(x, target)
    if log_target:
        loss = jnp.exp(target) * (target - x)
    else:
        loss = jax.scipy.special.xlogy(target, target) - target * x
    if reduction == "batchmean":
        total = jnp.sum(loss)
        return total / x.shape[0] if x.ndim else total
    return reduce(loss, reduction)


def poisson_nll_loss(x, target, *, log_input, full, eps, reduction):
    x, target = broadcast_pair(x, target)
    loss = jnp.exp(x) - target * x if log_input else x - target * jnp.log(x + eps)
    if full:
        stirling = (target * jnp.log(target) - target
                    + 0.5 * jnp.log(2 * math.pi * target))
        loss = loss + jnp.where(target <= 1, 0.0, stirling)
    return reduce(loss, reduction)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def _clamp_min_keep_grad(v, low):
    return jnp.maximum(v, low)


@_clamp_min_keep_grad.defjvp
def _clamp_min_keep_grad_jvp(low, primals, tangents):
    # torch clamps var in place under no_grad: the value changes, the gradient does not
    (v,), (dv,) = primals, tangents
    return jnp.maximum(v, low), dv


def gaussian_nll_loss(x, target, var, *, full, eps, reduction):
    var = _clamp_min_keep_grad(jnp.asarray(var), eps)
    loss = 0.5 * (jnp.log(var) + jnp.square(x - target) / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce(loss, reduction)


# ---- classification losses ------------------------------------------------------------------

def _check_class_target(target):
    if target.dtype not in (jnp.int64, jnp.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_title(target)}")


def _check_nll_shapes(x, target):
    """torch's nll_loss_nd / nll_loss / nll_loss2d shape checks."""
    if x.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {x.ndim})")
    if x.ndim != 1 and target.ndim >= 1 and x.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size "
                         f"({target.shape[0]}).")
    if x.ndim <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if x.ndim == 2 and target.ndim == 0:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)}, target: "
                               f"{list(target.shape)})")
    elif x.ndim == 4:
        if target.ndim != 3:
            raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                               f"targets of dimension: {target.ndim}")
        if target.shape[1:] != x.shape[2:]:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: "
                               f"{list(target.shape)}")
    elif target.shape[1:] != x.shape[2:]:
        expected = [x.shape[0], *x.shape[2:]]
        raise RuntimeError(f"Expected target size {expected}, got {list(target.shape)}")


def _check_class_weight(weight, x, n_classes):
    if weight is None:
        return
    if weight.ndim != 1 or weight.size != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} "
                           f"classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    if weight.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {_title(x)} but found {_title(weight)}")


def _with_batch(x, target):
    """(C) inputs with () targets as a batch of one."""
    return (x[None], target[None]) if x.ndim == 1 else (x, target)


def _picked_and_weights(logp, target, weight, ignore_index):
    """-log p of each target class, and each element's weight (0 where ignored)."""
    valid = target != ignore_index
    safe = jnp.where(valid, target, 0).astype(jnp.int32)
    picked = jnp.take_along_axis(logp, safe[:, None], axis=1)[:, 0]
    w = jnp.ones(safe.shape, logp.dtype) if weight is None else weight[safe]
    w = jnp.where(valid, w, 0).astype(logp.dtype)
    return -picked * w, w


def _nll(logp, target, weight, reduction, ignore_index):
    """nll on batched (N, C, ...) log-probabilities; 'mean' is sum(w_i l_i) / sum(w_i)."""
    losses, w = _picked_and_weights(logp, target, weight, ignore_index)
    if reduction == "mean":
        return jnp.sum(losses) / jnp.sum(w)
    return reduce(losses, reduction)


def nll_loss(x, target, weight, *, reduction, ignore_index):
    _check_class_target(target)
    _check_nll_shapes(x, target)
    _check_class_weight(weight, x, x.shape[1] if x.ndim > 1 else x.shape[0])
    unbatched = x.ndim == 1
    x, target = _with_batch(x, target)
    out = _nll(x, target, weight, reduction, ignore_index)
    return out[0] if unbatched and reduction == "none" else out


def _log_softmax(x, class_dim):
    if not _dtypes.from_jax(x.dtype).is_floating_point:
        kernel = "log_softmax_lastdim_kernel_impl" if class_dim == x.ndim - 1 \
            else "log_softmax_kernel_impl"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_title(x)}'")
    return jax.nn.log_softmax(x, axis=class_dim)


def cross_entropy(x, target, weight, *, reduction, ignore_index, label_smoothing):
    """torch's cross_entropy_loss: probability targets when shapes match, else class
    indices (with optional label smoothing)."""
    class_dim = 0 if x.ndim == 1 else 1
    if x.shape == target.shape:
        return _cross_entropy_probs(x, target, weight, reduction, ignore_index, label_smoothing,
                                    class_dim)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    _check_class_target(target)
    _check_nll_shapes(x, target)
    n_classes = x.shape[class_dim]
    _check_class_weight(weight, x, n_classes)
    unbatched = x.ndim == 1
    logp, target = _with_batch(_log_softmax(x, class_dim), target)
    out = _nll(logp, target, weight, reduction, ignore_index)
    if label_smoothing > 0.0:
        out = ((1 - label_smoothing) * out + _smoothing_term(logp, target, weight, reduction,
                                                             ignore_index)
               * (label_smoothing / n_classes))
    return out[0] if unbatched and reduction == "none" else out


def _class_broadcast(weight, ndim):
    return weight.reshape((1, -1) + (1,) * (ndim - 2))


def _smoothing_term(logp, target, weight, reduction, ignore_index):
    """The uniform-target part of label smoothing, normalized as torch does."""
    ignored = target == ignore_index
    weighted = logp if weight is None else logp * _class_broadcast(weight, logp.ndim)
    smooth = jnp.where(ignored, 0.0, -jnp.sum(weighted, axis=1))
    if reduction != "mean":
        return reduce(smooth, reduction)
    if weight is None:
        return jnp.sum(smooth) / jnp.sum(~ignored)
    target_weights = jnp.where(ignored, 0.0, weight[jnp.where(ignored, 0, target)])
    return jnp.sum(smooth) / jnp.sum(target_weights)


def _cross_entropy_probs(x, target, weight, reduction, ignore_index, label_smoothing, class_dim):
    if not _dtypes.from_jax(target.dtype).is_floating_point:
        raise RuntimeError("Expected floating point type for target with class probabilities, "
                           f"got {_title(target)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    n_classes = x.shape[class_dim]
    if weight is not None and (weight.ndim != 1 or weight.size != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{n_classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    logp = _log_softmax(x, class_dim)
    if label_smoothing > 0.0:
        if label_smoothing > 1.0:
            raise RuntimeError("label_smoothing must be between 0.0 and 1.0. Got: "
                               f"{label_smoothing}")
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    terms = logp * target
    if weight is not None:
        terms = terms * (weight if x.ndim == 1 else _class_broadcast(weight, x.ndim))
    if reduction == "mean":
        return -jnp.sum(terms) / (x.size // n_classes) if x.size else jnp.sum(terms) * jnp.nan
    if reduction == "sum":
        return -jnp.sum(terms)
    return -jnp.sum(terms, axis=class_dim)


def multilabel_soft_margin_loss(x, target, weight, *, reduction):
    loss = -(target * jax.nn.log_sigmoid(x) + (1 - target) * jax.nn.log_sigmoid(-x))
    if weight is not None:
        loss = loss * weight
    class_dim = x.ndim - 1
    loss = jnp.sum(loss, axis=class_dim) / x.shape[class_dim]
    return reduce(loss, reduction)


def multi_margin_loss(x, target, weight, *, p, margin, reduction):
    """sum over i != y of max(0, margin - x[y] + x[i])^p * w[y], divided by C."""
    if x.ndim not in (1, 2) or x.shape[-1] == 0:
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, "
                           f"but got: {list(x.shape)}")
    _check_class_target_long(target)
    batch = x.shape[0] if x.ndim == 2 else 1
    if target.size != batch or target.ndim > 1:
        raise RuntimeError("multi_margin_loss: target tensor should be 1-D with size equal to the "
                           f"number of input samples (batch size). Expected target size "
                           f"[{batch}], but got {list(target.shape)}. Input has shape "
                           f"{list(x.shape)}.")
    n_classes = x.shape[-1]
    if weight is not None and weight.size != n_classes:
        raise RuntimeError(f"inconsistent weight size, expected {n_classes} but got "
                           f"{list(weight.shape)}")
    rows = x.reshape(batch, n_classes)
    labels = target.reshape(batch)
    safe = jnp.clip(labels, 0, n_classes - 1).astype(jnp.int32)
    own = jnp.take_along_axis(rows, safe[:, None], axis=1)
    margins = _positive_part(margin - own + rows)
    if p == 2:
        margins = margins * margins
    if weight is not None:
        margins = margins * weight[safe][:, None]
    others = jnp.arange(n_classes)[None, :] != safe[:, None]
    loss = jnp.sum(jnp.where(others, margins, 0.0), axis=1) / n_classes
    return reduce(loss.reshape(target.shape) if x.ndim == 1 else loss, reduction)


def _check_class_target_long(target):
    if target.dtype != jnp.int64:
        raise RuntimeError(f"expected scalar type Long but found {_title(target)}")


def multilabel_margin_loss(x, target, *, reduction):
    """Per sample: sum over target classes j (up to the first -1) and non-target classes i of
    max(0, 1 - (x[j] - x[i])), divided by C."""
    _check_class_target_long(target)
    if target.shape != x.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(x.shape)}")
    n_classes = x.shape[-1]
    rows = x.reshape(-1, n_classes)
    labels = target.reshape(-1, n_classes)
    listed = jnp.cumprod(labels >= 0, axis=1).astype(bool)  # entries before the first -1
    safe = jnp.where(listed, labels, 0).astype(jnp.int32)
    classes = jnp.arange(n_classes)
    is_target = jnp.any(listed[:, :, None] & (safe[:, :, None] == classes), axis=1)
    own = jnp.take_along_axis(rows, safe, axis=1)
    hinge = _positive_part(1 - own[:, :, None] + rows[:, None, :])
    pairs = listed[:, :, None] & ~is_target[:, None, :]
    loss = jnp.sum(jnp.where(pairs, hinge, 0.0), axis=(1, 2)) / n_classes
    return reduce(loss[0] if x.ndim == 1 else loss, reduction)


# ---- embedding and ranking losses -----------------------------------------------------------

def margin_ranking_loss(x1, x2, target, *, margin, reduction):
    return reduce(_clamp_min_zero(-target * (x1 - x2) + margin), reduction)


def hinge_embedding_loss(x, target, *, margin, reduction):
    zeros = jnp.zeros_like(x)
    margin_part = jnp.where(target != 1, _clamp_min_zero(margin - x), zeros)
    self_part = jnp.where(target != -1, x, zeros)
    return reduce(margin_part + self_part, reduction)


def cosine_embedding_loss(x1, x2, target, *, margin, reduction):
    if target.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = target.ndim + 1
    if x1.ndim != expected or x2.ndim != expected:
        raise RuntimeError(f"{target.ndim}D target tensor expects {expected}D input tensors, but "
                           f"found inputs with sizes {list(x1.shape)} and {list(x2.shape)}.")
    dim = target.ndim
    dot = jnp.sum(x1 * x2, axis=dim)
    norms = jnp.sqrt((jnp.sum(x1 * x1, axis=dim) + _EPSILON)
                     * (jnp.sum(x2 * x2, axis=dim) + _EPSILON))
    cos = dot / norms
    zeros = jnp.zeros_like(cos)
    loss = (jnp.where(target == 1, 1 - cos, zeros)
            + jnp.where(target == -1, _clamp_min_zero(cos - margin), zeros))
    return reduce(loss, reduction)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6):
    """torch.pairwise_distance: ||x1 - x2 + eps||_p over the last dim."""
    diff = x1 - x2 + eps
    axis = max(x1.ndim, x2.ndim) - 1
    if axis < 0:
        return jnp.abs(diff) if p != 0 else (diff != 0).astype(diff.dtype)
    if p == 0:
        return jnp.sum(diff != 0, axis=axis).astype(diff.dtype)
    if p == math.inf:
        return jnp.max(jnp.abs(diff), axis=axis)
    if p == -math.inf:
        return jnp.min(jnp.abs(diff), axis=axis)
    if p == 2:
        return jnp.sqrt(jnp.sum(diff * diff, axis=axis))
    if p == 1:
        return jnp.sum(jnp.abs(diff), axis=axis)
    return jnp.sum(jnp.abs(diff) ** p, axis=axis) ** (1.0 / p)


def _check_triplet_dims(anchor, positive, negative):
    dims = (anchor.ndim, positive.ndim, negative.ndim)
    if len(set(dims)) != 1:
        raise RuntimeError("The anchor, positive, and negative tensors are expected to have the "
                           f"same number of dimensions, but got: anchor {dims[0]}D, positive "
                           f"{dims[1]}D, and negative {dims[2]}D inputs")


def triplet_margin_loss(anchor, positive, negative, *, margin, p, eps, swap, reduction):
    _check_triplet_dims(anchor, positive, negative)
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    dist_swap = pairwise_distance(positive, negative, p, eps) if swap else None
    return triplet_from_distances(dist_pos, dist_neg, dist_swap, margin=margin,
                                  reduction=reduction)


def triplet_from_distances(dist_pos, dist_neg, dist_swap, *, margin, reduction):
    """max(margin + d(a, p) - d(a, n), 0), with d(a, n) replaced by min(d(a, n), d(p, n)) when
    swapping."""
    if dist_swap is not None:
        dist_neg = jnp.minimum(dist_neg, dist_swap)
    return reduce(_clamp_min_zero(margin + dist_pos - dist_neg), reduction)


# ---- CTC ------------------------------------------------------------------------------------

def _logsumexp_safe(*terms):
    """log(sum(exp(terms))) that is -inf (with zero, not NaN, gradients) when all are -inf."""
    stacked = jnp.stack(terms)
    top = lax.stop_gradient(jnp.max(stacked, axis=0))
    top = jnp.where(jnp.isfinite(top), top, 0.0)
    total = jnp.sum(jnp.exp(stacked - top), axis=0)
    positive = total > 0
    return jnp.where(positive, top + jnp.log(jnp.where(positive, total, 1.0)), -jnp.inf)


def _padded_targets(targets, target_lengths, batched_targets):
    """(N, S) targets from the padded (N, S) or the concatenated (sum(lengths),) form."""
    if batched_targets:
        return targets
    total = targets.shape[0]
    starts = jnp.cumsum(target_lengths) - target_lengths
    idx = starts[:, None] + jnp.arange(max(total, 1))[None, :]
    return jnp.take(targets, jnp.clip(idx, 0, max(total - 1, 0)), axis=0) if total \
        else jnp.zeros(idx.shape, targets.dtype)


def _extended_labels(padded, target_lengths, blank):
    """Targets interleaved with blanks (N, 2S + 1), and where a skip over a blank is allowed."""
    n, s = padded.shape
    inside = jnp.arange(s)[None, :] < target_lengths[:, None]
    labels = jnp.where(inside, padded, blank)
    ext = jnp.full((n, 2 * s + 1), blank, dtype=labels.dtype).at[:, 1::2].set(labels)
    skip = jnp.zeros(ext.shape, bool).at[:, 2:].set((ext[:, 2:] != blank)
                                                    & (ext[:, 2:] != ext[:, :-2]))
    return ext, skip


def _ctc_nll(log_probs, ext, skip, input_lengths, target_lengths):
    """-log p(target | input) by the forward (alpha) recursion in log space."""
    steps, n, _ = log_probs.shape
    lp_ext = jnp.take_along_axis(log_probs, jnp.broadcast_to(ext[None], (steps,) + ext.shape)
                                 .astype(jnp.int32), axis=2)
    neg = jnp.full((n, 1), -jnp.inf, log_probs.dtype)
    alpha = jnp.full(ext.shape, -jnp.inf, log_probs.dtype)
    alpha = alpha.at[:, 0].set(lp_ext[0, :, 0])
    alpha = alpha.at[:, 1].set(jnp.where(target_lengths > 0, lp_ext[0, :, 1], -jnp.inf))

    def step(alpha, inputs):
        t, lp_t = inputs
        prev1 = jnp.concatenate([neg, alpha[:, :-1]], axis=1)
        prev2 = jnp.where(skip, jnp.concatenate([neg, neg, alpha[:, :-2]], axis=1), -jnp.inf)
        new = _logsumexp_safe(alpha, prev1, prev2) + lp_t
        return jnp.where((t < input_lengths)[:, None], new, alpha), None

    alpha, _ = lax.scan(step, alpha, (jnp.arange(1, steps), lp_ext[1:]))
    last = 2 * target_lengths
    end_blank = jnp.take_along_axis(alpha, last[:, None], axis=1)[:, 0]
    end_label = jnp.where(target_lengths > 0,
                          jnp.take_along_axis(alpha, jnp.maximum(last - 1, 0)[:, None],
                                              axis=1)[:, 0], -jnp.inf)
    return -_logsumexp_safe(end_blank, end_label)


def _torch_ctc_gradient_term(log_probs, input_lengths):
    """Zero-valued term whose gradient is exp(log_probs) on valid frames: torch's ctc backward
    returns exp(lp) - posterior (the gradient w.r.t. logits through log_softmax), not the
    plain derivative -posterior; adding this reproduces it."""
    frames = jnp.arange(log_probs.shape[0])[:, None] < input_lengths[None, :]
    fixed = lax.stop_gradient(log_probs)
    delta = jnp.where(jnp.isfinite(fixed), log_probs - fixed, 0.0)
    return jnp.sum(jnp.where(frames[:, :, None], jnp.exp(fixed) * delta, 0.0), axis=(0, 2))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, *, blank, reduction,
             zero_infinity):
    """torch.nn.functional.ctc_loss for (T, N, C) or unbatched (T, C) log-probabilities."""
    if log_probs.ndim not in (2, 3):
        # torch counts the batch dim it adds to every input before checking
        raise RuntimeError(f"Expected 3-dimensional tensor, but got {log_probs.ndim + 1}-"
                           "dimensional tensor for argument #1 'log_probs' (while checking "
                           "arguments for ctc_loss_allocate_outputs)")
    if not 0 <= blank < log_probs.shape[-1]:
        raise RuntimeError("blank must be in label range")
    unbatched = log_probs.ndim == 2
    if unbatched:
        log_probs = log_probs[:, None]
        targets = targets[None] if targets.ndim == 1 else targets
        input_lengths, target_lengths = input_lengths.reshape(1), target_lengths.reshape(1)
    for name, lengths in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if lengths.size != log_probs.shape[1]:
            raise RuntimeError(f"{name} must be of size batch_size")
    input_lengths = input_lengths.reshape(-1).astype(jnp.int64)
    target_lengths = target_lengths.reshape(-1).astype(jnp.int64)
    padded = _padded_targets(targets, target_lengths, targets.ndim == 2)
    ext, skip = _extended_labels(padded, target_lengths, blank)
    nll = _ctc_nll(log_probs, ext, skip, input_lengths, target_lengths)
    nll = nll + _torch_ctc_gradient_term(log_probs, input_lengths)
    # no frames: only the empty target has a path (probability one)
    nll = jnp.where(input_lengths == 0, jnp.where(target_lengths == 0, 0.0, jnp.inf), nll)
    if zero_infinity:
        nll = jnp.where(jnp.isinf(nll), 0.0, nll)
    if reduction == "mean":
        return jnp.mean(nll / jnp.maximum(target_lengths, 1).astype(nll.dtype))
    if reduction == "sum":
        return jnp.sum(nll)
    return nll[0] if unbatched else nll
