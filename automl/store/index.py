"""Keeping `project.db` in step with the experiment folders it indexes.

`index_experiment` is what a search's `ProjectIndexer` listener calls as it goes (start,
each trial, end); `refresh` is what every query calls first, so folders copied in,
searches run by an older version, and searches that died since the last look are all
seen; `reindex` rebuilds the whole index from the folders, for a deleted or damaged
project.db.

Example:
    >>> index_experiment(Path("work/experiments/penguins"))
    >>> reindex(Path("work"))
    3
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import warnings
from dataclasses import fields
from pathlib import Path
from typing import Any

from automl.errors import AutoMLError
from automl.experiment.fold import TrialRecord
from automl.experiment.layout import trial_checkpoints
from automl.experiment.lock import unfinished_status
from automl.store.db import DamagedIndexError, db_path, open_db, transaction
from automl.store.folder import (
    TRIAL_COLUMNS,
    ExperimentRecord,
    folder_signature,
    read_experiment,
    relative_folder,
    trial_row,
)
from automl.store.project import experiment_folders, find_project, project_of

#: Statuses of a search that has not recorded its end.
UNFINISHED = ("running", "interrupted")

_EXPERIMENT_COLUMNS = [f.name for f in fields(ExperimentRecord) if f.name != "trials"]


def index_experiment(folder: Path) -> None:
    """Reads the experiment folder and stores its rows in its project's index.

    The project is found by the project rule (`automl.store.project`). Safe to call from
    a running search while other processes read the index.

    Raises:
        AutoMLError: `folder` is not an experiment, or the project's index was written by
            a newer AutoML Studio.
    """
    folder = Path(folder).resolve()
    project = project_of(folder)
    record = read_experiment(folder, project)
    with open_db(project) as db:
        store_record(db, record)


def index_trial(folder: Path, trial: TrialRecord) -> None:
    """Stores what one trial's end changes: its row, the experiment's counts and best trial,
    and the weights retention deleted; nothing else is read or rewritten.

    A folder not yet in the index is read whole (`index_experiment`).

    Raises:
        AutoMLError: as `index_experiment`.
    """
    folder = Path(folder).resolve()
    project = project_of(folder)
    checkpoints = trial_checkpoints(folder)
    trial.checkpoint = checkpoints.get(trial.trial_id)
    row = trial_row(trial)
    with open_db(project) as db, transaction(db):
        known = db.execute(
            "SELECT id, direction FROM experiments WHERE folder = ?",
            (relative_folder(folder, project),),
        ).fetchone()
        if known is None:
            _write(db, read_experiment(folder, project))
            return
        experiment_id = known["id"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in TRIAL_COLUMNS if c != "trial_id")
        db.execute(
            f"INSERT INTO trials (experiment_id, {', '.join(TRIAL_COLUMNS)}) "
            f"VALUES (?, {', '.join('?' * len(TRIAL_COLUMNS))}) "
            f"ON CONFLICT(experiment_id, trial_id) DO UPDATE SET {updates}",
            (experiment_id, *(_sql(row[name]) for name in TRIAL_COLUMNS)),
        )
        # Retention deletes other trials' weights as this one ends: only those rows change.
        gone = [
            (experiment_id, stored["trial_id"])
            for stored in db.execute(
                "SELECT trial_id, checkpoint FROM trials "
                "WHERE experiment_id = ? AND checkpoint IS NOT NULL",
                (experiment_id,),
            )
            if checkpoints.get(stored["trial_id"]) != stored["checkpoint"]
        ]
        db.executemany(
            "UPDATE trials SET checkpoint = NULL WHERE experiment_id = ? AND trial_id = ?", gone
        )
        order = "ASC" if known["direction"] == "min" else "DESC"
        db.execute(
            f"""
            UPDATE experiments SET
                trials_completed = (SELECT COUNT(*) FROM trials
                    WHERE experiment_id = :id AND status = 'completed'),
                trials_failed = (SELECT COUNT(*) FROM trials
                    WHERE experiment_id = :id AND status = 'failed'),
                trials_unfinished = (SELECT COUNT(*) FROM trials
                    WHERE experiment_id = :id AND status IN ('running', 'interrupted')),
                best_trial_id = (SELECT trial_id FROM trials WHERE experiment_id = :id
                    AND status = 'completed' AND score IS NOT NULL
                    ORDER BY score {order}, rowid LIMIT 1),
                best_score = (SELECT score FROM trials WHERE experiment_id = :id
                    AND status = 'completed' AND score IS NOT NULL
                    ORDER BY score {order}, rowid LIMIT 1),
                heartbeat = :now,
                signature = :signature
            WHERE id = :id
            """,
            {"id": experiment_id, "now": time.time(), "signature": folder_signature(folder)},
        )


def refresh(project: Path) -> None:
    """Brings the index up to date with the folders: reads new and changed experiments,
    re-reads unfinished ones whose search died or came back, and forgets deleted ones."""
    project = Path(project).resolve()
    folders = experiment_folders(project)
    with open_db(project) as db:
        known = {
            row["folder"]: row
            for row in db.execute("SELECT folder, signature, status, heartbeat FROM experiments")
        }
        present = set()
        for folder in folders:
            relative = folder.resolve().relative_to(project).as_posix()
            present.add(relative)
            row = known.get(relative)
            if row is not None and row["signature"] == folder_signature(folder):
                # Unchanged files; only a search's life can have changed (died, resumed).
                if row["status"] not in UNFINISHED:
                    continue
                if unfinished_status(folder, row["heartbeat"]) == row["status"]:
                    continue
            record = _read_or_warn(folder, project)
            if record is not None:
                store_record(db, record)
        gone = [(name,) for name in known if name not in present]
        if gone:
            with transaction(db):
                db.executemany("DELETE FROM experiments WHERE folder = ?", gone)


def reindex(project: Path) -> int:
    """Rebuilds the project's index from its experiment folders; returns how many it holds.

    A damaged project.db is moved aside (to `project.db.damaged-<time>`) and rebuilt; one
    written by a newer AutoML Studio is left alone.

    Raises:
        AutoMLError: `project` is not a project, or its index is from a newer version.
    """
    project = find_project(project)
    records = [r for f in experiment_folders(project) if (r := _read_or_warn(f, project))]
    try:
        _replace_all(project, records)
    except DamagedIndexError:
        _move_aside(db_path(project))
        _replace_all(project, records)
    return len(records)


def store_record(db: sqlite3.Connection, record: ExperimentRecord) -> None:
    """Writes one experiment and all its trials in a single transaction (upsert by folder)."""
    with transaction(db):
        _write(db, record)


def _replace_all(project: Path, records: list[ExperimentRecord]) -> None:
    # One transaction: a reader sees the old index or the new one, never an empty one.
    with open_db(project) as db, transaction(db):
        db.execute("DELETE FROM experiments")
        for record in records:
            _write(db, record)


def _write(db: sqlite3.Connection, record: ExperimentRecord) -> None:
    values = [_sql(getattr(record, name)) for name in _EXPERIMENT_COLUMNS]
    updates = ", ".join(f"{c} = excluded.{c}" for c in _EXPERIMENT_COLUMNS if c != "folder")
    (experiment_id,) = db.execute(
        f"INSERT INTO experiments ({', '.join(_EXPERIMENT_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(values))}) "
        f"ON CONFLICT(folder) DO UPDATE SET {updates} RETURNING id",
        values,
    ).fetchone()
    db.execute("DELETE FROM trials WHERE experiment_id = ?", (experiment_id,))
    db.executemany(
        f"INSERT INTO trials (experiment_id, {', '.join(TRIAL_COLUMNS)}) "
        f"VALUES (?, {', '.join('?' * len(TRIAL_COLUMNS))})",
        [
            (experiment_id, *(_sql(row[name]) for name in TRIAL_COLUMNS))
            for row in map(trial_row, record.trials)
        ],
    )


def _read_or_warn(folder: Path, project: Path) -> ExperimentRecord | None:
    """Returns the folder's record, or None with a warning: one bad folder must not hide
    the rest of the project."""
    try:
        return read_experiment(folder, project)
    except AutoMLError as error:
        warnings.warn(f"left out {folder.name}: {error}", stacklevel=3)
        return None


def _move_aside(path: Path) -> None:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for suffix in ("", "-wal", "-shm"):
        part = path.with_name(path.name + suffix)
        if part.exists():
            os.replace(part, path.with_name(f"{path.name}.damaged-{stamp}{suffix}"))


def _sql(value: Any) -> Any:
    """Returns `value` as SQLite stores it: dicts, lists and tuples as JSON text."""
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, default=str)
    return value
