"""torchvision 0.28 as a test oracle next to the CPU build of torch 2.13.

PyPI's torchvision wheel is built against CUDA torch: its C++ extension does not load with the
CPU torch, and `import torchvision` then fails while registering fake kernels for the
`torchvision::nms` and `torchvision::qnms` operators it expected the extension to define.
Declaring those two schemas first (as torchvision's csrc/ops/nms.cpp does) lets the
pure-Python parts (datasets, transforms, utils) import and serve as the oracle.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

_SCHEMAS = {
    "torchvision::nms": "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
    "torchvision::qnms": "(Tensor dets, Tensor scores, float iou_threshold) -> Tensor",
}


def import_torchvision():
    """`import torchvision` with the operator schemas its fake kernels need."""
    import sys
    if "torchvision" in sys.modules:
        return sys.modules["torchvision"]
    for name, schema in _SCHEMAS.items():
        namespace, op = name.split("::")
        if not hasattr(getattr(torch.ops, namespace), op):
            torch.library.define(name, schema)
    import torchvision
    return torchvision
