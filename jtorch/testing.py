"""torch.testing: assert_close with torch's tolerances and messages."""

from __future__ import annotations
