"""The experiment floor: its layout, atomic writes, lock, one reader and one fold, no TF."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from automl.errors import AutoMLError
from automl.experiment import layout
from automl.experiment.events import (
    EpochEnded,
    EventLog,
    SearchEnded,
    SearchStarted,
    TrialEnded,
    TrialFailed,
    TrialStarted,
)
from automl.experiment.files import claim_folder, release_folder, write_json
from automl.experiment.fold import TrialFold, finished_trials, fold_trials, time_used
from automl.experiment.lock import search_alive, search_lock, unfinished_status
from automl.experiment.reader import SkippedLinesWarning, parse_event, read_events

ROOT = Path(__file__).resolve().parents[1]


def _started(at: float, budget: float | None = 300.0) -> SearchStarted:
    return SearchStarted(
        time=at,
        experiment="e",
        data="d.csv",
        task="binary",
        target="y",
        tuner="random",
        objective="accuracy",
        direction="max",
        max_trials=3,
        time_budget_s=budget,
        max_epochs=5,
        rows={"train": 8, "validation": 2, "test": 2},
    )


def _epoch(trial: str, epoch: int, accuracy: float, at: float = 0.0) -> EpochEnded:
    return EpochEnded(time=at, trial_id=trial, epoch=epoch, metrics={"val_accuracy": accuracy})


def test_the_floor_loads_without_tensorflow_search_or_store():
    # `import automl` itself loads the notebook API's budget parser; the floor adds nothing
    # of the search, the store or the export, and no TensorFlow.
    code = (
        "import sys, automl\n"
        "before = set(sys.modules)\n"
        "import automl.experiment.layout, automl.experiment.files, automl.experiment.lock\n"
        "import automl.experiment.events, automl.experiment.reader, automl.experiment.fold\n"
        "import automl.experiment.listener\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules\n"
        "print(sorted(m for m in set(sys.modules) - before\n"
        "             if m.startswith(('automl.search', 'automl.store', 'automl.export'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_fold_follows_a_trial_through_resume_and_failure():
    events = [
        _started(100.0),
        TrialStarted(time=101.0, trial_id="0", hyperparameters={"units": 8}),
        _epoch("0", 1, 0.5, 102.0),
        _epoch("0", 2, 0.7, 103.0),
        _epoch("0", 3, 0.6, 104.0),
        # killed here; `automl resume` starts trial 0 again from its epoch-2 resume point
        _started(200.0),
        TrialStarted(time=201.0, trial_id="0", hyperparameters={"units": 8}, resumed_from_epoch=2),
        _epoch("0", 3, 0.8, 205.0),
        TrialEnded(
            time=210.0,
            trial_id="0",
            score=0.8,
            best_epoch=3,
            epochs=3,
            duration_s=9.0,
            metrics={"val_accuracy": 0.8},
            hyperparameters={"units": 8, "batch_size": 32},
        ),
        TrialStarted(time=211.0, trial_id="1", hyperparameters={"units": 16}),
        TrialFailed(time=212.0, trial_id="1", reason="out of memory", hyperparameters={}),
        TrialStarted(time=213.0, trial_id="2", hyperparameters={"units": 4}, worker="tuner1"),
        _epoch("2", 1, 0.4, 214.0),
    ]
    trials = fold_trials(events)
    assert list(trials) == ["0", "1", "2"]
    done, failed, running = trials["0"], trials["1"], trials["2"]
    assert done.status == "completed" and done.score == 0.8 and done.epochs == 3
    assert [e["val_accuracy"] for e in done.history] == [0.5, 0.7, 0.8]
    assert done.curves() == {"epoch": [1, 2, 3], "val_accuracy": [0.5, 0.7, 0.8]}
    assert done.hyperparameters == {"units": 8, "batch_size": 32}
    assert done.started_at == 101.0 and done.ended_at == 210.0
    assert failed.status == "failed" and failed.reason == "out of memory"
    assert failed.hyperparameters == {"units": 16}  # the start's, the failure had none
    assert running.status == "running" and running.worker == "tuner1" and running.epochs == 1
    assert list(finished_trials(events)) == ["0", "1"]
    assert time_used(events) == pytest.approx((104.0 - 100.0) + (214.0 - 200.0))


def test_the_fold_numbers_a_curve_from_its_first_epoch():
    fold = TrialFold()
    assert fold.take(_started(1.0)) is None
    fold.take(TrialStarted(trial_id="7", hyperparameters={}))
    for epoch in (4, 5):  # Hyperband goes on with a trial at epoch 4
        record = fold.take(_epoch("7", epoch, 0.1 * epoch))
    assert record is fold.trials["7"]
    assert record.curves()["epoch"] == [4, 5] and record.epochs == 5
    fold.take(TrialFailed(trial_id="7", reason="oom", hyperparameters={}, retrying=True))
    assert record.history == [] and record.status == "failed"


def test_one_reader_skips_a_cut_last_line_with_one_warning(tmp_path):
    log = EventLog(tmp_path / layout.EVENTS)
    written = [_started(1.0), TrialStarted(time=2.0, trial_id="0", hyperparameters={"a": 1})]
    for event in written:
        log.emit(event)
    log.close()
    with (tmp_path / layout.EVENTS).open("a") as handle:
        handle.write("\n" + '{"type": "epoch_ended", "trial_id": "0", "ep')  # cut by a kill
    with pytest.warns(SkippedLinesWarning, match=r"skipped 1 unreadable line of .*"):
        assert read_events(tmp_path / layout.EVENTS) == written
    assert read_events(tmp_path / "missing.jsonl") == []
    assert parse_event(json.dumps(written[1].to_dict())) == written[1]
    for line in ("", "not json", "[1, 2]", '{"type": "no_such_event"}', '{"type": 5}'):
        assert parse_event(line) is None


def test_claim_write_and_release_keep_a_users_files(tmp_path):
    folder = tmp_path / "run"
    claim_folder(folder, overwrite=False)
    write_json(folder / layout.MARKER, {"request": {}})
    (folder / "notes.txt").write_text("mine")
    (folder / layout.TUNER_DIR).mkdir()
    assert not list(folder.glob(".*.partial"))  # the rename left no temporary file
    with pytest.raises(AutoMLError, match="already holds an experiment"):
        claim_folder(folder, overwrite=False)
    release_folder(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]


def test_trial_checkpoints_are_found_where_keras_tuner_puts_them(tmp_path):
    trial = tmp_path / layout.TUNER_DIR / "trial_03"
    trial.mkdir(parents=True)
    (trial / "checkpoint.weights.h5").write_bytes(b"w")
    (tmp_path / layout.TUNER_DIR / "trial_04").mkdir()  # its weights were pruned
    assert layout.trial_checkpoints(tmp_path) == {"03": "tuner/trial_03/checkpoint.weights.h5"}
    assert sorted(layout.trial_id_of(p) for p in layout.trial_folders(tmp_path)) == ["03", "04"]
    assert layout.trial_checkpoints(tmp_path / "nowhere") == {}


def test_the_lock_tells_running_from_interrupted(tmp_path):
    assert search_alive(tmp_path) is None
    assert unfinished_status(tmp_path, heartbeat=None) == "interrupted"
    assert unfinished_status(tmp_path, heartbeat=1000.0, now=1010.0) == "running"
    with search_lock(tmp_path):
        assert search_alive(tmp_path) is True
        assert unfinished_status(tmp_path, heartbeat=None) == "running"
    assert search_alive(tmp_path) is False
    assert unfinished_status(tmp_path, heartbeat=1000.0, now=1010.0) == "interrupted"


def test_search_ended_is_not_a_trial_event():
    ended = SearchEnded(
        status="completed",
        reason="all trials done",
        best_trial_id="0",
        best_score=0.9,
        trials_completed=1,
        trials_failed=0,
        duration_s=3.0,
    )
    assert TrialFold().take(ended) is None
