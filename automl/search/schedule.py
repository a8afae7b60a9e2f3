"""The learning-rate schedule a trial chose: halving on plateaus, or flat then cosine.

A family that offers a choice registers the hyperparameter "schedule" (the dense family
for tables: RealMLP, Holzmüller et al. 2024, trains with a decaying schedule). "plateau"
leaves the rate to `ReduceLROnPlateau`, as every trial trained before. "flat_cosine" also
caps it: the trial's rate for the first half of its planned epochs, then a cosine down to
nearly nothing at the end, so a trial that is still improving late settles into a minimum
instead of jumping around it.

Early stopping ends most trials on small tables long before half their plan (measured:
the first trial of a 300-row table stopped at 33 of a planned 100 epochs), so there the
choice rarely acts; it acts on trials that train long, as a budget's cap makes them.

A schedule needs a length, and a trial's length is only known once the budget planner
has timed an epoch. So the rate is set at each epoch's start from the length known then:
the trial's epoch cap (`BudgetPlanner.trial_cap`), or the epochs `fit` was asked for when
there is no cap (a search without a time budget, a Hyperband bracket, the refit). The plan
comes after a few epochs, well inside the flat half, so the first trial decays as later
ones do. Past its length a trial trains at the last, smallest rate until its cap's
improvement rule or early stopping ends it.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import keras

#: The share of the planned epochs at the full rate before the cosine starts.
FLAT_SHARE = 0.5
#: The rate past the end, as a share of the trial's rate (never exactly 0: Keras's
#: plateau callback would then have nothing to halve and an optimizer step no effect).
FLOOR = 0.01


def schedule_of(hyperparameters: dict) -> tuple[str, float | None]:
    """Returns (the schedule, the trial's learning rate) from a trial's values.

    Names may carry a family's scope ("dense/schedule" beside other families); a trial
    without the choice trains on plateaus.
    """
    schedule, rate = "plateau", None
    for name, value in hyperparameters.items():
        leaf = name.split("/")[-1]
        if leaf == "schedule":
            schedule = str(value)
        elif leaf == "learning_rate":
            rate = float(value)
    return schedule, rate


def flat_cosine_factor(epoch: int, length: int) -> float:
    """Returns the share of the trial's rate at (0-based) `epoch` of `length` planned.

    >>> [round(flat_cosine_factor(e, 10), 2) for e in range(11)]
    [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.9, 0.65, 0.35, 0.1, 0.01]
    """
    flat = int(FLAT_SHARE * length)
    if epoch <= flat:
        return 1.0
    if epoch >= length:
        return FLOOR
    progress = (epoch - flat) / max(1, length - flat)
    return max(FLOOR, 0.5 * (1.0 + math.cos(math.pi * progress)))


class FlatCosine(keras.callbacks.Callback):
    """Sets a trial's learning rate at each epoch's start when its schedule is "flat_cosine".

    Args:
        hyperparameters: returns the values of the trial being trained (read when
            training begins, so one callback serves every trial, fold and refit).
        planned_epochs: returns the trial's planned length, or None where none is
            planned yet; `fit`'s own epochs bound it.

    The schedule is a ceiling: where `ReduceLROnPlateau` has already halved the rate
    below it, the lower rate stays. So until half its plan a "flat_cosine" trial trains
    exactly as a "plateau" one; only a trial that trains on past that point (one still
    improving) is settled by the cosine.
    """

    def __init__(
        self,
        hyperparameters: Callable[[], dict],
        planned_epochs: Callable[[], int | None] = lambda: None,
    ):
        super().__init__()
        self.hyperparameters = hyperparameters
        self.planned_epochs = planned_epochs
        self.rate: float | None = None

    def on_train_begin(self, logs=None):
        schedule, rate = schedule_of(self.hyperparameters() or {})
        self.rate = rate if schedule == "flat_cosine" else None

    def on_epoch_begin(self, epoch, logs=None):
        if self.rate is None:
            return
        length = self.params.get("epochs") or 1
        planned = self.planned_epochs()
        if planned:
            length = min(length, planned)
        ceiling = self.rate * flat_cosine_factor(epoch, length)
        current = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))
        self.model.optimizer.learning_rate = min(current, ceiling)

    def __deepcopy__(self, memo):
        # Keras Tuner deep-copies callbacks per trial; the callables are the search's own.
        return FlatCosine(self.hyperparameters, self.planned_epochs)
