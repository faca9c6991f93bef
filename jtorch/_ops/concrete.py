"""Values of arrays for ops whose output shape depends on them (nonzero, unique, x[mask]).

Such ops run eagerly only: a trace (jax.jit, jtorch.compile) has no values. `concrete` gives
numpy values or raises `DataDependentShapeError`, a RuntimeError that jtorch.compile treats
as a graph break (it runs that call eagerly, or raises with fullgraph=True)."""

from __future__ import annotations

import jax
import numpy as np


class DataDependentShapeError(RuntimeError):
    """An op whose output shape depends on its input's values was traced."""


def concrete(array, op, hint="compute it outside the compiled function"):
    """`array`'s values as numpy; `DataDependentShapeError` naming `op` under a trace."""
    if isinstance(array, jax.core.Tracer):
        raise DataDependentShapeError(
            f"{op}: the output shape depends on the input's values, which jax.jit and "
            f"jtorch.compile cannot trace; {hint}")
    return np.asarray(array)
