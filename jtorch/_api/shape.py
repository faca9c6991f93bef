"""Shape and indexing ops beyond the core views: flips, rolls, scatters, index_* ops, masks, triangles and diagonals."""

from __future__ import annotations
