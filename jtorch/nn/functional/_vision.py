"""Filled in by the nn work (see jtorch/nn/functional/__init__.py)."""

__all__ = []
