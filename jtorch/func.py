"""torch.func: functional_call (a module run with substituted parameters and buffers)."""

from __future__ import annotations

from jtorch.nn.utils.stateless import _functional_call as functional_call  # noqa: F401
