"""The embedding projector's files: tensors.tsv, metadata.tsv, sprite.png and the config."""

from __future__ import annotations

import math

import numpy as np
from tensorboard.compat import tf
from tensorboard.plugins.projector.projector_config_pb2 import EmbeddingInfo

from jtorch.utils.tensorboard._convert_np import make_np
from jtorch.utils.tensorboard._utils import make_grid


def _join(a, b):
    join = getattr(tf.io.gfile, "join", None)
    return join(a, b) if join is not None else tf.io.gfile.get_filesystem(a).join(a, b)


def _write(path, data: bytes):
    with tf.io.gfile.GFile(path, "wb") as f:
        f.write(data)


def make_tsv(metadata, save_path, metadata_header=None):
    if not metadata_header:
        lines = [str(x) for x in metadata]
    else:
        if len(metadata_header) != len(metadata[0]):
            raise AssertionError(
                "len of header must be equal to the number of columns in metadata")
        lines = ["\t".join(str(e) for e in row) for row in [metadata_header] + list(metadata)]
    _write(_join(save_path, "metadata.tsv"), tf.compat.as_bytes("\n".join(lines) + "\n"))


def make_sprite(label_img, save_path):
    """All label images in one square PNG grid, as torch lays it out."""
    from io import BytesIO

    from PIL import Image

    images = make_np(label_img)
    nrow = math.ceil(images.shape[0] ** 0.5)
    arranged_chw = make_grid(images, ncols=nrow)
    # pad to a square: the projector expects sprite height == width
    square_hwc = np.zeros((arranged_chw.shape[2], arranged_chw.shape[2], 3))
    arranged_hwc = arranged_chw.transpose(1, 2, 0)
    square_hwc[:arranged_hwc.shape[0], :, :] = arranged_hwc
    im = Image.fromarray(np.uint8((square_hwc * 255).clip(0, 255)))
    with BytesIO() as buf:
        im.save(buf, format="PNG")
        _write(_join(save_path, "sprite.png"), buf.getvalue())


def get_embedding_info(metadata, label_img, subdir, global_step, tag):
    info = EmbeddingInfo()
    info.tensor_name = f"{tag}:{str(global_step).zfill(5)}"
    info.tensor_path = _join(subdir, "tensors.tsv")
    if metadata is not None:
        info.metadata_path = _join(subdir, "metadata.tsv")
    if label_img is not None:
        info.sprite.image_path = _join(subdir, "sprite.png")
        info.sprite.single_image_dim.extend([label_img.shape[3], label_img.shape[2]])
    return info


def write_pbtxt(save_path, contents):
    _write(_join(save_path, "projector_config.pbtxt"), tf.compat.as_bytes(contents))


def make_mat(matlist, save_path):
    """One row of tab-separated values per data point (numpy's str of each element, as
    torch's `str(i.item())`)."""
    lines = ("\t".join(str(v.item()) for v in row) + "\n" for row in matlist)
    _write(_join(save_path, "tensors.tsv"), tf.compat.as_bytes("".join(lines)))


__all__ = ["make_tsv", "make_sprite", "get_embedding_info", "write_pbtxt", "make_mat"]
