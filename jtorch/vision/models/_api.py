"""torchvision.models._api: the model registry (`list_models`, `get_model`, ...) and the weights
enums (`Weights`, `WeightsEnum`), as in torchvision 0.28.

`WeightsEnum.get_state_dict` reads the file through `jtorch.hub.load_state_dict_from_url` when
that module exists, else through `_load_cached_state_dict`, which reads the same cache file
(`$TORCH_HOME/hub/checkpoints/<file name of the url>`) and never downloads.
"""

from __future__ import annotations

import fnmatch
import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from functools import partial
from inspect import signature
from types import ModuleType
from typing import Any, TypeVar, get_args
from urllib.parse import urlparse

from jtorch import nn

__all__ = [
    "WeightsEnum",
    "Weights",
    "get_model",
    "get_model_builder",
    "get_model_weights",
    "get_weight",
    "list_models",
]


def _hub_dir():
    """torch.hub.get_dir(): `$TORCH_HOME/hub`, `$TORCH_HOME` defaulting to
    `$XDG_CACHE_HOME/torch` and that to `~/.cache`."""
    torch_home = os.path.expanduser(
        os.getenv("TORCH_HOME", os.path.join(os.getenv("XDG_CACHE_HOME", "~/.cache"), "torch"))
    )
    return os.path.join(torch_home, "hub")


def _load_cached_state_dict(
    url,
    model_dir=None,
    map_location=None,
    progress=True,
    check_hash=False,
    file_name=None,
    weights_only=False,
):
    """`load_state_dict_from_url` for a file already in the hub cache: jtorch.load of
    `<model_dir or hub_dir/checkpoints>/<file_name or the url's file name>`; a clear
    RuntimeError naming the url and the path when the file is absent (no download)."""
    model_dir = model_dir or os.path.join(_hub_dir(), "checkpoints")
    filename = file_name or os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        raise RuntimeError(
            f"The weights file for {url} is not in the cache: expected it at {cached_file}. "
            "jtorch does not download it here; fetch it (e.g. with torch.hub or curl) and place "
            "it at that path, or set $TORCH_HOME to the folder whose hub/checkpoints holds it."
        )
    from jtorch.serialization import load

    return load(cached_file, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, *args, **kwargs):
    """torch.hub.load_state_dict_from_url: jtorch.hub's when it exists, else the cache-only
    reader above."""
    try:
        from jtorch.hub import load_state_dict_from_url as hub_load
    except ImportError:
        hub_load = _load_cached_state_dict
    return hub_load(url, *args, **kwargs)


@dataclass
class Weights:
    """The attributes of one set of pre-trained weights: where the file is (`url`), the
    constructor of its preprocessing preset (`transforms`) and its metadata (`meta`: categories,
    num_params, min_size, metrics, ...)."""

    url: str
    transforms: Callable
    meta: dict[str, Any]

    def __eq__(self, other: Any) -> bool:
        # `transforms` is often a functools.partial, and a deep copy of a partial is not equal to
        # it: compare partials by content so enum members survive deepcopy and unpickling.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        if isinstance(self.transforms, partial) and isinstance(other.transforms, partial):
            return (
                self.transforms.func == other.transforms.func
                and self.transforms.args == other.transforms.args
                and self.transforms.keywords == other.transforms.keywords
            )
        return self.transforms == other.transforms


class WeightsEnum(Enum):
    """Parent class of every model's weights enum; its values are `Weights`."""

    @classmethod
    def verify(cls, obj: Any) -> Any:
        if obj is not None:
            if type(obj) is str:
                obj = cls[obj.replace(cls.__name__ + ".", "")]
            elif not isinstance(obj, cls):
                raise TypeError(
                    f"Invalid Weight class provided; expected {cls.__name__} but "
                    f"received {obj.__class__.__name__}."
                )
        return obj

    def get_state_dict(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def get_weight(name: str) -> WeightsEnum:
    """The weights enum value from its full name, e.g. "ResNet50_Weights.IMAGENET1K_V1"."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    base_module_name = ".".join(sys.modules[__name__].__name__.split(".")[:-1])
    base_module = importlib.import_module(base_module_name)
    model_modules = [base_module] + [
        x[1]
        for x in inspect.getmembers(base_module, inspect.ismodule)
        if x[1].__file__.endswith("__init__.py")
    ]
    weights_enum = None
    for m in model_modules:
        potential_class = m.__dict__.get(enum_name, None)
        if potential_class is not None and issubclass(potential_class, WeightsEnum):
            weights_enum = potential_class
            break
    if weights_enum is None:
        raise ValueError(
            f"The weight enum '{enum_name}' for the specific method couldn't be retrieved."
        )
    return weights_enum[value_name]


def get_model_weights(name: Callable | str) -> type[WeightsEnum]:
    """The weights enum class of a model builder (or of the name it is registered under)."""
    model = get_model_builder(name) if isinstance(name, str) else name
    return _get_enum_from_fn(model)


def _get_enum_from_fn(fn: Callable) -> type[WeightsEnum]:
    """The weights enum named by the annotation of the builder's `weights` parameter."""
    sig = signature(fn, eval_str=True)
    if "weights" not in sig.parameters:
        raise ValueError("The method is missing the 'weights' argument.")
    ann = sig.parameters["weights"].annotation
    weights_enum = None
    if isinstance(ann, type) and issubclass(ann, WeightsEnum):
        weights_enum = ann
    else:
        # Optional[T] and the like
        for t in get_args(ann):
            if isinstance(t, type) and issubclass(t, WeightsEnum):
                weights_enum = t
                break
    if weights_enum is None:
        raise ValueError(
            "The WeightsEnum class for the specific method couldn't be retrieved. "
            "Make sure the typing info is correct."
        )
    return weights_enum


M = TypeVar("M", bound=nn.Module)

BUILTIN_MODELS = {}


def register_model(name: str | None = None) -> Callable[[Callable[..., M]], Callable[..., M]]:
    def wrapper(fn: Callable[..., M]) -> Callable[..., M]:
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn

    return wrapper


def list_models(
    module: ModuleType | None = None,
    include: Iterable[str] | str | None = None,
    exclude: Iterable[str] | str | None = None,
) -> list[str]:
    """The sorted names of registered models, optionally only those of `module`, filtered by
    fnmatch patterns (`include` is a union of filters, `exclude` removes matches after it)."""
    all_models = {
        k
        for k, v in BUILTIN_MODELS.items()
        if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__
    }
    if include:
        models: set[str] = set()
        if isinstance(include, str):
            include = [include]
        for include_filter in include:
            models = models | set(fnmatch.filter(all_models, include_filter))
    else:
        models = all_models
    if exclude:
        if isinstance(exclude, str):
            exclude = [exclude]
        for exclude_filter in exclude:
            models = models - set(fnmatch.filter(all_models, exclude_filter))
    return sorted(models)


def get_model_builder(name: str) -> Callable[..., nn.Module]:
    """The builder function registered under `name` (case-insensitive)."""
    name = name.lower()
    try:
        fn = BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None
    return fn


def get_model(name: str, **config: Any) -> nn.Module:
    """`get_model_builder(name)(**config)`: an instantiated model."""
    fn = get_model_builder(name)
    return fn(**config)
