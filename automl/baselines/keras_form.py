"""The Keras form of a baseline, refitted on all the rows the search learned from."""

from __future__ import annotations

import numpy as np

from automl.baselines.candidates import Baseline


def baseline_model(hypermodel, baseline: Baseline, features, targets):
    """Returns `baseline` as a Keras model taking the family's raw inputs.

    Args:
        hypermodel: the search's hypermodel; its `baseline_inputs()` and `baseline_head()`
            give the raw inputs, the features and the head.
        features: (rows, width) baseline features of every training and validation row.
        targets: their class indices, values or forecasts.
    """
    from architectures import baselines as forms

    given = hypermodel.baseline_inputs()
    head = hypermodel.baseline_head()
    classes = head.outputs if head.kind == "classes" else 0
    if baseline.kind == "constant":
        if classes:
            values = np.bincount(np.asarray(targets, dtype=int), minlength=classes) / len(targets)
        else:
            values = np.asarray(targets, dtype=float).mean(axis=0)
        return forms.constant_model(given, values, head)
    if baseline.kind == "last_value":
        return naive_model(hypermodel)
    if baseline.kind == "neighbours":
        return forms.nearest_neighbour_model(given, features, targets, baseline.settings["k"], head)
    from sklearn.linear_model import LogisticRegression, Ridge

    if classes:
        fitted = LogisticRegression(C=baseline.settings["C"], max_iter=2000).fit(features, targets)
        weights = np.zeros((features.shape[1], classes))
        bias = np.zeros(classes)
        if len(fitted.classes_) == 2 and classes == 2:
            return forms.linear_model(given, fitted.coef_.T, fitted.intercept_, head)
        if len(fitted.classes_) == 2:  # two of more classes seen: logits for those two
            weights[:, fitted.classes_[1]] = fitted.coef_[0]
            bias[fitted.classes_[1]] = fitted.intercept_[0]
            bias[np.setdiff1d(np.arange(classes), fitted.classes_)] = -1e4
        else:
            weights[:, fitted.classes_] = fitted.coef_.T
            bias[fitted.classes_] = fitted.intercept_
            bias[np.setdiff1d(np.arange(classes), fitted.classes_)] = -1e4  # never seen
        return forms.linear_model(given, weights, bias, head)
    fitted = Ridge(alpha=baseline.settings["alpha"]).fit(features, targets)
    return forms.linear_model(
        given, np.atleast_2d(fitted.coef_).T, np.atleast_1d(fitted.intercept_), head
    )


def naive_model(hypermodel):
    """Returns the naive forecast (the last value, over the horizon) on the family's inputs."""
    from architectures import baselines as forms

    head = hypermodel.baseline_head()
    return forms.last_value_model(hypermodel.baseline_inputs(), head.target_feature, head.outputs)
