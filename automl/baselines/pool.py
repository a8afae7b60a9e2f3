"""The rows a search learns from, pooled, turned into baseline features, and scored."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from automl.baselines.candidates import Baseline, fit_baselines
from automl.search.cross_validation import Fold
from automl.search.metrics import Objective

#: Above this many pooled rows no baseline is fitted: the search's own split is then large
#: enough to rank trials, and a nearest-neighbour model would carry too many rows.
MAX_POOLED_ROWS = 50_000


@dataclass
class BaselinePool:
    """Baselines fitted on a search's training and validation rows, best first.

    Attributes:
        baselines: scored on the folds, best first by the objective.
        protocol: how they were scored ("the validation rows", "5-fold cross-validation").
        seconds: time spent encoding and fitting.
    """

    hypermodel: object
    features: np.ndarray | None
    targets: np.ndarray
    baselines: list[Baseline] = field(default_factory=list)
    protocol: str = "the validation rows"
    seconds: float = 0.0

    @property
    def best(self) -> Baseline | None:
        return self.baselines[0] if self.baselines else None

    def keras_model(self, baseline: Baseline):
        """Returns `baseline` refitted on every pooled row, as a Keras model."""
        from automl.baselines.keras_form import baseline_model

        return baseline_model(self.hypermodel, baseline, self.features, self.targets)


def pool_baselines(
    hypermodel,
    feeds,
    objective: Objective,
    classes: int,
    folds: list[Fold] | None = None,
    protocol: str = "the validation rows",
) -> BaselinePool | None:
    """Returns the baselines scored like the trials, or None for data too large to pool.

    Args:
        hypermodel: the search's hypermodel (its `baseline_inputs`, `baseline_head`).
        feeds: the search's feeds: `train`, `validation`, their labels, `join`, `predict`.
        folds: positions in the pooled rows (training rows first, then validation rows);
            None scores on the validation rows after training on the training rows, as a
            single-split search scores its trials.
    """
    began = time.monotonic()
    n_train, n_validation = len(feeds.y_train), len(feeds.y_validation)
    if n_train + n_validation > MAX_POOLED_ROWS or not n_validation:
        return None
    rows = feeds.join(feeds.train, feeds.validation)
    targets = np.concatenate([feeds.y_train, feeds.y_validation])
    if folds is None:
        folds = [Fold(np.arange(n_train), np.arange(n_train, n_train + n_validation))]
    given = hypermodel.baseline_inputs()
    features = None
    if given.features is not None:
        features = np.asarray(feeds.predict(given.encoder(), rows), dtype="float64")
        features = features.reshape(len(features), -1)
    naive = None
    if hypermodel.baseline_head().kind == "forecast":
        from automl.baselines.keras_form import naive_model

        naive = np.asarray(feeds.predict(naive_model(hypermodel), rows), dtype="float64")
    pool = BaselinePool(hypermodel, features, targets, protocol=protocol)
    pool.baselines = fit_baselines(features, targets, folds, objective, classes, naive=naive)
    pool.seconds = time.monotonic() - began
    return pool
