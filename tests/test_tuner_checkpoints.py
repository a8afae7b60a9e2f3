"""Checkpoint retention never deletes weights a tuner may still load (Hyperband, Bayesian)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from automl.search import kt_compat
from tests.conftest import PENGUINS, run_cli


def _summary(out) -> dict:
    return json.loads((out / "summary.json").read_text())


def _weights(out) -> list[str]:
    return sorted(p.parent.name for p in (out / "tuner").rglob("checkpoint.weights.h5"))


def test_hyperband_wants_the_weights_of_every_round_but_a_brackets_last():
    def trial(status, parent=None):
        values = {"x": 1} if parent is None else {"x": 1, "tuner/trial_id": parent}
        return SimpleNamespace(status=status, hyperparameters=SimpleNamespace(values=values))

    brackets = [
        {
            "bracket_num": 1,
            "rounds": [
                [{"past_id": None, "id": "0"}, {"past_id": None, "id": "1"}],
                [{"past_id": "1", "id": "2"}],
            ],
        }
    ]
    oracle = SimpleNamespace(
        get_state=lambda: {"brackets": brackets},
        # Trial 2 (promoted from 1) still runs; trial 9 (promoted from 7, whose bracket
        # is full) was killed before it ended: a resume builds it from 7's weights again.
        trials={
            "0": trial("COMPLETED"),
            "1": trial("COMPLETED"),
            "2": trial("RUNNING", parent="1"),
            "9": trial("RUNNING", parent="7"),
            "8": trial("COMPLETED", parent="6"),
        },
    )
    assert kt_compat.hyperband_weights_wanted(oracle) == {"0", "1", "7"}


def test_a_hyperband_search_past_its_first_bracket_keeps_what_it_promotes(tmp_path):
    # max_epochs 3: a bracket of 3 one-epoch trials and one promoted to 3 epochs, then a
    # bracket of 2 three-epoch trials. Before the fix the promoted best trial's parent
    # weights were pruned and the export crashed with FileNotFoundError.
    out = tmp_path / "hb"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--tuner", "hyperband",
        "--epochs", "3", "--max-trials", "6", "--keep-checkpoints", "1", "--seed", "1",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = _summary(out)
    assert summary["trials"] == {"completed": 6, "failed": 0}
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    promoted = [
        e for e in events
        if e["type"] == "trial_started" and "tuner/trial_id" in e["hyperparameters"]
    ]  # fmt: skip
    assert [e["trial_id"] for e in promoted] == ["3"]
    # The bracket is over: retention leaves only the best trial's weights.
    assert _weights(out) == [f"trial_{summary['best_trial']['trial_id']}"]


def test_the_reported_hyperband_search_runs_to_its_end(tmp_path):
    # The reproduction from issue 15: trial 10 was promoted from trial 04, whose weights
    # retention (3 kept by default) had deleted.
    out = tmp_path / "hb"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--tuner", "hyperband",
        "--epochs", "9", "--max-trials", "15", "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "FileNotFoundError" not in done.stdout + done.stderr
    assert _summary(out)["trials"] == {"completed": 15, "failed": 0}
    assert (out / "model" / "saved_model").is_dir()


def test_a_bayesian_search_with_retention_runs_to_its_end(tmp_path):
    out = tmp_path / "bo"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--tuner", "bayesian",
        "--epochs", "3", "--max-trials", "6", "--keep-checkpoints", "1", "--seed", "2",
        "--out", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = _summary(out)
    assert summary["status"] == "completed"
    assert summary["trials"] == {"completed": 6, "failed": 0}
    assert _weights(out) == [f"trial_{summary['best_trial']['trial_id']}"]


def test_retention_takes_a_trials_tensorboard_logs_and_idle_workers_logs(tmp_path):
    from automl.experiment.fold import TrialRecord
    from automl.search.checkpoints import drop_trial_files, drop_worker_logs

    weights = tmp_path / "tuner" / "trial_1" / "checkpoint.weights.h5"
    weights.parent.mkdir(parents=True)
    weights.write_bytes(b"w")
    for trial_id in ("1", "2"):
        (tmp_path / "tensorboard" / trial_id / "execution0").mkdir(parents=True)
    drop_trial_files(tmp_path, weights, "1")
    assert not weights.exists()
    assert [p.name for p in (tmp_path / "tensorboard").iterdir()] == ["2"]

    workers = tmp_path / "workers"
    workers.mkdir()
    for worker in ("tuner0", "tuner1", "tuner2"):
        (workers / f"{worker}.log").write_text("log")
        (workers / f"{worker}.events.jsonl").write_text("{}\n")
    trials = [
        TrialRecord("1", status="completed", worker="tuner0", checkpoint_deleted=True),
        TrialRecord("2", status="completed", worker="tuner1"),  # kept: its weights stay
        TrialRecord("3", status="failed", worker="tuner2", checkpoint_deleted=True),
    ]
    dropped = drop_worker_logs(tmp_path, trials)
    assert sorted(p.name for p in dropped) == ["tuner0.events.jsonl", "tuner0.log"]
    assert sorted(p.name for p in workers.iterdir()) == [
        "tuner1.events.jsonl", "tuner1.log", "tuner2.events.jsonl", "tuner2.log",
    ]  # fmt: skip


def test_the_oracles_state_files_are_written_whole_or_not_at_all(tmp_path, monkeypatch):
    import os

    import keras_tuner

    oracle = kt_compat.AtomicHyperbandOracle(
        objective=keras_tuner.Objective("score", "max"), max_epochs=3, seed=1
    )
    oracle._set_project_dir(str(tmp_path), "tuner")
    oracle.hyperparameters.Float("x", 0.0, 1.0)
    trial = oracle.create_trial("tuner0")
    state = tmp_path / "tuner" / "oracle.json"
    saved = json.loads(state.read_text())
    assert saved["ongoing_trials"] == {"tuner0": trial.trial_id}
    trial_file = tmp_path / "tuner" / f"trial_{trial.trial_id}" / "trial.json"
    assert json.loads(trial_file.read_text())["status"] == "RUNNING"

    def killed(*args):
        raise OSError("killed before the rename")  # what a kill mid-write leaves

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(OSError):
        oracle.end_trial(trial)  # writes trial.json, then oracle.json
    assert json.loads(trial_file.read_text())["status"] == "RUNNING"
    assert json.loads(state.read_text()) == saved
