"""Distance functions of torch.nn.functional, and F.normalize (the p-norm they share)."""

from __future__ import annotations

from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._ops import nn_misc

__all__ = ["pairwise_distance", "pdist", "cosine_similarity", "normalize"]

_PAIRWISE_DISTANCE = Op(nn_misc.pairwise_distance, "NormBackward1", saves=(0, 1))
_PDIST = Op(nn_misc.pdist, "PdistBackward0", saves=(0,))
_COSINE_SIMILARITY = Op(nn_misc.cosine_similarity, "SumBackward1", saves=(0, 1))
_NORMALIZE = Op(nn_misc.normalize, "DivBackward0", saves=(0,))


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """F.pairwise_distance: ||x1 - x2 + eps||_p over the last dim (inputs broadcast)."""
    return dispatch(_PAIRWISE_DISTANCE, (x1, x2), p=float(p), eps=float(eps),
                    keepdim=bool(keepdim))


def pdist(input, p=2):
    """F.pdist: the p-norm distance of every pair of rows i < j of a 2-D input."""
    return dispatch(_PDIST, (input,), p=float(p))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """F.cosine_similarity: <x1, x2> / (max(||x1||, eps) * max(||x2||, eps)) along dim."""
    return dispatch(_COSINE_SIMILARITY, (x1, x2), dim=dim, eps=float(eps))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """F.normalize: input / max(||input||_p over dim, eps); dim may be a tuple."""
    result = dispatch(_NORMALIZE, (input,), p=float(p), dim=_dims(dim), eps=float(eps))
    if out is None:
        return result
    return commit_inplace(out, result.detach())


def _dims(dim):
    return dim if isinstance(dim, int) else tuple(dim)
