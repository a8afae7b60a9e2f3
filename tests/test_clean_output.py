"""TensorFlow's start-up lines and warnings go to the experiment's engine.log, not the terminal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tests.conftest import PENGUINS, ROOT

#: What TensorFlow, absl and Keras print that an analyst should never see.
STARTUP_LINES = (
    "I0000",
    "W0000",
    "E0000",
    "All log messages before absl::InitializeLog",
    "cuInit",
    "oneDNN",
    "Could not find cuda drivers",
    "retracing",
)


def _env(tmp_path) -> dict[str, str]:
    """The user's environment: no TF_CPP_MIN_LOG_LEVEL (conftest sets it), a private tmp."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env["TMPDIR"] = str(tmp_path / "tmp")
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_redirection_keeps_own_lines_and_logs_the_rest(tmp_path):
    """C++ lines on fd 2, TensorFlow's logger and Keras warnings go to engine.log, in order."""
    script = textwrap.dedent(
        f"""
        import logging, os, sys, warnings
        from pathlib import Path
        from automl.engine_log import log_listeners, quiet_engine_output
        quiet_engine_output()
        os.write(2, b"I0000 00:00:1 port.cc:153] oneDNN custom operations are on\\n")
        logging.getLogger("tensorflow").warning("5 calls triggered tf.function retracing")
        warnings.warn_explicit("a Keras note", UserWarning, "/x/keras/src/layer.py", 3)
        print("automl: our own line", file=sys.stderr)
        folder = Path({str(tmp_path / "exp")!r})
        folder.mkdir()
        listener, = log_listeners()
        listener.opened(folder)
        os.write(2, b"E0000 00:00:2 cuda_platform.cc:52] failed call to cuInit\\n")
        warnings.warn("our own warning")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=_env(tmp_path)
    )
    assert done.returncode == 0, done.stderr
    assert "automl: our own line" in done.stderr
    assert "our own warning" in done.stderr  # a warning of ours still reaches the user
    for line in STARTUP_LINES:
        assert line not in done.stderr + done.stdout
    log = (tmp_path / "exp" / "engine.log").read_text()
    assert log.index("oneDNN") < log.index("retracing") < log.index("a Keras note")
    assert log.index("a Keras note") < log.index("cuInit")
    assert "our own line" not in log
    assert list((tmp_path / "tmp").iterdir()) == []  # the scratch log is gone


def test_bad_input_still_prints_its_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "automl", "search", str(tmp_path / "missing.csv")]
        + ["--target", "y", "--project", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("automl: error:")
    assert len(done.stderr.splitlines()) == 1
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
def test_tiny_search_prints_none_of_tensorflows_lines(tmp_path):
    out = tmp_path / "exp"
    done = subprocess.run(
        [sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species"]
        + ["--out", str(out), "--max-trials", "1", "--epochs", "1", "--seed", "1"]
        + ["--project", str(tmp_path)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "trial 0:" in done.stdout and "exported:" in done.stdout
    for line in STARTUP_LINES:
        assert line not in done.stdout, line
        assert line not in done.stderr, line
    log = (out / "engine.log").read_text()
    # What TensorFlow prints depends on the machine (no GPU here: oneDNN and cuda lines).
    assert "All log messages before absl::InitializeLog" in log
    assert any(line in log for line in ("oneDNN", "Could not find cuda drivers", "cuInit"))
