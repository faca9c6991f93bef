"""jtorch.vision: the torchvision facade (datasets, transforms, utils).

Under `python -m jtorch` or after `jtorch.install_as_torch()`, `import torchvision` gives this
package, so unchanged torchvision code runs on jtorch.
"""

import importlib

from jtorch.vision import datasets, transforms, utils  # noqa: F401

__version__ = "0.28.0"

_LAZY_SUBMODULES = ("models", "ops", "io")


def __getattr__(name):
    """`torchvision.models` (ops, io) without importing it first, as torchvision allows;
    imported on first use so the data pipeline does not pay for the model zoo."""
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"jtorch.vision.{name}")
    raise AttributeError(f"module 'jtorch.vision' has no attribute '{name}'")

_image_backend = "PIL"


def get_image_backend():
    """The image loader's backend: always "PIL" in jtorch."""
    return _image_backend


def set_image_backend(backend):
    if backend not in ["PIL", "accimage"]:
        raise ValueError(f"Invalid backend '{backend}'. Options are 'PIL' and 'accimage'")
    if backend != "PIL":
        raise ValueError("jtorch.vision only supports the 'PIL' image backend")


def get_video_backend():
    return "pyav"
