"""Filled in by the nn work (see jtorch/nn/modules/__init__.py)."""

__all__ = []
