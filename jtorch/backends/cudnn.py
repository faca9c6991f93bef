"""torch.backends.cudnn flags: accepted and ignored (XLA chooses its own kernels)."""

benchmark = False
deterministic = False
enabled = True


def is_available() -> bool:
    return False
