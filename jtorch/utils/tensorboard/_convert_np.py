"""Values handed to SummaryWriter (Tensors, numpy arrays, Python numbers) as numpy arrays."""

from __future__ import annotations

import numpy as np

from jtorch._tensor import Tensor


def make_np(x) -> np.ndarray:
    """torch's make_np: a numpy array for a Tensor, an ndarray or a scalar (as shape (1,))."""
    if isinstance(x, np.ndarray):
        return x
    if np.isscalar(x):
        return np.array([x])
    if isinstance(x, Tensor):
        if str(x.dtype) == "torch.bfloat16":  # numpy has no bfloat16; torch goes via half too
            return np.asarray(x.detach().float().numpy()).astype(np.float16)
        return np.asarray(x.detach().cpu().numpy())
    raise NotImplementedError(
        f"Got {type(x)}, but numpy array or torch tensor are expected.")
