"""Keras Tuner tuners that report trials as events and end at the deadline or on Stop."""

from __future__ import annotations

import copy
import gc
import time

import keras
import keras_tuner
from keras_tuner.src.engine import tuner_utils

from automl.errors import AutoMLError
from automl.search.events import TrialEnded, TrialFailed, TrialStarted
from automl.search.request import TUNERS
from automl.search.state import SearchState, TrialRecord

#: A full garbage collection runs before every this many trials.
FULL_COLLECT_EVERY = 8


class SearchDeadline(keras_tuner.errors.FatalError):
    """The time budget ran out; the search ends keeping what it found."""


class SearchStopped(keras_tuner.errors.FatalError):
    """The user asked the search to stop; it ends keeping what it found."""


class _Reporting:
    """Mixin over a Keras Tuner tuner: events for each trial, and a clean way out.

    Ending a search is a `FatalError` raised before the next trial is created: an
    ordinary exception would only fail one trial, and raising after creation would
    leave a trial that never ran.
    """

    def __init__(self, *args, search_state: SearchState, **kwargs):
        super().__init__(*args, **kwargs)
        self.search_state = search_state

    def pre_create_trial(self):
        if self.search_state.stop_requested.is_set():
            raise SearchStopped("stopped by the user")
        if self.search_state.deadline.passed():
            raise SearchDeadline("the time budget ran out")
        remaining = self.search_state.deadline.remaining()
        if remaining is not None and remaining < self.search_state.typical_startup():
            # A trial started now could not finish one epoch before the deadline.
            raise SearchDeadline("the time budget ran out")

    def _try_build(self, hp):
        # Keras Tuner runs a full garbage collection twice per trial (about 0.4 s here,
        # more than a small model's training); once every few trials bounds memory as well.
        keras.backend.clear_session(free_memory=False)
        if len(self.search_state.trials) % FULL_COLLECT_EVERY == 0:
            gc.collect()
        model = self._build_hypermodel(hp)
        if not isinstance(model, keras.Model):
            raise keras_tuner.errors.FatalTypeError(f"build() returned {type(model)}")
        return model

    def run_trial(self, trial, *args, **kwargs):
        """Keras Tuner's run_trial, keeping the best epoch's weights in memory.

        The stock checkpoint writes a weights file at every improving epoch (about 0.1 s
        each); this one writes it once, when training ends.
        """
        checkpoint = _BestEpochInMemory(
            objective=self.oracle.objective, filepath=self._get_checkpoint_fname(trial.trial_id)
        )
        original_callbacks = kwargs.pop("callbacks", [])
        histories = []
        for execution in range(self.executions_per_trial):
            copied_kwargs = copy.copy(kwargs)
            callbacks = self._deepcopy_callbacks(original_callbacks)
            self._configure_tensorboard_dir(callbacks, trial, execution)
            callbacks.append(tuner_utils.TunerCallback(self, trial))
            callbacks.append(checkpoint)
            copied_kwargs["callbacks"] = callbacks
            histories.append(self._build_and_fit_model(trial, *args, **copied_kwargs))
        return histories

    def on_trial_begin(self, trial):
        super().on_trial_begin(trial)
        record = TrialRecord(trial.trial_id, dict(trial.hyperparameters.values))
        self.search_state.trials[trial.trial_id] = record
        self.search_state.current = record
        self.search_state.log.emit(
            TrialStarted(trial_id=trial.trial_id, hyperparameters=record.hyperparameters)
        )

    def on_trial_end(self, trial):
        record = self.search_state.trials[trial.trial_id]
        record.duration_s = time.monotonic() - record.started
        # Values registered during fit (the batch size) exist only once the trial ran.
        record.hyperparameters = dict(trial.hyperparameters.values)
        self.search_state.current = None
        super().on_trial_end(trial)
        if trial.status == "COMPLETED" and trial.score is not None:
            record.status = "completed"
            record.score = float(trial.score)
            record.best_epoch = int(trial.best_step) + 1
            best = record.history[trial.best_step] if trial.best_step < len(record.history) else {}
            self.search_state.log.emit(
                TrialEnded(
                    trial_id=trial.trial_id,
                    score=record.score,
                    best_epoch=record.best_epoch,
                    epochs=len(record.history),
                    duration_s=record.duration_s,
                    metrics=best,
                    hyperparameters=record.hyperparameters,
                )
            )
        else:
            record.status = "failed"
            record.reason = _last_line(trial.message) or "the trial produced no score"
            self.search_state.log.emit(
                TrialFailed(
                    trial_id=trial.trial_id,
                    reason=record.reason,
                    hyperparameters=record.hyperparameters,
                )
            )


