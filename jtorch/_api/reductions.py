"""Statistical reductions, scans, sorting and counting: std/var, norms, cumsum, sort, topk, unique, histograms."""

from __future__ import annotations
