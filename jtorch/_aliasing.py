"""`import torch` / `import torchvision` resolving to jtorch: a meta-path finder.

`install_as_torch()` puts `TorchAliasFinder` first on `sys.meta_path`. It maps `torch` and
every `torch.<sub>` to `jtorch` / `jtorch.<sub>`, and `torchvision` / `torchvision.<sub>` to
`jtorch.vision` / `jtorch.vision.<sub>`, by registering the *same module objects* under the
alias names: `torch.nn is jtorch.nn`, `torch.Tensor is jtorch.Tensor`, and isinstance checks,
pickled class paths and third-party packages that `import torch` (torchsummary, ...) all see
one library. A torch submodule jtorch lacks raises the usual ModuleNotFoundError with the
torch name.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys

ALIASES = {"torchvision": "jtorch.vision", "torch": "jtorch"}


def target_name(fullname: str) -> str | None:
    """The jtorch module that the torch/torchvision module `fullname` stands for."""
    for alias, target in ALIASES.items():
        if fullname == alias or fullname.startswith(alias + "."):
            return target + fullname[len(alias):]
    return None


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target):
        self.target = target

    def create_module(self, spec):
        # the jtorch module itself, so the alias and the original are one object
        return importlib.import_module(self.target)

    def exec_module(self, module):
        pass  # already executed under its jtorch name


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds `torch[.x]` and `torchvision[.x]` as the corresponding jtorch modules."""

    def find_spec(self, fullname, path=None, target=None):
        name = target_name(fullname)
        if name is None:
            return None
        if name not in sys.modules and importlib.util.find_spec(name) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(name))


_finder = TorchAliasFinder()


def install_as_torch() -> None:
    """Make `import torch`, `import torchvision` and their submodules give jtorch.

    Call it before anything imports the real torch (e.g. first in a notebook); idempotent.
    `python -m jtorch script.py` does it for you.
    """
    for alias in ALIASES:
        module = sys.modules.get(alias)
        if module is not None and not module.__name__.startswith("jtorch"):
            raise RuntimeError(f"the real {alias} is already imported; call "
                               f"jtorch.install_as_torch() before anything imports {alias}")
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    # `import torch` alone gives torch.optim, torch.utils.data, ...: torch imports them eagerly
    for name in _EAGER_SUBMODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # a part of jtorch not written yet
            pass


_EAGER_SUBMODULES = ("jtorch.nn", "jtorch.optim", "jtorch.utils.data", "jtorch.autograd")


def uninstall_as_torch() -> None:
    """Undo install_as_torch(): remove the finder and the alias entries of sys.modules."""
    if _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name in [n for n in sys.modules if target_name(n) is not None]:
        if sys.modules[name].__name__.startswith("jtorch"):
            del sys.modules[name]
