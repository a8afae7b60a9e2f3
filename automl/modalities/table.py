"""Tables: a CSV/Parquet/Excel/Feather file, one row per example, a target column.

The catch-all kind: data no other kind recognises is read as a table.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from automl.errors import AutoMLError
from automl.modalities.base import Option, Prepared, Traits
from automl.modalities.card_sections import CardSections
from automl.modalities.table_explain import TableExplainer

if TYPE_CHECKING:
    import pandas as pd

    from automl.data import Dataset
    from automl.export.predict import Predictions
    from automl.export.savedmodel import TableServing
    from automl.search.request import SearchRequest


@dataclass(frozen=True, kw_only=True, eq=False)
class PreparedTable(Prepared):
    """A table ready to search: its dataset and the frame its test rows come from."""

    dataset: Dataset
    #: the frame the test rows come from (the data, or the --test file)
    test_frame: pd.DataFrame

    def describe(self) -> dict:
        return {
            "schema": self.dataset.schema.to_dict(),
            "task": self.dataset.task.to_dict(),
            "features": [c.name for c in self.dataset.features],
            "ignored_columns": self.dataset.ignored,
        }

    def metadata(self) -> dict:
        return {"ignored_columns": self.dataset.ignored, "schema": self.dataset.schema.to_dict()}

    def baselines(self) -> dict:
        return {}  # benchmarks/tabular_vs_baselines.py compares tables with sklearn models

    def serving(self) -> TableServing:
        """Returns the SavedModel's inputs: one per raw column."""
        from automl.export.savedmodel import ServingInput, TableServing

        return TableServing(
            tuple(
                ServingInput(
                    c.name,
                    c.input_name,
                    "float32" if c.kind.value == "numeric" else "string",
                    c.kind.value,
                )
                for c in self.dataset.features
            )
        )


def prepare_table(request: SearchRequest, modality: str | None = None) -> PreparedTable:
    """Returns the table the request names, loaded and split.

    Its kind is `modality`, or (None) "text" when its one feature is free text, else "table".
    """
    from automl.data import load_dataset, read_table
    from automl.data.splits import split_rows
    from automl.modalities.image_data import refuse_image_folder
    from automl.modalities.text_rule import text_feature
    from automl.search.metrics import choose_objective

    if not request.target:
        raise AutoMLError("--target is required for a table: name the column to predict")
    for path in (request.data, request.test_file):
        if path is not None:
            refuse_image_folder(path)
    dataset = load_dataset(
        request.data,
        request.target,
        task=request.task,
        ignore=request.ignore,
        column_types=request.column_types,
    )
    classification = dataset.task.kind.is_classification
    objective = choose_objective(request.metric, classification)
    test_frame = dataset.frame
    if request.test_file is not None:
        test_frame = dataset.check_compatible(read_table(request.test_file), str(request.test_file))
    labels = dataset.target_values() if classification else None
    splits = split_rows(
        np.arange(len(dataset.frame)),
        labels,
        seed=request.seed,
        validation_fraction=request.validation_split,
        test_fraction=0.0 if request.test_file is not None else request.test_split,
    )
    if request.test_file is not None:
        splits = replace(splits, test=np.arange(len(test_frame)))
    if modality is None:
        kinds = {c.name: c.kind.value for c in dataset.features}
        modality = "text" if text_feature(kinds) else "table"
    return PreparedTable(
        modality=modality,
        splits=splits,
        objective=objective,
        classification=classification,
        task_kind=dataset.task.kind.value,
        target=dataset.target,
        task_reason=dataset.task.reason,
        class_names=dataset.task.class_names,
        rows=len(dataset.frame),
        dropped_rows=dataset.dropped_rows,
        ignored=dataset.ignored,
        dataset=dataset,
        test_frame=test_frame,
    )


