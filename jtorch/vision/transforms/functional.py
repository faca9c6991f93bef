"""torchvision.transforms.functional: the same functions, arguments, checks and errors.

PIL images go to Pillow exactly as torchvision sends them (identical results); tensors go to
the kernels of `_functional_tensor` (numpy for host tensors, jtorch's op funnel otherwise).
"""

from __future__ import annotations

import math
import numbers
import sys
import warnings
from enum import Enum

import numpy as np
from PIL import Image

from jtorch import _dtypes
from jtorch._dispatch import commit_inplace
from jtorch._tensor import Tensor
from jtorch.utils.data._utils import host
from jtorch.vision.transforms import _functional_pil as F_pil
from jtorch.vision.transforms import _functional_tensor as F_t


class InterpolationMode(Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    return {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR,
            3: InterpolationMode.BICUBIC, 4: InterpolationMode.BOX,
            5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}[i]


pil_modes_mapping = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}

_is_pil_image = F_pil._is_pil_image


def _interpolation(interpolation):
    if isinstance(interpolation, int):
        return _interpolation_modes_from_int(interpolation)
    if not isinstance(interpolation, InterpolationMode):
        raise TypeError("Argument interpolation should be a InterpolationMode or a corresponding "
                        "Pillow integer constant")
    return interpolation


def _assert_image_tensor(img):
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _np_dtype(t: Tensor):
    return np.dtype(t.dtype.np)


def get_dimensions(img) -> list[int]:
    """[channels, height, width] of a PIL image or a (..., C, H, W) tensor."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        channels = 1 if img.ndim == 2 else img.shape[-3]
        return [channels, img.shape[-2], img.shape[-1]]
    return F_pil.get_dimensions(img)


def get_image_size(img) -> list[int]:
    """[width, height]."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        return [img.shape[-1], img.shape[-2]]
    return F_pil.get_image_size(img)


def get_image_num_channels(img) -> int:
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        return 1 if img.ndim == 2 else img.shape[-3]
    return F_pil.get_image_num_channels(img)


def _assert_channels(img, permitted):
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(f"Input image tensor permitted channel values are {permitted}, but "
                        f"found {c}")


# ---- conversions --------------------------------------------------------------------------

def to_tensor(pic) -> Tensor:
    """PIL image or HWC ndarray -> CHW tensor; uint8 data scaled to [0, 1] in the default
    float dtype, other data types kept."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray) and pic.ndim not in {2, 3}:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    default_float = np.dtype(_dtypes.get_default_dtype().np)
    if isinstance(pic, np.ndarray):
        if pic.ndim == 2:
            pic = pic[:, :, None]
        img = np.ascontiguousarray(pic.transpose((2, 0, 1)))
    else:
        mode_to_nptype = {"I": np.int32, "I;16" if sys.byteorder == "little" else "I;16B":
                          np.int16, "F": np.float32}
        img = np.array(pic, mode_to_nptype.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            img = 255 * img
        img = img.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
        img = np.ascontiguousarray(img.transpose((2, 0, 1)))
    if img.dtype == np.uint8:
        img = img.astype(default_float) / default_float.type(255)
    return host.host_tensor(img)


def pil_to_tensor(pic) -> Tensor:
    """PIL image -> CHW tensor of the image's own dtype (uint8 for 8-bit modes)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    img = np.array(pic, copy=True)
    img = img.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return host.host_tensor(np.ascontiguousarray(img.transpose((2, 0, 1))))


