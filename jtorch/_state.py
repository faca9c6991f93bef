"""How jtorch state crosses a pure-function boundary (jax.jit, jax.vjp, Flax NNX): the arrays
of given Tensors are swapped for others (e.g. tracers) for the duration of a call and put back
after, keeping every Tensor object (and so every holder and view of it) in place."""

from __future__ import annotations

import contextlib

from jtorch._grad_mode import state as _grad_state


@contextlib.contextmanager
def swapped_arrays(tensors, arrays, *, grad_enabled=None):
    """Within the block, `tensors[i]` holds `arrays[i]`; afterwards each holds its old array.

    Views of the tensors see the swapped values (their generation moves on), and look again
    afterwards. Optionally sets grad mode for the block (False inside functions that JAX
    differentiates itself).
    """
    saved = [(t, t._raw) for t in tensors]
    previous_grad = _grad_state.grad_enabled
    try:
        for t, a in zip(tensors, arrays):
            t._raw = a
            t._gen += 1
        if grad_enabled is not None:
            _grad_state.grad_enabled = grad_enabled
        yield
    finally:
        _grad_state.grad_enabled = previous_grad
        for t, raw in saved:
            t._raw = raw
            t._gen += 1
