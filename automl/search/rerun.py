"""`automl rerun`'s training: one trial retrained with its hyperparameters, seed and split."""

from __future__ import annotations

import time

import keras

from automl.errors import AutoMLError
from automl.experiment.fold import TrialRecord
from automl.search.callbacks import trial_callbacks
from automl.search.tuners import trial_seed


def retrain_trial(run, trial_id: str) -> dict:
    """Returns trial `trial_id`'s original and new best validation values, and their difference.

    `run` is the experiment's `SearchRun`, its tuner reloaded from the folder.

    Raises:
        AutoMLError: no such trial, it did not complete, or the rerun gave no score.
    """
    oracle = run.tuner.oracle
    try:
        trial = oracle.get_trial(trial_id)
    except KeyError:
        known = ", ".join(sorted(oracle.trials)) or "none"
        raise AutoMLError(f"--trial {trial_id}: no such trial; trials: {known}") from None
    if trial.status != "COMPLETED" or trial.score is None:
        raise AutoMLError(f"--trial {trial_id} did not complete; nothing to compare with")
    hp = trial.hyperparameters
    record = TrialRecord(trial_id, dict(hp.values))
    run.state.trials[trial_id] = record
    run.state.current = record
    keras.utils.set_random_seed(trial_seed(run.request.seed, trial_id))
    keras.backend.clear_session(free_memory=False)
    model = run.hypermodel.build(hp)
    feeds = run.feeds
    x, y = feeds.fit_inputs(feeds.train, feeds.y_train)
    began = time.monotonic()
    fit_kwargs = {}
    if "tuner/epochs" in hp.values:
        fit_kwargs = {
            "epochs": hp.values["tuner/epochs"],
            "initial_epoch": hp.values["tuner/initial_epoch"],
        }
    objective = run.prepared.objective
    run.hypermodel.fit(
        hp,
        model,
        x,
        y,
        validation_data=feeds.validation_data(),
        **{"epochs": run.request.max_epochs, **fit_kwargs},
        callbacks=trial_callbacks(run.request, objective, run.state, run.out, feeds),
        verbose=0,
    )
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
