"""torch.cuda: "cuda" is JAX's default accelerator (a GPU or a TPU); see the README."""

from __future__ import annotations

from jtorch import _device


def is_available() -> bool:
    return bool(_device.accelerator_devices())


def device_count() -> int:
    return len(_device.accelerator_devices())


def _check():
    if not is_available():
        raise AssertionError("Torch not compiled with CUDA enabled")


def current_device() -> int:
    _check()
    return 0


def get_device_name(device=None) -> str:
    _check()
    index = _device.device(device).index if isinstance(device, (str, _device.device)) else device
    return _device.accelerator_devices()[index or 0].device_kind


def synchronize(device=None) -> None:
    """Wait for queued work: JAX dispatches asynchronously; this blocks on all live arrays."""
    import jax
    for array in jax.live_arrays():
        array.block_until_ready()


def manual_seed(seed) -> None:
    """Seeds the one global jtorch generator (jtorch has no per-device generators)."""
    from jtorch._api.creation import manual_seed as seed_all
    seed_all(seed)


manual_seed_all = manual_seed


def empty_cache() -> None:
    pass


def is_initialized() -> bool:
    return is_available()


def __getattr__(name):
    """torch.cuda.FloatTensor & co.: legacy tensor types on the accelerator."""
    from jtorch._api.legacy import CUDA_TYPES
    if name in CUDA_TYPES:
        return CUDA_TYPES[name]
    raise AttributeError(f"module 'torch.cuda' has no attribute '{name}'")
