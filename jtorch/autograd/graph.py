"""torch.autograd.graph: the Node base class of grad_fn objects."""

from jtorch._autograd import Node

__all__ = ["Node"]
