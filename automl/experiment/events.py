"""The events a search reports, one JSON object a line, in `events.jsonl` and on stdout.

The CLI's progress display, the GUI and a later reader of an experiment folder all read
this one format (`automl.experiment.reader` reads it back). Every event has `type` and
`time` (seconds since the epoch).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from automl.output_streams import reader_gone, silence_fds


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = "event"
    time: float = field(default_factory=time.time, kw_only=True)

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.type, **_clean(dataclasses.asdict(self))}

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Event:
        kind = EVENT_TYPES[data["type"]]
        names = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True)
class SearchStarted(Event):
    type: ClassVar[str] = "search_started"
    experiment: str
    data: str
    task: str
    target: str
    tuner: str
    objective: str
    direction: str
    max_trials: int
    time_budget_s: float | None
    max_epochs: int
    rows: dict[str, int]
    #: true when `automl resume` continues an interrupted search
    resumed: bool = False
    #: seconds of the budget left when this run started (less than the budget on resume)
    time_budget_left_s: float | None = None
    #: small data: cross-validation folds each trial is scored on (None: one split)
    folds: int | None = None


@dataclass(frozen=True)
class TrialStarted(Event):
    type: ClassVar[str] = "trial_started"
    trial_id: str
    hyperparameters: dict[str, Any]
    #: epochs already done when an interrupted trial goes on (`automl resume`)
    resumed_from_epoch: int | None = None
    #: the worker that ran it in a parallel search (`tuner0`, `tuner1`, ...)
    worker: str | None = None
    #: cross-validated searches: the folds it trains, fewer than `SearchStarted.folds`
    #: once the budget's plan kept only the first ones
    folds: int | None = None


@dataclass(frozen=True)
class EpochEnded(Event):
    type: ClassVar[str] = "epoch_ended"
    trial_id: str
    epoch: int
    metrics: dict[str, float]
    worker: str | None = None
    #: cross-validated searches: the fold this epoch trained (0-based)
    fold: int | None = None


@dataclass(frozen=True)
class TrialEnded(Event):
    type: ClassVar[str] = "trial_ended"
    trial_id: str
    score: float | None
    best_epoch: int | None
    epochs: int
    duration_s: float
    metrics: dict[str, float]
    hyperparameters: dict[str, Any]
    worker: str | None = None
    #: cross-validated searches: the standard deviation of the folds' scores (`score` is
    #: their mean, `metrics` the folds' best epochs averaged) and each fold's score
    spread: float | None = None
    fold_scores: list[float] | None = None


@dataclass(frozen=True)
class TrialFailed(Event):
    type: ClassVar[str] = "trial_failed"
    trial_id: str
    reason: str
    hyperparameters: dict[str, Any]
    worker: str | None = None
    #: true when the trial is tried again (out of memory: with half the batch size)
    retrying: bool = False


@dataclass(frozen=True)
class SearchEnded(Event):
    type: ClassVar[str] = "search_ended"
    status: str  # "completed", "deadline", "stopped", "failed"
    reason: str
    best_trial_id: str | None
    best_score: float | None
    trials_completed: int
    trials_failed: int
    #: from the search's start to the model chosen (its export and check come after)
    duration_s: float
    #: of `duration_s`, the seconds after the last trial spent choosing the model: the fold
    #: models averaged, the baselines scored, the test rows predicted
    choosing_s: float | None = None


EVENT_TYPES: dict[str, type[Event]] = {
    kind.type: kind
    for kind in (SearchStarted, TrialStarted, EpochEnded, TrialEnded, TrialFailed, SearchEnded)
}


def _clean(value: Any) -> Any:
    """Returns `value` with numpy scalars made plain and NaN/inf made None (valid JSON)."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class EventLog:
    """Appends events to `events.jsonl` and, optionally, to a stream, and tells listeners.

    One line is written whole and flushed before the next, so a reader following the
    file (or the pipe) never sees half an event.
    """

    def __init__(self, path: Path, stream: IO[str] | None = None):
        self.path = path
        self.stream = stream
        self.listeners: list = []
        self._lock = threading.Lock()
        self._file = path.open("a", encoding="utf-8")

    def emit(self, event: Event) -> None:
        line = json.dumps(event.to_dict(), separators=(",", ":")) + "\n"
        with self._lock:
            self._file.write(line)
            self._file.flush()
            if self.stream is not None:
                try:
                    self.stream.write(line)
                    self.stream.flush()
                except (OSError, ValueError) as error:
                    if not reader_gone(error):
                        raise
                    self._drop_stream()
        for listener in self.listeners:
            listener(event)

    def _drop_stream(self) -> None:
        """Returns None; stops writing to the stream whose reader went away.

        The file still gets every event. The stream's descriptor is pointed at /dev/null
        so the line left in its buffer cannot fail again when it is flushed at exit.
        """
        stream, self.stream = self.stream, None
        # Closed already, or not a file: then nothing is left to flush.
        with contextlib.suppress(OSError, ValueError, AttributeError):
            silence_fds((stream.fileno(),))

    def close(self) -> None:
        self._file.close()

    def __deepcopy__(self, memo):
        # Keras Tuner deep-copies callbacks per trial; they must share this one log.
        return self
