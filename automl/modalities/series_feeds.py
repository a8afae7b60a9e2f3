"""How numeric series reach the sequence families: float32 arrays, fed as they are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from automl.modalities.base import Prepared
from automl.modalities.families import combine, sequence_family
from automl.modalities.series_prepared import PreparedSequences

if TYPE_CHECKING:
    from automl.search.request import SearchRequest


class SeriesFeeds:
    """Numeric series: rows are float32 arrays fed to the sequence families as they are."""

    #: forecasters see a fixed lookback and predict the series' own future values
    forecast = False
    #: steps a forecaster predicts (0: not a forecaster)
    horizon = 0

    def __init__(self, prepared: PreparedSequences) -> None:
        self.prepared: Prepared = prepared
        splits = prepared.splits
        x_all = prepared.sequences.X
        test_set = prepared.test_sequences or prepared.sequences
        self.y_train = prepared.labels[splits.train]
        self.y_validation = prepared.labels[splits.validation]
        self.y_test = prepared.test_labels
        self.train = x_all[splits.train]
        self.validation = x_all[splits.validation]
        self.test = test_set.X[splits.test]

    def predict(self, model: Any, rows: np.ndarray) -> np.ndarray:
        return np.asarray(model.predict(rows, batch_size=512, verbose=0))

    def join(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        return np.concatenate([first, second])

    def fit_inputs(self, rows: np.ndarray, labels: np.ndarray) -> tuple:
        return rows, labels

    def validation_data(self) -> tuple:
        return (self.validation, self.y_validation)

    def families(self, request: SearchRequest) -> tuple[str, ...]:
        """Returns the families asked for, else those the proposals rank, best first."""
        from automl.modalities.registry import modality_of

        proposed = modality_of(self.prepared).proposals(self.prepared)
        return tuple(request.families) or tuple(p["family"] for p in proposed)

    def hypermodel(self, request: SearchRequest, metrics: list, regression_scale: tuple) -> Any:
        from architectures.sequence import SequenceTask, SeriesInput

        flat = self.train.reshape(-1, self.train.shape[2])
        mean = np.nan_to_num(np.nanmean(flat, axis=0), nan=0.0)
        variance = np.nan_to_num(np.nanvar(flat, axis=0), nan=1.0)
        variance = np.where(variance > 0, variance, 1.0)
        inputs = SeriesInput(
            features=int(self.train.shape[2]),
            mean=tuple(float(v) for v in mean),
            variance=tuple(float(v) for v in variance),
            steps=int(self.train.shape[1]) if self.forecast else None,
            longest=int(self.train.shape[1]),
        )
        prepared = self.prepared
        if prepared.classification:
            task = SequenceTask(prepared.task_kind, classes=len(prepared.class_names))
        elif self.forecast:
            # Forecast targets are the series' own future values: scale them like its inputs.
            task = SequenceTask(
                "forecast",
                outputs=self.horizon,
                target_mean=regression_scale[0],
                target_std=float(np.sqrt(variance[0])),
                target_feature=0,
            )
        else:
            task = SequenceTask(
                "regression",
                outputs=1,
                target_mean=regression_scale[0],
                target_std=regression_scale[1],
                target_feature=0,
            )

        def build(name: str) -> Any:
            return sequence_family(name, inputs, task, metrics, len(self.y_train), request)

        return combine(self.families(request), build)

    def row_values(self, position: int) -> dict[str, str]:
        """Returns what identifies one test row beside a mistake."""
        prepared = self.prepared
        assert isinstance(prepared, PreparedSequences)
        test_set = prepared.test_sequences or prepared.sequences
        row = prepared.splits.test[position]
        return {"series": str(test_set.ids[row]), "length": str(int(test_set.lengths[row]))}

    def check_rows(self) -> dict[str, np.ndarray]:
        """Returns the raw test series, as the SavedModel's signature takes them."""
        return {"series": self.test.astype(np.float32)}
