"""Simple models fitted on the baseline features and scored on the search's folds.

Each candidate is scored exactly as a trial is: fitted on a fold's training rows, scored on
its held-out rows with the search's objective, averaged over the folds. Its settings (k, the
regularisation) are chosen by that same score, as the search chooses hyperparameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from automl.search.cross_validation import Fold
from automl.search.metrics import Objective, score

#: Neighbour counts tried for the nearest-neighbour baseline.
NEIGHBOURS = (1, 3, 5, 9)
#: Inverse regularisation strengths tried for the logistic baseline (scikit-learn's C).
LOGISTIC_C = (0.01, 0.1, 1.0, 10.0, 100.0)
#: Ridge penalties tried for the linear regression baseline.
RIDGE_ALPHAS = (0.01, 0.1, 1.0, 10.0, 100.0)
#: Above this many stored values (rows x features) the nearest-neighbour baseline is skipped:
#: its Keras form keeps every training row inside the model.
MAX_STORED_VALUES = 20_000_000


@dataclass
class Baseline:
    """One simple model: its settings and its mean score over the folds.

    Attributes:
        name: "majority class", "mean", "nearest neighbour", "linear", "naive last value".
        kind: "constant", "neighbours", "linear" or "last_value" (which Keras form).
        settings: what was chosen ({"k": 3}, {"C": 1.0}, {"alpha": 10.0}).
        scores: every metric, averaged over the folds.
        spread: the objective's standard deviation over the folds.
        held_out: its predictions of each fold's held-out rows, in fold order (for the
            fold ensemble, which may weigh it beside the trials; not saved).
    """

    name: str
    kind: str
    settings: dict = field(default_factory=dict)
    scores: dict = field(default_factory=dict)
    spread: float = 0.0
    held_out: list = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "settings": self.settings,
            "scores": self.scores,
            "spread": self.spread,
        }


def fit_baselines(
    features: np.ndarray | None,
    targets: np.ndarray,
    folds: list[Fold],
    objective: Objective,
    classes: int,
    naive: np.ndarray | None = None,
) -> list[Baseline]:
    """Returns the baselines scored on `folds`, best first by `objective`.

    Args:
        features: (rows, width) baseline features of the pooled rows, or None where rows
            have no fixed width (only the constant baseline then applies).
        targets: class indices, values, or (rows, horizon) forecasts.
        classes: 0 for regression and forecasts.
        naive: the naive last-value forecast of every pooled row (forecasts only).
    """
    classification = classes > 0
    candidates: list[Baseline] = [_constant(targets, folds, objective, classes)]
    if naive is not None:
        candidates.append(
            _scored(
                "naive last value",
                "last_value",
                {},
                folds,
                objective,
                lambda fold: naive[fold.held_out],
                targets,
                classes,
            )
        )
    if features is not None and features.size <= MAX_STORED_VALUES:
        candidates.append(_neighbours(features, targets, folds, objective, classes))
    if features is not None:
        candidates.append(_linear(features, targets, folds, objective, classes))
    sign = -1.0 if objective.direction == "max" else 1.0
    return sorted(
        (c for c in candidates if objective.name in c.scores),
        key=lambda c: (sign * c.scores[objective.name], _loss(c, classification)),
    )


def _loss(baseline: Baseline, classification: bool) -> float:
    return baseline.scores.get("log_loss" if classification else "rmse", float("inf"))


def _constant(targets, folds, objective, classes) -> Baseline:
    def predict(fold: Fold) -> np.ndarray:
        train = targets[fold.train]
        if classes:
            shares = np.bincount(train.astype(int), minlength=classes) / len(train)
            return np.tile(shares, (len(fold.held_out), 1))
        mean = np.asarray(train, dtype=float).mean(axis=0)
        return np.tile(mean, (len(fold.held_out), 1)).reshape(len(fold.held_out), -1)

    name = "majority class" if classes else "mean"
    return _scored(name, "constant", {}, folds, objective, predict, targets, classes)


def _neighbours(features, targets, folds, objective, classes) -> Baseline:
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    def trial(k: int) -> Baseline:
        def predict(fold: Fold) -> np.ndarray:
            k_fold = min(k, len(fold.train))
            if classes:
                model = KNeighborsClassifier(k_fold).fit(features[fold.train], targets[fold.train])
                return _full_proba(model, features[fold.held_out], classes)
            model = KNeighborsRegressor(k_fold).fit(features[fold.train], targets[fold.train])
            return model.predict(features[fold.held_out])

        return _scored(
            "nearest neighbour", "neighbours", {"k": k}, folds, objective, predict, targets, classes
        )

    return _best([trial(k) for k in NEIGHBOURS], objective)


def _linear(features, targets, folds, objective, classes) -> Baseline:
    from sklearn.linear_model import LogisticRegression, Ridge

    def trial(strength: float) -> Baseline:
        def predict(fold: Fold) -> np.ndarray:
            x, y = features[fold.train], targets[fold.train]
            if classes:
                if len(np.unique(y)) < 2:  # a fold with one class: predict it
                    return np.eye(classes)[np.full(len(fold.held_out), int(y[0]))]
                model = LogisticRegression(C=strength, max_iter=2000).fit(x, y)
                return _full_proba(model, features[fold.held_out], classes)
            return Ridge(alpha=strength).fit(x, y).predict(features[fold.held_out])

        key = "C" if classes else "alpha"
        return _scored(
            "linear", "linear", {key: strength}, folds, objective, predict, targets, classes
        )

    return _best([trial(s) for s in (LOGISTIC_C if classes else RIDGE_ALPHAS)], objective)


def _full_proba(model, x: np.ndarray, classes: int) -> np.ndarray:
    """Returns probabilities over all classes, though a fold's model saw only some."""
    proba = np.zeros((len(x), classes))
    proba[:, model.classes_.astype(int)] = model.predict_proba(x)
    return proba


def _scored(name, kind, settings, folds, objective, predict, targets, classes) -> Baseline:
    predicted = [predict(f) for f in folds]
    per_fold = [
        score(bool(classes), targets[f.held_out], output)
        for f, output in zip(folds, predicted, strict=True)
    ]
    keys = set.intersection(*(set(s) for s in per_fold))
    means = {k: float(np.mean([s[k] for s in per_fold])) for k in sorted(keys)}
    spread = float(np.std([s.get(objective.name, np.nan) for s in per_fold]))
    return Baseline(name, kind, dict(settings), means, spread, predicted)


def _best(candidates: list[Baseline], objective: Objective) -> Baseline:
    sign = -1.0 if objective.direction == "max" else 1.0
    return min(candidates, key=lambda c: sign * c.scores.get(objective.name, -sign * np.inf))
