"""The TensorFlow side of a search: tuner, refit, test scores and export.

Imported only once a search runs, so `import automl` stays free of TensorFlow.
"""

from __future__ import annotations

import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import keras
import keras_tuner
import numpy as np

from automl.devices import pin_device
from automl.errors import AutoMLError
from automl.experiment.events import EventLog
from automl.experiment.fold import TrialRecord, finished_trials
from automl.experiment.layout import EVENTS, TUNER_DIR
from automl.experiment.reader import read_events
from automl.search.budget import Deadline
from automl.search.callbacks import SearchProgress, ValidationScores
from automl.search.feeds import make_feeds
from automl.search.metrics import score
from automl.search.request import REFIT_ROWS, SearchRequest
from automl.search.state import SearchState
from automl.search.tuners import SearchDeadline, SearchStopped, WorkerRecycle, make_tuner
from automl.versions import package_versions

#: Share of the time budget kept back for the refit when one will run.
REFIT_SHARE = 0.15
#: A refit trains at least this many epochs (for the early check of its reserve).
MIN_REFIT_EPOCHS = 10
#: How often a chief looks for a synced-back worker's weights (seconds).
SYNC_POLL_S = 1.0
#: A refit whose loss on train+validation exceeds the searched model's by this factor is
#: taken as not converged and discarded.
REFIT_SLACK = 1.1
#: ... or whose objective (accuracy, AUC, ...) there is lower by more than this.
REFIT_MAX_DROP = 0.01
#: Misclassified (or worst-predicted) test rows kept for the report.
MISTAKES_SHOWN = 50


@dataclass
class Outcome:
    """The model to export and how it scored on the test rows."""

    model: keras.Model
    refit: bool
    test_metrics: dict
    search_test_metrics: dict
    evaluation: dict
    curves: dict
    notes: list[str] = field(default_factory=list)
    #: trial ids averaged in the exported model (`--ensemble`), empty for one model
    ensemble: list[str] = field(default_factory=list)


