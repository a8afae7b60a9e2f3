"""Keras Tuner tuners that report trials as events and end at the deadline or on Stop."""

from __future__ import annotations

import copy
import gc
import time
import warnings
from pathlib import Path

import keras
import keras_tuner
import numpy as np

from automl.errors import AutoMLError, is_disk_full
from automl.experiment.events import TrialEnded, TrialFailed, TrialStarted
from automl.experiment.fold import TrialRecord
from automl.experiment.layout import TUNER_DIR
from automl.search import kt_compat
from automl.search.checkpoints import (
    ResumePoint,
    TrialCheckpoint,
    drop_trial_files,
    drop_worker_logs,
    read_resume_point,
    remove_resume_point,
)
from automl.search.cv_trials import fold_means, fold_scores, load_fold_weights, run_folds
from automl.search.oracles import DefaultsFirstBayesian, DefaultsFirstRandom
from automl.search.parallel.memory import AUTO_MEMORY_GROWTH, rss_mb
from automl.search.request import TUNERS
from automl.search.state import SearchState
from automl.search.timed_fit import TimedFit

#: A full garbage collection runs before every this many trials.
FULL_COLLECT_EVERY = 8


class SearchDeadline(keras_tuner.errors.FatalError):
    """The time budget ran out; the search ends keeping what it found."""


class SearchStopped(keras_tuner.errors.FatalError):
    """The user asked the search to stop; it ends keeping what it found."""


class WorkerRecycle(keras_tuner.errors.FatalError):
    """A worker's memory grew past its bound: it ends between trials to be replaced."""


class DiskFull(keras_tuner.errors.FatalError):
    """The disk filled during a trial: the search stops, its files kept for a resume."""


