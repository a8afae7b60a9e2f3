"""The TensorFlow side of a search: a thin coordinator of tuner, refit, scores and export.

Imported only once a search runs, so `import automl` stays free of TensorFlow. Each step
lives in its own module: `model_setup` (precision, hypermodel, tuner), `callbacks`,
`budget_planner`, `parallel`, `refit`, `ensemble`, `evaluation`, `export_metadata`.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from pathlib import Path

import keras

from automl.devices import pin_device
from automl.experiment.events import EventLog
from automl.experiment.fold import TrialRecord, finished_trials
from automl.experiment.layout import EVENTS
from automl.experiment.reader import read_events
from automl.search.budget import Deadline
from automl.search.budget_planner import (
    REFIT_SHARE,
    BudgetPlanner,
    finishing_deadline,
    refit_epochs,
)
from automl.search.calibration import calibrated, record_temperature, single_model_rows
from automl.search.callbacks import trial_callbacks
from automl.search.cross_validation import (
    plan_cross_validation,
    record_folds_kept,
    recorded_folds_kept,
)
from automl.search.ensemble import fold_export_policy, top_trials_ensemble
from automl.search.evaluation import evaluation, learning_curves
from automl.search.export_metadata import export_metadata, export_outcome, exported_model
from automl.search.feeds import make_feeds
from automl.search.fold_ensemble import fold_average
from automl.search.metrics import score
from automl.search.model_setup import build_hypermodel, build_tuner, set_precision
from automl.search.outcome import CV_EXPORT_WORDS, Outcome
from automl.search.ranking import best_whole_trial, cut_short_note, rank_key
from automl.search.refit import refit, refit_verdict
from automl.search.request import REFIT_ROWS, SearchRequest
from automl.search.state import SearchState
from automl.search.tuners import SearchDeadline, SearchStopped, WorkerRecycle


class SearchRun:
    """One search over prepared data, writing into the experiment folder `out`.

    `resume`: the tuner's oracle and the finished trials come from `out`. `worker`: this
    process trains trials for a chief (whose deadline it was given).
    """

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
        self.worker = worker
        self.resume = resume
        self.classification = prepared.classification
        self.feeds = feeds = make_feeds(prepared)
        self.notes: list[str] = []
        self.guard = None  # the baseline guard's verdict, once the search is done
        self.deadline = deadline
        train_rows = len(feeds.y_train)
        self.cross_validation = cv = plan_cross_validation(
            request, feeds, prepared.classification, prepared.task_kind == "forecast"
        )
        policy = fold_export_policy()
        self.fold_export = cv is not None and policy != "refit"
        self.trials_ensemble = policy == "trials"
        if cv is not None:
            self.notes.append(
                f"{cv.reason}; each trial scores the mean of its folds, and the best "
                + CV_EXPORT_WORDS[policy]
            )
        refit_wanted = request.refit if request.refit is not None else train_rows < REFIT_ROWS
        if self.fold_export and request.refit is None:
            refit_wanted = False  # the folds' average is exported: the refit's time is searched
        # A worker's deadline is already the chief's search deadline.
        reserve = (
            REFIT_SHARE * request.time_budget_s
            if refit_wanted and request.time_budget_s is not None and not worker
            else None
        )
        if self.fold_export and not refit_wanted and not worker:  # (a worker's is the chief's)
            deadline = finishing_deadline(deadline, request.time_budget_s, self.notes)
        self.planner = BudgetPlanner(
            deadline,
            max_epochs=request.max_epochs,
            # Hyperband plans its own epochs; the others get a cap once an epoch is timed.
            plan_epochs=request.tuner != "hyperband"
            and request.time_budget_s is not None
            and not resume,
            refit=refit_wanted,
            refit_reserve_s=reserve,
            refit_rows=(train_rows + len(feeds.y_validation))
            / max(1, len(cv.folds[0].train) if cv is not None else train_rows),
            notes=self.notes,
            folds=cv.k if cv is not None else 1,
            # Workers each time their own first trial: only a lone search may cut folds.
            on_folds_cut=self._keep_first_folds
            if cv is not None and not (worker or request.workers or request.chief)
            else None,
        )
        if resume and cv is not None and (kept := recorded_folds_kept(out)):
            cv.keep_first(*kept)
        self.state = SearchState(log, self.planner)
        self.state.cross_validation, self.state.feeds = cv, feeds
        self.state.ranking = self._ranking
        if resume:
            self.state.trials.update(finished_trials(read_events(out / EVENTS)))
        self.search_seconds = 0.0
        self.refit_seconds = 0.0
        self.choosing_seconds = 0.0  # after the search: the model to export chosen
        self.export_seconds = 0.0

        self.device = pin_device(request.device)
        note = set_precision(request.precision, self.device)
        if note:
            self.notes.append(note)
        self.state.jit = request.jit
        keras.utils.set_random_seed(request.seed)
        self.hypermodel = build_hypermodel(request, prepared, feeds)
        self.tuner = build_tuner(
            request, self.hypermodel, prepared.objective, out, self.state, resume or worker
        )
        self.baseline_pool = None  # the baselines, once scored (halfway or by the guard)
        if not worker and request.time_budget_s is not None and request.tuner != "hyperband":
            from automl.search.baseline_focus import BaselineFocus

            # Hyperband's brackets promote trials rather than draw new ones: no focus.
            self.tuner.oracle.focus = BaselineFocus(self)

    def search(self) -> tuple[str, str]:
        """Runs the tuner; returns (status, reason) for how the search ended."""
        began = time.monotonic()
        # Image pipelines drop undecodable files, so their length is unknown up front;
        # Keras then warns at the end of every pass although nothing is wrong.
        warnings.filterwarnings("ignore", message="Your input ran out of data")
        try:
            if (self.request.workers or self.request.chief) and not self.worker:
                return self._search_parallel(began)
            x, y = self.feeds.fit_inputs(self.feeds.train, self.feeds.y_train)
            self.tuner.search(
                x,
                y,
                validation_data=self.feeds.validation_data(),
                epochs=self.request.max_epochs,
                callbacks=trial_callbacks(
                    self.request, self.prepared.objective, self.state, self.out, self.feeds
                ),
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
        """Returns (status, reason) of trials run on worker processes (and remote workers)."""
        import sys

        from automl.search.parallel.chief import supervise
        from automl.search.parallel.pool import sensible_workers

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
                host=self.request.oracle_host,
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
            self.tuner.prune_checkpoints()  # workers each saw only their own trials
        if self.state.hard_stop.is_set() or self.state.stop_requested.is_set():
            return "stopped", "stopped by the user"
        if self.planner.search_over():
            return "deadline", "the time budget ran out"
        return "completed", "all trials done"

    def _keep_first_folds(self, kept: int, why: str) -> None:
        """Returns None; scores every trial on the first `kept` folds (`BudgetPlanner`)."""
        self.cross_validation.keep_first(kept, why)
        record_folds_kept(self.out, kept, why)

    def best_trial(self) -> TrialRecord | None:
        """Returns the best completed trial, or None."""
        return self.state.best_trial()

    def _ranking(self) -> Callable[[TrialRecord], tuple]:
        """Returns the sort key for the trials as they stand, best first (`ranking.rank_key`)."""
        cv = self.cross_validation
        direction = self.prepared.objective.direction
        if cv is None:
            return lambda trial: rank_key(trial, direction)
        reference = self.whole_reference()
        return lambda trial: rank_key(trial, direction, cv.k, reference)

    def whole_reference(self) -> TrialRecord | None:
        """Returns the best trial scored on every fold, which trials cut short are paired
        with (`ranking.estimated_score`); None without folds or before one is whole.

        None for forecasts too: a forecast trial cut short finished its earliest folds, so
        its fold models learnt from the least history and the pairing says little about the
        recent blocks (on sunspots such a trial ranked first and its export scored test MAE
        28.0 against the linear baseline's 22.4: benchmarks/README.md, fifth session).
        """
        cv = self.cross_validation
        if cv is None or cv.chronological:
            return None
        direction = self.prepared.objective.direction
        return best_whole_trial(self.state.trials.values(), direction, cv.k)

    def synced_weights(self, best: TrialRecord) -> TrialRecord:
        """Returns the trial to export once its weights are in this folder (see sync_wait)."""
        from automl.search.parallel.sync_wait import synced_weights

        return synced_weights(
            self.tuner, self.state, best, self.out, self.request.sync_wait_s, self.notes
        )

    def finish(self, best: TrialRecord) -> Outcome:
        """Returns the model to export: the best trial's, an ensemble, or a refit if due."""
        trial = self.tuner.oracle.get_trial(best.trial_id)
        with warnings.catch_warnings():
            # The checkpoint holds optimizer slots that a model built for inference lacks.
            warnings.simplefilter("ignore", UserWarning)
            model = self.tuner.load_model(trial)
        search_scores = self._test_scores(model)
        outcome = Outcome(model, False, search_scores, {}, {}, learning_curves(best.history))
        if self.cross_validation is not None:
            metric = self.prepared.objective.name
            note = cut_short_note(best, self.cross_validation.k, self.whole_reference(), metric)
            outcome.notes.extend([note] if note else [])
        ensemble = None
        if self.request.ensemble > 1 and self.cross_validation is None:
            # Cross-validated searches weigh up to K trials' fold models on their
            # out-of-fold rows instead (`fold_ensemble`): the validation rows here are
            # rows the fold models trained on.
            ranked = [t for t in self.state.ranked() if t.status == "completed"]
            ensemble, note = top_trials_ensemble(
                self.tuner, ranked[: self.request.ensemble], model, best, self.prepared, self.feeds
            )
            if note:
                outcome.notes.append(note)
        refit_due = self.planner.refit_wanted and not self.state.stop_requested.is_set()
        folds = None
        if ensemble is None and self.fold_export and not refit_due:
            folds = fold_average(self, outcome, trial, best, model)
        if ensemble is not None:
            outcome.model, outcome.ensemble = ensemble
            outcome.search_test_metrics = search_scores
            outcome.test_metrics = self._test_scores(outcome.model)
        elif folds is not None:
            outcome.model = folds
            outcome.search_test_metrics = search_scores
            outcome.test_metrics = self._test_scores(folds)
        elif refit_due and (note := self.planner.refit_wont_fit(best)):
            outcome.notes.append(note)
        elif refit_due:
            self._refit_into(outcome, trial.hyperparameters, best, model, search_scores)
        if outcome.calibration is None and not outcome.refit:
            self._calibrate_model(outcome)
        from automl.search.baseline_guard import guard_outcome

        self.guard = guard_outcome(self, best, outcome)
        outcome.exported = exported_model(outcome, self.cross_validation is not None)
        output = self.feeds.predict(outcome.model, self.feeds.test)
        outcome.evaluation = evaluation(self.prepared, self.feeds, output)
        return outcome

    def _calibrate_model(self, outcome: Outcome) -> None:
        """Returns None; recalibrates a single exported model's probabilities in `outcome`.

        Fitted on rows none of its weights trained on (`calibration.single_model_rows`).
        """
        if not self.classification:
            return
        rows, labels, where = single_model_rows(self.feeds, self.cross_validation)
        proba = self.feeds.predict(outcome.model, rows)
        temperature = record_temperature(outcome, proba, labels, where)
        if temperature != 1.0:
            outcome.model = calibrated(outcome.model, temperature)
            outcome.search_test_metrics = outcome.search_test_metrics or outcome.test_metrics
            outcome.test_metrics = self._test_scores(outcome.model)

    def _refit_into(self, outcome: Outcome, hp, best: TrialRecord, model, search_scores) -> None:
        """Returns None; puts the refit model in `outcome`, or notes why it was not kept."""
        refitted, self.refit_seconds = refit(
            self.hypermodel,
            hp,
            self.feeds,
            refit_epochs(best),
            self.request.seed,
            self.deadline,
            self.state.hard_stop,
        )
        verdict = (
            refit_verdict(self.prepared, self.feeds, model, refitted)
            if refitted is not None
            else None
        )
        if verdict:
            outcome.notes.append(verdict)
        elif refitted is not None:
            outcome.model = refitted
            outcome.refit = True
            outcome.search_test_metrics = search_scores
            outcome.test_metrics = self._test_scores(refitted)
        else:
            outcome.notes.append(
                "refit skipped: the time budget ran out before it could finish; "
                "exported the best search trial"
            )

    def _test_scores(self, model) -> dict:
        """Returns `model`'s scores on the test rows."""
        output = self.feeds.predict(model, self.feeds.test)
        return score(self.classification, self.feeds.y_test, output)

    def export(self, outcome: Outcome, data_hash: str, baselines: dict | None, reloader):
        """Exports `outcome.model` to `out/model` and returns the `ExportResult`."""
        began = time.monotonic()
        metadata = export_metadata(
            self.request, self.prepared, outcome, self.best_trial(), data_hash, baselines
        )
        result = export_outcome(
            self.request, self.prepared, self.feeds, self.out, outcome, metadata, reloader
        )
        self.export_seconds = time.monotonic() - began
        return result
