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
