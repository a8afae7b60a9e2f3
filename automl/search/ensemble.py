"""Averaged models inside one Keras model: `--ensemble K`'s top trials, or a trial's folds.

Averaging the probabilities (or values) of a few good, different models usually beats the
best of them; the average lives inside one model, so the SavedModel takes the same raw
inputs and callers see no difference. It is kept only when it scores better on validation.
"""

from __future__ import annotations

import os
import warnings

import keras

from architectures.layers import TemperatureScale
from automl.experiment.fold import TrialRecord
from automl.search import kt_compat
from automl.search.cv_trials import fold_checkpoints
from automl.search.metrics import score

#: The fold models are averaged only while all of them together hold at most this many
#: weights: beyond it (a pretrained image backbone k times over) the model file and every
#: prediction would cost k times as much, and one model is exported instead.
FOLD_ENSEMBLE_MAX_WEIGHTS = 10_000_000


def average_models(
    models: list[keras.Model], temperature: float = 1.0, weights: list[float] | None = None
) -> keras.Model:
    """Returns one model whose output is the mean of `models`' outputs on the same inputs.

    `weights` (summing to 1) make it a weighted mean (`fold_ensemble`): each output is
    scaled by its weight and the scaled outputs are added, in Keras' own layers.

    A `temperature` other than 1 recalibrates the mean's probabilities
    (`TemperatureScale`; see `automl.search.calibration`): after the mean, so that no
    predicted class changes (before it, sharpened members would vote instead of average).
    """
    first = models[0]
    structure = first.input

    def fresh(tensor):
        return keras.Input(
            shape=tensor.shape[1:], dtype=tensor.dtype, name=tensor.name.split(":")[0]
        )

    if isinstance(structure, dict):
        inputs = {name: fresh(tensor) for name, tensor in structure.items()}
    elif isinstance(structure, list | tuple):
        inputs = [fresh(tensor) for tensor in structure]
    else:
        inputs = fresh(structure)
    outputs = []
    for i, model in enumerate(models):
        model.name = f"member_{i}"  # layer names must be unique in the ensemble's graph
        outputs.append(model(inputs))
    if weights is None:
        average = keras.layers.Average(name="ensemble_average", dtype="float32")(outputs)
    else:
        scaled = [
            keras.layers.Rescaling(float(weight), name=f"weight_{i}", dtype="float32")(output)
            for i, (weight, output) in enumerate(zip(weights, outputs, strict=True))
        ]
        average = keras.layers.Add(name="ensemble_average", dtype="float32")(scaled)
    if temperature != 1.0:
        average = TemperatureScale(temperature, name="calibrated")(average)
    return keras.Model(inputs, average, name="ensemble")


def top_trials_ensemble(
    tuner, ranked: list[TrialRecord], best_model: keras.Model, best: TrialRecord, prepared, feeds
) -> tuple[tuple[keras.Model, list[str]] | None, str]:
    """Returns ((model, member trial ids) or None, a note) for the averaged `ranked` trials.

    The average is kept only when it scores better than `best_model` alone. Judged on
    the validation rows: the test rows stay untouched for the report.
    """
    members, models = [], []
    for record in ranked:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                trial = tuner.oracle.get_trial(record.trial_id)
                models.append(best_model if record is best else tuner.load_model(trial))
            members.append(record.trial_id)
        except (OSError, ValueError):  # its weights were not kept
            continue
    if len(models) < 2:
        return None, ""
    averaged = average_models(models)
    objective, classification = prepared.objective, prepared.classification
    key = (
        objective.name
        if objective.name
        in ("accuracy", "balanced_accuracy", "f1", "auc", "log_loss", "mae", "rmse")
        else None
    )
    y_val = feeds.y_validation
    single = score(classification, y_val, feeds.predict(best_model, feeds.validation))
    joint = score(classification, y_val, feeds.predict(averaged, feeds.validation))
    key = key if key in single else ("log_loss" if classification else "rmse")
    better = (
        joint[key] > single[key]
        if objective.direction == "max" and key == objective.name
        else joint[key] < single[key]
    )
    if not better:
        return None, (
            f"ensemble of {len(models)} not kept: validation {key} {joint[key]:.4f} vs "
            f"{single[key]:.4f} for the best trial alone"
        )
    return (averaged, members), (
        f"exported an ensemble of trials {', '.join(members)} (their average): validation "
        f"{key} {joint[key]:.4f} vs {single[key]:.4f} for the best trial alone"
    )


def fold_export_policy() -> str:
    """Returns how a cross-validated search exports: "trials", "folds" or "refit".

    "trials" (the default): the fold models of the kept trials whose average predicts the
    out-of-fold rows best (`fold_ensemble`), which is the best trial's folds alone unless
    others help. "folds": the best trial's fold models only. "refit": one model retrained
    on all rows. Averaging fold models beat the refit on the test rows of 4 of the eight
    small sets of `benchmarks/search_quality.py --small` at 1 minute, lost on 2
    (benchmarks/README.md); it needs no time kept back from the search (the refit often did
    not fit, and then one fold's model was exported), and cannot fail to converge as one
    unguided retraining can. `AUTOML_CV_EXPORT` picks another, for the benchmarks that
    compare them.
    """
    policy = os.environ.get("AUTOML_CV_EXPORT", "trials")
    return policy if policy in ("folds", "refit") else "trials"


def fold_models(tuner, trial, first: keras.Model, folds: int) -> tuple[list | None, str]:
    """Returns (the trial's `folds` fold models, or None, a note saying which is exported).

    `first` is the trial's model as loaded (its first fold's weights); each other fold is
    built the same way and given its own best epoch's weights. `average_models` joins them.
    """
    if folds < 2:
        return None, "exported the best trial's model of its one fold"
    paths = fold_checkpoints(kt_compat.checkpoint_path(tuner, trial.trial_id), folds)
    if len(paths) < 2:
        return None, "the fold models were not all kept; exported the best trial's first fold"
    weights = first.count_params() * len(paths)
    if weights > FOLD_ENSEMBLE_MAX_WEIGHTS:
        return None, (
            f"the {len(paths)} fold models together hold {weights:,} weights, over "
            f"{FOLD_ENSEMBLE_MAX_WEIGHTS:,}; exported the best trial's first fold alone"
        )
    models = [first, *load_folds(tuner, trial, paths[1:])]
    return models, (
        f"exported the {len(models)} fold models of trial {trial.trial_id} averaged inside "
        "one model (each trained on the other folds' rows)"
    )


def load_folds(tuner, trial, paths: list) -> list[keras.Model]:
    """Returns `trial`'s model built once per weights file in `paths`, with those weights."""
    return [load_weights(build_trial_model(tuner, trial), path) for path in paths]


def build_trial_model(tuner, trial) -> keras.Model:
    """Returns `trial`'s model as built, before any weights are loaded.

    Not `tuner.load_model`, which also loads the trial's checkpoint: reading a weights
    file costs as much as the build (0.1 s for a small table model here), and each fold's
    own file replaces those weights at once.
    """
    return kt_compat.build_hypermodel(tuner, trial.hyperparameters)


def load_weights(model: keras.Model, path) -> keras.Model:
    """Returns `model` with the weights in `path` (a fold's checkpoint)."""
    with warnings.catch_warnings():
        # The checkpoints hold optimizer slots that a model built for inference lacks.
        warnings.simplefilter("ignore", UserWarning)
        model.load_weights(path)
    return model
