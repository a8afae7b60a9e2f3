"""Objective metrics: what the tuner optimises, and the scores reported on held-out rows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn import metrics as skm

from automl.errors import AutoMLError


@dataclass(frozen=True)
class Objective:
    """A metric the user can choose with `--metric`."""

    name: str
    direction: str  # "max" or "min"
    keras_metric: str | None  # computed by Keras during fit, else by our callback
    classification: bool

    @property
    def monitor(self) -> str:
        """Returns the name Keras logs carry for the validation value.

        Log loss is the compiled "log_loss" metric, not the training loss: that one adds
        label smoothing and weight penalties, which differ from trial to trial.
        """
        return f"val_{self.name}"


def tie_loss(metrics: dict) -> float | None:
    """Returns the validation loss that breaks ties between trials, from epoch logs.

    For classes, the plain log loss (`val_log_loss`): the training loss (`val_loss`)
    carries each trial's own label smoothing and L2 penalty, so it favours the trials
    that smooth and penalise least, whatever their predictions. Older records lack it.
    """
    value = metrics.get("val_log_loss")
    return metrics.get("val_loss") if value is None else value


OBJECTIVES = {
    o.name: o
    for o in (
        Objective("accuracy", "max", "accuracy", True),
        Objective("balanced_accuracy", "max", None, True),
        Objective("auc", "max", None, True),
        Objective("f1", "max", None, True),
        Objective("log_loss", "min", None, True),
        Objective("mae", "min", "mae", False),
        Objective("rmse", "min", "rmse", False),
    )
}


def choose_objective(name: str | None, classification: bool) -> Objective:
    """Returns the objective named `name`, or the default for the task.

    Raises:
        AutoMLError: unknown name, or a metric that does not fit the task.
    """
    if name is None:
        return OBJECTIVES["accuracy" if classification else "rmse"]
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = {"logloss": "log_loss", "balanced": "balanced_accuracy", "roc_auc": "auc"}.get(key, key)
    if key not in OBJECTIVES:
        raise AutoMLError(f"--metric {name}: unknown metric; choose one of {', '.join(OBJECTIVES)}")
    objective = OBJECTIVES[key]
    if objective.classification != classification:
        task = "classification" if classification else "regression"
        fits = [o.name for o in OBJECTIVES.values() if o.classification == classification]
        raise AutoMLError(f"--metric {key} does not fit {task}; choose one of {', '.join(fits)}")
    return objective


def classification_scores(y_true: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """Returns accuracy, balanced accuracy, macro F1, log loss and AUC for class indices."""
    y_true = np.asarray(y_true).astype(int)
    proba = np.clip(np.asarray(proba, dtype=np.float64), 1e-7, 1)
    proba = proba / proba.sum(axis=1, keepdims=True)
    n_classes = proba.shape[1]
    predicted = proba.argmax(axis=1)
    labels = list(range(n_classes))
    scores = {
        "accuracy": float(skm.accuracy_score(y_true, predicted)),
        "balanced_accuracy": float(_balanced_accuracy(y_true, predicted)),
        "f1": float(
            skm.f1_score(y_true, predicted, average="macro", labels=labels, zero_division=0)
        ),
        "log_loss": float(skm.log_loss(y_true, proba, labels=labels)),
    }
    present = np.unique(y_true)
    if len(present) >= 2:
        if n_classes == 2:
            scores["auc"] = float(skm.roc_auc_score(y_true, proba[:, 1]))
        elif len(present) == n_classes:
            scores["auc"] = float(
                skm.roc_auc_score(y_true, proba, multi_class="ovr", labels=labels)
            )
    return scores


def _balanced_accuracy(y_true: np.ndarray, predicted: np.ndarray) -> float:
    # Mean recall over the classes present, without sklearn's warning on absent ones.
    recalls = [np.mean(predicted[y_true == c] == c) for c in np.unique(y_true)]
    return float(np.mean(recalls))


def regression_scores(y_true: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Returns MAE, RMSE and R² of `predicted` against `y_true`."""
    y_true = np.asarray(y_true, dtype=float).ravel()
    predicted = np.asarray(predicted, dtype=float).ravel()
    scores = {
        "mae": float(skm.mean_absolute_error(y_true, predicted)),
        "rmse": float(np.sqrt(skm.mean_squared_error(y_true, predicted))),
    }
    if len(y_true) >= 2:
        scores["r2"] = float(skm.r2_score(y_true, predicted))
    return scores


def score(classification: bool, y_true: np.ndarray, output: np.ndarray) -> dict[str, float]:
    """Returns every reported metric for a model's `output` on rows with `y_true`."""
    if classification:
        return classification_scores(y_true, output)
    return regression_scores(y_true, output)
