"""torchvision.utils: make_grid and save_image, computed as torchvision computes them."""

from __future__ import annotations

import math
import pathlib

import numpy as np
from PIL import Image

from jtorch._tensor import Tensor
from jtorch.utils.data._utils import host

__all__ = ["make_grid", "save_image"]


def _to_numpy_batch(tensor):
    if isinstance(tensor, list):
        if not all(isinstance(t, Tensor) for t in tensor):
            raise TypeError(f"tensor or list of tensors expected, got a list containing "
                            f"{[type(t) for t in tensor]}")
        return np.stack([host.host_array(t.detach()) for t in tensor], axis=0)
    if not isinstance(tensor, Tensor):
        raise TypeError(f"tensor or list of tensors expected, got {type(tensor)}")
    return np.array(host.host_array(tensor.detach()))


def _make_grid_array(x, nrow=8, padding=2, normalize=False, value_range=None,
                     scale_each=False, pad_value=0.0):
    if x.ndim == 2:
        x = x[None]
    if x.ndim == 3:
        if x.shape[0] == 1:
            x = np.concatenate((x, x, x), 0)
        x = x[None]
    if x.ndim == 4 and x.shape[1] == 1:
        x = np.concatenate((x, x, x), 1)
    if normalize:
        x = x.copy()
        if value_range is not None and not isinstance(value_range, tuple):
            raise TypeError("value_range has to be a tuple (min, max) if specified. min and max "
                            "are numbers")

        def norm_ip(img, low, high):
            np.clip(img, low, high, out=img)
            img -= np.asarray(low, img.dtype)
            img /= np.asarray(max(high - low, 1e-5), img.dtype)

        def norm_range(t, value_range):
            if value_range is not None:
                norm_ip(t, value_range[0], value_range[1])
            else:
                norm_ip(t, float(t.min()), float(t.max()))

        if scale_each:
            for t in x:
                norm_range(t, value_range)
        else:
            norm_range(x, value_range)
    if x.shape[0] == 1:
        return x[0]
    nmaps = x.shape[0]
    xmaps = min(nrow, nmaps)
    ymaps = int(math.ceil(float(nmaps) / xmaps))
    height, width = int(x.shape[2] + padding), int(x.shape[3] + padding)
    num_channels = x.shape[1]
    grid = np.full((num_channels, height * ymaps + padding, width * xmaps + padding),
                   pad_value, dtype=x.dtype)
    k = 0
    for y in range(ymaps):
        for xi in range(xmaps):
            if k >= nmaps:
                break
            grid[:, y * height + padding: (y + 1) * height,
                 xi * width + padding: (xi + 1) * width] = x[k]
            k += 1
    return grid


def make_grid(tensor, nrow: int = 8, padding: int = 2, normalize: bool = False,
              value_range=None, scale_each: bool = False, pad_value: float = 0.0) -> Tensor:
    """Tile a (B, C, H, W) batch (or a list of images) into one (C, H', W') image, `nrow`
    per row, separated by `padding` pixels of `pad_value` (torchvision's layout)."""
    grid = _make_grid_array(_to_numpy_batch(tensor), nrow, padding, normalize, value_range,
                            scale_each, pad_value)
    return host.host_tensor(grid)


def save_image(tensor, fp, format: str | None = None, **kwargs) -> None:
    """make_grid(tensor, **kwargs) written as an 8-bit image file (torchvision's rounding:
    `mul(255).add_(0.5).clamp_(0, 255)` then truncation)."""
    grid = _make_grid_array(_to_numpy_batch(tensor), **kwargs)
    ndarr = np.clip(grid * np.asarray(255, grid.dtype) + np.asarray(0.5, grid.dtype), 0, 255)
    ndarr = ndarr.transpose(1, 2, 0).astype(np.uint8)
    im = Image.fromarray(ndarr)
    if isinstance(fp, pathlib.Path):
        fp = str(fp)
    im.save(fp, format=format)
