"""torchvision.transforms.v2.functional basics: v1's functional kernels under v2's names."""

from jtorch.vision.transforms.functional import (  # noqa: F401
    adjust_brightness,
    adjust_contrast,
    adjust_hue,
    adjust_saturation,
    center_crop,
    convert_image_dtype,
    crop,
    gaussian_blur,
    get_dimensions,
    hflip,
    normalize,
    pad,
    pil_to_tensor,
    resize,
    resized_crop,
    rgb_to_grayscale,
    rotate,
    to_pil_image,
    vflip,
)
from jtorch.vision.transforms.functional import hflip as horizontal_flip  # noqa: F401
from jtorch.vision.transforms.functional import pil_to_tensor as to_image  # noqa: F401
from jtorch.vision.transforms.functional import vflip as vertical_flip  # noqa: F401


def to_dtype(inpt, dtype, scale: bool = False):
    """Cast an image tensor, rescaling values when `scale` (ConvertImageDtype's rules)."""
    if scale:
        return convert_image_dtype(inpt, dtype)
    return inpt.to(dtype)
