"""The legacy tensor types tutorials still use: torch.FloatTensor(...), torch.LongTensor(...),
`isinstance(x, torch.FloatTensor)`, `x.type(torch.FloatTensor)`, torch.cuda.FloatTensor."""

from __future__ import annotations

from jtorch import _device, _dtypes
from jtorch._tensor import Tensor


class _LegacyTensorType(type):
    """Metaclass: calling the type builds a tensor of its dtype; isinstance checks dtype and
    device, as torch's tensor types do."""

    def __call__(cls, *args, **kwargs):
        from jtorch._api.creation import legacy_tensor_constructor
        if cls._is_cuda and not _device.accelerator_devices():
            raise TypeError(f"type torch.cuda.{cls.__name__} not available. Torch not compiled "
                            "with CUDA enabled.")
        device = "cuda" if cls._is_cuda else kwargs.pop("device", None)
        return legacy_tensor_constructor(Tensor, cls._jtorch_dtype, *args, device=device,
                                         **kwargs)

    def __instancecheck__(cls, obj):
        return (isinstance(obj, Tensor) and obj.dtype is cls._jtorch_dtype
                and (obj.device.type == "cuda") == cls._is_cuda)

    def __repr__(cls):
        return f"<class '{cls.__module__}.{cls.__name__}'>"


def _make(dtype, is_cuda):
    module = "torch.cuda" if is_cuda else "torch"
    return _LegacyTensorType(dtype._legacy_name, (), {
        "_jtorch_dtype": dtype, "_is_cuda": is_cuda, "__module__": module,
        "dtype": dtype, "is_cuda": is_cuda})


CPU_TYPES = {d._legacy_name: _make(d, False) for d in _dtypes.ALL_DTYPES}
CUDA_TYPES = {d._legacy_name: _make(d, True) for d in _dtypes.ALL_DTYPES}
