"""Series and forecasting data made ready to search: loaded, labelled, split, with baselines.

The counterparts of `PreparedData` (tables) and `PreparedImages` for numeric series
(`.npz`/`.npy`, long or one-series-per-row CSV) and for forecasting (`--lookback`/`--horizon`).
No TensorFlow here: everything is checked before a search folder is touched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from automl.data.task import Task, TaskKind, class_name, infer_task
from automl.errors import AutoMLError
from automl.search.metrics import Objective, choose_objective, regression_scores
from automl.search.request import SearchRequest

#: 1-nearest-neighbour baselines are skipped above this many train x test pairs (memory).
NEAREST_NEIGHBOUR_PAIRS = 50_000_000


@dataclass(frozen=True)
class PreparedSequences:
    """Labelled numeric series (classification or regression), split by series."""

    sequences: object  # automl.data.sequences.SequenceSet
    test_sequences: object | None
    task: Task
    labels: np.ndarray  # class indices (int64) or values (float32), one per series
    test_labels: np.ndarray
    splits: object  # Splits: positions of series
    objective: Objective
    options: dict  # how to read a file of this form again (predict, --test)
    modality: str = "series"

    @property
    def classification(self) -> bool:
        return self.task.kind.is_classification

    @property
    def task_kind(self) -> str:
        return self.task.kind.value

    @property
    def target(self) -> str:
        return self.task.target

    @property
    def class_names(self) -> tuple[str, ...]:
        return self.task.class_names

    @property
    def rows(self) -> int:
        return len(self.labels)

    @property
    def task_reason(self) -> str:
        return self.task.reason

    @property
    def dropped_rows(self) -> int:
        return int(getattr(self.sequences, "dropped", 0) or 0)

    @property
    def ignored(self) -> dict[str, str]:
        return {}

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

    def serving(self):
        from automl.export.savedmodel import SeriesServing

        return SeriesServing(self.sequences.X.shape[2], tuple(self.sequences.feature_names))

    def baselines(self) -> dict:
        """Returns simple models' test scores, printed beside the searched model's."""
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


@dataclass(frozen=True)
class PreparedForecast:
    """Series over time cut into (lookback -> horizon) windows, split by time."""

    data: object  # automl.data.forecast.ForecastData
    windows: object  # automl.data.forecast.Windows: train, then validation, then test windows
    splits: object  # Splits: positions in `windows`
    lookback: int
    horizon: int
    objective: Objective
    modality: str = "forecast"
    classification: bool = False
    task_kind: str = "forecast"

    @property
    def target(self) -> str:
        return self.data.target

    @property
    def class_names(self) -> tuple[str, ...]:
        return ()

    @property
    def rows(self) -> int:
        return len(self.windows.X)

    @property
    def task_reason(self) -> str:
        return (
            f"forecast {self.data.target!r} {self.horizon} step(s) ahead from the last "
            f"{self.lookback}"
        )

    @property
    def dropped_rows(self) -> int:
        return 0

    @property
    def ignored(self) -> dict[str, str]:
        return dict(getattr(self.data, "ignored", {}) or {})

    def describe(self) -> dict:
        return {
            "forecast": {
                **self.data.to_dict(),
                "lookback": self.lookback,
                "horizon": self.horizon,
                "windows": {
                    "train": len(self.splits.train),
                    "validation": len(self.splits.validation),
                    "test": len(self.splits.test),
                },
            }
        }

    def metadata(self) -> dict:
        return {
            "forecast": {
                "target": self.data.target,
                "feature_names": list(self.data.feature_names),
                "time_column": self.data.time_column,
                "id_column": self.data.id_column,
                "lookback": self.lookback,
                "horizon": self.horizon,
            }
        }

    def serving(self):
        from automl.export.savedmodel import SeriesServing

        return SeriesServing(
            len(self.data.feature_names),
            tuple(self.data.feature_names),
            horizon=self.horizon,
            steps=self.lookback,
        )

    def baselines(self) -> dict:
        """Returns the naive last-value forecast's test scores."""
        from automl.data.forecast import naive_forecast

        test = self.splits.test
        predicted = naive_forecast(self.windows.X[test], self.horizon)
        return {"naive last value": regression_scores(self.windows.y[test], predicted)}


