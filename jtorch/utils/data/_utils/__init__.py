"""Helpers behind jtorch.utils.data's DataLoader (torch.utils.data._utils' layout)."""

MP_STATUS_CHECK_INTERVAL = 5.0
"""Seconds between checks that the workers (and, in a worker, the main process) are alive."""

from jtorch.utils.data._utils import collate, fetch, host, worker  # noqa: E402,F401
