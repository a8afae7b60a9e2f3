"""How far a search has got: the budget an interrupted search has left (no Qt)."""

from __future__ import annotations

from automl.experiment.events import Event, SearchStarted
from automl.experiment.fold import time_used


def budget_left(events: list[Event]) -> float | None:
    """Returns the seconds of time budget an interrupted search has left (None: no budget).

    As `automl resume` counts it: the budget less each earlier run's first to last event.

    Example:
        >>> from automl.experiment.events import EpochEnded
        >>> started = SearchStarted(time=100.0, experiment="x", data="d", task="binary",
        ...     target="y", tuner="random", objective="accuracy", direction="max",
        ...     max_trials=5, time_budget_s=300.0, max_epochs=10, rows={})
        >>> budget_left([started, EpochEnded(time=160.0, trial_id="0", epoch=1, metrics={})])
        240.0
    """
    budget = 0.0
    for event in events:
        if isinstance(event, SearchStarted):
            budget = event.time_budget_s or 0.0
    return max(0.0, budget - time_used(events)) if budget else None
