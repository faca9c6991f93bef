"""Random sampling: randint, randperm, normal, bernoulli, multinomial and the in-place samplers."""

from __future__ import annotations
