"""torchvision.models._utils: the legacy-interface decorator (`pretrained=True` with
torchvision's deprecation warnings), keyword-only positional support, `_make_divisible`,
`IntermediateLayerGetter`, as in torchvision 0.28."""

from __future__ import annotations

import functools
import inspect
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from jtorch import nn
from jtorch.vision.models._api import WeightsEnum


def sequence_to_str(seq: Sequence, separate_last: str = "") -> str:
    """torchvision._utils.sequence_to_str: "'a', 'b', and 'c'"."""
    if not seq:
        return ""
    if len(seq) == 1:
        return f"'{seq[0]}'"
    head = "'" + "', '".join([str(item) for item in seq[:-1]]) + "'"
    tail = f"{'' if separate_last and len(seq) == 2 else ','} {separate_last}'{seq[-1]}'"
    return head + tail


def _assert(condition: bool, message: str) -> None:
    """torch._assert: an AssertionError with `message` when `condition` is false."""
    if not condition:
        raise AssertionError(message)


class IntermediateLayerGetter(nn.ModuleDict):
    """Wraps a model's direct children, up to the last one named in `return_layers`, and
    returns an OrderedDict {new_name: output of that child} (children run in registration
    order)."""

    _version = 2

    def __init__(self, model: nn.Module, return_layers: dict[str, str]) -> None:
        if not set(return_layers).issubset([name for name, _ in model.named_children()]):
            raise ValueError("return_layers are not present in model")
        orig_return_layers = return_layers
        return_layers = {str(k): str(v) for k, v in return_layers.items()}
        layers = OrderedDict()
        for name, module in model.named_children():
            layers[name] = module
            if name in return_layers:
                del return_layers[name]
            if not return_layers:
                break
        super().__init__(layers)
        self.return_layers = orig_return_layers

    def forward(self, x):
        out = OrderedDict()
        for name, module in self.items():
            x = module(x)
            if name in self.return_layers:
                out[self.return_layers[name]] = x
        return out


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """The channel count nearest `v` that is a multiple of `divisor`, never less than 90% of
    `v` (from the TensorFlow MobileNet code)."""
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


D = TypeVar("D")


def kwonly_to_pos_or_kw(fn: Callable[..., D]) -> Callable[..., D]:
    """Let a function's keyword-only parameters still be passed positionally, with
    torchvision's deprecation warning."""
    params = inspect.signature(fn).parameters
    try:
        keyword_only_start_idx = next(
            idx for idx, param in enumerate(params.values()) if param.kind == param.KEYWORD_ONLY
        )
    except StopIteration:
        raise TypeError(f"Found no keyword-only parameter on function '{fn.__name__}'") from None
    keyword_only_params = tuple(params)[keyword_only_start_idx:]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> D:
        args, keyword_only_args = args[:keyword_only_start_idx], args[keyword_only_start_idx:]
        if keyword_only_args:
            keyword_only_kwargs = dict(zip(keyword_only_params, keyword_only_args))
            names = sequence_to_str(tuple(keyword_only_kwargs.keys()), separate_last="and ")
            warnings.warn(
                f"Using {names} as positional parameter(s) is deprecated since 0.13 and may be "
                "removed in the future. Please use keyword parameter(s) instead.",
                stacklevel=1,
            )
            kwargs.update(keyword_only_kwargs)
        return fn(*args, **kwargs)

    return wrapper


W = TypeVar("W", bound=WeightsEnum)
M = TypeVar("M", bound=nn.Module)
V = TypeVar("V")


def handle_legacy_interface(**weights: tuple[str, W | None | Callable[[dict[str, Any]], W | None]]):
    """Decorate a model builder so the pre-0.13 interface still works: positional arguments
    (with a warning) and `pretrained=True/False` meaning `weights=<default>/None`, with
    torchvision's two warnings. `weights` maps the new parameter name to (legacy name, default
    weights or a callable of the keyword arguments giving them)."""

    def outer_wrapper(builder: Callable[..., M]) -> Callable[..., M]:
        @kwonly_to_pos_or_kw
        @functools.wraps(builder)
        def inner_wrapper(*args: Any, **kwargs: Any) -> M:
            for weights_param, (pretrained_param, default) in weights.items():
                # `None` is a valid weights value, so the sentinel marks "not passed"
                sentinel = object()
                weights_arg = kwargs.get(weights_param, sentinel)
                if (
                    (weights_param not in kwargs and pretrained_param not in kwargs)
                    or isinstance(weights_arg, WeightsEnum)
                    or (isinstance(weights_arg, str) and weights_arg != "legacy")
                    or weights_arg is None
                ):
                    continue
                # a positional `pretrained` arrives under the new name (kwonly_to_pos_or_kw
                # only knows the current signature)
                pretrained_positional = weights_arg is not sentinel
                if pretrained_positional:
                    kwargs[pretrained_param] = pretrained_arg = kwargs.pop(weights_param)
                else:
                    pretrained_arg = kwargs[pretrained_param]
                if pretrained_arg:
                    default_weights_arg = default(kwargs) if callable(default) else default
                    if not isinstance(default_weights_arg, WeightsEnum):
                        raise ValueError(f"No weights available for model {builder.__name__}")
                else:
                    default_weights_arg = None
                if not pretrained_positional:
                    warnings.warn(
                        f"The parameter '{pretrained_param}' is deprecated since 0.13 and may be "
                        f"removed in the future, please use '{weights_param}' instead.",
                        stacklevel=1,
                    )
                msg = (
                    f"Arguments other than a weight enum or `None` for '{weights_param}' are "
                    "deprecated since 0.13 and may be removed in the future. The current "
                    f"behavior is equivalent to passing `{weights_param}="
                    f"{default_weights_arg}`."
                )
                if pretrained_arg:
                    msg = (
                        f"{msg} You can also use `{weights_param}="
                        f"{type(default_weights_arg).__name__}.DEFAULT` to get the most "
                        "up-to-date weights."
                    )
                warnings.warn(msg, stacklevel=1)
                del kwargs[pretrained_param]
                kwargs[weights_param] = default_weights_arg
            return builder(*args, **kwargs)

        return inner_wrapper

    return outer_wrapper


def _ovewrite_named_param(kwargs: dict[str, Any], param: str, new_value: V) -> None:
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(
                f"The parameter '{param}' expected value {new_value} but got "
                f"{kwargs[param]} instead."
            )
    else:
        kwargs[param] = new_value


def _ovewrite_value_param(param: str, actual: V | None, expected: V) -> V:
    if actual is not None and actual != expected:
        raise ValueError(
            f"The parameter '{param}' expected value {expected} but got {actual} instead."
        )
    return expected


class _ModelURLs(dict):
    def __getitem__(self, item):
        warnings.warn(
            "Accessing the model URLs via the internal dictionary of the module is "
            "deprecated since 0.13 and may be removed in the future. Please access them "
            "via the appropriate Weights Enum instead.",
            stacklevel=1,
        )
        return super().__getitem__(item)
