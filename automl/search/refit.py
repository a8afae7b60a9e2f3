"""The refit: the best trial retrained on train+validation, and whether to keep it."""

from __future__ import annotations

import threading
import time

import keras
import numpy as np

from automl.search.budget import Deadline
from automl.search.metrics import score
from automl.search.schedule import FlatCosine

#: A refit whose loss on train+validation exceeds the searched model's by this factor is
#: taken as not converged and discarded.
REFIT_SLACK = 1.1
#: ... or whose objective (accuracy, AUC, ...) there is lower by more than this.
REFIT_MAX_DROP = 0.01


class DeadlineOnly(keras.callbacks.Callback):
    """Stops the refit at the overall deadline or on a hard stop, and says so."""

    def __init__(self, deadline: Deadline, hard_stop: threading.Event):
        super().__init__()
        self.deadline = deadline
        self.hard_stop = hard_stop
        self.cut_short = False

    def on_train_batch_end(self, batch, logs=None):
        if self.deadline.passed() or self.hard_stop.is_set():
            self.model.stop_training = True
            self.cut_short = True


def refit(
    hypermodel, hp, feeds, epochs: int, seed: int, deadline: Deadline, hard_stop: threading.Event
) -> tuple[keras.Model | None, float]:
    """Returns (the refit model, its seconds); the model is None when cut short."""
    began = time.monotonic()
    keras.utils.set_random_seed(seed)
    model = hypermodel.build(hp)
    rows = feeds.join(feeds.train, feeds.validation)
    x, y = feeds.fit_inputs(rows, np.concatenate([feeds.y_train, feeds.y_validation]))
    watch = DeadlineOnly(deadline, hard_stop)
    # A flat-then-cosine trial decays over the refit's epochs, as it did over its own.
    schedule = FlatCosine(lambda: hp.values)
    history = hypermodel.fit(
        hp, model, x, y, epochs=epochs, callbacks=[watch, schedule], verbose=0
    )
    seconds = time.monotonic() - began
    if len(history.history.get("loss", [])) < epochs or watch.cut_short:
        return None, seconds
    return model, seconds


def refit_verdict(prepared, feeds, searched: keras.Model, refit_model: keras.Model) -> str:
    """Returns why the refit model must not replace the searched one, or "".

    The refit saw every training and validation row, so on those rows its loss
    should be no worse than the searched model's. If it is clearly worse, that
    single retraining did not converge as the trial had; judging this on the rows
    both were trained from keeps the test rows untouched.
    """
    classification = prepared.classification
    rows = feeds.join(feeds.train, feeds.validation)
    y = np.concatenate([feeds.y_train, feeds.y_validation])
    before = score(classification, y, feeds.predict(searched, rows))
    after = score(classification, y, feeds.predict(refit_model, rows))
    loss = "log_loss" if classification else "rmse"
    if after[loss] > REFIT_SLACK * before[loss] + 1e-6:
        return (
            f"refit discarded: its {loss} on train+validation ({after[loss]:.4g}) was worse "
            f"than the best trial's ({before[loss]:.4g}); exported the best search trial"
        )
    objective = prepared.objective
    if objective.direction == "max" and objective.name in after:
        drop = before[objective.name] - after[objective.name]
        if drop > REFIT_MAX_DROP:
            return (
                f"refit discarded: its {objective.name} on train+validation "
                f"({after[objective.name]:.4f}) was below the best trial's "
                f"({before[objective.name]:.4f}); exported the best search trial"
            )
    return ""
