"""The versions of the packages a trained model depends on, for its metadata."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

PACKAGES = (
    "automl-studio",
    "tensorflow",
    "keras",
    "keras-tuner",
    "numpy",
    "pandas",
    "scikit-learn",
)


def package_versions() -> dict[str, str]:
    """Returns {"python": ..., package: version} for the packages that are installed."""
    found = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            continue
    return found
