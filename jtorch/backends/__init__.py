"""torch.backends: only what tutorials query."""

from jtorch.backends import cudnn, mps  # noqa: F401
