"""What an experiment folder says about its search: one record and its trials, read from files.

The folder is the truth and the index a copy of this record, so everything `show` and
`compare` print comes from here: `experiment.json` (the request, data hash, modality),
`events.jsonl` (every trial, epoch by epoch, even when the search was killed) and, once a
search has ended, `summary.json` (final status, best trial, test metrics).
"""

from __future__ import annotations

import contextlib
import json
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from automl.errors import AutoMLError
from automl.experiment.events import Event, SearchEnded, SearchStarted
from automl.experiment.fold import TrialRecord, fold_trials
from automl.experiment.layout import EVENTS, MARKER, SUMMARY, trial_checkpoints
from automl.experiment.lock import unfinished_status
from automl.experiment.reader import read_events

#: Families a modality searches when the request names none (the engine's defaults).
DEFAULT_FAMILIES = {"table": ("dense",), "image": ("cnn",)}


@dataclass(frozen=True)
class ExperimentRecord:
    """One experiment as the index keeps it; `folder` is relative to the project."""

    name: str
    folder: str
    status: str
    data_file: str | None = None
    data_sha256: str | None = None
    modality: str | None = None
    task: str | None = None
    target: str | None = None
    families: tuple[str, ...] = ()
    tuner: str | None = None
    max_trials: int | None = None
    time_budget_s: float | None = None
    max_epochs: int | None = None
    reason: str | None = None
    started: str | None = None
    ended: str | None = None
    heartbeat: float | None = None
    duration_s: float | None = None
    best_trial_id: str | None = None
    best_score: float | None = None
    metric: str | None = None
    direction: str | None = None
    trials_completed: int = 0
    trials_failed: int = 0
    trials_unfinished: int = 0
    test_metrics: dict[str, float] = field(default_factory=dict)
    request: dict[str, Any] = field(default_factory=dict)
    signature: str = ""
    trials: tuple[TrialRecord, ...] = ()


#: A trial's columns in the index, as `trial_row` gives them.
TRIAL_COLUMNS = (
    "trial_id",
    "status",
    "hyperparameters",
    "score",
    "best_epoch",
    "epochs",
    "duration_s",
    "metrics",
    "best_metrics",
    "checkpoint",
    "reason",
    "started",
    "ended",
)


def trial_row(trial: TrialRecord) -> dict[str, Any]:
    """Returns the trial as the index keeps it: {column: value} for `TRIAL_COLUMNS`.

    A trial that has not ended has no duration yet (NULL, not 0), and no reason.
    """
    timed = trial.status == "completed" or bool(trial.duration_s)
    return {
        "trial_id": trial.trial_id,
        "status": trial.status,
        "hyperparameters": trial.hyperparameters,
        "score": trial.score,
        "best_epoch": trial.best_epoch,
        "epochs": trial.epochs,
        "duration_s": trial.duration_s if timed else None,
        "metrics": trial.curves(),  # {"epoch": [1, 2, ...], metric name: [per epoch]}
        "best_metrics": trial.best_metrics,
        "checkpoint": trial.checkpoint,  # relative to the experiment folder
        "reason": trial.reason or None,
        "started": _iso(trial.started_at),
        "ended": _iso(trial.ended_at),
    }


def folder_signature(folder: Path) -> str:
    """Returns the sizes and times of the files a record is read from; changes when they do.

    Taken before reading, so a file that changes during the read makes the next
    comparison differ and the folder is read again.
    """
    parts = []
    for name in (MARKER, EVENTS, SUMMARY):
        try:
            stat = (folder / name).stat()
        except OSError:
            parts.append("-")
            continue
        parts.append(f"{stat.st_size}:{stat.st_mtime_ns}")
    return "|".join(parts)


def read_experiment(folder: Path, project: Path) -> ExperimentRecord:
    """Returns the record of the experiment in `folder`, which belongs to `project`.

    Raises:
        AutoMLError: `folder` is not an experiment, or its experiment.json is unreadable.
    """
    folder = Path(folder).resolve()
    signature = folder_signature(folder)
    marker = _read_json(folder / MARKER, required=True)
    summary = _read_json(folder / SUMMARY, required=False)
    events = read_events(folder / EVENTS)
    request = marker.get("request") or {}
    started_event = next((e for e in events if isinstance(e, SearchStarted)), None)
    ended_event = next((e for e in reversed(events) if isinstance(e, SearchEnded)), None)
    heartbeat = _heartbeat(folder, events)

    if summary:
        status = summary.get("status") or "completed"
    elif ended_event is not None:
        status = ended_event.status
    else:
        status = unfinished_status(folder, heartbeat)
    trials = _trials(events, summary, folder, live=status == "running")

    budget = dict(summary.get("budget") or {})
    for key in ("max_trials", "time_budget_s", "max_epochs"):
        if key not in budget:
            budget[key] = getattr(started_event, key, request.get(key))
    metric = summary.get("metric") or getattr(started_event, "objective", None)
    direction = summary.get("direction") or getattr(started_event, "direction", None)
    best_id, best_score = _best(summary, ended_event, trials, direction)
    counts = summary.get("trials") or {}
    started = marker.get("created") or _iso(getattr(started_event, "time", None))
    return ExperimentRecord(
        name=folder.name,
        folder=relative_folder(folder, project),
        status=status,
        data_file=request.get("data") or summary.get("data"),
        data_sha256=marker.get("data_sha256") or summary.get("data_sha256"),
        modality=marker.get("modality") or summary.get("modality"),
        task=summary.get("task") or getattr(started_event, "task", None),
        target=summary.get("target") or getattr(started_event, "target", None),
        families=_families(marker, summary, request, trials),
        tuner=summary.get("tuner") or request.get("tuner"),
        max_trials=budget["max_trials"],
        time_budget_s=budget["time_budget_s"],
        max_epochs=budget["max_epochs"],
        reason=summary.get("reason") or getattr(ended_event, "reason", None),
        started=started,
        ended=_ended(folder, summary, ended_event),
        heartbeat=heartbeat,
        duration_s=_duration(summary, ended_event, started, heartbeat),
        best_trial_id=best_id,
        best_score=best_score,
        metric=metric,
        direction=direction,
        trials_completed=counts.get("completed", sum(t.status == "completed" for t in trials)),
        trials_failed=counts.get("failed", sum(t.status == "failed" for t in trials)),
        trials_unfinished=sum(t.status in {"running", "interrupted"} for t in trials),
        test_metrics=dict(summary.get("test_metrics") or {}),
        request=request,
        signature=signature,
        trials=tuple(trials),
    )


