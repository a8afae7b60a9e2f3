"""Shared fixtures: one real search on the bundled sample, run once per test session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"
DIGITS = ROOT / "assets" / "samples" / "digits"


def run_cli(*args: str, timeout: float = 600, **kwargs) -> subprocess.CompletedProcess:
    """Runs `python -m automl ARGS` in a fresh process, as a user's shell would."""
    return subprocess.run(
        [sys.executable, "-m", "automl", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        **kwargs,
    )


@pytest.fixture(scope="session")
def penguins_run(tmp_path_factory) -> dict:
    """A small real search on penguins with `--events -`: its folder, stdout and exit code."""
    out = tmp_path_factory.mktemp("experiments") / "penguins"
    done = run_cli(
        "search",
        str(PENGUINS),
        "--target",
        "species",
        "--out",
        str(out),
        "--max-trials",
        "2",
        "--epochs",
        "8",
        "--seed",
        "1",
        "--events",
        "-",
    )
    return {
        "out": out,
        "stdout": done.stdout,
        "stderr": done.stderr,
        "returncode": done.returncode,
        "summary": json.loads((out / "summary.json").read_text())
        if (out / "summary.json").exists()
        else None,
    }
