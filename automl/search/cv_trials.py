"""Cross-validated trials: one model per fold, scored by their mean.

Keras Tuner scores a trial that returns several Histories by the mean of their best
epochs' metrics (and its best step by their mean best epoch): exactly the cross-validated
score, through its public `run_trial` contract. The first fold's model is built as any
trial's; the next folds reset that model to its initial weights and a fresh optimizer, so
no fold pays for building and tracing again.
"""

from __future__ import annotations

import keras
import numpy as np

from automl.search import kt_compat


def run_folds(tuner, trial, cv, checkpoint, callbacks: list, kwargs: dict) -> list:
    """Trains one model per fold; returns their Histories, which Keras Tuner averages.

    Keras Tuner scores a trial that returns several Histories by the mean of their
    best epochs' metrics (and its best step by their mean best epoch): exactly the
    cross-validated score. The weights kept are the last fold's best epoch.
    """
    state = tuner.search_state
    record = state.trials[trial.trial_id]
    histories = []
    for index in range(cv.k):
        x, y, validation, held_rows, held_y = cv.fold_data(index, state.feeds)
        state.fold_validation = (held_rows, held_y)
        record.fold = index
        if index:
            record.fold_histories.append(record.history)
            record.history = []
        fold_kwargs = {**kwargs, "validation_data": validation}
        fold_kwargs["callbacks"] = [
            *kt_compat.execution_callbacks(tuner, callbacks, trial, index),
            checkpoint,
        ]
        fold_args = (x, y)
        if histories and tuner.fresh_start is not None:
            # The same model, reset to its initial weights and a fresh optimizer: no
            # rebuild, and its traced training step serves every fold.
            model = histories[0].model
            reset_model(model, *tuner.fresh_start)
            histories.append(
                tuner.hypermodel.fit(trial.hyperparameters, model, *fold_args, **fold_kwargs)
            )
        else:
            histories.append(tuner.fit_with_memory_retry(trial, fold_args, fold_kwargs))
        if state.stop_requested.is_set() or state.planner.search_over():
            break  # the folds done so far score the trial
    record.fold_histories.append(record.history)
    state.fold_validation = None
    tuner.fresh_start = None
    return histories


def reset_model(model: keras.Model, weights: list, learning_rate: float) -> None:
    """Returns None; puts `model` back as built: its weights, and an optimizer that has
    taken no step (zero slots and iterations, the first learning rate)."""
    model.set_weights(weights)
    optimizer = model.optimizer
    for variable in optimizer.variables:
        variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    optimizer.learning_rate = learning_rate


def fold_scores(histories: list[list[dict]], objective) -> list[float]:
    """Returns each fold's best value of the objective (as Keras Tuner takes it)."""
    pick = max if objective.direction == "max" else min
    return [
        float(pick(values))
        for history in histories
        if (values := [e[objective.name] for e in history if objective.name in e])
    ]


def fold_means(histories: list[list[dict]], objective) -> dict[str, float]:
    """Returns the metrics at each fold's best epoch, averaged over the folds."""
    pick = max if objective.direction == "max" else min
    bests = []
    for history in histories:
        scored = [e for e in history if objective.name in e]
        if scored:
            bests.append(pick(scored, key=lambda e: e[objective.name]))
    names = set.intersection(*(set(b) for b in bests)) if bests else set()
    return {name: float(np.mean([b[name] for b in bests])) for name in sorted(names)}
