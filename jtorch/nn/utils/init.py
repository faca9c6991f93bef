"""torch.nn.utils.init: skip_init."""

from __future__ import annotations

import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """torch.nn.utils.skip_init: build `module_cls(*args, **kwargs)` without meaningful
    initial values. torch builds it on the meta device and allocates empty storage; jtorch has
    no meta device, so it runs the normal initialization and then (as torch's `to_empty`)
    replaces every parameter and buffer with uninitialized storage on `device`."""
    from jtorch.nn.modules.module import Module
    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    return module_cls(*args, **kwargs).to_empty(device=final_device)
