"""Fixtures for the torchvision-facade tests: the real datasets folder and torchvision."""

from __future__ import annotations

import gzip
import os
import pathlib
import shutil

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SHARED_DATASETS = pathlib.Path(os.environ.get("JTORCH_DATASETS", REPO.parent / "shared" /
                                              "datasets"))


@pytest.fixture(scope="session")
def tv():
    from _torchvision_oracle import import_torchvision
    return import_torchvision()


@pytest.fixture(scope="session")
def datasets_root():
    """The folder holding the real FashionMNIST/MNIST `.gz` files (never downloaded here)."""
    if not (SHARED_DATASETS / "FashionMNIST" / "raw").is_dir():
        pytest.skip(f"real datasets not found at {SHARED_DATASETS} (set JTORCH_DATASETS to "
                    "a folder with FashionMNIST/raw and MNIST/raw .gz files)")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def extracted_root(datasets_root, tmp_path_factory):
    """`extracted_root(name, train)`: a folder where torchvision finds that split of the real
    files extracted, as it expects them with `download=False` (the shared folder is left
    untouched; only the requested files are extracted, once)."""
    root = tmp_path_factory.mktemp("extracted")

    def extract(name, train):
        raw = root / name / "raw"
        raw.mkdir(parents=True, exist_ok=True)
        for gz in (datasets_root / name / "raw").glob("*.gz"):
            target = raw / gz.stem
            if gz.name.startswith("train" if train else "t10k"):
                if not target.exists() or target.stat().st_size == 0:
                    with gzip.open(gz, "rb") as src, open(target, "wb") as dst:
                        shutil.copyfileobj(src, dst)
            elif not target.exists():
                # torchvision checks that both splits' files exist before loading either
                target.touch()
        return root
    return extract
