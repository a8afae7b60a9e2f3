"""Labelled numeric series: `.npz`/`.npy` arrays, a long-format CSV (`--id-column`), or a CSV
with one series per row (`--series-per-row`); classification or regression of each series.

Rows are float32 arrays (samples, steps, features), NaN-padded after short series.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.errors import AutoMLError
from automl.modalities.base import Option, Prepared, Traits
from automl.modalities.card_sections import SeriesCardSections
from automl.modalities.series_explain import SeriesExplainer
from automl.modalities.series_prepared import PreparedSequences

if TYPE_CHECKING:
    from automl.data.task import Task
    from automl.export.predict import Predictions
    from automl.export.savedmodel import SeriesServing
    from automl.modalities.series_data import SequenceSet
    from automl.modalities.series_feeds import SeriesFeeds
    from automl.search.request import SearchRequest

ID_COLUMN = Option("id_column", "str", "long-format series: the series id", metavar="COL")
TIME_COLUMN = Option(
    "time_column", "str", "series or forecasting: the column to order by", metavar="COL"
)
SERIES_PER_ROW = Option(
    "series_per_row",
    "bool",
    "a CSV whose every row is one series (columns are its steps) plus --target",
)


def _load(path: Path, request: SearchRequest) -> SequenceSet:
    from automl.modalities.series_data import load_sequences

    return load_sequences(
        path,
        target=request.target or None,
        id_column=request.options.get("id_column"),
        time_column=request.options.get("time_column"),
        series_per_row=bool(request.options.get("series_per_row")),
    )


def prepare_series(request: SearchRequest) -> PreparedSequences:
    """Returns the labelled series the request names, split by series."""
    import pandas as pd

    from automl.data.splits import split_rows
    from automl.data.task import infer_task
    from automl.search.metrics import choose_objective

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
        "id_column": request.options.get("id_column"),
        "time_column": request.options.get("time_column"),
        "series_per_row": bool(request.options.get("series_per_row")),
    }
    classification = task.kind.is_classification
    return PreparedSequences(
        modality="series",
        splits=splits,
        objective=choose_objective(request.metric, classification),
        classification=classification,
        task_kind=task.kind.value,
        target=task.target,
        task_reason=task.reason,
        class_names=task.class_names,
        rows=len(labels),
        dropped_rows=int(getattr(sequences, "dropped", 0) or 0),
        sequences=sequences,
        test_sequences=test_sequences,
        task=task,
        labels=labels,
        test_labels=test_labels,
        options=options,
    )


def _encode(values: np.ndarray, task: Task, source: str = "") -> np.ndarray:
    from automl.data.task import TaskKind, class_name

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


def series_summary(prepared: PreparedSequences | Any, x: np.ndarray, horizon: int = 0) -> dict:
    """Returns the plain description `automl.propose.propose_for_sequences` reads."""
    return {
        "modality": prepared.modality,
        "task": prepared.task_kind,
        "samples": int(x.shape[0]),
        "steps": int(x.shape[1]),
        "features": int(x.shape[2]),
        "classes": len(prepared.class_names),
        "horizon": horizon,
        "text_column": None,
    }


def labelled_summary(data: SequenceSet, label: str) -> dict:
    """Returns what the GUI and `propose_for_sequences` read about labelled series.

    Holds the task told by the labels, and per class its count (or, for regression,
    the labels' range).
    """
    import pandas as pd

    from automl.data.task import class_name, infer_task

    task = infer_task(pd.Series(data.y, name=label))
    summary = {
        **data.to_dict(),
        "modality": "series",
        "task": task.kind.value,
        "task_reason": task.reason,
        "label": label,
        "classes": len(task.class_names),
        "class_counts": {},
        "horizon": 0,
        "text_column": None,
    }
    if not task.class_names:
        values = np.asarray(data.y, dtype=float)
        summary["label_range"] = [float(np.nanmin(values)), float(np.nanmax(values))]
        return summary
    names = [class_name(v.item() if hasattr(v, "item") else v) for v in data.y]
    counts = {name: 0 for name in task.class_names}
    for name in names:
        counts[name] += 1
    summary["class_counts"] = counts
    return summary


def check_features(found: Sequence[str], expected: list[str], source: Path) -> None:
    """Raises AutoMLError when a file has another number of features per step."""
    if len(found) != len(expected):
        raise AutoMLError(
            f"{source} has {len(found)} feature(s) per step; the model was trained on "
            f"{len(expected)} ({', '.join(expected)})"
        )


def series_for_model(data: Path, metadata: dict, target: str | None = None):
    """Returns the series of `data` read as an exported model's training data was.

    Labels are read when the file has them (`target`, else the training target column),
    never required.

    Raises:
        AutoMLError: the series' channels are not those the model was trained on.
    """
    from automl.modalities.series_data import load_sequences

    options = metadata["sequences"]
    target = target or options.get("target")
    if target and str(target).endswith(".npy"):
        target = None  # a training `--target y.npy` names the training labels, not the file's
    sequences = load_sequences(
        data,
        target=target,
        id_column=options.get("id_column"),
        time_column=options.get("time_column"),
        series_per_row=bool(options.get("series_per_row")),
        require_labels=False,
    )
    check_features(sequences.feature_names, options["feature_names"], data)
    return sequences


def predict_series(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns one row per series: its id, `prediction` and `proba_<class>` (or the value).

    The file is read the way the training data was (`.npz`, `.npy`, long or wide CSV);
    labels in it, if any, are ignored.
    """
    import pandas as pd

    from automl.export.predict import Predictions, labelled, serve_in_batches

    options = metadata["sequences"]
    sequences = series_for_model(data, metadata)
    outputs = serve_in_batches(model_dir, {"series": sequences.X.astype(np.float32)})
    result = pd.DataFrame({options.get("id_column") or "series": sequences.ids})
    for name, values in labelled(outputs, metadata).items():
        result[name] = values
    return Predictions(result, ())


class SeriesModality:
    """Labelled numeric series, one label per series."""

    name = "series"
    priority = 30
    traits = Traits(samples="series", families_chosen=True)
    options: tuple[Option, ...] = (ID_COLUMN, TIME_COLUMN, SERIES_PER_ROW)
    #: its parts of the model card (inputs table, usage snippet)
    card = SeriesCardSections()
    #: attribution per time step and channel, per class (`automl explain`)
    explainer = SeriesExplainer(series_for_model)

    def recognises(self, request: SearchRequest) -> bool:
        from automl.modalities.series_data import is_sequence_file

        options = request.options
        return bool(
            is_sequence_file(Path(request.data))
            or options.get("series_per_row")
            or options.get("id_column")  # a long-format CSV (--time-column orders its steps)
        )

    def check_request(self, request: SearchRequest) -> None:
        return None

    def prepare(self, request: SearchRequest) -> PreparedSequences:
        return prepare_series(request)

    def feeds(self, prepared: Prepared) -> SeriesFeeds:
        from automl.modalities.series_feeds import SeriesFeeds

        assert isinstance(prepared, PreparedSequences)
        return SeriesFeeds(prepared)

    def proposals(self, prepared: Prepared) -> list[dict]:
        from automl.propose import propose_for_sequences

        return propose_for_sequences(self.summary(prepared))

    def summary(self, prepared: Prepared) -> dict:
        assert isinstance(prepared, PreparedSequences)
        return series_summary(prepared, prepared.sequences.X)

    def serving_from_metadata(self, metadata: dict) -> SeriesServing:
        from automl.export.savedmodel import series_serving

        return series_serving(metadata)

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Predictions:
        return predict_series(model_dir, metadata, data)


MODALITY = SeriesModality()
