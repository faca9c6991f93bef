"""Test-session setup shared by every test file."""

import importlib


def _preload_torch_internals():
    """Import torch's lazily loaded internals (torch._dynamo, imported by torch.optim on first
    use) once, up front: a first import happening later, inside a test that has patched
    sys.modules or the import system, can leave them half-initialised for the whole worker."""
    try:
        import torch  # noqa: F401  (the test-only oracle)
    except ImportError:
        return
    for name in ("torch._dynamo", "torch.utils.serialization"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


_preload_torch_internals()
