"""Two experiments side by side: what differed in their data, spaces and budgets, and how
each did.

Example:
    >>> for label, a, b in compare(Path("work"), "penguins", "penguins-bayes"):
    ...     print(f"{label:<16} {a:<24} {b}")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from automl.store.queries import show
from automl.store.text import format_bytes, format_duration, format_score

#: Characters of a data file's SHA-256 shown: enough to tell files apart at a glance.
SHA_SHOWN = 16


def compare(project: Path, a: str | Path, b: str | Path) -> list[tuple[str, str, str]]:
    """Returns (what, experiment a, experiment b) rows, ready to print as a table.

    Rows: names, folders, status, data file and SHA-256, task, families, tuner, search
    space, budgets, objective, best trial and score, each test metric, trial counts,
    start, duration and disk used.

    Raises:
        AutoMLError: either experiment is unknown.
    """
    return compare_rows(show(project, a), show(project, b))


def compare_rows(left: dict[str, Any], right: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Returns the rows of `compare` for two results of `show`."""
    rows = [(label, describe(left), describe(right)) for label, describe in _ROWS]
    metrics = list(dict.fromkeys([*left["test_metrics"], *right["test_metrics"]]))
    for name in metrics:
        rows.append(
            (
                f"test {name}",
                format_score(left["test_metrics"].get(name)),
                format_score(right["test_metrics"].get(name)),
            )
        )
    rows += [(label, describe(left), describe(right)) for label, describe in _TAIL_ROWS]
    return rows


def _text(value: Any) -> str:
    return "-" if value is None or value == "" else str(value)


def _space(experiment: dict) -> str:
    space = experiment["request"].get("space") or {}
    return json.dumps(space, sort_keys=True) if space else "defaults"


def _trials(experiment: dict) -> str:
    text = f"{experiment['trials_completed']} completed, {experiment['trials_failed']} failed"
    if experiment["trials_unfinished"]:
        text += f", {experiment['trials_unfinished']} unfinished"
    return text


def _status(experiment: dict) -> str:
    reason = experiment["reason"]
    return f"{experiment['status']}: {reason}" if reason else experiment["status"]


def _sha(experiment: dict) -> str:
    sha = experiment["data_sha256"]
    return f"{sha[:SHA_SHOWN]}..." if sha else "-"


def _task(experiment: dict) -> str:
    task, target = experiment["task"], experiment["target"]
    if not task:
        return "-"
    return f"{task} on {target!r}" if target else task


def _budget_time(experiment: dict) -> str:
    seconds = experiment["time_budget_s"]
    return "none" if seconds is None else format_duration(seconds)


def _objective(experiment: dict) -> str:
    metric, direction = experiment["metric"], experiment["direction"]
    if not metric:
        return "-"
    return f"{metric} ({'higher' if direction != 'min' else 'lower'} is better)"


_ROWS = [
    ("experiment", lambda e: e["name"]),
    ("folder", lambda e: str(e["path"])),
    ("status", _status),
    ("data file", lambda e: _text(e["data_file"])),
    ("data sha256", _sha),
    ("modality", lambda e: _text(e["modality"])),
    ("task", _task),
    ("families", lambda e: ", ".join(e["families"]) or "-"),
    ("tuner", lambda e: _text(e["tuner"])),
    ("search space", _space),
    ("max trials", lambda e: _text(e["max_trials"])),
    ("time budget", _budget_time),
    ("max epochs", lambda e: _text(e["max_epochs"])),
    ("objective", _objective),
    ("best trial", lambda e: _text(e["best_trial_id"])),
    ("best score", lambda e: format_score(e["best_score"])),
]
_TAIL_ROWS = [
    ("trials", _trials),
    ("started", lambda e: _text(e["started"])),
    ("duration", lambda e: format_duration(e["duration_s"])),
    ("disk used", lambda e: format_bytes(e["disk"]["total"])),
]
