"""The two subprocess jobs start together on first use and run side by side."""

import pytest
from _subprocess import MULTIDEVICE_FAST, checks_job, multihost_job


@pytest.fixture(scope="session")
def distributed_jobs():
    jobs = {"multidevice": checks_job("_multidevice_worker.py", MULTIDEVICE_FAST, n_devices=8,
                                      timeout=600),
            "multihost": multihost_job("_multihost_worker.py", world_size=2, timeout=300)}
    yield jobs
    for job in jobs.values():
        job.kill()