def convert_image_dtype(image: Tensor, dtype=None) -> Tensor:
    """Cast a tensor image to `dtype`, rescaling values (e.g. uint8 [0, 255] <-> float
    [0, 1])."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    dtype = _dtypes.float32 if dtype is None else _dtypes.as_dtype(dtype)
    if image.dtype is dtype:
        return image
    if image.is_floating_point() and not dtype.is_floating_point and (
            (image.dtype is _dtypes.float32 and dtype in (_dtypes.int32, _dtypes.int64))
            or (image.dtype is _dtypes.float64 and dtype is _dtypes.int64)):
        raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
    return F_t.run(F_t.convert_image_dtype, image, dtype=np.dtype(dtype.np).str)


def to_pil_image(pic, mode=None):
    """CHW tensor or HWC ndarray -> PIL image (floats are scaled by 255 unless mode "F")."""
    if isinstance(pic, Tensor):
        if pic.ndim == 3:
            pic = pic.permute((1, 2, 0)) if not host.is_host(pic) else \
                host.host_tensor(host.host_array(pic).transpose(1, 2, 0))
        pic = np.asarray(host.host_array(pic.detach() if pic.requires_grad else pic))
    elif not isinstance(pic, np.ndarray):
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if pic.ndim == 2:
        pic = np.expand_dims(pic, 2)
    if pic.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
    if pic.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {pic.shape[-1]} channels.")
    npimg = pic
    if np.issubdtype(npimg.dtype, np.floating) and mode != "F":
        npimg = (npimg * 255).astype(np.uint8)
    if npimg.shape[2] == 1:
        expected_mode = None
        npimg = npimg[:, :, 0]
        if npimg.dtype == np.uint8:
            expected_mode = "L"
        elif npimg.dtype == np.int16:
            expected_mode = "I;16" if sys.byteorder == "little" else "I;16B"
        elif npimg.dtype == np.int32:
            expected_mode = "I"
        elif npimg.dtype == np.float32:
            expected_mode = "F"
        if mode is not None and mode != expected_mode:
            raise ValueError(f"Incorrect mode ({mode}) supplied for input type {np.dtype}. "
                             f"Should be {expected_mode}")
        mode = expected_mode
    elif npimg.shape[2] == 2:
        if mode is not None and mode not in ["LA"]:
            raise ValueError("Only modes ['LA'] are supported for 2D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "LA"
    elif npimg.shape[2] == 4:
        permitted = ["RGBA", "CMYK", "RGBX"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 4D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGBA"
    else:
        permitted = ["RGB", "YCbCr", "HSV"]
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for 3D inputs")
        if mode is None and npimg.dtype == np.uint8:
            mode = "RGB"
    if mode is None:
        raise TypeError(f"Input type {npimg.dtype} is not supported")
    return _image_frombuffer(np.ascontiguousarray(npimg), mode)


def _image_frombuffer(arr, mode):
    """Image.fromarray(arr, mode) with Pillow's old meaning (read the buffer in `mode`), as
    torchvision's _Image_fromarray keeps it across Pillow versions."""
    size = (arr.shape[1], arr.shape[0])
    return Image.frombuffer(mode, size, np.ascontiguousarray(arr), "raw", mode, 0, 1)


def normalize(tensor: Tensor, mean, std, inplace: bool = False) -> Tensor:
    """(tensor - mean) / std per channel, for float tensors of shape (..., C, H, W)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    np_dtype = _np_dtype(tensor)
    mean_v, std_v = _channel_values(mean, np_dtype), _channel_values(std, np_dtype)
    if (std_v == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to "
                         "division by zero.")
    out = F_t.run(F_t.normalize, tensor, mean_v, std_v)
    return _maybe_inplace(tensor, out, inplace)


def _channel_values(values, np_dtype):
    """mean/std as a (C, 1, 1) array in the tensor's dtype (a scalar stays 0-d)."""
    if isinstance(values, Tensor):
        values = host.host_array(values)
    arr = np.asarray(values, dtype=np_dtype)
    return arr.reshape(-1, 1, 1) if arr.ndim == 1 else arr


def _maybe_inplace(target, out, inplace):
    if not inplace:
        return out
    if host.is_host(target) or host.xla_free:
        target._raw = host.host_array(out)
        return target
    return commit_inplace(target, out)


# ---- geometry -----------------------------------------------------------------------------