class TableFeeds:
    """Tables: rows are dicts of column arrays, fed through tf.data by the dense family."""

    def __init__(self, prepared: PreparedTable) -> None:
        dataset, splits = prepared.dataset, prepared.splits
        self.prepared = prepared
        self.dataset = dataset
        frame = dataset.frame
        self.test_frame = prepared.test_frame.iloc[splits.test]
        self.train = dataset.model_inputs(frame.iloc[splits.train])
        self.validation = dataset.model_inputs(frame.iloc[splits.validation])
        self.test = dataset.model_inputs(self.test_frame)
        self.y_train = dataset.target_values(frame.iloc[splits.train])
        self.y_validation = dataset.target_values(frame.iloc[splits.validation])
        self.y_test = dataset.target_values(self.test_frame)

    def predict(self, model: Any, rows: dict[str, np.ndarray]) -> np.ndarray:
        from automl.search.arrays import predict

        return predict(model, rows)

    def join(self, first: dict, second: dict) -> dict:
        return {k: np.concatenate([first[k], second[k]]) for k in first}

    def fit_inputs(self, rows: dict, labels: np.ndarray) -> tuple:
        """Returns (x, y) as the family's `fit` takes them."""
        return rows, labels

    def validation_data(self) -> tuple:
        return (self.validation, self.y_validation)

    def hypermodel(self, request: SearchRequest, metrics: list, regression_scale: tuple) -> Any:
        from architectures.dense import DenseHyperModel, TabularTask
        from automl.search.features import describe_features

        task = self.dataset.task
        if task.kind.is_classification:
            head = TabularTask(task.kind.value, len(task.class_names))
        else:
            head = TabularTask(
                "regression", target_mean=regression_scale[0], target_std=regression_scale[1]
            )
        return DenseHyperModel(
            describe_features(self.dataset, self.train),
            head,
            metrics=metrics,
            train_rows=len(self.y_train),
            seed=request.seed,
            space=request.space_for("dense"),
        )

    def row_values(self, position: int) -> dict[str, str]:
        """Returns one test row's raw values as text, shown beside a mistake."""
        row = self.test_frame.iloc[position]
        return {str(k): "" if v is None or v != v else str(v) for k, v in row.items()}

    def check_rows(self) -> dict[str, np.ndarray]:
        """Returns the raw test inputs, as the SavedModel's signature takes them.

        Strings become `<U` arrays here only: `.npz` stores object arrays by pickling them.
        """
        return {k: v.astype(str) if v.dtype == object else v for k, v in self.test.items()}


def predict_table(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns predictions for every row of a table, in the file's order."""
    from automl.data import read_table
    from automl.export.predict import Predictions, labelled, serve_in_batches

    frame = read_table(data)
    inputs, notes = model_inputs(frame, metadata, str(data))
    result = frame.copy()
    for name, values in labelled(serve_in_batches(model_dir, inputs), metadata).items():
        result[name] = values
    return Predictions(result, tuple(notes))


def model_inputs(
    frame: pd.DataFrame, metadata: dict, source: str
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Returns the signature's inputs built from `frame`'s columns, and notes for the user."""
    from automl.data.dataset import numeric_array, string_array

    expected = [spec["column"] for spec in metadata["inputs"]]
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
            hints.append(f"{name!r}" + (f" (found {close[0]!r}: renamed?)" if close else ""))
        raise AutoMLError(f"{source} lacks column(s) the model needs: {', '.join(hints)}")
    notes = []
    known = set(expected) | {metadata.get("target")}
    extra = [str(c) for c in frame.columns if c not in known]
    if extra:
        notes.append(f"ignored column(s) the model does not use: {', '.join(extra)}")
    arrays = {}
    for spec in metadata["inputs"]:
        series = frame[spec["column"]]
        if spec["dtype"] == "float32":
            arrays[spec["input_name"]] = numeric_array(series, spec["column"], source)
        else:
            arrays[spec["input_name"]] = string_array(series)
    return arrays, notes


class TableModality:
    """Tables: every column a feature except the target (and those left out)."""

    name = "table"
    priority = 100  # the catch-all: asked last
    traits = Traits(column_choices=True, page_family="dense")
    options: tuple[Option, ...] = ()
    #: its parts of the model card (inputs table, usage snippet)
    card = CardSections()
    #: permutation importance per raw column (`automl explain`)
    explainer = TableExplainer(model_inputs)

    def recognises(self, request: SearchRequest) -> bool:
        return True

    def check_request(self, request: SearchRequest) -> None:
        return None

    def prepare(self, request: SearchRequest) -> PreparedTable:
        return prepare_table(request, modality=None if request.modality is None else self.name)

    def feeds(self, prepared: Prepared) -> TableFeeds:
        assert isinstance(prepared, PreparedTable)
        return TableFeeds(prepared)

    def proposals(self, prepared: Prepared) -> list[dict]:
        from automl.propose import propose_for_table

        assert isinstance(prepared, PreparedTable)
        return propose_for_table(prepared.dataset.schema, prepared.target, prepared.task_kind)

    def summary(self, prepared: Prepared) -> dict:
        assert isinstance(prepared, PreparedTable)
        return {
            "modality": prepared.modality,
            "task": prepared.task_kind,
            "samples": prepared.rows,
            "features": [c.name for c in prepared.dataset.features],
            "classes": len(prepared.class_names),
        }

    def serving_from_metadata(self, metadata: dict) -> TableServing:
        from automl.export.savedmodel import ServingInput, TableServing

        return TableServing(tuple(ServingInput(**spec) for spec in metadata["inputs"]))

    def predict_file(self, model_dir: Path, metadata: dict, data: Path) -> Predictions:
        return predict_table(model_dir, metadata, data)


MODALITY = TableModality()