def is_sequence_request(request: SearchRequest) -> bool:
    """Returns whether `request` names series data rather than a table or images."""
    from automl.data.sequences import is_sequence_file

    return bool(
        is_sequence_file(Path(request.data))
        or request.lookback
        or request.series_per_row
        or request.id_column  # a long-format CSV (--time-column orders its steps)
    )


def prepare_sequences(request: SearchRequest):
    """Returns `PreparedForecast` when `--lookback` is given, else `PreparedSequences`."""
    if request.lookback or request.horizon:
        return prepare_forecast(request)
    return _prepare_labelled(request)


def _load(path: Path, request: SearchRequest):
    from automl.data.sequences import load_sequences

    return load_sequences(
        path,
        target=request.target or None,
        id_column=request.id_column,
        time_column=request.time_column,
        series_per_row=request.series_per_row,
    )


def _prepare_labelled(request: SearchRequest) -> PreparedSequences:
    from automl.data.splits import split_rows

    sequences = _load(Path(request.data), request)
    name = request.target if request.target and not request.target.endswith(".npy") else "label"
    task = infer_task(pd.Series(sequences.y, name=name), request.task)
    labels = _encode(sequences.y, task)
    test_sequences = None
    if request.test_file is not None:
        test_sequences = _load(Path(request.test_file), request)
        if test_sequences.X.shape[2] != sequences.X.shape[2]:
            raise AutoMLError(
                f"--test {request.test_file} has {test_sequences.X.shape[2]} feature(s) per "
                f"step; the training data has {sequences.X.shape[2]}"
            )
    splits = split_rows(
        np.arange(len(labels)),
        labels if task.kind.is_classification else None,
        seed=request.seed,
        validation_fraction=request.validation_split,
        test_fraction=0.0 if test_sequences is not None else request.test_split,
    )
    if test_sequences is not None:
        test_labels = _encode(test_sequences.y, task, str(request.test_file))
        splits = replace(splits, test=np.arange(len(test_labels)))
    else:
        test_labels = labels[splits.test]
    options = {
        "target": request.target or None,
        "id_column": request.id_column,
        "time_column": request.time_column,
        "series_per_row": request.series_per_row,
    }
    objective = choose_objective(request.metric, task.kind.is_classification)
    return PreparedSequences(
        sequences, test_sequences, task, labels, test_labels, splits, objective, options
    )


def _encode(values: np.ndarray, task: Task, source: str = "") -> np.ndarray:
    if task.kind is TaskKind.REGRESSION:
        return np.asarray(values, dtype=np.float32)
    index = {name: i for i, name in enumerate(task.class_names)}
    names = [class_name(v.item() if hasattr(v, "item") else v) for v in values]
    unknown = sorted(set(names) - set(index))
    if unknown:
        raise AutoMLError(
            f"{source or 'the labels'} hold classes the training data lacks: "
            f"{', '.join(unknown[:5])}"
        )
    return np.asarray([index[n] for n in names], dtype=np.int64)


def prepare_forecast(request: SearchRequest) -> PreparedForecast:
    from automl.data.forecast import chronological_split, load_forecast
    from automl.data.splits import Splits

    if not request.lookback or not request.horizon:
        raise AutoMLError("forecasting needs both --lookback and --horizon (e.g. 24 and 6)")
    if not request.target:
        raise AutoMLError("--target names the column to forecast")
    if request.test_file is not None:
        raise AutoMLError(
            "--test is not used for forecasting: the last part of each series is the test "
            "period (set its share with --test-split)"
        )
    data = load_forecast(
        Path(request.data),
        request.target,
        time_column=request.time_column,
        id_column=request.id_column,
    )
    train, validation, test = chronological_split(
        data,
        request.lookback,
        request.horizon,
        validation_fraction=request.validation_split,
        test_fraction=request.test_split,
    )
    parts = (train, validation, test)
    windows = _concatenate(parts)
    counts = np.cumsum([0] + [len(p.X) for p in parts])
    splits = Splits(
        train=np.arange(counts[0], counts[1]),
        validation=np.arange(counts[1], counts[2]),
        test=np.arange(counts[2], counts[3]),
        seed=request.seed,
        stratified=False,
    )
    objective = choose_objective(request.metric or "mae", False)
    return PreparedForecast(data, windows, splits, request.lookback, request.horizon, objective)


def _concatenate(parts):
    first = parts[0]
    return replace(
        first,
        **{
            name: np.concatenate([getattr(p, name) for p in parts])
            for name in ("X", "y", "series_index", "origin", "origin_time")
        },
    )