class _Reporting(kt_compat.BuildHook):
    """Mixin over a Keras Tuner tuner: events for each trial, and a clean way out.

    Ending a search is a `FatalError` raised before the next trial is created: an
    ordinary exception would only fail one trial, and raising after creation would
    leave a trial that never ran.
    """

    def __init__(
        self,
        *args,
        search_state: SearchState,
        search_seed: int = 0,
        checkpoint_every_s: float = 30.0,
        keep_checkpoints: int | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.search_state = search_state
        self.search_seed = search_seed or 0
        self.checkpoint_every_s = checkpoint_every_s
        self.keep_checkpoints = keep_checkpoints
        self._resume: ResumePoint | None = None
        #: cross-validated trials: the model's initial weights and learning rate
        self.fresh_start: tuple[list, float] | None = None
        #: a Hyperband promotion's fold: the parent's weights of that fold (cv_trials)
        self.fold_weights: Path | None = None

    def pre_create_trial(self):
        state = self.search_state
        if state.stop_requested.is_set():
            raise SearchStopped("stopped by the user")
        if state.memory_limit_mb is None and state.auto_memory_limit and len(state.trials) == 3:
            # After a few trials TensorFlow's caches are warm; growth past this is leaked.
            rss = rss_mb()
            if rss is not None:
                state.memory_limit_mb = rss * AUTO_MEMORY_GROWTH
        limit = state.memory_limit_mb
        if limit and state.trials:
            rss = rss_mb()
            if rss is not None and rss > limit:
                # TensorFlow does not give all memory back; a fresh process does.
                raise WorkerRecycle(f"resident memory {rss:.0f} MiB > {limit:.0f} MiB")
        if not state.planner.may_start_trial():
            # Past the deadline, or a trial started now could not finish one epoch.
            raise SearchDeadline("the time budget ran out")

    def build_model(self, hp):
        """Returns the trial's model: fresh, or as a resume point left it."""
        # Keras Tuner runs a full garbage collection twice per trial (about 0.4 s here,
        # more than a small model's training); once every few trials bounds memory as well.
        keras.backend.clear_session(free_memory=False)
        if len(self.search_state.trials) % FULL_COLLECT_EVERY == 0:
            gc.collect()
        if self._resume is not None:
            return self._resume.load_model()  # weights and optimizer state as they were
        with warnings.catch_warnings():
            # A Hyperband promotion loads its parent's weights, whose optimizer slots the
            # new model's optimizer, not yet built, cannot take: nothing is wrong.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model = kt_compat.build_hypermodel(self, hp)
        if not isinstance(model, keras.Model):
            raise keras_tuner.errors.FatalTypeError(f"build() returned {type(model)}")
        if self.fold_weights is not None:
            load_fold_weights(model, self.fold_weights)
        if self.search_state.jit:
            model.jit_compile = True  # XLA: fused kernels, faster steps on GPUs
        if self.search_state.cross_validation is not None:
            # Each fold starts again from these weights (see cv_trials.run_folds); a
            # learning-rate schedule has no single rate to go back to: rebuild instead.
            rate = model.optimizer.learning_rate
            fixed = not isinstance(rate, keras.optimizers.schedules.LearningRateSchedule)
            self.fresh_start = (model.get_weights(), float(rate)) if fixed else None
        return model

    def run_trial(self, trial, *args, **kwargs):
        """Keras Tuner's run_trial, seeded per trial, going on from a resume point if any.

        Each trial seeds Keras from the search seed and its own id, so `automl rerun`
        retrains it with the same initial weights and dropout masks.
        """
        keras.utils.set_random_seed(trial_seed(self.search_seed, trial.trial_id))
        record = self.search_state.trials[trial.trial_id]
        trial_dir = Path(self.get_trial_dir(trial.trial_id))
        hp = trial.hyperparameters.values
        if "tuner/epochs" in hp:
            # Hyperband's bracket decides this trial's epochs (Keras Tuner's own
            # Hyperband.run_trial does this, but it sits after this method in the MRO).
            kwargs["epochs"] = hp["tuner/epochs"]
            kwargs["initial_epoch"] = hp["tuner/initial_epoch"]
        cv = self.search_state.cross_validation
        # A cross-validated trial cut short starts again from its first fold: a resume
        # point holds one fold's model, and the folds' scores are only averaged at the end.
        self._resume = None if cv is not None else read_resume_point(trial_dir)
        if self._resume is not None:
            record.history[:] = self._resume.history
            kwargs["initial_epoch"] = self._resume.epoch
        checkpoint = TrialCheckpoint(
            self.oracle.objective,
            str(kt_compat.checkpoint_path(self, trial.trial_id)),
            trial_dir,
            self.checkpoint_every_s if cv is None else float("inf"),
            record.history,
            self._resume,
        )
        original_callbacks = kwargs.pop("callbacks", [])
        if cv is not None:
            return run_folds(self, trial, cv, checkpoint, original_callbacks, kwargs)
        histories = []
        for execution in range(self.executions_per_trial):
            copied_kwargs = copy.copy(kwargs)
            callbacks = kt_compat.execution_callbacks(self, original_callbacks, trial, execution)
            callbacks.append(checkpoint)
            copied_kwargs["callbacks"] = callbacks
            try:
                histories.append(self.fit_with_memory_retry(trial, args, copied_kwargs))
            finally:
                self._resume = None
        return histories

    def fit_with_memory_retry(self, trial, args, kwargs):
        """Trains; a trial that runs out of memory is retried once with half the batch."""
        try:
            return kt_compat.build_and_fit(self, trial, *args, **kwargs)
        except Exception as error:
            if is_disk_full(error):
                # Not a failed trial: every later one would fail the same way.
                raise DiskFull(f"disk full while training trial {trial.trial_id}") from error
            values = trial.hyperparameters.values
            key = next((k for k in values if k.split("/")[-1] == "batch_size"), None)
            if not out_of_memory(error) or key is None or values[key] <= 1:
                raise
            values[key] = max(1, int(values[key]) // 2)
            self.search_state.log.emit(
                TrialFailed(
                    trial_id=trial.trial_id,
                    reason=f"out of memory; retrying with batch size {values[key]}",
                    hyperparameters=dict(values),
                    retrying=True,
                )
            )
            self._resume = None
            record = self.search_state.trials[trial.trial_id]
            record.history.clear()
            keras.backend.clear_session(free_memory=True)
            gc.collect()
            return kt_compat.build_and_fit(self, trial, *args, **kwargs)

    def on_trial_begin(self, trial):
        super().on_trial_begin(trial)
        record = TrialRecord(trial.trial_id, dict(trial.hyperparameters.values))
        resume = read_resume_point(Path(self.get_trial_dir(trial.trial_id)))
        self.search_state.trials[trial.trial_id] = record
        self.search_state.current = record
        self.search_state.log.emit(
            TrialStarted(
                trial_id=trial.trial_id,
                hyperparameters=record.hyperparameters,
                resumed_from_epoch=resume.epoch if resume else None,
                folds=cv.k if (cv := self.search_state.cross_validation) is not None else None,
            )
        )

    def on_trial_end(self, trial):
        record = self.search_state.trials[trial.trial_id]
        record.duration_s = time.monotonic() - record.started
        # Values registered during fit (the batch size) exist only once the trial ran.
        record.hyperparameters = dict(trial.hyperparameters.values)
        self.search_state.current = None
        super().on_trial_end(trial)
        # A worker's oracle is the chief's: the score lives there, not in this copy.
        trial = self.oracle.get_trial(trial.trial_id)
        if trial.status == "COMPLETED" and trial.score is not None:
            record.status = "completed"
            record.score = float(trial.score)
            record.best_epoch = int(trial.best_step) + 1
            best = record.history[trial.best_step] if trial.best_step < len(record.history) else {}
            if record.fold_histories:
                best = fold_means(record.fold_histories, self.oracle.objective)
                record.best_metrics = best
                record.fold_scores = fold_scores(record.fold_histories, self.oracle.objective)
                record.spread = float(np.std(record.fold_scores))
            self.search_state.log.emit(
                TrialEnded(
                    trial_id=trial.trial_id,
                    score=record.score,
                    best_epoch=record.best_epoch,
                    epochs=len(record.history),
                    duration_s=record.duration_s,
                    metrics=best,
                    hyperparameters=record.hyperparameters,
                    spread=record.spread,
                    fold_scores=record.fold_scores or None,
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
        remove_resume_point(Path(self.get_trial_dir(trial.trial_id)))
        if self.keep_checkpoints is not None:
            self.prune_checkpoints()
        self.search_state.planner.trial_ended(self.search_state.best_trial())

    def save(self):
        """Writes the tuner's and its oracle's state, each file whole or not at all."""
        kt_compat.save_tuner_state(self)

    def prune_checkpoints(self) -> None:
        """Deletes the weights of failed trials and of all but the best `keep_checkpoints`.

        Weights the oracle may still ask for stay (see `weights_wanted`).
        """
        wanted = self.weights_wanted()
        if wanted is None:
            return  # the chief prunes once the search is over
        trials = self.search_state.trials.values()
        completed = sorted(
            (t for t in trials if t.status == "completed"), key=self.search_state.ranking()
        )
        dropped = completed[self.keep_checkpoints :] + [t for t in trials if t.status == "failed"]
        folder = Path(self.project_dir).parent
        for record in dropped:
            if record.trial_id not in wanted:
                path = kt_compat.checkpoint_path(self, record.trial_id)
                drop_trial_files(folder, path, record.trial_id)
                record.checkpoint_deleted = True
        drop_worker_logs(folder, trials)

    def weights_wanted(self) -> set[str] | None:
        """Returns the trials whose weights the oracle may still load (None: cannot tell)."""
        return set()


def out_of_memory(error: BaseException) -> bool:
    """Returns whether `error` says a device (or the host) ran out of memory."""
    if isinstance(error, MemoryError):
        return True
    text = f"{type(error).__name__}: {error}"
    return any(sign in text for sign in ("ResourceExhausted", "RESOURCE_EXHAUSTED", " OOM "))


def trial_seed(search_seed: int, trial_id: str) -> int:
    """Returns the seed a trial trains with: the same for the same search seed and trial."""
    digits = "".join(ch for ch in str(trial_id) if ch.isdigit()) or "0"
    return (int(search_seed) * 10_007 + int(digits)) % (2**31 - 1)


def _last_line(message: str | None) -> str:
    lines = [line for line in (message or "").strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else ""


class Reporting(_Reporting, keras_tuner.Tuner):
    """A reporting tuner over any oracle (random and Bayesian searches)."""


class Hyperband(_Reporting, kt_compat.HyperbandOverOracle):
    """A reporting Hyperband: its run_trial gives each bracket's epochs.

    Retention keeps the weights of every trial a bracket may still promote: a promoted
    trial starts from its parent's weights.
    """

    def weights_wanted(self) -> set[str] | None:
        """Returns the trials whose weights a promotion may load (None in a worker)."""
        return kt_compat.hyperband_weights_wanted(self.oracle)

    def load_model(self, trial):
        """Returns `trial`'s model with its best weights, never reading its parent's
        (Keras Tuner's would, first; they may be gone once the bracket ended)."""
        own = copy.copy(trial)
        own.hyperparameters = trial.hyperparameters.copy()
        own.hyperparameters.values.pop("tuner/trial_id", None)
        return super().load_model(own)


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
    resume: bool = False,
    checkpoint_every_s: float = 30.0,
    keep_checkpoints: int | None = None,
    distribution_strategy=None,
) -> keras_tuner.Tuner:
    """Returns a reporting tuner of `kind` ("random", "bayesian" or "hyperband").

    Raises:
        AutoMLError: unknown kind.
    """
    common = dict(
        hypermodel=TimedFit(hypermodel, search_state),
        directory=directory,
        project_name=TUNER_DIR,
        # Resuming reloads the oracle and its trials from `directory`.
        overwrite=not resume,
        search_state=search_state,
        # Trials seed from it (the oracle's own seed is for its draws).
        search_seed=seed,
        checkpoint_every_s=checkpoint_every_s,
        keep_checkpoints=keep_checkpoints,
        distribution_strategy=distribution_strategy,
    )
    oracle_args = dict(
        objective=objective,
        seed=seed,
        # A failed trial is recorded and the search goes on; "none succeeded" is ours to say.
        max_consecutive_failed_trials=10**6,
    )
    if kind == "random":
        return Reporting(oracle=DefaultsFirstRandom(max_trials=max_trials, **oracle_args), **common)
    if kind == "bayesian":
        oracle = DefaultsFirstBayesian(
            max_trials=max_trials, num_initial_points=min(3, max_trials), **oracle_args
        )
        return Reporting(oracle=oracle, **common)
    if kind == "hyperband":
        oracle = kt_compat.AtomicHyperbandOracle(
            max_epochs=max_epochs, factor=3, hyperband_iterations=1, **oracle_args
        )
        tuner = Hyperband(oracle=oracle, **common)
        # Hyperband sizes its brackets from max_epochs; --max-trials still caps the trials.
        tuner.oracle.max_trials = max_trials
        return tuner
    raise AutoMLError(f"--tuner {kind}: unknown tuner; choose one of {', '.join(TUNERS)}")
