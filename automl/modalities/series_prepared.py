"""Labelled series prepared for a search: the typed `Prepared` of the series kind.

Its own module so that the series room and its feeds both import it, neither the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from automl.modalities.base import Prepared

if TYPE_CHECKING:
    from automl.data.task import Task
    from automl.export.savedmodel import SeriesServing
    from automl.modalities.series_data import SequenceSet

#: 1-nearest-neighbour baselines are skipped above this many train x test pairs (memory).
NEAREST_NEIGHBOUR_PAIRS = 50_000_000


@dataclass(frozen=True, kw_only=True, eq=False)
class PreparedSequences(Prepared):
    """Labelled numeric series (classification or regression), split by series."""

    sequences: SequenceSet
    test_sequences: SequenceSet | None
    task: Task
    #: class indices (int64) or values (float32), one per series
    labels: np.ndarray
    test_labels: np.ndarray
    #: how to read a file of this form again (predict, --test)
    options: dict[str, str | bool | None]

    def describe(self) -> dict:
        return {
            "sequences": self.sequences.to_dict(),
            "test_sequences": self.test_sequences.to_dict() if self.test_sequences else None,
            "task": self.task.to_dict(),
        }

    def metadata(self) -> dict:
        summary = self.sequences.to_dict()
        return {
            "sequences": {
                "features": summary["features"],
                "feature_names": summary["feature_names"],
                "steps": summary["steps"],
                "form": summary["form"],
                **self.options,
            }
        }

    def serving(self) -> SeriesServing:
        from automl.export.savedmodel import SeriesServing

        return SeriesServing(self.sequences.X.shape[2], tuple(self.sequences.feature_names))

    def baselines(self) -> dict:
        """Returns a 1-nearest-neighbour model's test scores."""
        from automl.search.metrics import regression_scores

        train = np.concatenate([self.splits.train, self.splits.validation])
        test_set = self.test_sequences or self.sequences
        x_train = _flat(self.sequences.X[train])
        x_test = _flat(test_set.X[self.splits.test])
        if x_train.shape[1] != x_test.shape[1]:  # a --test file of another length
            width = min(x_train.shape[1], x_test.shape[1])
            x_train, x_test = x_train[:, :width], x_test[:, :width]
        y_train, y_test = self.labels[train], self.test_labels
        if len(x_train) * len(x_test) > NEAREST_NEIGHBOUR_PAIRS:
            return {}
        from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

        model = KNeighborsClassifier(1) if self.classification else KNeighborsRegressor(1)
        predicted = model.fit(x_train, y_train).predict(x_test)
        if self.classification:
            return {"1-nearest neighbour": {"accuracy": float(np.mean(predicted == y_test))}}
        return {"1-nearest neighbour": regression_scores(y_test, predicted)}


def _flat(x: np.ndarray) -> np.ndarray:
    """Returns series as flat rows for a distance baseline: padding (NaN) reads as 0."""
    return np.nan_to_num(x.reshape(len(x), -1), nan=0.0)
