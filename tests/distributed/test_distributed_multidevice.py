"""DataParallel, DistributedDataParallel, DTensor and collectives on 8 simulated CPU devices.

The checks live in _multidevice_worker.py and run in one subprocess started with
XLA_FLAGS=--xla_force_host_platform_device_count=8 (this process's JAX has one device).
"""

import pytest
from _subprocess import MULTIDEVICE_FAST, check_results, checks_job

SLOW = [
    "slow_tudui_cnn_ddp_eager_and_dataparallel_compiled_equal_single_device",
    "slow_dataparallel_device_subset_and_batchnorm",
]


@pytest.fixture(scope="module")
def fast_results(distributed_jobs):
    return check_results(distributed_jobs["multidevice"])


@pytest.mark.parametrize("name", MULTIDEVICE_FAST)
def test_on_8_devices(fast_results, name):
    assert fast_results[name] == "ok", fast_results[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW)
def test_on_8_devices_slow(name):
    result = check_results(checks_job("_multidevice_worker.py", [name], 8, timeout=900))[name]
    assert result == "ok", result
