"""The baseline guard as a step of the search: never export a model a baseline beats unsaid.

After the search, the engine's own baselines (majority class or mean, nearest neighbour,
linear, the naive forecast) are fitted and scored exactly as the trials were: on the
training rows against the validation rows, or on the same cross-validation folds. If the
best trial is not better, the baseline's Keras form is exported instead, with the reason;
either way the verdict is recorded.
"""

from __future__ import annotations

import logging

from automl.baselines import GuardVerdict, judge
from automl.experiment.fold import TrialRecord
from automl.search.metrics import tie_loss


def scored_baselines(run):
    """Returns the baseline pool scored by the trials' protocol (None: none fits the data).

    Computed once per search: whoever asks first (the focus halfway, or the guard at the
    end) fits them, and the other reuses them.

    Raises:
        Exception: whatever fitting them raised; the callers note it and go on.
    """
    from automl.baselines.pool import pool_baselines

    if getattr(run, "baseline_pool", None) is not None:
        return run.baseline_pool
    prepared = run.prepared
    objective = prepared.objective
    classes = len(prepared.class_names) if prepared.classification else 0
    # Each baseline is a new small model: TensorFlow would warn of retracing on the terminal.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    cv = run.cross_validation
    if cv is None:
        pool = pool_baselines(run.hypermodel, run.feeds, objective, classes)
    else:  # scored on the trials' own folds
        protocol = (
            f"the same {cv.k} cross-validation folds" if cv.k > 1 else "the same held-out fold"
        )
        pool = pool_baselines(run.hypermodel, run.feeds, objective, classes, cv.folds, protocol)
    run.baseline_pool = pool
    return pool


def guard_outcome(run, best: TrialRecord, outcome) -> GuardVerdict | None:
    """Returns the verdict; puts the baseline's model in `outcome` when it wins.

    A failure to compute the baselines never ends a search: it is noted and the searched
    model is exported as before.
    """
    prepared = run.prepared
    objective = prepared.objective
    try:
        pool = scored_baselines(run)
    except Exception as error:  # noqa: BLE001 - a yardstick must not cost the model
        reason = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        outcome.notes.append(f"baselines not computed ({type(error).__name__}: {reason})")
        return None
    if pool is None or pool.best is None:
        return None
    epoch = (best.best_epoch or 1) - 1
    loss = tie_loss(best.history[epoch]) if epoch < len(best.history) else None
    if best.fold_scores:
        loss = tie_loss(best.best_metrics)  # the folds' mean, as the score is
    verdict = judge(pool.baselines, _whole_score(run, best), loss, objective, pool.protocol)
    outcome.guard = verdict.to_dict()
    if not verdict.beaten_by_baseline:
        return verdict
    model = pool.keras_model(verdict.baseline)
    output = run.feeds.predict(model, run.feeds.test)
    from automl.search.metrics import score

    outcome.search_test_metrics = outcome.test_metrics
    outcome.test_metrics = score(prepared.classification, run.feeds.y_test, output)
    outcome.model, outcome.refit, outcome.ensemble = model, False, []
    outcome.ensemble_weights = []
    outcome.calibration = None  # it was the searched model's
    outcome.notes.append(verdict.message)
    return verdict


def _whole_score(run, best: TrialRecord) -> float | None:
    """Returns `best`'s score on all the folds, estimated if the deadline cut it short."""
    from automl.search.ranking import estimated_score

    cv = run.cross_validation
    if cv is None or not best.fold_scores or len(best.fold_scores) >= cv.k:
        return best.score
    estimate = estimated_score(best, cv.k, run.whole_reference())
    return best.score if estimate is None else estimate
