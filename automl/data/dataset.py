"""A loaded table with its schema and task, and the arrays a model reads from it."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from automl.data.loading import read_table
from automl.data.numbers import parse_numbers
from automl.data.schema import MODEL_KINDS, ColumnKind, ColumnSchema, Schema, infer_schema
from automl.data.task import Task, class_name, infer_task
from automl.errors import AutoMLError

#: The dtype each kind of column has as a model input.
INPUT_DTYPES = {
    ColumnKind.NUMERIC: "float32",
    ColumnKind.CATEGORICAL: "string",
    ColumnKind.BOOLEAN: "string",
    ColumnKind.TEXT: "string",
}


@dataclass
class Dataset:
    """A table ready to learn from: the rows, what each column is, and what to predict.

    Rows whose target is missing are dropped on load (counted in `dropped_rows`).
    """

    path: Path
    frame: pd.DataFrame
    schema: Schema
    task: Task
    features: tuple[ColumnSchema, ...]
    ignored: dict[str, str] = field(default_factory=dict)
    dropped_rows: int = 0

    @property
    def target(self) -> str:
        return self.task.target

    def model_inputs(self, frame: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
        """Returns one array per feature, keyed by input name, as the model reads them."""
        return model_inputs(self.frame if frame is None else frame, self.features)

    def target_values(self, frame: pd.DataFrame | None = None) -> np.ndarray:
        """Returns class indices (classification) or float32 values (regression)."""
        series = (self.frame if frame is None else frame)[self.target]
        if not self.task.kind.is_classification:
            return pd.to_numeric(series).to_numpy(dtype=np.float32)
        index = {name: i for i, name in enumerate(self.task.class_names)}
        names = series.map(class_name)
        unknown = sorted(set(names) - set(index))
        if unknown:
            raise AutoMLError(
                f"target {self.target!r} has classes not seen in the training data: "
                f"{', '.join(unknown[:5])}"
            )
        return names.map(index).to_numpy(dtype=np.int64)

    def check_compatible(self, other: pd.DataFrame, source: str) -> pd.DataFrame:
        """Returns `other` (e.g. a --test file) checked to have this data's columns."""
        needed = [c.name for c in self.features] + [self.target]
        missing = [name for name in needed if name not in other.columns]
        if missing:
            raise AutoMLError(f"{source} lacks column(s) {', '.join(map(repr, missing))}")
        # Check types before dropping rows, so errors name the row the user sees.
        model_inputs(other, self.features, source=source)
        other = other[other[self.target].notna()].reset_index(drop=True)
        if other.empty:
            raise AutoMLError(f"{source} has no rows with a value in {self.target!r}")
        self.target_values(other)
        return other


def load_dataset(
    path: str | Path,
    target: str,
    *,
    task: str | None = None,
    ignore: tuple[str, ...] | list[str] = (),
    column_types: dict[str, str] | None = None,
) -> Dataset:
    """Returns the table in `path` ready to predict `target`.

    Raises:
        AutoMLError: unreadable file, unknown column (with the closest name), a target
            with one class or no values, or no usable feature column.

    Example:
        >>> data = load_dataset("assets/samples/penguins.csv", "species")
        >>> data.task.kind.value, data.task.class_names
        ('multiclass', ('Adelie', 'Chinstrap', 'Gentoo'))
    """
    path = Path(path)
    frame = read_table(path)
    require_column(frame, target, "target")
    for name in ignore:
        require_column(frame, name, "--ignore")
    if target in ignore:
        raise AutoMLError(f"{target!r} is the target; it cannot also be ignored")
    schema = infer_schema(frame, column_types)
    dropped = int(frame[target].isna().sum())
    frame = frame[frame[target].notna()].reset_index(drop=True)
    task_info = infer_task(frame[target] if len(frame) else frame[target], task)

    features, ignored = [], {}
    for column in schema.columns:
        if column.name == target:
            continue
        if column.name in ignore:
            ignored[column.name] = "ignored by the user"
        elif column.kind not in MODEL_KINDS:
            ignored[column.name] = f"{column.kind.value} column ({column.reason})"
        elif column.missing == schema.rows:
            ignored[column.name] = "all values missing"
        else:
            features.append(column)
    if not features:
        left_out = ", ".join(f"{name} ({why})" for name, why in ignored.items())
        raise AutoMLError(
            f"no column is left to learn from: {left_out}"
            if ignored
            else f"{path} has only the target column"
        )
    dataset = Dataset(path, frame, schema, task_info, tuple(features), ignored, dropped)
    model_inputs(frame, dataset.features, source=str(path))  # numeric columns must parse
    return dataset


def model_inputs(
    frame: pd.DataFrame, features: tuple[ColumnSchema, ...], source: str = "the data"
) -> dict[str, np.ndarray]:
    """Returns one model-ready array per feature: float32 (NaN = missing) or strings."""
    arrays = {}
    for column in features:
        series = frame[column.name]
        if column.kind is ColumnKind.NUMERIC:
            arrays[column.input_name] = numeric_array(series, column.name, source)
        else:
            arrays[column.input_name] = string_array(series)
    return arrays


def numeric_array(series: pd.Series, name: str, source: str) -> np.ndarray:
    """Returns `series` as float32 with NaN for missing values, or says which value is bad."""
    return parse_numbers(
        series,
        lambda row, value: (
            f"{source}: column {name!r} should hold numbers, but row {row} has {value!r}"
        ),
        np.float32,
    )


def string_array(series: pd.Series) -> np.ndarray:
    """Returns `series` as an object array of strings; missing values become "".

    Not a NumPy `<U` array: that pads every value to the longest one, so one cell of
    200,000 characters would cost 800 kB per row. tf.data takes object arrays of str as is.
    """
    return np.array(["" if pd.isna(v) else class_name(v) for v in series.tolist()], dtype=object)


def require_column(frame: pd.DataFrame, name: str, role: str) -> None:
    if name in frame.columns:
        return
    close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1, cutoff=0.5)
    if not close:
        lowered = {str(c).lower(): str(c) for c in frame.columns}
        close = [lowered[name.lower()]] if name.lower() in lowered else []
    hint = f"; did you mean {close[0]!r}?" if close else ""
    columns = ", ".join(map(str, frame.columns[:12]))
    raise AutoMLError(f"{role} column {name!r} is not in the data (columns: {columns}){hint}")
