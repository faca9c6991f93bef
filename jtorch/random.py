"""torch.random: the global generator's seed and state, and fork_rng."""

from __future__ import annotations

import contextlib

from jtorch._api.creation import (  # noqa: F401
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices",
             device_type="cuda"):
    """torch.random.fork_rng: restore the global random state on exit. jtorch has one global
    key for every device, so `devices` and `device_type` only exist for torch's signature."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
