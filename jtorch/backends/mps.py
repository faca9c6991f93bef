"""torch.backends.mps: jtorch has no Metal backend; JAX's accelerators appear as "cuda"."""


def is_available() -> bool:
    return False


def is_built() -> bool:
    return False