def _compute_resized_output_size(image_size, size, max_size=None, allow_size_none=False):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if size is None:
        if not allow_size_none:
            raise ValueError("This should never happen!!")
        if not isinstance(max_size, int):
            raise ValueError("max_size must be an integer when size is None, but got "
                             f"{max_size} instead.")
        new_short, new_long = int(max_size * short / long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    elif len(size) == 1:
        requested_new_short = size if isinstance(size, int) else size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                                 f"requested size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to `size` (h, w), or the smaller edge to `size` keeping the aspect ratio."""
    interpolation = _interpolation(interpolation)
    if isinstance(size, (list, tuple)):
        if len(size) not in [1, 2]:
            raise ValueError("Size must be an int or a 1 or 2 element tuple/list, not a "
                             f"{len(size)} element tuple/list")
        if max_size is not None and len(size) != 1:
            raise ValueError("max_size should only be passed if size specifies the length of the "
                             "smaller edge, i.e. size should be an int or a sequence of length 1 "
                             "in torchscript mode.")
    _, image_height, image_width = get_dimensions(img)
    if isinstance(size, int):
        size = [size]
    output_size = _compute_resized_output_size((image_height, image_width), size, max_size)
    if [image_height, image_width] == output_size:
        return img
    if not isinstance(img, Tensor):
        if antialias is False:
            warnings.warn("Anti-alias option is always applied for PIL Image input. Argument "
                          "antialias is ignored.", stacklevel=2)
        return F_pil.resize(img, size=output_size,
                            interpolation=pil_modes_mapping[interpolation])
    _assert_image_tensor(img)
    mode = interpolation.value
    if mode not in ("nearest", "nearest-exact", "bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode '{mode}' is unsupported with Tensor input")
    aa = bool(antialias) and mode in ("bilinear", "bicubic")
    return F_t.run(F_t.resize, img, size=tuple(output_size), interpolation=mode, antialias=aa)


def _parse_pad_padding(padding):
    """(left, top, right, bottom) from an int or a 1-, 2- or 4-sequence."""
    if isinstance(padding, int):
        return (padding,) * 4
    if len(padding) == 1:
        return (padding[0],) * 4
    if len(padding) == 2:
        return (padding[0], padding[1], padding[0], padding[1])
    return tuple(padding)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad each border (int, (lr, tb) or (l, t, r, b)); modes constant/edge/reflect/symmetric."""
    if not isinstance(img, Tensor):
        return F_pil.pad(img, padding=padding, fill=fill, padding_mode=padding_mode)
    _assert_image_tensor(img)
    if fill is None:
        fill = 0
    if not isinstance(padding, (int, tuple, list)):
        raise TypeError("Got inappropriate padding arg")
    if not isinstance(fill, (int, float)):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, (list, tuple)) and len(padding) not in [1, 2, 4]:
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if padding_mode not in ["constant", "edge", "reflect", "symmetric"]:
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    return F_t.run(F_t.pad, img, padding=tuple(int(p) for p in _parse_pad_padding(padding)),
                   fill=float(fill), padding_mode=padding_mode)


def crop(img, top: int, left: int, height: int, width: int):
    """The box (top, left, height, width); tensors are zero-padded where it leaves the image."""
    if not isinstance(img, Tensor):
        return F_pil.crop(img, top, left, height, width)
    _assert_image_tensor(img)
    return F_t.run(F_t.crop, img, top=int(top), left=int(left), height=int(height),
                   width=int(width))


def center_crop(img, output_size):
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):
    img = crop(img, top, left, height, width)
    return resize(img, size, interpolation, antialias=antialias)


def five_crop(img, size):
    """(top-left, top-right, bottom-left, bottom-right, centre) crops of size (h, w)."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = size
    if crop_width > image_width or crop_height > image_height:
        msg = "Requested crop size {} is bigger than input size {}"
        raise ValueError(msg.format(size, (image_height, image_width)))
    tl = crop(img, 0, 0, crop_height, crop_width)
    tr = crop(img, 0, image_width - crop_width, crop_height, crop_width)
    bl = crop(img, image_height - crop_height, 0, crop_height, crop_width)
    br = crop(img, image_height - crop_height, image_width - crop_width, crop_height,
              crop_width)
    center = center_crop(img, [crop_height, crop_width])
    return tl, tr, bl, br, center


def ten_crop(img, size, vertical_flip: bool = False):
    """five_crop of the image, then of its horizontal (or vertical) flip."""
    if isinstance(size, numbers.Number):
        size = (int(size), int(size))
    elif isinstance(size, (tuple, list)) and len(size) == 1:
        size = (size[0], size[0])
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    first_five = five_crop(img, size)
    img = vflip(img) if vertical_flip else hflip(img)
    return first_five + five_crop(img, size)


def hflip(img):
    if not isinstance(img, Tensor):
        return F_pil.hflip(img)
    _assert_image_tensor(img)
    return F_t.run(F_t.hflip, img)


def vflip(img):
    if not isinstance(img, Tensor):
        return F_pil.vflip(img)
    _assert_image_tensor(img)
    return F_t.run(F_t.vflip, img)


def _get_inverse_affine_matrix(center, angle, translate, scale, shear, inverted=True):
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    if inverted:
        matrix = [x / scale for x in [d, -b, 0.0, -c, a, 0.0]]
        matrix[2] += matrix[0] * (-cx - tx) + matrix[1] * (-cy - ty)
        matrix[5] += matrix[3] * (-cx - tx) + matrix[4] * (-cy - ty)
        matrix[2] += cx
        matrix[5] += cy
    else:
        matrix = [x * scale for x in [a, b, 0.0, c, d, 0.0]]
        matrix[2] += matrix[0] * (-cx) + matrix[1] * (-cy)
        matrix[5] += matrix[3] * (-cx) + matrix[4] * (-cy)
        matrix[2] += cx + tx
        matrix[5] += cy + ty
    return matrix


def _compute_affine_output_size(matrix, w, h):
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], dtype=np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new_pts = pts @ theta.T
    min_vals = new_pts.min(axis=0) + np.array((w * 0.5, h * 0.5), np.float32)
    max_vals = new_pts.max(axis=0) + np.array((w * 0.5, h * 0.5), np.float32)
    tol = 1e-4
    cmax = np.ceil(np.trunc(max_vals / tol) * tol)
    cmin = np.floor(np.trunc(min_vals / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _tensor_fill(fill, channels):
    if fill is None:
        return None
    if isinstance(fill, (int, float)):
        return (float(fill),) * channels
    fill = tuple(float(f) for f in fill)
    if len(fill) == 1:
        return fill * channels
    if len(fill) != channels:
        raise ValueError("The number of elements in 'fill' cannot broadcast to match the number "
                         f"of channels of the image ({len(fill)} != {channels})")
    return fill


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):
    """Rotate counter-clockwise by `angle` degrees about `center` (the image centre)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, (list, tuple)):
        raise TypeError("Argument center should be a sequence")
    if not isinstance(img, Tensor):
        return F_pil.rotate(img, angle=angle, interpolation=pil_modes_mapping[interpolation],
                            expand=expand, center=center, fill=fill)
    _assert_image_tensor(img)
    if interpolation.value not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with "
                         "Tensor input")
    channels, height, width = get_dimensions(img)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _get_inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    out_size = _compute_affine_output_size(matrix, width, height) if expand else (width, height)
    return F_t.run(F_t.affine_grid_sample, img, matrix=tuple(matrix), out_size=out_size,
                   interpolation=interpolation.value, fill=_tensor_fill(fill, channels))


def affine(img, angle, translate, scale, shear, interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, (int, float)):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, (list, tuple)):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    channels, height, width = get_dimensions(img)
    if not isinstance(img, Tensor):
        if center is None:
            center = [width * 0.5, height * 0.5]
        matrix = _get_inverse_affine_matrix(center, float(angle), list(translate), scale, shear)
        return F_pil.affine(img, matrix=matrix, interpolation=pil_modes_mapping[interpolation],
                            fill=fill)
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [width, height])]
    matrix = _get_inverse_affine_matrix(center_f, float(angle), [1.0 * t for t in translate],
                                        scale, shear)
    return F_t.run(F_t.affine_grid_sample, img, matrix=tuple(matrix), out_size=(width, height),
                   interpolation=interpolation.value, fill=_tensor_fill(fill, channels))


# ---- colour -------------------------------------------------------------------------------

def to_grayscale(img, num_output_channels=1):
    if isinstance(img, Image.Image):
        return F_pil.to_grayscale(img, num_output_channels)
    raise TypeError("Input should be PIL Image")


def rgb_to_grayscale(img, num_output_channels: int = 1):
    if not isinstance(img, Tensor):
        return F_pil.to_grayscale(img, num_output_channels)
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    return F_t.run(F_t.rgb_to_grayscale, img, num_output_channels=num_output_channels)


def adjust_brightness(img, brightness_factor: float):
    if not isinstance(img, Tensor):
        return F_pil.adjust_brightness(img, brightness_factor)
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return F_t.run(F_t.adjust_brightness, img, factor=float(brightness_factor))


def adjust_contrast(img, contrast_factor: float):
    if not isinstance(img, Tensor):
        return F_pil.adjust_contrast(img, contrast_factor)
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [3, 1])
    return F_t.run(F_t.adjust_contrast, img, factor=float(contrast_factor))


def adjust_saturation(img, saturation_factor: float):
    if not isinstance(img, Tensor):
        return F_pil.adjust_saturation(img, saturation_factor)
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return F_t.run(F_t.adjust_saturation, img, factor=float(saturation_factor))


def adjust_hue(img, hue_factor: float):
    if not isinstance(img, Tensor):
        return F_pil.adjust_hue(img, hue_factor)
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    return F_t.run(F_t.adjust_hue, img, factor=float(hue_factor))


def adjust_gamma(img, gamma: float, gain: float = 1):
    if not isinstance(img, Tensor):
        return F_pil.adjust_gamma(img, gamma, gain)
    _assert_channels(img, [1, 3])
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    return F_t.run(F_t.adjust_gamma, img, gamma=float(gamma), gain=float(gain))


def _assert_3d(img):
    if img.ndim < 3:
        raise TypeError("Input image tensor should have at least 3 dimensions, but found "
                        f"{img.ndim}")


def posterize(img, bits: int):
    """Keep the `bits` highest bits of each channel (uint8 images)."""
    if not 0 <= bits <= 8:
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if not isinstance(img, Tensor):
        return F_pil.posterize(img, bits)
    _assert_image_tensor(img)
    _assert_3d(img)
    if img.dtype != _dtypes.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    return F_t.run(F_t.posterize, img, bits=int(bits))


def solarize(img, threshold: float):
    """Invert every pixel value at or above `threshold`."""
    if not isinstance(img, Tensor):
        return F_pil.solarize(img, threshold)
    _assert_image_tensor(img)
    _assert_3d(img)
    _assert_channels(img, [1, 3])
    if threshold > F_t.max_value(_np_dtype(img)):
        raise TypeError("Threshold should be less than bound of img.")
    return F_t.run(F_t.solarize, img, threshold=float(threshold))


def adjust_sharpness(img, sharpness_factor: float):
    """Blend with a smoothed copy: 0 gives the smoothed image, 1 the original, 2 sharper."""
    if not isinstance(img, Tensor):
        return F_pil.adjust_sharpness(img, sharpness_factor)
    if sharpness_factor < 0:
        raise ValueError(f"sharpness_factor ({sharpness_factor}) is not non-negative.")
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    if img.shape[-1] <= 2 or img.shape[-2] <= 2:
        return img
    return F_t.run(F_t.adjust_sharpness, img, factor=float(sharpness_factor))


def autocontrast(img):
    """Stretch each channel to the full value range."""
    if not isinstance(img, Tensor):
        return F_pil.autocontrast(img)
    _assert_image_tensor(img)
    _assert_3d(img)
    _assert_channels(img, [1, 3])
    return F_t.run(F_t.autocontrast, img)


def equalize(img):
    """Histogram equalisation per channel (uint8 images)."""
    if not isinstance(img, Tensor):
        return F_pil.equalize(img)
    _assert_image_tensor(img)
    if not 3 <= img.ndim <= 4:
        raise TypeError(f"Input image tensor should have 3 or 4 dimensions, but found {img.ndim}")
    if img.dtype != _dtypes.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")
    _assert_channels(img, [1, 3])
    out = host.host_tensor(F_t.equalize(host.host_array(img)))  # value-dependent lookup table
    return out if host.is_host(img) or host.xla_free else host.to_device(out)


def _get_perspective_coeffs(startpoints, endpoints):
    """The 8 coefficients of the perspective transform mapping `endpoints` to `startpoints`
    (least squares in float64, rounded to float32, as torchvision computes them)."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(f"Please provide exactly four corners, got {len(startpoints)} "
                         f"startpoints and {len(endpoints)} endpoints.")
    a_matrix = np.zeros((8, 8), dtype=np.float64)
    for i, (p1, p2) in enumerate(zip(endpoints, startpoints)):
        a_matrix[2 * i] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]
        a_matrix[2 * i + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]
    b_matrix = np.asarray(startpoints, dtype=np.float64).reshape(8)
    res = np.linalg.lstsq(a_matrix, b_matrix, rcond=None)[0].astype(np.float32)
    return res.tolist()


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR,
                fill=None):
    """Warp so that the four `startpoints` corners land on `endpoints`."""
    coeffs = _get_perspective_coeffs(startpoints, endpoints)
    interpolation = _interpolation(interpolation)
    if not isinstance(img, Tensor):
        return F_pil.perspective(img, coeffs, interpolation=pil_modes_mapping[interpolation],
                                 fill=fill)
    _assert_image_tensor(img)
    if interpolation.value not in ("nearest", "bilinear"):
        raise ValueError(f"Interpolation mode '{interpolation.value}' is unsupported with "
                         "Tensor input")
    channels = get_dimensions(img)[0]
    return F_t.run(F_t.perspective_grid_sample, img, coeffs=tuple(coeffs),
                   interpolation=interpolation.value, fill=_tensor_fill(fill, channels))


