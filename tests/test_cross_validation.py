"""Cross-validated selection on small data: the folds, and a search scored by them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from automl.errors import AutoMLError
from automl.search.cross_validation import (
    CV_ROWS,
    CrossValidation,
    choose_folds,
    make_folds,
    record_folds_kept,
    recorded_folds_kept,
    take_rows,
)
from tests.conftest import PENGUINS, run_cli


def test_small_budgeted_searches_are_cross_validated_and_others_are_not():
    assert choose_folds(None, 200)[0] == 5
    assert choose_folds(None, 1500)[0] == 3
    assert choose_folds(None, CV_ROWS)[0] == 0
    assert choose_folds(None, 200, budgeted=False)[0] == 0  # --max-trials alone
    assert choose_folds(0, 200)[0] == 0  # --no-cv
    assert choose_folds(10, 200, budgeted=False)[0] == 10  # --cv 10
    assert "under 2,000" in choose_folds(None, 200)[1]


@pytest.mark.parametrize(
    ("folds", "pooled", "message"),
    [
        (1, 200, "--cv must be at least 2 folds"),
        (50, 60, "leave fewer than 2 per fold"),
    ],
)
def test_impossible_cv_requests_are_refused(folds, pooled, message):
    with pytest.raises(AutoMLError, match=message):
        choose_folds(folds, pooled)


def test_stratified_folds_hold_out_every_class_and_cover_every_row_once():
    labels = np.array([0] * 30 + [1] * 12 + [2] * 6)
    folds = make_folds(labels, 5, stratify=True, chronological=False, seed=0)
    assert len(folds) == 5
    held = np.concatenate([f.held_out for f in folds])
    assert sorted(held.tolist()) == list(range(len(labels)))
    for fold in folds:
        assert set(labels[fold.held_out]) == {0, 1, 2}
        assert not set(fold.train) & set(fold.held_out)
    # The rarest class bounds the folds: 3 examples, 3 folds.
    assert len(make_folds(np.array([0] * 20 + [1] * 3), 5, True, False, 0)) == 3


def test_forecast_folds_never_train_on_their_future():
    folds = make_folds(np.zeros(70), 5, stratify=False, chronological=True, seed=0)
    assert len(folds) == 5
    for fold in folds:
        assert fold.train.max() < fold.held_out.min()
        assert fold.train.min() == 0


def test_take_rows_cuts_columns_arrays_and_file_rows():
    assert take_rows({"a": np.arange(5)}, np.array([1, 3]))["a"].tolist() == [1, 3]
    assert take_rows(np.arange(10).reshape(5, 2), np.array([4]))[0].tolist() == [8, 9]


def test_the_folds_a_search_kept_are_recorded_for_its_resume(tmp_path):
    (tmp_path / "experiment.json").write_text(json.dumps({"request": {"cv": None}}))
    assert recorded_folds_kept(tmp_path) is None
    record_folds_kept(tmp_path, 2, "an epoch takes 1.00 s")
    recorded = json.loads((tmp_path / "experiment.json").read_text())
    assert recorded["request"] == {"cv": None}  # the rest is kept
    assert recorded_folds_kept(tmp_path) == (2, "an epoch takes 1.00 s")
    cv = CrossValidation(make_folds(np.arange(20) % 2, 5, True, False, 0), None, None, "5-fold")
    cv.keep_first(*recorded_folds_kept(tmp_path))
    assert cv.k == 2 and cv.reason == "5-fold; an epoch takes 1.00 s"
    for damaged in ({"folds": "two"}, {"folds": 0, "why": ""}, {"why": "?"}, [2]):
        (tmp_path / "experiment.json").write_text(json.dumps({"folds_kept": damaged}))
        with pytest.raises(AutoMLError, match="folds_kept is damaged"):
            recorded_folds_kept(tmp_path)


@pytest.mark.slow
def test_folds_the_budget_cannot_hold_are_cut_and_every_trial_is_scored_on_the_rest(tmp_path):
    # Long series and the FCN: an epoch takes about a second here, so 5 folds of 20 epochs
    # for 3 trials cannot fit 15 s. (Only a CPU 6 times faster would keep all 5.)
    rng = np.random.default_rng(0)
    labels = np.arange(120) % 2
    steps = np.arange(256)
    X = np.sin(steps / (6.0 + 6.0 * labels[:, None])) + rng.normal(0, 0.3, (120, 256))
    data = tmp_path / "long.npz"
    np.savez(data, X=X[..., None].astype("float32"), y=labels)
    out = tmp_path / "cut"
    done = run_cli(
        "search", str(data), "--out", str(out), "--families", "conv1d",
        "--time-budget", "15s",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    kept = summary["cross_validation"]["folds"]
    assert kept < 5
    assert (
        "in the budget: every trial is scored on the first" in summary["cross_validation"]["reason"]
    )
    assert json.loads((out / "experiment.json").read_text())["folds_kept"]["folds"] == kept
    scored = [t for t in summary["leaderboard"] if t["status"] == "completed"]
    assert scored and all(len(t["fold_scores"]) == kept for t in scored)
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


@pytest.mark.slow
def test_a_small_budgeted_search_scores_trials_by_their_folds(tmp_path):
    out = tmp_path / "cv"
    done = run_cli(
        "search",
        str(PENGUINS),
        "--target",
        "species",
        "--out",
        str(out),
        "--time-budget",
        "5m",
        "--max-trials",
        "2",
        "--epochs",
        "3",
        "--cv",
        "3",
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "3-fold cross-validation (--cv 3)" in done.stdout
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    ended = [e for e in events if e["type"] == "trial_ended"]
    assert len(ended) == 2
    for trial in ended:
        assert len(trial["fold_scores"]) == 3
        assert trial["score"] == pytest.approx(np.mean(trial["fold_scores"]), abs=1e-6)
        assert trial["spread"] == pytest.approx(np.std(trial["fold_scores"]), abs=1e-6)
    folds = {e["fold"] for e in events if e["type"] == "epoch_ended"}
    assert folds == {0, 1, 2}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cross_validation"]["folds"] == 3
    assert all(len(t["fold_scores"]) == 3 for t in summary["leaderboard"])
    assert (
        summary["baseline_guard"]["message"].endswith("on the same 3 cross-validation folds")
        or "same 3 cross-validation folds" in summary["baseline_guard"]["message"]
    )
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
    # The best configuration's three fold models, averaged inside the exported model, with
    # the other trial's where their average predicts the out-of-fold rows better.
    best = summary["best_trial"]["trial_id"]
    notes = " ".join(summary["notes"])
    if summary["exported"].startswith("ensemble of trials"):
        assert summary["exported"].endswith(", 3 fold models each, averaged")
        assert f"exported trials {best} (" in notes and "out-of-fold rows" in notes
    elif not summary["exported"].startswith("baseline"):
        # The other trial's fold models were loaded and tried, and refused.
        assert f"no average of trial {best} with trials " in notes
        assert f"exported the 3 fold models of trial {best} averaged" in notes
        assert summary["exported"] == "best trial's 3 fold models, averaged"
    assert sorted(p.name for p in (out / "tuner" / f"trial_{best}").glob("checkpoint*")) == [
        "checkpoint.weights.h5",
        "checkpoint_fold1.weights.h5",
        "checkpoint_fold2.weights.h5",
    ]
    metadata = json.loads((out / "model" / "metadata.json").read_text())
    assert metadata["exported"] == summary["exported"] and not metadata["refit"]
    card = (out / "model" / "model_card.html").read_text()
    assert f"<strong>Exported model:</strong> {summary['exported']}" in card.replace("&#x27;", "'")
    report = run_cli("report", str(out))
    assert report.returncode == 0, report.stderr


@pytest.mark.slow
def test_a_killed_cross_validated_search_resumes_and_restarts_the_cut_trial(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    out = tmp_path / "killed"
    search = subprocess.Popen(
        [sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species",
         "--out", str(out), "--time-budget", "10m", "--max-trials", "3", "--epochs", "6",
         "--patience", "6", "--cv", "3", "--seed", "5", "--events", "-"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    killed = False
    try:
        for line in search.stdout:
            event = json.loads(line)
            # Kill trial 1 in its second fold: one fold's model is all it has.
            if event["type"] == "epoch_ended" and event["trial_id"] == "1" and event["fold"] == 1:
                os.kill(search.pid, signal.SIGKILL)
                killed = True
                break
    finally:
        search.kill()
        search.wait(timeout=60)
    assert killed, "the search ended before it could be killed"
    before = len((out / "events.jsonl").read_text().splitlines())

    done = run_cli("resume", str(out))
    assert done.returncode == 0, done.stderr[-3000:]
    lines = (out / "events.jsonl").read_text().splitlines()[before:]
    after = [json.loads(line) for line in lines]
    restarted = [e for e in after if e["type"] == "trial_started"]
    assert [e["trial_id"] for e in restarted] == ["1", "2"]
    assert restarted[0]["resumed_from_epoch"] is None  # cut trials start again from fold 1
    first = next(e for e in after if e["type"] == "epoch_ended" and e["trial_id"] == "1")
    assert (first["fold"], first["epoch"]) == (0, 1)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["trials"] == {"completed": 3, "failed": 0}
    assert all(len(t["fold_scores"]) == 3 for t in summary["leaderboard"])


@pytest.mark.slow
def test_an_image_folder_is_cross_validated_on_its_files(tmp_path):
    import shutil

    from tests.conftest import DIGITS

    for name in ("0", "1"):
        (tmp_path / "two" / name).mkdir(parents=True)
        for image in sorted((DIGITS / name).iterdir())[:20]:
            shutil.copy(image, tmp_path / "two" / name / image.name)
    out = tmp_path / "images"
    done = run_cli(
        "search", str(tmp_path / "two"), "--out", str(out), "--max-trials", "1",
        "--epochs", "2", "--cv", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert len(summary["leaderboard"][0]["fold_scores"]) == 3
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


@pytest.mark.slow
def test_a_long_small_search_cross_validates_in_its_worker_process(tmp_path):
    out = tmp_path / "isolated"
    # Ten minutes or more: the trials train in a worker process of their own.
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--time-budget", "10m", "--max-trials", "2", "--epochs", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["workers"] == 1 and summary["cross_validation"]["folds"] == 5
    assert summary["trials"] == {"completed": 2, "failed": 0}
    assert all(len(t["fold_scores"]) == 5 for t in summary["leaderboard"])
    assert "all 2 trials (--max-trials)" in summary["stopped_early"]
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


@pytest.mark.slow
def test_hyperband_promotions_train_each_fold_on_from_the_same_fold(tmp_path):
    out = tmp_path / "hyperband"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--tuner", "hyperband", "--epochs", "3", "--max-trials", "5", "--cv", "3",
        "--keep-checkpoints", "20",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert "UserWarning" not in done.stderr
    events = [json.loads(line) for line in (out / "events.jsonl").read_text().splitlines()]
    promoted = [
        e["trial_id"]
        for e in events
        if e["type"] == "trial_started" and e["hyperparameters"].get("tuner/initial_epoch")
    ]
    assert promoted, "no trial was promoted"
    for trial_id in promoted:
        start = next(
            e["hyperparameters"]["tuner/initial_epoch"]
            for e in events
            if e["type"] == "trial_started" and e["trial_id"] == trial_id
        )
        epochs = [e for e in events if e["type"] == "epoch_ended" and e["trial_id"] == trial_id]
        # Every fold goes on from its parent's epochs, none starts again from the first.
        first_epochs = {e["fold"]: e["epoch"] for e in reversed(epochs)}
        assert first_epochs == {0: start + 1, 1: start + 1, 2: start + 1}
        folder = out / "tuner" / f"trial_{trial_id}"
        assert (folder / "checkpoint_fold2.weights.h5").is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cross_validation"]["folds"] == 3
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5


def test_a_forecast_trial_cut_short_is_not_paired_with_a_whole_one():
    from types import SimpleNamespace

    from automl.experiment.fold import TrialRecord
    from automl.search.training import SearchRun

    whole, cut = TrialRecord("000"), TrialRecord("001")
    whole.status = cut.status = "completed"
    whole.fold_scores, whole.score = [20.0, 18.0, 16.0], 18.0
    cut.fold_scores, cut.score = [15.0], 15.0
    run = SimpleNamespace(
        prepared=SimpleNamespace(objective=SimpleNamespace(direction="min")),
        state=SimpleNamespace(trials={"000": whole, "001": cut}),
    )
    for chronological, reference in ((False, whole), (True, None)):
        folds = make_folds(np.arange(30, dtype=float), 3, False, chronological, 0)
        run.cross_validation = CrossValidation(folds, None, None, "3-fold", chronological)
        assert SearchRun.whole_reference(run) is reference
