"""Pure functions on jax.Arrays with PyTorch semantics (no Tensor in sight).

Positional arguments are arrays or Python scalars (which arrive as weakly-typed values under
`jax.jit`); keyword arguments are static. Each function applies torch's type promotion and
argument rules, so the same code runs eagerly (jit-cached per op) and inside a traced step.
"""
