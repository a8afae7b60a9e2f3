"""The project index follows a search as a listener the CLI and API hand it (no TensorFlow)."""

from __future__ import annotations

import sqlite3

from automl.experiment import layout
from automl.experiment.events import EventLog, TrialEnded, TrialStarted
from automl.experiment.files import write_json
from automl.experiment.listener import FolderListener
from automl.store import ProjectIndexer, list_experiments


def _trials(project):
    with sqlite3.connect(project / "project.db") as db:
        return db.execute("SELECT trial_id, status, duration_s FROM trials").fetchall()


def test_the_indexer_follows_the_folder_and_only_warns_at_the_end(tmp_path, capsys):
    folder = tmp_path / "experiments" / "run"
    folder.mkdir(parents=True)
    write_json(folder / layout.MARKER, {"request": {"data": "d.csv"}, "modality": "table"})
    indexer = ProjectIndexer()
    assert isinstance(indexer, FolderListener)
    indexer.opened(folder)
    assert [e["name"] for e in list_experiments(tmp_path)] == ["run"]

    log = EventLog(folder / layout.EVENTS)
    log.listeners.append(indexer)
    log.emit(TrialStarted(trial_id="0", hyperparameters={"units": 8}))
    assert _trials(tmp_path) == []  # a start alone does not re-index
    ended = TrialEnded(
        trial_id="0",
        score=0.9,
        best_epoch=1,
        epochs=1,
        duration_s=2.5,
        metrics={"val_accuracy": 0.9},
        hyperparameters={"units": 8},
    )
    log.emit(ended)
    log.close()
    assert _trials(tmp_path) == [("0", "completed", 2.5)]

    (folder / layout.MARKER).write_text("not json")  # unreadable: warn, never raise
    indexer.closed(folder)
    assert "warning: could not update the project index" in capsys.readouterr().err


def _rows(project):
    with sqlite3.connect(project / "project.db") as db:
        trials = db.execute("SELECT * FROM trials ORDER BY trial_id").fetchall()
        counts = db.execute(
            "SELECT trials_completed, trials_failed, trials_unfinished, best_trial_id, "
            "best_score FROM experiments"
        ).fetchall()
    return trials, counts


def test_a_trials_end_stores_that_trial_alone_as_a_full_read_would(tmp_path, monkeypatch):
    from automl.experiment.events import EpochEnded, SearchStarted, TrialFailed
    from automl.store import index, listener

    folder = tmp_path / "experiments" / "run"
    folder.mkdir(parents=True)
    write_json(folder / layout.MARKER, {"request": {"data": "d.csv"}, "modality": "table"})
    log = EventLog(folder / layout.EVENTS)
    log.emit(
        SearchStarted(
            experiment="run", data="d.csv", task="regression", target="y", tuner="random",
            objective="val_loss", direction="min", max_trials=3, time_budget_s=None,
            max_epochs=2, rows={"train": 8, "validation": 2, "test": 2},
        )
    )  # fmt: skip
    indexer = ProjectIndexer()
    indexer.opened(folder)
    log.listeners.append(indexer)

    # From here on, no trial's end may read the folder whole.
    def no_full_read(*args):
        raise AssertionError("the whole folder was read again")

    monkeypatch.setattr(index, "read_experiment", no_full_read)
    monkeypatch.setattr(listener, "read_events", no_full_read)
    weights = folder / "tuner" / "trial_0" / "checkpoint.weights.h5"
    weights.parent.mkdir(parents=True)
    weights.write_bytes(b"w")
    for trial_id, score in (("0", 0.4), ("1", 0.3)):
        log.emit(TrialStarted(trial_id=trial_id, hyperparameters={"units": 8}))
        for epoch in (1, 2):
            log.emit(EpochEnded(trial_id=trial_id, epoch=epoch, metrics={"val_loss": score}))
        if trial_id == "1":
            weights.unlink()  # retention deleted trial 0's weights as trial 1 ended
        log.emit(
            TrialEnded(
                trial_id=trial_id, score=score, best_epoch=2, epochs=2, duration_s=1.0,
                metrics={"val_loss": score}, hyperparameters={"units": 8},
            )
        )  # fmt: skip
    log.emit(TrialStarted(trial_id="2", hyperparameters={"units": 4}))
    log.emit(TrialFailed(trial_id="2", reason="boom", hyperparameters={"units": 4}))
    log.close()
    incremental = _rows(tmp_path)
    assert incremental[1] == [(2, 1, 0, "1", 0.3)]
    assert [row[-4] for row in incremental[0]] == [None, None, None]  # no weights left

    monkeypatch.undo()
    from automl.store.index import index_experiment

    index_experiment(folder)
    assert _rows(tmp_path) == incremental
