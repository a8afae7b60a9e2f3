"""What a running search shares between its tuner hooks and its Keras callbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable

from automl.experiment.events import EventLog
from automl.experiment.fold import TrialRecord
from automl.search.budget import Deadline


class SearchState:
    """The event log, the deadline, the stop request and the trials of one search.

    Keras Tuner deep-copies callbacks for every trial; every callback must still see
    this one object, so deep-copying it returns it unchanged.
    """

    def __init__(self, log: EventLog, deadline: Deadline):
        self.log = log
        self.deadline = deadline
        self.stop_requested = threading.Event()
        self.hard_stop = threading.Event()
        self.trials: dict[str, TrialRecord] = {}
        self.current: TrialRecord | None = None
        self.fit_seconds = 0.0
        #: Seconds from a trial's start to its first epoch's end (build + graph tracing).
        self.startup_seconds: list[float] = []
        #: Sort key for trials, best first (set by the search: it knows the objective).
        self.rank = lambda trial: 0.0
        #: A worker asks to be replaced between trials once its memory passes this.
        self.memory_limit_mb: float | None = None
        #: Workers without a set bound take one from their memory after the third trial.
        self.auto_memory_limit = False
        #: Compile each trial's model with XLA (`--jit`).
        self.jit = False
        #: Budget planning (random and Bayesian searches with a time budget): once an
        #: epoch has been timed, each trial is capped at this many epochs.
        self.plan_epochs = False
        self.max_epochs = 0
        self.epoch_cap: int | None = None
        self.first_trial_cap: int | None = None
        self.plan_note = ""
        #: Called after every trial (completed or failed), with the trial's record.
        self.after_trial: Callable[[TrialRecord], None] | None = None
        #: Called once the typical epoch has been timed, with its seconds.
        self.after_plan: Callable[[float], None] | None = None

    def typical_startup(self) -> float:
        """Returns the median time a trial needs before its first epoch ends."""
        if not self.startup_seconds:
            return 0.0
        ordered = sorted(self.startup_seconds)
        return ordered[len(ordered) // 2]

    def request_stop(self, hard: bool = False) -> None:
        """Asks the search to end: after this epoch, or (hard) after this batch."""
        self.stop_requested.set()
        if hard:
            self.hard_stop.set()

    def __deepcopy__(self, memo):
        return self
