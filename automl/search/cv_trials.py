"""Cross-validated trials: one model per fold, scored by their mean.

Keras Tuner scores a trial that returns several Histories by the mean of their best
epochs' metrics (and its best step by their mean best epoch): exactly the cross-validated
score, through its public `run_trial` contract. The first fold's model is built as any
trial's; the next folds reset that model to its initial weights and a fresh optimizer, so
no fold pays for building and tracing again.

Each fold keeps its own best epoch's weights: the first fold's in the trial's checkpoint,
the others beside it (`checkpoint_fold1.weights.h5`, ...). The exported model averages them
(`fold_ensemble`), and a Hyperband promotion trains each fold on from its parent's model of
the same fold, so no fold's model has seen its own held-out rows.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import keras
import numpy as np

from automl.search import kt_compat


def run_folds(tuner, trial, cv, checkpoint, callbacks: list, kwargs: dict) -> list:
    """Trains one model per fold; returns their Histories, which Keras Tuner averages.

    Keras Tuner scores a trial that returns several Histories by the mean of their
    best epochs' metrics (and its best step by their mean best epoch): exactly the
    cross-validated score. Each fold's best epoch's weights are kept (`fold_checkpoint`).
    """
    state = tuner.search_state
    record = state.trials[trial.trial_id]
    first = Path(checkpoint.filepath)
    parent = trial.hyperparameters.values.get("tuner/trial_id")  # a Hyperband promotion
    histories = []
    for index in range(cv.k):
        if index >= cv.k:
            break  # the budget's plan kept fewer folds while the first one trained
        x, y, validation, held_rows, held_y = cv.fold_data(index, state.feeds)
        state.fold_validation = (held_rows, held_y)
        record.fold = index
        if index:
            record.fold_histories.append(record.history)
            record.history = []
            checkpoint.start_fold(fold_checkpoint(first, index))
            # Keras Tuner loads the parent's first-fold weights; later folds go on from
            # the parent's model of the same fold.
            tuner.fold_weights = _existing(
                fold_checkpoint(kt_compat.checkpoint_path(tuner, parent), index) if parent else None
            )
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
            if tuner.fold_weights is not None:
                load_fold_weights(model, tuner.fold_weights)
            histories.append(
                tuner.hypermodel.fit(trial.hyperparameters, model, *fold_args, **fold_kwargs)
            )
        else:
            histories.append(tuner.fit_with_memory_retry(trial, fold_args, fold_kwargs))
        if state.stop_requested.is_set() or state.planner.search_over():
            if index:
                # This fold was cut short: its few epochs would drag the mean down. The
                # folds done before it score the trial (it then ranks after whole ones).
                histories.pop()
                record.history = record.fold_histories.pop()
            break
    record.fold_histories.append(record.history)
    state.fold_validation = None
    tuner.fresh_start = tuner.fold_weights = None
    return histories


def fold_checkpoint(first: Path, index: int) -> Path:
    """Returns where fold `index` keeps its best weights; the first fold uses `first`."""
    first = Path(first)
    if index == 0:
        return first
    stem = first.name.split(".")[0]
    return first.with_name(f"{stem}_fold{index}{first.name[len(stem) :]}")


def fold_checkpoints(first: Path, folds: int) -> list[Path]:
    """Returns the weights files of a trial's `folds` folds, or [] unless all are on disk."""
    paths = [fold_checkpoint(first, index) for index in range(folds)]
    return paths if all(path.is_file() for path in paths) else []


def load_fold_weights(model: keras.Model, path: Path) -> None:
    """Returns None; gives `model` the weights of a parent trial's fold."""
    with warnings.catch_warnings():
        # The file holds the parent's optimizer slots; the new trial's optimizer starts fresh.
        warnings.simplefilter("ignore", UserWarning)
        model.load_weights(path)


def _existing(path: Path | None) -> Path | None:
    return path if path is not None and path.is_file() else None


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
