"""torch.linalg: linear algebra functions with torch's names and conventions."""

from __future__ import annotations