def gaussian_blur(img, kernel_size, sigma=None):
    """Gaussian blur with reflect padding; PIL images go through a uint8 tensor and back, as
    in torchvision."""
    if not isinstance(kernel_size, (int, list, tuple)):
        raise TypeError("kernel_size should be int or a sequence of integers. Got "
                        f"{type(kernel_size)}")
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError("If kernel_size is a sequence its length should be 2. Got "
                         f"{len(kernel_size)}")
    for ksize in kernel_size:
        if ksize % 2 == 0 or ksize < 0:
            raise ValueError(f"kernel_size should have odd and positive integers. Got "
                             f"{kernel_size}")
    if sigma is None:
        sigma = [ksize * 0.15 + 0.35 for ksize in kernel_size]
    if not isinstance(sigma, (int, float, list, tuple)):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, (int, float)):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, (list, tuple)) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    t_img = img
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        t_img = pil_to_tensor(img)
    _assert_image_tensor(t_img)
    output = F_t.run(F_t.gaussian_blur, t_img, kernel_size=tuple(int(k) for k in kernel_size),
                     sigma=tuple(float(s) for s in sigma))
    if not isinstance(img, Tensor):
        output = to_pil_image(output, mode=img.mode)
    return output


def invert(img):
    if not isinstance(img, Tensor):
        return F_pil.invert(img)
    return F_t.run(_invert_kernel, img)


def _invert_kernel(x, xp):
    return (np.asarray(F_t.max_value(x.dtype), x.dtype) - x).astype(x.dtype)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """img with the box (i, j, h, w) set to `v` (a tensor broadcast to (C, h, w))."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    values = host.host_array(img).copy()
    values[..., i:i + h, j:j + w] = host.host_array(v) if isinstance(v, Tensor) else v
    out = host.host_tensor(values)
    if not host.is_host(img) and not host.xla_free:
        out = host.to_device(out)
    return _maybe_inplace(img, out, inplace)
