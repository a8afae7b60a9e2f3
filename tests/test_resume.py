"""Experiments that last: resume after SIGKILL, exact reruns, bounded checkpoints."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.conftest import PENGUINS, run_cli


def _events(folder) -> list[dict]:
    return [json.loads(line) for line in (folder / "events.jsonl").read_text().splitlines()]


def test_a_killed_search_resumes_from_the_running_trials_checkpoint(tmp_path):
    out = tmp_path / "project" / "experiments" / "killed"
    search = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "automl",
            "search",
            str(PENGUINS),
            "--target",
            "species",
            "--out",
            str(out),
            "--max-trials",
            "3",
            "--epochs",
            "25",
            "--patience",
            "25",
            "--checkpoint-every",
            "0",
            "--seed",
            "5",
            "--events",
            "-",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    killed_at = None
    try:
        for line in search.stdout:
            event = json.loads(line)
            # Kill during the second trial, once it has a resume point a few epochs in.
            if event["type"] == "epoch_ended" and event["trial_id"] == "1" and event["epoch"] >= 4:
                resume_dir = out / "tuner" / "trial_1" / "resume"
                if (resume_dir / "state.json").exists():
                    os.kill(search.pid, signal.SIGKILL)
                    killed_at = json.loads((resume_dir / "state.json").read_text())["epoch"]
                    break
    finally:
        search.kill()
        search.wait(timeout=60)
    assert killed_at is not None, "the search ended before it could be killed"
    assert not (out / "summary.json").exists()
    before = _events(out)
    assert [e["trial_id"] for e in before if e["type"] == "trial_ended"] == ["0"]

    listed = run_cli("experiments", "ls", "--project", str(tmp_path / "project"))
    assert listed.returncode == 0, listed.stderr
    assert "interrupted" in listed.stdout

    done = run_cli("resume", "killed", "--project", str(tmp_path / "project"))
    assert done.returncode == 0, done.stderr[-3000:]
    after = _events(out)[len(before) :]
    resumed = [e for e in after if e["type"] == "trial_started"]
    # Trial 0 is kept, not run again; trial 1 goes on from its checkpoint's epoch.
    assert [e["trial_id"] for e in resumed] == ["1", "2"]
    # The resume point of the epoch just reported may land before the kill, or not.
    assert resumed[0]["resumed_from_epoch"] >= killed_at >= 3
    first_epoch = next(e for e in after if e["type"] == "epoch_ended" and e["trial_id"] == "1")
    assert first_epoch["epoch"] == resumed[0]["resumed_from_epoch"] + 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 3, "failed": 0}
    assert summary["status"] == "completed"
    assert {t["trial_id"] for t in summary["leaderboard"]} == {"0", "1", "2"}
    trial_1 = next(t for t in summary["leaderboard"] if t["trial_id"] == "1")
    assert trial_1["epochs"] > resumed[0]["resumed_from_epoch"]  # earlier epochs kept

    again = run_cli("resume", str(out))
    assert again.returncode == 2 and "finished already" in again.stderr


def test_rerun_reproduces_a_trials_validation_score(penguins_run, tmp_path):
    experiment = tmp_path / "copy"
    shutil.copytree(penguins_run["out"], experiment)
    best = penguins_run["summary"]["best_trial"]["trial_id"]
    done = run_cli("rerun", str(experiment), "--trial", best)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((experiment / "reruns" / f"trial_{best}.json").read_text())
    assert abs(result["difference"]) <= 0.01
    assert "difference" in done.stdout


def test_resume_refuses_a_changed_data_file(penguins_run, tmp_path):
    data = tmp_path / "penguins.csv"
    shutil.copy(PENGUINS, data)
    out = tmp_path / "exp"
    done = run_cli(
        "search", str(data), "--target", "species", "--out", str(out), "--max-trials", "1",
        "--epochs", "2",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (out / "summary.json").unlink()  # as if it had been killed at the very end
    with data.open("a") as file:
        file.write("Adelie,Torgersen,40.0,18.0,190,3700,male,2008\n")
    refused = run_cli("resume", str(out))
    assert refused.returncode == 2
    assert "has changed since the search" in refused.stderr and "--force" in refused.stderr
    assert not (out / "summary.json").exists()


@pytest.mark.parametrize("keep", [1])
def test_keep_checkpoints_leaves_only_the_best_trials_weights(tmp_path, keep):
    out = tmp_path / "kept"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--max-trials", "3", "--epochs", "3", "--keep-checkpoints", str(keep),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    weights = list((out / "tuner").rglob("checkpoint.weights.h5"))
    assert len(weights) == keep
    summary = json.loads((out / "summary.json").read_text())
    best = summary["best_trial"]["trial_id"]
    assert weights[0].parent.name == f"trial_{best}"
    assert not list((out / "tuner").rglob("resume"))