class SearchRun:
    """One search over prepared data, writing into the experiment folder `out`."""

    def __init__(
        self,
        request: SearchRequest,
        prepared,
        out: Path,
        log: EventLog,
        deadline: Deadline,
        resume: bool = False,
        worker: bool = False,
    ):
        self.request = request
        self.prepared = prepared
        self.out = out
        self.classification = prepared.classification
        self.feeds = feeds = make_feeds(prepared)
        self.y_train, self.y_val, self.y_test = feeds.y_train, feeds.y_validation, feeds.y_test
        self.refit_wanted = (
            request.refit if request.refit is not None else len(self.y_train) < REFIT_ROWS
        )
        search_deadline = deadline
        self.worker = worker
        self.notes: list[str] = []
        # A worker's deadline is already the chief's search deadline.
        if self.refit_wanted and request.time_budget_s is not None and not worker:
            search_deadline = deadline.earlier(REFIT_SHARE * request.time_budget_s)
        self.deadline = deadline
        self.state = SearchState(log, search_deadline)
        self.state.rank = self._rank
        self.state.after_trial = self._release_refit_reserve
        self.state.after_plan = self._release_refit_reserve_early
        # Hyperband plans its own epochs; the others get a cap once an epoch is timed.
        self.state.plan_epochs = (
            request.tuner != "hyperband" and request.time_budget_s is not None and not resume
        )
        self.state.max_epochs = request.max_epochs
        self.resume = resume
        if resume:
            self.state.trials.update(finished_trials(read_events(out / EVENTS)))
        self.search_seconds = 0.0
        self.refit_seconds = 0.0
        self.export_seconds = 0.0

        self.device = pin_device(request.device)
        self._set_precision(request.precision)
        self.state.jit = request.jit
        keras.utils.set_random_seed(request.seed)
        metric = self._keras_metric()
        scale = (float(self.y_train.mean()), float(self.y_train.std() or 1.0))
        self.hypermodel = feeds.hypermodel(request, [metric] if metric else [], scale)
        if self.classification:
            from architectures.weighting import ClassWeighting, balanced_weights, is_imbalanced

            classes = len(prepared.class_names)
            if is_imbalanced(self.y_train, classes):
                # Balanced class weights become a hyperparameter the search can take or leave.
                weights = balanced_weights(self.y_train, classes)
                self.hypermodel = ClassWeighting(self.hypermodel, weights)
        objective = prepared.objective
        try:
            self.tuner = self._make_tuner(request, objective, out)
        except AutoMLError:
            raise
        except Exception as error:  # Keras Tuner builds one model up front, with defaults
            reason = str(error).strip().splitlines()[-1][:200] if str(error).strip() else ""
            raise AutoMLError(
                f"the search space cannot build a model ({type(error).__name__}: {reason}); "
                "narrow it with --space"
            ) from error

    def _set_precision(self, precision: str) -> None:
        """Turns on mixed precision where a GPU can use it; says so where it cannot."""
        policy = "float32"
        if precision == "mixed":
            if self.device.startswith("gpu"):
                # Keras scales the loss itself under this policy; the output layers of
                # every family are float32, so probabilities and values stay exact.
                policy = "mixed_float16"
            else:
                message = "--precision mixed needs a GPU; training in float32 on the CPU"
                print(f"warning: {message}", file=sys.stderr, flush=True)
                self.notes.append(message)
        keras.mixed_precision.set_global_policy(policy)

    def _strategy(self):
        if self.request.strategy != "mirrored":
            return None
        import tensorflow as tf

        return tf.distribute.MirroredStrategy()

    def _make_tuner(self, request: SearchRequest, objective, out: Path):
        return make_tuner(
            request.tuner,
            self.hypermodel,
            objective=keras_tuner.Objective(objective.monitor, objective.direction),
            max_trials=request.max_trials,
            max_epochs=request.max_epochs,
            directory=str(out),
            seed=request.seed,
            search_state=self.state,
            resume=self.resume or self.worker,
            checkpoint_every_s=request.checkpoint_every_s,
            # An ensemble needs its members' weights.
            keep_checkpoints=None
            if request.keep_checkpoints is None
            else max(request.keep_checkpoints, request.ensemble),
            distribution_strategy=self._strategy(),
        )

    def _keras_metric(self):
        name = self.prepared.objective.keras_metric
        if name == "rmse":
            return keras.metrics.RootMeanSquaredError(name="rmse")
        if name == "mae":
            return keras.metrics.MeanAbsoluteError(name="mae")
        if self.classification:
            return "accuracy"
        return keras.metrics.MeanAbsoluteError(name="mae")

    def _callbacks(self) -> list:
        objective = self.prepared.objective
        patience = self.request.patience or max(5, min(20, self.request.max_epochs // 5))
        callbacks: list = []
        if objective.keras_metric is None and objective.name != "log_loss":
            callbacks.append(ValidationScores(self._predict_validation, self.y_val, objective))
        if self.request.tensorboard:
            # Keras Tuner gives each trial its own log folder and adds the HParams plugin.
            callbacks.append(keras.callbacks.TensorBoard(log_dir=str(self.out / "tensorboard")))
        callbacks += [
            SearchProgress(self.state),
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

    def search(self) -> tuple[str, str]:
        """Runs the tuner; returns (status, reason) for how the search ended."""
        began = time.monotonic()
        # Image pipelines drop undecodable files, so their length is unknown up front;
        # Keras then warns at the end of every pass although nothing is wrong.
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        try:
            if (self.request.workers or self.request.chief) and not self.worker:
                return self._search_parallel(began)
            x, y = self.feeds.fit_inputs(self.feeds.train, self.y_train)
            self.tuner.search(
                x,
                y,
                validation_data=self.feeds.validation_data(),
                epochs=self.request.max_epochs,
                callbacks=self._callbacks(),
                verbose=0,
            )
            status, reason = "completed", "all trials done"
        except SearchDeadline:
            status, reason = "deadline", "the time budget ran out"
        except SearchStopped:
            status, reason = "stopped", "stopped by the user"
        except WorkerRecycle as error:
            status, reason = "recycle", str(error)
        finally:
            self.search_seconds = time.monotonic() - began
        if self.state.hard_stop.is_set():
            status, reason = "stopped", "interrupted by the user"
        return status, reason

    def _search_parallel(self, began: float) -> tuple[str, str]:
        """Runs the trials on worker processes (and remote workers with --chief)."""
        from automl.search.distributed import sensible_workers, supervise

        workers = self.request.workers
        if workers:
            workers, warning = sensible_workers(workers)
            if warning:
                print(f"warning: {warning}", file=sys.stderr, flush=True)
                self.notes.append(warning)
        if self.request.isolated_by_default:
            self.notes.append(
                "trials ran in a worker process apart from the search (the default for "
                "searches of 10 minutes or more), recycled when its memory grows; "
                "--workers 0 trains in the search process"
            )
        try:
            self.notes += supervise(
                self,
                workers,
                host="0.0.0.0" if self.request.chief else "127.0.0.1",
                port=self.request.port,
                memory_limit_mb=self.request.worker_memory_mb,
            )
        finally:
            self.search_seconds = time.monotonic() - began
        self.state.trials.clear()
        self.state.trials.update(finished_trials(read_events(self.out / EVENTS)))
        self.state.fit_seconds = sum(t.duration_s for t in self.state.trials.values())
        if self.request.keep_checkpoints is not None:
            self.tuner.keep_checkpoints = self.request.keep_checkpoints
            self.tuner._prune_checkpoints()  # workers each saw only their own trials
        if self.state.hard_stop.is_set() or self.state.stop_requested.is_set():
            return "stopped", "stopped by the user"
        if self.state.deadline.passed():
            return "deadline", "the time budget ran out"
        return "completed", "all trials done"

    def best_trial(self) -> TrialRecord | None:
        done = [t for t in self.state.trials.values() if t.status == "completed"]
        if not done:
            return None
        return sorted(done, key=self._rank)[0]

    def _rank(self, trial: TrialRecord) -> tuple[float, float]:
        """Sorts best first; ties on a small validation set go to the lower validation loss."""
        if trial.score is None:
            return (float("inf"), float("inf"))
        primary = -trial.score if self.prepared.objective.direction == "max" else trial.score
        epoch = (trial.best_epoch or 1) - 1
        loss = trial.history[epoch].get("val_loss") if epoch < len(trial.history) else None
        return (primary, loss if loss is not None else float("inf"))

    def synced_weights(self, best: TrialRecord) -> TrialRecord:
        """Returns the trial to export once its weights are in this folder.

        A worker whose experiment folder is a copy (synced back, not shared) leaves its
        trials' weights on its own disk until the copy comes back. The chief waits up to
        `--sync-wait` for the best trial's; past that it exports the best trial whose
        weights are here, and says so.

        Raises:
            AutoMLError: no trial's weights reached this folder.
        """
        path = Path(self.tuner._get_checkpoint_fname(best.trial_id))
        if path.exists():
            return best
        wait = self.request.sync_wait_s
        print(
            f"waiting up to {wait:.0f} s for trial {best.trial_id}'s weights (trained by "
            f"{best.worker or 'a worker'} in a folder this chief does not share): copy that "
            f"worker's {TUNER_DIR}/ folder here, e.g. rsync -a WORKER:EXPERIMENT/{TUNER_DIR}/ "
            f"{self.out / TUNER_DIR}/",
            file=sys.stderr,
            flush=True,
        )
        give_up = time.monotonic() + wait
        size = -1
        while time.monotonic() < give_up and not self.state.hard_stop.is_set():
            if path.exists() and path.stat().st_size == size:
                return best  # arrived, and no longer growing
            size = path.stat().st_size if path.exists() else -1
            time.sleep(SYNC_POLL_S)
        here = [
            t
            for t in sorted(self.state.trials.values(), key=self._rank)
            if t.status == "completed"
            and Path(self.tuner._get_checkpoint_fname(t.trial_id)).exists()
        ]
        if not here:
            raise AutoMLError(
                f"no trial's weights reached {self.out / TUNER_DIR} within {wait:.0f} s, so "
                "nothing was exported; sync the workers' folders sooner or give a longer "
                "--sync-wait"
            )
        self.notes.append(
            f"trial {best.trial_id} scored best but its weights did not arrive within "
            f"{wait:.0f} s; exported trial {here[0].trial_id}, the best whose weights are here"
        )
        return here[0]

    def finish(self, best: TrialRecord) -> Outcome:
        """Returns the model to export: the best trial's, refit on train+validation if due."""
        trial = self.tuner.oracle.get_trial(best.trial_id)
        with warnings.catch_warnings():
            # The checkpoint holds optimizer slots that a model built for inference lacks.
            warnings.simplefilter("ignore", UserWarning)
            model = self.tuner.load_model(trial)
        search_scores = score(self.classification, self.y_test, self._predict_test(model))
        curves = _curves(best.history)
        outcome = Outcome(model, False, search_scores, {}, {}, curves)
        self.ensemble_note = ""
        ensemble = self._ensemble(model, best) if self.request.ensemble > 1 else None
        if self.ensemble_note:
            outcome.notes.append(self.ensemble_note)
        if ensemble is not None:
            outcome.model, outcome.ensemble = ensemble
            outcome.search_test_metrics = search_scores
            outcome.test_metrics = score(
                self.classification, self.y_test, self._predict_test(outcome.model)
            )
        elif (
            self.refit_wanted
            and not self.state.stop_requested.is_set()
            and (note := self._refit_wont_fit(best))
        ):
            outcome.notes.append(note)
        elif self.refit_wanted and not self.state.stop_requested.is_set():
            refit = self._refit(trial.hyperparameters, refit_epochs(best))
            verdict = self._refit_verdict(model, refit) if refit is not None else None
            if verdict:
                outcome.notes.append(verdict)
                refit = None
            if refit is not None:
                outcome.model = refit
                outcome.refit = True
                outcome.search_test_metrics = search_scores
                outcome.test_metrics = score(
                    self.classification, self.y_test, self._predict_test(refit)
                )
            elif not verdict:
                outcome.notes.append(
                    "refit skipped: the time budget ran out before it could finish; "
                    "exported the best search trial"
                )
        outcome.evaluation = self._evaluation(outcome.model)
        return outcome

    def _ensemble(self, best_model: keras.Model, best: TrialRecord):
        """Returns (model, member trial ids) when averaging the top trials scores better.

        Judged on the validation rows: the test rows stay untouched for the report.
        """
        from automl.search.ensemble import average_models

        ranked = [
            t for t in sorted(self.state.trials.values(), key=self._rank) if t.status == "completed"
        ][: self.request.ensemble]
        members, models = [], []
        for record in ranked:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)
                    trial = self.tuner.oracle.get_trial(record.trial_id)
                    models.append(best_model if record is best else self.tuner.load_model(trial))
                members.append(record.trial_id)
            except (OSError, ValueError):  # its weights were not kept
                continue
        if len(models) < 2:
            return None
        averaged = average_models(models)
        objective = self.prepared.objective
        key = (
            objective.name
            if objective.name
            in ("accuracy", "balanced_accuracy", "f1", "auc", "log_loss", "mae", "rmse")
            else None
        )
        single = score(self.classification, self.y_val, self._predict_validation(best_model))
        joint = score(self.classification, self.y_val, self._predict_validation(averaged))
        key = key if key in single else ("log_loss" if self.classification else "rmse")
        better = (
            joint[key] > single[key]
            if objective.direction == "max" and key == objective.name
            else joint[key] < single[key]
        )
        if not better:
            self.ensemble_note = (
                f"ensemble of {len(models)} not kept: validation {key} {joint[key]:.4f} vs "
                f"{single[key]:.4f} for the best trial alone"
            )
            return None
        self.ensemble_note = (
            f"exported an ensemble of trials {', '.join(members)} (their average): validation "
            f"{key} {joint[key]:.4f} vs {single[key]:.4f} for the best trial alone"
        )
        return averaged, members

    def _refit_wont_fit(self, best: TrialRecord) -> str:
        """Returns why a refit cannot finish in the time left (estimated), or ""."""
        remaining = self.deadline.remaining()
        if remaining is None or not best.history:
            return ""
        estimate = self._refit_estimate(best)
        if estimate <= remaining:
            return ""
        return (
            f"refit skipped: it would take about {estimate:.0f} s and {remaining:.0f} s are "
            "left; exported the best search trial"
        )

    def _refit_estimate(self, best: TrialRecord) -> float:
        """Returns the seconds a refit of `best` should take: its epochs on more rows."""
        per_epoch = best.duration_s / max(1, len(best.history))
        return per_epoch * refit_epochs(best) * self._refit_rows()

    def _refit_rows(self) -> float:
        """Returns how many times the training rows a refit trains on (train + validation)."""
        return (len(self.y_train) + len(self.y_val)) / max(1, len(self.y_train))

    def _refit_reserve(self) -> float | None:
        """Returns the seconds still kept back for the refit, or None when none are."""
        if self.state.deadline is self.deadline or self.deadline.at is None:
            return None
        return self.deadline.at - self.state.deadline.at

    def _give_refit_reserve_to_search(self, why: str) -> None:
        self.state.deadline = self.deadline
        self.refit_wanted = False
        self.notes.append(f"refit skipped: {why}; that time went to the search instead")

    def _release_refit_reserve_early(self, epoch_s: float) -> None:
        """Gives the refit reserve to the search as soon as one epoch shows it is too short.

        A refit needs at least `MIN_REFIT_EPOCHS` epochs on more rows; where that alone
        exceeds the reserve (large images, long series), waiting for the first trial to
        end would leave the reserve unused by that trial too.
        """
        reserve = self._refit_reserve()
        if reserve is not None and epoch_s * self._refit_rows() * MIN_REFIT_EPOCHS > reserve:
            self._give_refit_reserve_to_search(
                f"an epoch takes {epoch_s:.1f} s, so a refit would need more than the "
                f"{reserve:.0f} s kept for it"
            )

    def _release_refit_reserve(self, finished: TrialRecord) -> None:
        """Gives the time kept for the refit back to the search once it could not pay off.

        The reserve is a share of the budget. When the best trial so far would take
        longer than that to refit, the refit would be skipped at the end anyway: the
        reserve is better spent on more trials.
        """
        reserve = self._refit_reserve()
        best = self.best_trial()
        if reserve is None or best is None or not best.history:
            return
        estimate = self._refit_estimate(best)
        if estimate > reserve:
            self._give_refit_reserve_to_search(
                f"the best trial ({best.trial_id}) would take about {estimate:.0f} s to "
                f"refit, more than the {reserve:.0f} s kept for it"
            )

    def _refit(self, hp, epochs: int) -> keras.Model | None:
        began = time.monotonic()
        keras.utils.set_random_seed(self.request.seed)
        model = self.hypermodel.build(hp)
        rows = self.feeds.join(self.feeds.train, self.feeds.validation)
        x, y = self.feeds.fit_inputs(rows, np.concatenate([self.y_train, self.y_val]))
        refit_state = SearchState(self.state.log, self.deadline)
        refit_state.hard_stop = self.state.hard_stop
        watch = _DeadlineOnly(refit_state)
        history = self.hypermodel.fit(hp, model, x, y, epochs=epochs, callbacks=[watch], verbose=0)
        self.refit_seconds = time.monotonic() - began
        if len(history.history.get("loss", [])) < epochs or watch.cut_short:
            return None
        return model

    def _refit_verdict(self, searched: keras.Model, refit: keras.Model) -> str:
        """Returns why the refit model must not replace the searched one, or "".

        The refit saw every training and validation row, so on those rows its loss
        should be no worse than the searched model's. If it is clearly worse, that
        single retraining did not converge as the trial had; judging this on the rows
        both were trained from keeps the test rows untouched.
        """
        rows = self.feeds.join(self.feeds.train, self.feeds.validation)
        y = np.concatenate([self.y_train, self.y_val])
        before = score(self.classification, y, self.feeds.predict(searched, rows))
        after = score(self.classification, y, self.feeds.predict(refit, rows))
        loss = "log_loss" if self.classification else "rmse"
        if after[loss] > REFIT_SLACK * before[loss] + 1e-6:
            return (
                f"refit discarded: its {loss} on train+validation ({after[loss]:.4g}) was worse "
                f"than the best trial's ({before[loss]:.4g}); exported the best search trial"
            )
        objective = self.prepared.objective
        if objective.direction == "max" and objective.name in after:
            drop = before[objective.name] - after[objective.name]
            if drop > REFIT_MAX_DROP:
                return (
                    f"refit discarded: its {objective.name} on train+validation "
                    f"({after[objective.name]:.4f}) was below the best trial's "
                    f"({before[objective.name]:.4f}); exported the best search trial"
                )
        return ""

    def _predict_test(self, model) -> np.ndarray:
        return self.feeds.predict(model, self.feeds.test)

    def _predict_validation(self, model) -> np.ndarray:
        return self.feeds.predict(model, self.feeds.validation)

    def _evaluation(self, model) -> dict:
        """Returns the confusion matrix or residuals on the test rows, and the worst rows."""
        output = self._predict_test(model)
        if self.classification:
            from sklearn.metrics import confusion_matrix

            labels = list(self.prepared.class_names)
            predicted = output.argmax(axis=1)
            matrix = confusion_matrix(self.y_test, predicted, labels=list(range(len(labels))))
            wrong = np.flatnonzero(predicted != self.y_test)
            # Most confident mistakes first: they are the most telling.
            wrong = wrong[np.argsort(-output[wrong, predicted[wrong]])][:MISTAKES_SHOWN]
            mistakes = [
                {
                    "row": int(self.prepared.splits.test[i]),
                    "actual": labels[self.y_test[i]],
                    "predicted": labels[predicted[i]],
                    "confidence": float(output[i, predicted[i]]),
                    "values": self.feeds.row_values(i),
                }
                for i in wrong
            ]
            return {
                "confusion_matrix": {"labels": labels, "matrix": matrix.tolist()},
                "mistakes": mistakes,
            }
        # One row per test example; a forecast has one column per step ahead.
        values = output.reshape(len(self.y_test), -1).astype(float)
        actual = np.asarray(self.y_test, dtype=float).reshape(len(self.y_test), -1)
        errors = np.abs(values - actual).mean(axis=1)
        worst = np.argsort(-errors)[:MISTAKES_SHOWN]

        def shown(row: np.ndarray):
            return float(row[0]) if len(row) == 1 else [float(v) for v in row]

        mistakes = [
            {
                "row": int(self.prepared.splits.test[i]),
                "actual": shown(actual[i]),
                "predicted": shown(values[i]),
                "error": float(errors[i]),
                "values": self.feeds.row_values(i),
            }
            for i in worst
        ]
        return {
            "residuals": {
                "actual": actual.ravel().tolist(),
                "predicted": values.ravel().tolist(),
            },
            "mistakes": mistakes,
        }

    def export(self, outcome: Outcome, data_hash: str, baselines: dict | None = None):
        """Exports `outcome.model` to `out/model` and returns the `ExportResult`."""
        from automl.export.bundle import export_model

        began = time.monotonic()
        prepared, splits = self.prepared, self.prepared.splits
        best = self.best_trial()
        metadata = {
            "format_version": 1,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "modality": prepared.modality,
            "task": prepared.task_kind,
            "target": prepared.target,
            "metric": self.prepared.objective.name,
            "test_metrics": outcome.test_metrics,
            "baselines": baselines or {},
            "search_test_metrics": outcome.search_test_metrics,
            "refit": outcome.refit,
            "hyperparameters": best.hyperparameters if best else {},
            "ensemble": outcome.ensemble,
            "best_trial": None
            if best is None
            else {"trial_id": best.trial_id, "score": best.score, "best_epoch": best.best_epoch},
            "learning_curves": outcome.curves,
            "evaluation": outcome.evaluation,
            "data": {
                "file": str(self.request.data),
                "sha256": data_hash,
                "rows": prepared.rows,
                "train_rows": len(splits.train),
                "validation_rows": len(splits.validation),
                "test_rows": len(splits.test),
                "test_file": str(self.request.test_file) if self.request.test_file else None,
            },
            **prepared.metadata(),
            "seed": self.request.seed,
            "versions": package_versions(),
        }
        check_rows = self.feeds.check_rows()
        np.savez(self.out / "check_rows.npz", **check_rows)  # for `automl export` later
        result = export_model(
            outcome.model,
            serving=prepared.serving(),
            class_names=list(prepared.class_names),
            metadata=metadata,
            check_rows=check_rows,
            destination=self.out / "model",
            formats=self.request.formats,
        )
        self.export_seconds = time.monotonic() - began
        return result

    def counts(self) -> dict[str, int]:
        statuses = [t.status for t in self.state.trials.values()]
        return {"completed": statuses.count("completed"), "failed": statuses.count("failed")}

    def leaderboard(self) -> list[dict]:
        return [
            {
                "trial_id": t.trial_id,
                "status": t.status,
                "score": t.score,
                "best_epoch": t.best_epoch,
                "epochs": len(t.history),
                "duration_s": round(t.duration_s, 3),
                "hyperparameters": t.hyperparameters,
                "reason": t.reason,
                **({"worker": t.worker} if t.worker else {}),
            }
            for t in sorted(self.state.trials.values(), key=self._rank)
        ]

    def timing(self) -> dict:
        fit = self.state.fit_seconds
        return {
            "search_s": round(self.search_seconds, 3),
            "fit_s": round(fit, 3),
            "overhead_fraction": round(1 - fit / self.search_seconds, 4)
            if self.search_seconds > 0
            else None,
            "refit_s": round(self.refit_seconds, 3),
            "export_s": round(self.export_seconds, 3),
        }

    def rerun(self, trial_id: str) -> dict:
        """Retrains trial `trial_id` with its hyperparameters, seed and data split.

        Returns its original and new best validation values, and their difference.
        """
        from automl.search.tuners import trial_seed

        try:
            trial = self.tuner.oracle.get_trial(trial_id)
        except KeyError:
            known = ", ".join(sorted(self.tuner.oracle.trials)) or "none"
            raise AutoMLError(f"--trial {trial_id}: no such trial; trials: {known}") from None
        if trial.status != "COMPLETED" or trial.score is None:
            raise AutoMLError(f"--trial {trial_id} did not complete; nothing to compare with")
        hp = trial.hyperparameters
        record = TrialRecord(trial_id, dict(hp.values))
        self.state.trials[trial_id] = record
        self.state.current = record
        keras.utils.set_random_seed(trial_seed(self.request.seed, trial_id))
        keras.backend.clear_session(free_memory=False)
        model = self.hypermodel.build(hp)
        x, y = self.feeds.fit_inputs(self.feeds.train, self.y_train)
        began = time.monotonic()
        fit_kwargs = {}
        if "tuner/epochs" in hp.values:
            fit_kwargs = {
                "epochs": hp.values["tuner/epochs"],
                "initial_epoch": hp.values["tuner/initial_epoch"],
            }
        self.hypermodel.fit(
            hp,
            model,
            x,
            y,
            validation_data=self.feeds.validation_data(),
            **{"epochs": self.request.max_epochs, **fit_kwargs},
            callbacks=self._callbacks(),
            verbose=0,
        )
        objective = self.prepared.objective
        values = [e.get(objective.monitor) for e in record.history]
        known = [(v, i) for i, v in enumerate(values) if v is not None]
        if not known:
            raise AutoMLError(f"the rerun of trial {trial_id} produced no validation score")
        best, index = (max if objective.direction == "max" else min)(known)
        return {
            "trial_id": trial_id,
            "metric": objective.monitor,
            "original": float(trial.score),
            "original_best_epoch": int(trial.best_step) + 1,
            "rerun": float(best),
            "rerun_best_epoch": index + 1,
            "difference": float(best) - float(trial.score),
            "epochs": len(record.history),
            "duration_s": round(time.monotonic() - began, 3),
            "hyperparameters": record.hyperparameters,
        }


class _DeadlineOnly(keras.callbacks.Callback):
    """Stops the refit at the overall deadline or on a hard stop, and says so."""

    def __init__(self, state: SearchState):
        super().__init__()
        self.state = state
        self.cut_short = False

    def on_train_batch_end(self, batch, logs=None):
        if self.state.deadline.passed() or self.state.hard_stop.is_set():
            self.model.stop_training = True
            self.cut_short = True


def refit_epochs(trial: TrialRecord) -> int:
    """Returns how many epochs the refit trains: the trial's best epoch, or later.

    A coarse objective such as accuracy on a small validation set often peaks early
    and then plateaus while the validation loss still falls; stopping the refit at
    that first peak leaves it undertrained. The epoch of the lowest validation loss
    is taken when it comes later.
    """
    epochs = trial.best_epoch or 1
    losses = [epoch.get("val_loss") for epoch in trial.history]
    known = [(value, i) for i, value in enumerate(losses) if value is not None]
    if known:
        epochs = max(epochs, min(known)[1] + 1)
    return epochs


def _curves(history: list[dict[str, float]]) -> dict[str, list[float | None]]:
    names = sorted({k for epoch in history for k in epoch if k != "learning_rate"})
    return {name: [epoch.get(name) for epoch in history] for name in names}
