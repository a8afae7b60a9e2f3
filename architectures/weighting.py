"""Imbalanced classes: class weights offered to the tuner as a hyperparameter.

With a rare class, an unweighted loss can settle on always predicting the common ones.
Weighting each class by n / (classes x its count) makes every class count equally; whether
that helps the objective is for the search to find out, so it is a hyperparameter.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras_tuner
import numpy as np

#: Classes are weighted as a hyperparameter once the largest is this many times the smallest.
IMBALANCE_RATIO = 3.0


def balanced_weights(labels: Sequence[int], classes: int) -> dict[int, float]:
    """Returns n / (classes x count) per class index (1.0 for a class absent in `labels`).

    Example:
        >>> balanced_weights([0, 0, 0, 1], 2)
        {0: 0.6666666666666666, 1: 2.0}
    """
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=classes)
    total = counts.sum()
    return {c: float(total / (classes * counts[c])) if counts[c] else 1.0 for c in range(classes)}


def is_imbalanced(labels: Sequence[int], classes: int) -> bool:
    counts = np.bincount(np.asarray(labels, dtype=np.int64), minlength=classes)
    present = counts[counts > 0]
    return len(present) >= 2 and present.max() >= IMBALANCE_RATIO * present.min()


class ClassWeighting(keras_tuner.HyperModel):
    """Wraps a family's HyperModel and tunes "class_weights" (balanced, or none).

    The first trial uses the weights (default True): on imbalanced data the balanced
    loss is the safer start.
    """

    def __init__(self, hypermodel: keras_tuner.HyperModel, weights: dict[int, float], **kwargs):
        super().__init__(**kwargs)
        self.hypermodel = hypermodel
        self.weights = dict(weights)

    def build(self, hp: keras_tuner.HyperParameters):
        hp.Boolean("class_weights", default=True)
        return self.hypermodel.build(hp)

    def fit(self, hp, model, *args, **kwargs):
        if hp.Boolean("class_weights", default=True):
            kwargs["class_weight"] = self.weights
        return self.hypermodel.fit(hp, model, *args, **kwargs)

    def __getattr__(self, name):
        # Reach the wrapped family's attributes (its space, its families) through here.
        if name == "hypermodel":
            raise AttributeError(name)
        return getattr(self.hypermodel, name)
