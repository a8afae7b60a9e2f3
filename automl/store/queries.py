"""Reading a project's history: the experiments, one in full, and its trials as a table.

Every query refreshes the index from the folders first (a stat per experiment; a folder is
read again only when its files changed or its search was running), so what it returns is
what the folders say now, even for searches that died since the last look.

Example:
    >>> [e["name"] for e in list_experiments(Path("work"))]
    ['penguins-bayes', 'penguins']
    >>> show(Path("work"), "penguins")["trials"][0]["score"]
    0.9818
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from automl.errors import AutoMLError
from automl.store.db import open_db
from automl.store.disk import disk_use
from automl.store.index import refresh
from automl.store.project import find_project, project_of, resolve_experiment

_JSON_COLUMNS = {
    "families",
    "test_metrics",
    "request",
    "hyperparameters",
    "metrics",
    "best_metrics",
}
_INTERNAL_COLUMNS = {"id", "signature", "experiment_id"}


def list_experiments(project: Path) -> list[dict[str, Any]]:
    """Returns the project's experiments, newest first, as dicts of the index's columns.

    Raises:
        AutoMLError: `project` is not a project.
    """
    project = find_project(project)
    refresh(project)
    with open_db(project) as db:
        rows = db.execute("SELECT * FROM experiments ORDER BY started DESC, name").fetchall()
    return [_experiment(row, project) for row in rows]


def show(project: Path, experiment: str | Path) -> dict[str, Any]:
    """Returns everything known about one experiment.

    The index's columns, plus `path` (the folder), `trials` (the leaderboard: completed
    trials best first, then the rest in the order they started) and `disk` (bytes used:
    total, tuner, model, logs, other).

    Raises:
        AutoMLError: no such experiment (the message lists the known names).
    """
    folder = resolve_experiment(project, experiment)
    home = project_of(folder)
    refresh(home)
    relative = folder.relative_to(home).as_posix()
    with open_db(home) as db:
        row = db.execute("SELECT * FROM experiments WHERE folder = ?", (relative,)).fetchone()
        if row is None:  # its experiment.json is unreadable: refresh warned and left it out
            raise AutoMLError(f"{folder} could not be read; see the warning above")
        trials = _trials(db, row["id"], folder)
    result = _experiment(row, home)
    maximize = result["direction"] != "min"

    def rank(trial: dict) -> tuple:
        if trial["status"] != "completed" or trial["score"] is None:
            return (1, 0.0)
        return (0, -trial["score"] if maximize else trial["score"])

    result["trials"] = sorted(trials, key=rank)
    result["disk"] = disk_use(folder)
    return result


def export_trials(project: Path, experiment: str | Path, csv_path: Path) -> int:
    """Writes one CSV row per trial, in the order trials started; returns the row count.

    Columns: trial_id, status, score, best_epoch, epochs, duration_s, the metrics at the
    best epoch, one column per hyperparameter (blank where a trial lacks it), checkpoint
    and reason. A hyperparameter whose name clashes with an earlier column gets `hp_`.

    Raises:
        AutoMLError: no such experiment, or the CSV's folder does not exist.
    """
    import pandas as pd

    csv_path = Path(csv_path)
    if not csv_path.parent.is_dir():
        raise AutoMLError(f"cannot write {csv_path}: folder {csv_path.parent} does not exist")
    folder = resolve_experiment(project, experiment)
    home = project_of(folder)
    refresh(home)
    with open_db(home) as db:
        (experiment_id,) = db.execute(
            "SELECT id FROM experiments WHERE folder = ?", (folder.relative_to(home).as_posix(),)
        ).fetchone() or (None,)
        if experiment_id is None:
            raise AutoMLError(f"{folder} could not be read; see the warning above")
        trials = _trials(db, experiment_id, folder)
    rows = []
    for trial in trials:
        row = {
            key: trial[key]
            for key in ("trial_id", "status", "score", "best_epoch", "epochs", "duration_s")
        }
        for source in (trial["best_metrics"], trial["hyperparameters"]):
            for name, value in source.items():
                row[f"hp_{name}" if name in row else name] = value
        row["checkpoint"] = trial["checkpoint"]
        row["reason"] = trial["reason"]
        rows.append(row)
    # Nullable dtypes: a hyperparameter only some trials have stays 128, not 128.0.
    frame = pd.DataFrame(rows, columns=_column_order(rows)).convert_dtypes()
    partial = csv_path.with_name(f".{csv_path.name}.partial")
    frame.to_csv(partial, index=False)
    os.replace(partial, csv_path)  # never half a file, even if the disk fills
    return len(frame)


def _trials(db: sqlite3.Connection, experiment_id: int, folder: Path) -> list[dict[str, Any]]:
    """Returns the experiment's trials in the order they started.

    A checkpoint deleted since the last index (retention, or by hand) reads as None: the
    index only learns of it when events or the summary change, so check the disk.
    """
    rows = db.execute(
        "SELECT * FROM trials WHERE experiment_id = ? ORDER BY rowid", (experiment_id,)
    ).fetchall()
    trials = [_decode(row) for row in rows]
    for trial in trials:
        if trial["checkpoint"] and not (folder / trial["checkpoint"]).is_file():
            trial["checkpoint"] = None
    return trials


def _experiment(row: sqlite3.Row, project: Path) -> dict[str, Any]:
    result = _decode(row)
    result["families"] = tuple(result["families"])
    result["path"] = (project / row["folder"]).resolve()
    return result


def _decode(row: sqlite3.Row) -> dict[str, Any]:
    return {
        key: json.loads(row[key]) if key in _JSON_COLUMNS else row[key]
        for key in row.keys()  # noqa: SIM118 - sqlite3.Row iterates values, not keys
        if key not in _INTERNAL_COLUMNS
    }


def _column_order(rows: list[dict]) -> list[str]:
    """Returns the columns in first-seen order, checkpoint and reason last."""
    base = ["trial_id", "status", "score", "best_epoch", "epochs", "duration_s"]
    names = list(dict.fromkeys([*base, *(name for row in rows for name in row)]))
    tail = ["checkpoint", "reason"]
    return [n for n in names if n not in tail] + tail
