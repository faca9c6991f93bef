"""Matrix products and linear algebra behind torch.* and torch.linalg.*."""

from __future__ import annotations
