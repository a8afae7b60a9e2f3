"""What a search trains with: precision, device strategy, metric, hypermodel and tuner."""

from __future__ import annotations

import sys
from pathlib import Path

import keras
import keras_tuner

from automl.errors import AutoMLError
from automl.search.request import SearchRequest
from automl.search.state import SearchState
from automl.search.tuners import make_tuner


def set_precision(precision: str, device: str) -> str:
    """Returns a note when `--precision mixed` cannot apply here, else ""; sets the policy.

    Mixed precision needs a GPU; on a CPU the search trains in float32 and says so.
    """
    policy, note = "float32", ""
    if precision == "mixed":
        if device.startswith("gpu"):
            # Keras scales the loss itself under this policy; the output layers of
            # every family are float32, so probabilities and values stay exact.
            policy = "mixed_float16"
        else:
            note = "--precision mixed needs a GPU; training in float32 on the CPU"
            print(f"warning: {note}", file=sys.stderr, flush=True)
    keras.mixed_precision.set_global_policy(policy)
    return note


def distribution_strategy(name: str | None):
    """Returns the `tf.distribute` strategy `--strategy` names, or None for the default."""
    if name != "mirrored":
        return None
    import tensorflow as tf

    return tf.distribute.MirroredStrategy()


def keras_metrics(prepared) -> list:
    """Returns the metrics Keras tracks while training, for the objective of `prepared`.

    Classifiers also track the plain log loss: it breaks ties between trials and is the
    `log_loss` objective (see `metrics.tie_loss`).
    """
    name = prepared.objective.keras_metric
    if name == "rmse":
        return [keras.metrics.RootMeanSquaredError(name="rmse")]
    if prepared.classification:
        return ["accuracy", keras.metrics.SparseCategoricalCrossentropy(name="log_loss")]
    return [keras.metrics.MeanAbsoluteError(name="mae")]


def build_hypermodel(request: SearchRequest, prepared, feeds) -> keras_tuner.HyperModel:
    """Returns the hypermodel to search: the modality's, with class weights if imbalanced."""
    y_train = feeds.y_train
    scale = (float(y_train.mean()), float(y_train.std() or 1.0))
    hypermodel = feeds.hypermodel(request, keras_metrics(prepared), scale)
    if prepared.classification:
        from architectures.weighting import ClassWeighting, balanced_weights, is_imbalanced

        classes = len(prepared.class_names)
        if is_imbalanced(y_train, classes):
            # Balanced class weights become a hyperparameter the search can take or leave.
            hypermodel = ClassWeighting(hypermodel, balanced_weights(y_train, classes))
    return hypermodel


def build_tuner(
    request: SearchRequest,
    hypermodel: keras_tuner.HyperModel,
    objective,
    out: Path,
    state: SearchState,
    reload: bool,
):
    """Returns the reporting tuner of the search (`reload`: its oracle from `out`).

    Raises:
        AutoMLError: the search space cannot build a model.
    """
    try:
        return make_tuner(
            request.tuner,
            hypermodel,
            objective=keras_tuner.Objective(objective.monitor, objective.direction),
            max_trials=request.max_trials,
            max_epochs=request.max_epochs,
            directory=str(out),
            seed=request.seed,
            search_state=state,
            resume=reload,
            checkpoint_every_s=request.checkpoint_every_s,
            # An ensemble needs its members' weights.
            keep_checkpoints=None
            if request.keep_checkpoints is None
            else max(request.keep_checkpoints, request.ensemble),
            distribution_strategy=distribution_strategy(request.strategy),
        )
    except AutoMLError:
        raise
    except Exception as error:  # Keras Tuner builds one model up front, with defaults
        reason = str(error).strip().splitlines()[-1][:200] if str(error).strip() else ""
        raise AutoMLError(
            f"the search space cannot build a model ({type(error).__name__}: {reason}); "
            "narrow it with --space"
        ) from error
