"""torch.device and the mapping of torch device names onto JAX devices.

"cpu" is JAX's CPU backend. "cuda" names JAX's default accelerator, whatever it is: a GPU,
or a TPU (so that tutorial code branching on `torch.cuda.is_available()` uses the TPU).
"""

from __future__ import annotations

import functools

import jax


class device:
    """torch.device("cpu" | "cuda" | "cuda:N" | type, index)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):  # torch.device(0) means cuda:0
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError("device() received an invalid combination of arguments - got "
                            f"({type!r})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(f"type (string) must not include an index because index was "
                                   f"passed explicitly: {type}")
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "xla", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, mps, xla, meta device type at start of device "
                f"string: {type}")
        if index is not None and index < 0:
            raise RuntimeError(f"Device index must not be negative: {index}")
        self.type, self.index = type, index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


@functools.cache
def accelerator_devices():
    """JAX's non-CPU devices of this process, in JAX's order (the "cuda" devices)."""
    try:
        return tuple(d for d in jax.local_devices() if d.platform != "cpu")
    except RuntimeError:
        return ()


@functools.cache
def cpu_device():
    return jax.local_devices(backend="cpu")[0]


def as_device(d) -> device:
    if d is None:
        return CPU
    if isinstance(d, device):
        return d
    return device(d)


def to_jax_device(d):
    """The jax.Device for a torch device; raises torch's errors for unavailable ones."""
    d = as_device(d)
    if d.type == "cpu":
        return cpu_device()
    if d.type in ("cuda", "xla"):
        accel = accelerator_devices()
        if not accel:
            raise AssertionError("Torch not compiled with CUDA enabled")
        index = 0 if d.index is None else d.index
        if index >= len(accel):
            raise RuntimeError(
                "CUDA error: invalid device ordinal\nCUDA kernel errors might be asynchronously "
                f"reported (device cuda:{index} requested, {len(accel)} available)")
        return accel[index]
    raise RuntimeError(f"jtorch has no backend for device type '{d.type}'")


def from_jax_device(jd) -> device:
    """The torch device of a jax.Device: CPU is "cpu", accelerators are "cuda:N"."""
    if jd.platform == "cpu":
        return CPU
    return device("cuda", accelerator_devices().index(jd))
