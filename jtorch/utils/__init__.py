"""jtorch.utils: torch.utils' data loading package."""

from jtorch.utils import data  # noqa: F401
