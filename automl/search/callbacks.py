"""Keras callbacks that report epochs, honour the deadline and Stop, and score validation."""

from __future__ import annotations

import time

import keras
import numpy as np

from automl.experiment.events import EpochEnded
from automl.search.metrics import Objective, classification_scores
from automl.search.schedule import FlatCosine
from automl.search.state import SearchState


class SearchProgress(keras.callbacks.Callback):
    """Emits `epoch_ended`, plans epochs per trial, and stops training when asked.

    The deadline and a hard stop end training after the current batch; a graceful stop
    (the GUI's Stop) after the current epoch. Either way Keras Tuner records the epochs
    done so far, so the trial still counts.
    """

    def __init__(self, state: SearchState):
        super().__init__()
        self.state = state
        self._epoch_started = time.monotonic()
        self._epoch_seconds: list[float] = []

    def on_train_begin(self, logs=None):
        self._epoch_seconds: list[float] = []

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if self.state.planner.search_over() or self.state.hard_stop.is_set():
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        metrics = {
            k: float(v) for k, v in (logs or {}).items() if np.isscalar(v) or np.ndim(v) == 0
        }
        state, planner = self.state, self.state.planner
        trial = state.current
        if trial is not None:
            if not trial.history and not trial.fold:
                planner.trial_started_up(time.monotonic() - trial.started)
            trial.history.append(metrics)
            fold = trial.fold if state.cross_validation is not None else None
            state.log.emit(
                EpochEnded(trial_id=trial.trial_id, epoch=epoch + 1, metrics=metrics, fold=fold)
            )
        if planner.search_over() or state.stop_requested.is_set():
            self.model.stop_training = True
        # Timed here, not from `epoch`: a resumed trial starts past epoch 0.
        self._epoch_seconds.append(time.monotonic() - self._epoch_started)
        planner.epochs_timed(self._epoch_seconds)
        history = trial.history if trial is not None else []
        if planner.stop_after_epoch(history, epoch + 1, first_trial=len(state.trials) <= 1):
            self.model.stop_training = True

    def __deepcopy__(self, memo):
        return SearchProgress(self.state)


class ValidationScores(keras.callbacks.Callback):
    """Adds `val_balanced_accuracy`, `val_f1` and `val_auc` to the epoch logs.

    Keras has no sparse-label version of these, so they are computed with scikit-learn
    on the validation rows. It must run before Keras Tuner's own callbacks (which read
    the logs), so it goes first in the callback list.
    """

    def __init__(
        self,
        predict_validation,
        validation_y: np.ndarray,
        objective: Objective,
        state: SearchState | None = None,
    ):
        super().__init__()
        self.predict_validation = predict_validation  # (model, rows or None) -> probabilities
        self.validation_y = validation_y
        self.objective = objective
        self.state = state

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        held_out = self.state.fold_validation if self.state is not None else None
        if held_out is not None:  # a cross-validated trial scores its fold's held-out rows
            rows, labels = held_out
            proba = self.predict_validation(self.model, rows)
        else:
            proba, labels = self.predict_validation(self.model, None), self.validation_y
        scores = classification_scores(labels, proba)
        for name in ("balanced_accuracy", "f1", "auc"):
            if name in scores:
                logs[f"val_{name}"] = scores[name]
        if self.objective.monitor not in logs:
            # AUC is undefined when validation holds a single class; make it neutral.
            logs[self.objective.monitor] = 0.5

    def __deepcopy__(self, memo):
        # Share the validation arrays; copying them per trial would only cost memory.
        return ValidationScores(
            self.predict_validation, self.validation_y, self.objective, self.state
        )


def trial_callbacks(request, objective: Objective, state: SearchState, out, feeds) -> list:
    """Returns the callbacks every trial trains with, in the order they must run.

    `ValidationScores` comes first: Keras Tuner's own callbacks read the logs it fills.
    """
    patience = request.patience or max(5, min(20, request.max_epochs // 5))
    callbacks: list = []
    if objective.keras_metric is None and objective.name != "log_loss":

        def predict_validation(model, rows) -> np.ndarray:
            return feeds.predict(model, feeds.validation if rows is None else rows)

        callbacks.append(ValidationScores(predict_validation, feeds.y_validation, objective, state))
    if request.tensorboard:
        # Keras Tuner gives each trial its own log folder and adds the HParams plugin.
        callbacks.append(keras.callbacks.TensorBoard(log_dir=str(out / "tensorboard")))

    def trial_values() -> dict:
        return state.current.hyperparameters if state.current is not None else {}

    def planned_epochs() -> int | None:
        return state.planner.trial_cap(first_trial=len(state.trials) <= 1)

    callbacks += [
        SearchProgress(state),
        # A ceiling over what the plateau callback below has halved (schedule.py).
        FlatCosine(trial_values, planned_epochs),
        keras.callbacks.EarlyStopping(
            monitor=objective.monitor, mode=objective.direction, patience=patience
        ),
        keras.callbacks.ReduceLROnPlateau(
            monitor=objective.monitor,
            mode=objective.direction,
            patience=max(2, patience // 2),
            factor=0.5,
            min_lr=1e-6,
        ),
    ]
    return callbacks
