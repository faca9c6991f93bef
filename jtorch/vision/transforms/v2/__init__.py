"""torchvision.transforms.v2 basics.

Each v2 transform takes one sample or several arguments (`t(img, label)`) or a nested
structure, and transforms its images as torchvision's v2 does for plain inputs: every PIL
image, or, if there is none, the first plain tensor; everything else passes through. All
images of one call get the same random parameters. Image math is v1's (identical results).
"""

from __future__ import annotations

import random
import warnings

import numpy as np

from jtorch import _dtypes
from jtorch._tensor import Tensor
from jtorch.utils.data._utils import host
from jtorch.vision.transforms import autoaugment as _aa
from jtorch.vision.transforms import functional as _F1
from jtorch.vision.transforms import transforms as _v1
from jtorch.vision.transforms.autoaugment import AutoAugmentPolicy  # noqa: F401
from jtorch.vision.transforms.functional import InterpolationMode
from jtorch.vision.transforms.v2 import functional  # noqa: F401

__all__ = ["CenterCrop", "ColorJitter", "Compose", "ConvertImageDtype", "GaussianBlur",
           "Grayscale", "Identity", "InterpolationMode", "Lambda", "Normalize", "Pad",
           "PILToTensor", "RandomApply", "RandomChoice", "RandomCrop", "RandomErasing",
           "RandomGrayscale", "RandomHorizontalFlip", "RandomOrder", "RandomResizedCrop",
           "RandomRotation", "RandomVerticalFlip", "Resize", "ToDtype", "ToImage",
           "ToPILImage", "ToPureTensor", "ToTensor", "Transform", "RandomAffine",
           "RandomInvert", "RandomPerspective", "RandomPosterize", "RandomSolarize",
           "RandomAdjustSharpness", "RandomAutocontrast", "RandomEqualize", "FiveCrop",
           "TenCrop", "AutoAugment", "AutoAugmentPolicy", "RandAugment", "TrivialAugmentWide"]


def _is_image(x):
    return isinstance(x, Tensor) or _F1._is_pil_image(x) or isinstance(x, np.ndarray)


def _flatten(sample, leaves):
    if isinstance(sample, (list, tuple)) and not hasattr(sample, "_fields"):
        return type(sample)(_flatten(s, leaves) for s in sample)
    if isinstance(sample, dict):
        return {k: _flatten(v, leaves) for k, v in sample.items()}
    leaves.append(sample)
    return _Slot(len(leaves) - 1)


class _Slot:
    __slots__ = ("i",)

    def __init__(self, i):
        self.i = i


def _unflatten(spec, leaves):
    if isinstance(spec, _Slot):
        return leaves[spec.i]
    if isinstance(spec, (list, tuple)):
        return type(spec)(_unflatten(s, leaves) for s in spec)
    if isinstance(spec, dict):
        return {k: _unflatten(v, leaves) for k, v in spec.items()}
    return spec


class Transform:
    """Base of v2 transforms: `transform(inpt)` changes one image; `__call__` finds the
    images in the sample and applies it to each with the same random draws."""

    _v1_transform = None

    def transform(self, inpt):
        return self._v1_transform(inpt)

    def _targets(self, leaves):
        pil = [i for i, leaf in enumerate(leaves) if _F1._is_pil_image(leaf)]
        if pil:
            return pil
        tensors = [i for i, leaf in enumerate(leaves) if isinstance(leaf, Tensor)]
        return tensors[:1]

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        leaves = []
        spec = _flatten(sample, leaves)
        targets = self._targets(leaves)
        rng = host.host_rng()
        rng_state, py_state = rng.bit_generator.state, random.getstate()
        for n, i in enumerate(targets):
            if n:  # the same draws, hence the same parameters, for every image
                rng.bit_generator.state = rng_state
                random.setstate(py_state)
            leaves[i] = self.transform(leaves[i])
        return _unflatten(spec, leaves)

    def __repr__(self):
        return repr(self._v1_transform) if self._v1_transform is not None \
            else f"{type(self).__name__}()"


def _wrap(name, v1_class):
    """A v2 transform class with v1_class's constructor and image semantics."""
    def __init__(self, *args, **kwargs):
        self._v1_transform = v1_class(*args, **kwargs)

    def __getattr__(self, attr):
        if attr == "_v1_transform":
            raise AttributeError(attr)
        return getattr(self._v1_transform, attr)

    def __repr__(self):
        return repr(self._v1_transform).replace(v1_class.__name__, name, 1)

    return type(name, (Transform,), {"__init__": __init__, "__getattr__": __getattr__,
                                     "__repr__": __repr__,
                                     "__doc__": f"v2 {name}: see transforms.{v1_class.__name__}"
                                                "."})