class _BestEpochInMemory(tuner_utils.SaveBestEpoch):
    """Keeps the best epoch's weights in memory and writes them once at the end."""

    def __init__(self, objective, filepath):
        super().__init__(objective, filepath)
        self._best_weights = None

    def _save_model(self):
        self._best_weights = self.model.get_weights()

    def on_train_end(self, logs=None):
        if self._best_weights is None:
            return
        current = self.model.get_weights()
        self.model.set_weights(self._best_weights)
        self.model.save_weights(self.filepath)
        self.model.set_weights(current)


def start_from_defaults(tuner):
    """Makes the tuner's first trial the family's default (known-good) configuration.

    A random first draw can be a poor corner of the space (a tiny learning rate, a huge
    batch); with a small trial budget that can be the whole search. Each family's
    hyperparameter defaults are its published, known-good shape, so the first trial
    tries them and the tuner explores from there.
    """
    oracle = tuner.oracle
    draw = oracle.populate_space

    def populate_space(trial_id):
        if oracle.trials:  # only the first trial; later ones are the tuner's own draws
            return draw(trial_id)
        defaults = keras_tuner.HyperParameters()
        for hp in oracle.hyperparameters.space:
            defaults.merge([hp])
            if defaults.is_active(hp):
                defaults.values[hp.name] = hp.default
        return {"status": "RUNNING", "values": defaults.values}

    oracle.populate_space = populate_space
    return tuner


def _last_line(message: str | None) -> str:
    lines = [line for line in (message or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


class RandomSearch(_Reporting, keras_tuner.RandomSearch):
    pass


class BayesianOptimization(_Reporting, keras_tuner.BayesianOptimization):
    pass


class Hyperband(_Reporting, keras_tuner.Hyperband):
    pass


def make_tuner(
    kind: str,
    hypermodel: keras_tuner.HyperModel,
    *,
    objective: keras_tuner.Objective,
    max_trials: int,
    max_epochs: int,
    directory: str,
    seed: int,
    search_state: SearchState,
) -> keras_tuner.Tuner:
    """Returns a reporting tuner of `kind` ("random", "bayesian" or "hyperband").

    Raises:
        AutoMLError: unknown kind.
    """
    common = dict(
        hypermodel=hypermodel,
        objective=objective,
        directory=directory,
        project_name="tuner",
        seed=seed,
        overwrite=True,
        search_state=search_state,
        # A failed trial is recorded and the search goes on; "none succeeded" is ours to say.
        max_consecutive_failed_trials=10**6,
    )
    if kind == "random":
        return start_from_defaults(RandomSearch(max_trials=max_trials, **common))
    if kind == "bayesian":
        return start_from_defaults(
            BayesianOptimization(
                max_trials=max_trials, num_initial_points=min(3, max_trials), **common
            )
        )
    if kind == "hyperband":
        tuner = Hyperband(max_epochs=max_epochs, factor=3, hyperband_iterations=1, **common)
        # Hyperband sizes its brackets from max_epochs; --max-trials still caps the trials.
        tuner.oracle.max_trials = max_trials
        return tuner
    raise AutoMLError(f"--tuner {kind}: unknown tuner; choose one of {', '.join(TUNERS)}")
