"""What a running search shares between its tuner hooks and its Keras callbacks."""

from __future__ import annotations

import threading
from collections.abc import Callable

from automl.experiment.events import EventLog
from automl.experiment.fold import TrialRecord
from automl.search.budget_planner import BudgetPlanner


class SearchState:
    """The event log, the budget planner, the stop requests and the trials of one search.

    Keras Tuner deep-copies callbacks for every trial; every callback must still see
    this one object, so deep-copying it returns it unchanged.
    """

    def __init__(self, log: EventLog, planner: BudgetPlanner):
        self.log = log
        #: Asked when to stop training and whether a trial may start.
        self.planner = planner
        self.stop_requested = threading.Event()
        self.hard_stop = threading.Event()
        self.trials: dict[str, TrialRecord] = {}
        self.current: TrialRecord | None = None
        self.fit_seconds = 0.0
        #: Small data: the folds every trial trains on (None: the single split), the
        #: search's feeds that cut them, and the fold held out now (for `ValidationScores`).
        self.cross_validation = None
        self.feeds = None
        self.fold_validation: tuple | None = None
        #: Returns the sort key for trials as they stand, best first (set by the search: it
        #: knows the objective). Made once per sort: a trial cut short is keyed by the best
        #: whole trial, which would otherwise be looked for once per trial compared.
        self.ranking: Callable[[], Callable[[TrialRecord], object]] = lambda: _unranked
        #: A worker asks to be replaced between trials once its memory passes this.
        self.memory_limit_mb: float | None = None
        #: Workers without a set bound take one from their memory after the third trial.
        self.auto_memory_limit = False
        #: Compile each trial's model with XLA (`--jit`).
        self.jit = False

    def best_trial(self) -> TrialRecord | None:
        """Returns the best completed trial so far, or None."""
        done = [t for t in self.trials.values() if t.status == "completed"]
        return min(done, key=self.ranking()) if done else None

    def ranked(self) -> list[TrialRecord]:
        """Returns every trial, best first."""
        return sorted(self.trials.values(), key=self.ranking())

    def request_stop(self, hard: bool = False) -> None:
        """Asks the search to end: after this epoch, or (hard) after this batch."""
        self.stop_requested.set()
        if hard:
            self.hard_stop.set()

    def __deepcopy__(self, memo):
        return self


def _unranked(trial: TrialRecord) -> float:
    return 0.0
