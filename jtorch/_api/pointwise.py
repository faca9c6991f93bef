"""Pointwise math beyond the core arithmetic: rounding, trig, special functions, float classification, logical ops."""

from __future__ import annotations