def _read_json(path: Path, *, required: bool) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        if required:
            raise AutoMLError(
                f"{path.parent} is not an experiment folder (no {path.name})"
            ) from None
        return {}
    except (ValueError, UnicodeDecodeError) as error:
        if required:
            raise AutoMLError(
                f"{path} is unreadable ({error}); the experiment cannot be indexed"
            ) from None
        warnings.warn(f"{path} is unreadable and was left out ({error})", stacklevel=3)
        return {}
    if not isinstance(data, dict):
        if required:
            raise AutoMLError(f"{path} does not describe an experiment")
        return {}
    return data


def _trials(events: list[Event], summary: dict, folder: Path, live: bool) -> list[TrialRecord]:
    """Returns the trials in the order they started, from the events, then the summary."""
    found = fold_trials(events)
    # Lines lost from events.jsonl: the summary's leaderboard still names those trials.
    for row in summary.get("leaderboard") or []:
        trial_id = str(row.get("trial_id"))
        if trial_id not in found:
            keys = ("status", "hyperparameters", "score", "best_epoch", "epochs", "duration_s")
            found[trial_id] = TrialRecord(trial_id, **{k: row[k] for k in keys if k in row})
    checkpoints = trial_checkpoints(folder)
    for trial in found.values():
        if trial.status == "running" and not live:
            trial.status = "interrupted"
        trial.checkpoint = checkpoints.get(trial.trial_id)
    return list(found.values())


def _families(marker: dict, summary: dict, request: dict, trials: list[TrialRecord]):
    for named in (summary.get("families"), marker.get("families"), request.get("families")):
        if named:
            return tuple(named)
    # Several families searched at once appear as a "family" hyperparameter.
    searched = sorted(
        {str(t.hyperparameters["family"]) for t in trials if "family" in t.hyperparameters}
    )
    if searched:
        return tuple(searched)
    return DEFAULT_FAMILIES.get(marker.get("modality") or summary.get("modality"), ())


def _best(summary: dict, ended: SearchEnded | None, trials: list[TrialRecord], direction):
    best = summary.get("best_trial")
    if best:
        return str(best.get("trial_id")), best.get("score")
    if ended is not None and ended.best_trial_id is not None:
        return ended.best_trial_id, ended.best_score
    scored = [t for t in trials if t.status == "completed" and t.score is not None]
    if not scored:
        return None, None
    pick = min if direction == "min" else max
    top = pick(scored, key=lambda t: t.score)
    return top.trial_id, top.score


def _heartbeat(folder: Path, events: list[Event]) -> float | None:
    times = [events[-1].time] if events else []
    for name in (EVENTS, MARKER):
        with contextlib.suppress(OSError):
            times.append((folder / name).stat().st_mtime)
    return max(times, default=None)


def _ended(folder: Path, summary: dict, ended: SearchEnded | None) -> str | None:
    if ended is not None:
        return _iso(ended.time)
    if summary:
        return _iso((folder / SUMMARY).stat().st_mtime)
    return None


def _duration(summary, ended, started, heartbeat) -> float | None:
    """Returns the whole run's seconds: the summary's total (export included), else the
    search's, else start to last sign of life for a search that has not ended."""
    total = (summary.get("timing") or {}).get("total_s")
    if total is not None:
        return float(total)
    if ended is not None:
        return ended.duration_s
    if started and heartbeat is not None:
        try:
            return max(0.0, heartbeat - datetime.fromisoformat(started).timestamp())
        except ValueError:
            return None
    return None


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def relative_folder(folder: Path, project: Path) -> str:
    """Returns `folder` as the index names it: relative to the project, with '/'."""
    try:
        return folder.relative_to(Path(project).resolve()).as_posix()
    except ValueError:
        return folder.as_posix()  # outside the project: keep where it is
