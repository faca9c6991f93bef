"""torch.accelerator: the current accelerator is JAX's default accelerator, if any."""

from __future__ import annotations

from jtorch import _device


def is_available() -> bool:
    return bool(_device.accelerator_devices())


def current_accelerator(check_available=False):
    if not is_available():
        return None
    return _device.device("cuda")


def device_count() -> int:
    return len(_device.accelerator_devices())


def current_device_index() -> int:
    return 0
