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


@pytest.fixture(autouse=True)
def own_settings(tmp_path_factory, monkeypatch) -> Path:
    """Every `QSettings` a test (or a child process it starts) makes lives in a fresh
    folder, never in the user's real settings; returns that folder."""
    folder = tmp_path_factory.mktemp("settings")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))  # child processes on Linux
    try:
        from PySide6.QtCore import QSettings
    except ImportError:  # the tests that run without Qt
        return folder
    for settings_format in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(settings_format, QSettings.Scope.UserScope, str(folder))
    return folder


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
