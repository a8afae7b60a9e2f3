"""Hyperband and Bayesian searches killed with SIGKILL and resumed: no trial lost or run twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter

from tests.conftest import PENGUINS, run_cli


def _events(folder) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def _kill_during(out, tuner: str, trial_id: str, *extra: str) -> list[dict]:
    """Runs a search, SIGKILLs it at trial `trial_id`'s first epoch; returns its events."""
    search = subprocess.Popen(
        [
            sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
            "--tuner", tuner, "--out", str(out), "--epochs", "3", "--max-trials", "6",
            "--keep-checkpoints", "1", "--seed", "3", "--events", "-", *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )  # fmt: skip
    killed = False
    try:
        for line in search.stdout:
            event = json.loads(line)
            if event["type"] == "epoch_ended" and event["trial_id"] == trial_id:
                os.kill(search.pid, signal.SIGKILL)
                killed = True
                break
    finally:
        search.kill()
        search.wait(timeout=60)
    assert killed, "the search ended before it could be killed"
    assert not (out / "summary.json").exists()
    return _events(out)


def _resume_and_check(out, before: list[dict]) -> dict:
    """Resumes the search in `out`; checks no completed trial ran again; returns the summary."""
    ended_before = [e["trial_id"] for e in before if e["type"] == "trial_ended"]
    done = run_cli("resume", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    after = _events(out)[len(before) :]
    started_after = [e["trial_id"] for e in after if e["type"] == "trial_started"]
    assert not set(started_after) & set(ended_before), "a completed trial ran again"
    ended = Counter(ended_before + [e["trial_id"] for e in after if e["type"] == "trial_ended"])
    assert set(ended) == {str(i) for i in range(6)} and set(ended.values()) == {1}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 6, "failed": 0}
    assert summary["status"] == "completed"
    assert (out / "model" / "saved_model").is_dir()
    return summary


def test_a_killed_hyperband_search_resumes_its_promoted_trial(tmp_path):
    # Trial 3 is promoted from the best one-epoch trial and starts from its weights; killed
    # in its first epoch (no resume point yet), the resumed search builds it from them again.
    out = tmp_path / "hb"
    before = _kill_during(out, "hyperband", "3")
    started = [e for e in before if e["type"] == "trial_started" and e["trial_id"] == "3"]
    assert "tuner/trial_id" in started[0]["hyperparameters"]
    _resume_and_check(out, before)


def test_a_killed_bayesian_search_resumes_from_its_resume_point(tmp_path):
    out = tmp_path / "bo"
    before = _kill_during(out, "bayesian", "4", "--checkpoint-every", "0")
    summary = _resume_and_check(out, before)
    weights = list((out / "tuner").rglob("checkpoint.weights.h5"))
    assert [p.parent.name for p in weights] == [f"trial_{summary['best_trial']['trial_id']}"]
