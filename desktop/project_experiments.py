"""A project's experiments as the engine's store lists them, read off the GUI thread.

`automl.store.list_experiments` reads `project.db` and refreshes it from the experiment
folders (a few files each); SQLite may also wait on a search that is writing its rows, so
`ExperimentLister` runs it as a background job and answers with a signal. The functions
below turn its rows into the words the window shows; they take plain dicts and need no Qt.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from automl.errors import AutoMLError, first_line
from desktop.jobs import BackgroundJobs

#: How many interrupted experiments the resume question names before "and N more".
NAMED_IN_QUESTION = 4


class ExperimentLister(QObject):
    """Lists a project's experiments as a background job.

    Signals carry the request number, so a late answer to an older request can be told
    from the current one.

    Signals:
        listed: (request, project folder, the store's rows newest first).
        failed: (request, project folder, a one-line message).
    """

    listed = Signal(int, object, list)
    failed = Signal(int, object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs = BackgroundJobs(self)
        self.request = 0

    def list_project(self, project: Path) -> int:
        """Starts listing `project`; returns the request number its answer will carry."""
        self.request += 1
        request, project = self.request, Path(project)
        self.jobs.run(
            lambda: list_project_experiments(project),
            lambda rows: self.listed.emit(request, project, rows),
            lambda error: self.failed.emit(request, project, listing_problem(error)),
        )
        return request


def list_project_experiments(project: Path) -> list[dict[str, Any]]:
    """Returns the store's rows for `project`'s experiments, newest first (no Qt: a job)."""
    from automl.store import list_experiments

    return list_experiments(project)


def listing_problem(error: Exception) -> str:
    """Returns the one line shown when listing a project's experiments failed."""
    if isinstance(error, (AutoMLError, OSError, ValueError)):
        return first_line(error)
    return f"{type(error).__name__}: {error}"  # a damaged project.db raises sqlite3 errors


def interrupted(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Returns the experiments whose search died before it ended, newest first."""
    return [row for row in rows if row.get("status") == "interrupted"]


def stopped_at(row: dict[str, Any]) -> str:
    """Returns when an experiment's search last showed life, in local time ("" if unknown).

    Example:
        >>> stopped_at({"heartbeat": None, "started": None})
        ''
    """
    if row.get("heartbeat") is not None:
        return local_time(datetime.fromtimestamp(row["heartbeat"]).astimezone())
    return started_at(row)


def started_at(row: dict[str, Any]) -> str:
    """Returns when an experiment started, in local time ("" if unknown)."""
    if not row.get("started"):
        return ""
    try:
        return local_time(datetime.fromisoformat(row["started"]).astimezone())
    except ValueError:
        return str(row["started"])


def local_time(moment: datetime) -> str:
    """Returns `moment` as "2026-11-26 01:20"."""
    return moment.strftime("%Y-%m-%d %H:%M")


def trials_text(row: dict[str, Any]) -> str:
    """Returns the trials done against the plan, e.g. "3 of 10", "3 of 10, 1 failed".

    Example:
        >>> trials_text({"trials_completed": 3, "trials_failed": 1, "max_trials": 10})
        '3 of 10, 1 failed'
    """
    done = row.get("trials_completed") or 0
    planned = row.get("max_trials")
    text = f"{done} of {planned}" if planned else str(done)
    if row.get("trials_failed"):
        text += f", {row['trials_failed']} failed"
    return text


def score_text(row: dict[str, Any]) -> str:
    """Returns the best validation score with its metric, e.g. "0.9091 accuracy"."""
    if row.get("best_score") is None:
        return ""
    return f"{row['best_score']:.4f} {row.get('metric') or ''}".strip()


def resume_question(rows: list[dict[str, Any]]) -> str:
    """Returns the question asked when a project opens with interrupted experiments.

    `rows` are the interrupted ones, newest first; "Resume" continues the first.
    """
    first = rows[0]
    keep = (
        "Completed trials are kept; the trial that was running goes on from its last "
        "checkpoint, within what is left of the budget."
    )
    if len(rows) == 1:
        return (
            f"The search “{first['name']}” stopped before it ended (last active "
            f"{stopped_at(first)}; {trials_text(first)} trials done).\n\n"
            f"Resume it now? {keep}"
        )
    lines = [
        f"• {row['name']}: last active {stopped_at(row)}, {trials_text(row)} trials done"
        for row in rows[:NAMED_IN_QUESTION]
    ]
    if len(rows) > NAMED_IN_QUESTION:
        lines.append(f"• and {len(rows) - NAMED_IN_QUESTION} more")
    return (
        f"{len(rows)} searches in this project stopped before they ended:\n"
        + "\n".join(lines)
        + f"\n\nResume the newest, “{first['name']}”, now? {keep} The others can be "
        "resumed from File > Project experiments."
    )
