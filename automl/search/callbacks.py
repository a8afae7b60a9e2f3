"""Keras callbacks that report epochs, honour the deadline and Stop, and score validation."""

from __future__ import annotations

import time

import keras
import numpy as np

from automl.experiment.events import EpochEnded
from automl.search.metrics import Objective, classification_scores
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
        if self.state.deadline.passed() or self.state.hard_stop.is_set():
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        metrics = {
            k: float(v) for k, v in (logs or {}).items() if np.isscalar(v) or np.ndim(v) == 0
        }
        trial = self.state.current
        if trial is not None:
            if not trial.history:
                self.state.startup_seconds.append(time.monotonic() - trial.started)
            trial.history.append(metrics)
            self.state.log.emit(
                EpochEnded(trial_id=trial.trial_id, epoch=epoch + 1, metrics=metrics)
            )
        if self.state.deadline.passed() or self.state.stop_requested.is_set():
            self.model.stop_training = True
        self._epoch_seconds.append(time.monotonic() - self._epoch_started)
        timed = len(self._epoch_seconds)  # a resumed trial starts past epoch 0
        if self.state.plan_epochs and self.state.epoch_cap is None and timed >= 3:
            # The first epoch also traces the graph, and any one epoch may include a
            # checkpoint write: the quicker of the second and third is the typical one.
            epoch_s = min(self._epoch_seconds[1:3])
            plan_epochs(self.state, epoch_s)
            if self.state.after_plan is not None:
                self.state.after_plan(epoch_s)
        cap = self.state.epoch_cap
        if len(self.state.trials) <= 1 and self.state.first_trial_cap is not None:
            cap = self.state.first_trial_cap  # the first family's default: let it converge
        if cap is not None and epoch + 1 >= cap and not _still_improving(trial):
            self.model.stop_training = True

    def __deepcopy__(self, memo):
        return SearchProgress(self.state)


#: A planned search leaves room for at least this many trials ...
PLANNED_TRIALS = 3
#: ... but never caps a trial below this many epochs (it could not converge).
MIN_EPOCH_CAP = 20
#: Past its cap, a trial goes on while its best validation loss is this recent (epochs).
IMPROVING_WINDOW = 3
#: Share of the budget the first trial may train for.
FIRST_TRIAL_SHARE = 0.5


def plan_epochs(state: SearchState, epoch_s: float) -> None:
    """Caps epochs per trial so at least `PLANNED_TRIALS` trials fit the time budget.

    Without a cap, one slow trial with a large `--epochs` can spend the whole budget;
    with too small a cap no trial converges. Early stopping still ends trials sooner.
    """
    deadline = state.deadline
    if deadline.at is None or epoch_s <= 0:
        state.plan_epochs = False
        return
    budget = deadline.at - deadline.start
    cap = int(budget / (PLANNED_TRIALS * epoch_s))
    cap = max(MIN_EPOCH_CAP, cap)
    if cap < state.max_epochs:
        state.epoch_cap = cap
        # The first trial (the first family's known-good default) may use half the budget.
        state.first_trial_cap = max(cap, int(FIRST_TRIAL_SHARE * budget / epoch_s))
        state.plan_note = (
            f"planned: an epoch takes {epoch_s:.2f} s, so each trial is capped at {cap} epochs "
            f"(the first at {state.first_trial_cap}; a trial whose validation loss fell in "
            f"its last {IMPROVING_WINDOW} epochs goes on) to leave room for about "
            f"{PLANNED_TRIALS} trials in the budget"
        )
    state.plan_epochs = False


def _still_improving(trial, window: int = IMPROVING_WINDOW) -> bool:
    """Returns whether the trial's lowest validation loss came in its last `window` epochs.

    One epoch is too noisy a test on small validation sets: a trial that is still
    converging often has a worse epoch between two new lows.
    """
    if trial is None or len(trial.history) < 2:
        return False
    losses = [e.get("val_loss") for e in trial.history]
    if losses[-1] is None:
        return False
    seen = [(v, i) for i, v in enumerate(losses) if v is not None]
    best_at = min(seen)[1]
    return best_at > 0 and best_at >= len(losses) - window


class ValidationScores(keras.callbacks.Callback):
    """Adds `val_balanced_accuracy`, `val_f1` and `val_auc` to the epoch logs.

    Keras has no sparse-label version of these, so they are computed with scikit-learn
    on the validation rows. It must run before Keras Tuner's own callbacks (which read
    the logs), so it goes first in the callback list.
    """

    def __init__(self, predict_validation, validation_y: np.ndarray, objective: Objective):
        super().__init__()
        self.predict_validation = predict_validation  # model -> class probabilities
        self.validation_y = validation_y
        self.objective = objective

    def on_epoch_end(self, epoch, logs=None):
        if logs is None:
            return
        proba = self.predict_validation(self.model)
        scores = classification_scores(self.validation_y, proba)
        for name in ("balanced_accuracy", "f1", "auc"):
            if name in scores:
                logs[f"val_{name}"] = scores[name]
        if self.objective.monitor not in logs:
            # AUC is undefined when validation holds a single class; make it neutral.
            logs[self.objective.monitor] = 0.5

    def __deepcopy__(self, memo):
        # Share the validation arrays; copying them per trial would only cost memory.
        return ValidationScores(self.predict_validation, self.validation_y, self.objective)