Normalize = _wrap("Normalize", _v1.Normalize)
Resize = _wrap("Resize", _v1.Resize)
CenterCrop = _wrap("CenterCrop", _v1.CenterCrop)
RandomCrop = _wrap("RandomCrop", _v1.RandomCrop)
RandomResizedCrop = _wrap("RandomResizedCrop", _v1.RandomResizedCrop)
RandomHorizontalFlip = _wrap("RandomHorizontalFlip", _v1.RandomHorizontalFlip)
RandomVerticalFlip = _wrap("RandomVerticalFlip", _v1.RandomVerticalFlip)
RandomRotation = _wrap("RandomRotation", _v1.RandomRotation)
ColorJitter = _wrap("ColorJitter", _v1.ColorJitter)
Grayscale = _wrap("Grayscale", _v1.Grayscale)
RandomGrayscale = _wrap("RandomGrayscale", _v1.RandomGrayscale)
GaussianBlur = _wrap("GaussianBlur", _v1.GaussianBlur)
Pad = _wrap("Pad", _v1.Pad)
RandomErasing = _wrap("RandomErasing", _v1.RandomErasing)
PILToTensor = _wrap("PILToTensor", _v1.PILToTensor)
ToPILImage = _wrap("ToPILImage", _v1.ToPILImage)
RandomAffine = _wrap("RandomAffine", _v1.RandomAffine)
RandomInvert = _wrap("RandomInvert", _v1.RandomInvert)
RandomPerspective = _wrap("RandomPerspective", _v1.RandomPerspective)
RandomPosterize = _wrap("RandomPosterize", _v1.RandomPosterize)
RandomSolarize = _wrap("RandomSolarize", _v1.RandomSolarize)
RandomAdjustSharpness = _wrap("RandomAdjustSharpness", _v1.RandomAdjustSharpness)
RandomAutocontrast = _wrap("RandomAutocontrast", _v1.RandomAutocontrast)
RandomEqualize = _wrap("RandomEqualize", _v1.RandomEqualize)
FiveCrop = _wrap("FiveCrop", _v1.FiveCrop)
TenCrop = _wrap("TenCrop", _v1.TenCrop)
AutoAugment = _wrap("AutoAugment", _aa.AutoAugment)
RandAugment = _wrap("RandAugment", _aa.RandAugment)
TrivialAugmentWide = _wrap("TrivialAugmentWide", _aa.TrivialAugmentWide)


class ToTensor(_wrap("ToTensor", _v1.ToTensor)):
    def __init__(self):
        warnings.warn("The transform `ToTensor()` is deprecated and will be removed in a future "
                      "release. Instead, please use `v2.Compose([v2.ToImage(), "
                      "v2.ToDtype(torch.float32, scale=True)])`.Output is equivalent up to "
                      "float precision.", UserWarning, stacklevel=2)
        super().__init__()


class Lambda(Transform):
    """Apply `lambd` to the whole sample's images (as v2: to every leaf of listed types)."""

    def __init__(self, lambd, *types):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd
        self.types = types or (object,)

    def transform(self, inpt):
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    def _targets(self, leaves):
        return list(range(len(leaves)))

    def __repr__(self):
        return f"Lambda({getattr(self.lambd, '__name__', self.lambd)}, types={list(self.types)})"


class Identity(Transform):
    def transform(self, inpt):
        return inpt


class ToImage(Transform):
    """PIL image or HWC ndarray -> CHW tensor (uint8 stays uint8); tensors unchanged."""

    def transform(self, inpt):
        if isinstance(inpt, Tensor):
            return inpt
        if isinstance(inpt, np.ndarray):
            arr = inpt[:, :, None] if inpt.ndim == 2 else inpt
            return host.host_tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))
        return _F1.pil_to_tensor(inpt)

    def _targets(self, leaves):
        images = [i for i, leaf in enumerate(leaves) if _is_image(leaf)]
        pil = [i for i in images if not isinstance(leaves[i], Tensor)]
        return pil or images[:1]


class ToPureTensor(Identity):
    pass


class ToDtype(Transform):
    """Cast image tensors to `dtype`; with scale=True, rescale values as ConvertImageDtype."""

    def __init__(self, dtype, scale: bool = False):
        if isinstance(dtype, dict):
            dtype = next((v for v in dtype.values() if v is not None), None)
        self.dtype = dtype
        self.scale = scale

    def transform(self, inpt):
        if self.dtype is None or not isinstance(inpt, Tensor):
            return inpt
        if self.scale:
            return _F1.convert_image_dtype(inpt, self.dtype)
        return inpt.to(_dtypes.as_dtype(self.dtype)) if not host.is_host(inpt) else \
            host.host_tensor(host.host_array(inpt).astype(_dtypes.as_dtype(self.dtype).np))

    def __repr__(self):
        return f"ToDtype(scale={self.scale})"


class ConvertImageDtype(ToDtype):
    def __init__(self, dtype=_dtypes.float32):
        super().__init__(dtype, scale=True)


class Compose(Transform):
    def __init__(self, transforms):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence of callables")
        if not transforms:
            raise ValueError("Pass at least one transform")
        self.transforms = transforms

    def __call__(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for t in self.transforms:
            outputs = t(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs

    def __repr__(self):
        return _v1._sequence_repr("Compose", self.transforms)


class RandomApply(Compose):
    def __init__(self, transforms, p: float = 0.5):
        super().__init__(list(transforms))
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.p = p

    def __call__(self, *inputs):
        sample = inputs if len(inputs) > 1 else inputs[0]
        if float(host.host_rng().random()) >= self.p:
            return sample
        return super().__call__(*inputs)


class RandomChoice(Transform):
    def __init__(self, transforms, p=None):
        if not isinstance(transforms, (list, tuple)):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(f"Length of p doesn't match the number of transforms: {len(p)} != "
                             f"{len(transforms)}")
        self.transforms = transforms
        total = sum(p)
        self.p = [prob / total for prob in p]

    def __call__(self, *inputs):
        idx = int(host.host_rng().choice(len(self.p), p=self.p))
        return self.transforms[idx](*inputs)


class RandomOrder(Transform):
    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, *inputs):
        needs_unpacking = len(inputs) > 1
        for idx in host.host_rng().permutation(len(self.transforms)).tolist():
            outputs = self.transforms[idx](*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs
