"""The one fold of search events into trials, and the time a search has used.

The running search keeps a `TrialRecord` per trial and updates it as it trains; every
later reader (a resumed search, the store's index, the report, the desktop's trial
table) rebuilds the same records from the events with `TrialFold`, so they agree on a
trial's status, curve, score and epochs.

Example:
    >>> fold = TrialFold()
    >>> for event in read_events(folder / EVENTS):
    ...     fold.take(event)
    >>> [(t.trial_id, t.status, t.score) for t in fold.trials.values()]
    [('0', 'completed', 0.93), ('1', 'running', None)]
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from automl.experiment.events import (
    EpochEnded,
    Event,
    SearchStarted,
    TrialEnded,
    TrialFailed,
    TrialStarted,
)

#: Statuses of a trial that has recorded its end.
FINISHED = ("completed", "failed")


@dataclass
class TrialRecord:
    """One trial: its hyperparameters, its curve epoch by epoch, and how it ended."""

    trial_id: str
    hyperparameters: dict[str, Any] = field(default_factory=dict)
    #: running, completed, failed; readers of a dead search's folder say interrupted
    status: str = "running"
    score: float | None = None
    best_epoch: int | None = None
    #: epochs trained: the last one reported, or the count its end recorded
    epochs: int = 0
    duration_s: float = 0.0
    #: the metrics of each epoch trained, in order
    history: list[dict[str, float]] = field(default_factory=list)
    #: the number of `history[0]` (Hyperband goes on with a trial at a later epoch)
    first_epoch: int = 1
    #: the metrics at the best epoch, as its end recorded them
    best_metrics: dict[str, float] = field(default_factory=dict)
    reason: str = ""
    #: the worker that ran it (parallel searches)
    worker: str | None = None
    #: seconds since the epoch of its first start and of its end (from the events)
    started_at: float | None = None
    ended_at: float | None = None
    #: this process's clock when it started here (a running search times trials with it)
    started: float = field(default_factory=time.monotonic)
    #: its weights file relative to the experiment folder, where a reader looked for it
    checkpoint: str | None = None
    #: retention deleted its weights (--keep-checkpoints)
    checkpoint_deleted: bool = False
    #: cross-validated trials: the fold training now (0-based), the earlier folds' curves,
    #: each fold's best objective value and their standard deviation
    fold: int = 0
    fold_histories: list[list[dict[str, float]]] = field(default_factory=list)
    fold_scores: list[float] = field(default_factory=list)
    spread: float | None = None

    def curves(self) -> dict[str, list]:
        """Returns {"epoch": [1, 2, ...], metric name: [value per epoch]}; {} before one."""
        if not self.history:
            return {}
        names = list(dict.fromkeys(name for epoch in self.history for name in epoch))
        columns: dict[str, list] = {
            "epoch": [self.first_epoch + i for i in range(len(self.history))]
        }
        for name in names:
            columns[name] = [epoch.get(name) for epoch in self.history]
        return columns


class TrialFold:
    """Folds events, one at a time, into `trials` ({trial_id: TrialRecord}, in start order)."""

    def __init__(self) -> None:
        self.trials: dict[str, TrialRecord] = {}

    def take(self, event: Event) -> TrialRecord | None:
        """Applies one event; returns the trial it changed (None for a search event)."""
        trial_id = getattr(event, "trial_id", None)
        if trial_id is None:
            return None
        trial = self.trials.get(trial_id)
        if trial is None:
            trial = self.trials[trial_id] = TrialRecord(trial_id)
        trial.worker = getattr(event, "worker", None) or trial.worker
        if isinstance(event, TrialStarted):
            # A resumed trial starts again: running, keeping the epochs its resume point
            # had reached; one started afresh keeps none.
            kept = event.resumed_from_epoch or 0
            trial.history = trial.history[:kept]
            trial.fold, trial.fold_histories = 0, []
            trial.epochs = trial.first_epoch + len(trial.history) - 1 if trial.history else 0
            trial.status, trial.reason = "running", ""
            trial.hyperparameters = event.hyperparameters
            trial.started_at = trial.started_at if trial.started_at is not None else event.time
        elif isinstance(event, EpochEnded):
            if event.fold is not None and event.fold != trial.fold:
                # The next fold of a cross-validated trial: a curve of its own.
                trial.fold_histories.append(trial.history)
                trial.history, trial.fold = [], event.fold
            if not trial.history:
                trial.first_epoch = event.epoch
            trial.history.append(event.metrics)
            trial.epochs = event.epoch
        elif isinstance(event, TrialEnded):
            trial.status = "completed"
            trial.hyperparameters = event.hyperparameters
            trial.score, trial.best_epoch = event.score, event.best_epoch
            trial.epochs, trial.duration_s = event.epochs, event.duration_s
            trial.best_metrics = event.metrics
            trial.ended_at = event.time
            trial.spread = event.spread
            trial.fold_scores = list(event.fold_scores or [])
        elif isinstance(event, TrialFailed):
            trial.status, trial.reason = "failed", event.reason
            trial.hyperparameters = event.hyperparameters or trial.hyperparameters
            trial.ended_at = event.time
            if event.retrying:
                trial.history = []  # tried again from the start, as the search does
        return trial


def fold_trials(events: Iterable[Event]) -> dict[str, TrialRecord]:
    """Returns every trial the events tell of, in the order they started."""
    fold = TrialFold()
    for event in events:
        fold.take(event)
    return fold.trials


def finished_trials(events: Iterable[Event]) -> dict[str, TrialRecord]:
    """Returns the trials that recorded their end (completed or failed).

    A trial that started but never ended was interrupted: Keras Tuner tries it again,
    and it goes on from its resume point.
    """
    return {k: t for k, t in fold_trials(events).items() if t.status in FINISHED}


def time_used(events: Iterable[Event]) -> float:
    """Returns the seconds the search's runs spent, each from its first to its last event."""
    used, start, last = 0.0, None, None
    for event in events:
        if isinstance(event, SearchStarted):
            if start is not None and last is not None:
                used += last - start
            start = event.time
        last = event.time
    if start is not None and last is not None:
        used += last - start
    return used
