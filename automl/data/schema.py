"""Infers what each column of a table is: numeric, categorical, boolean, text, datetime or id."""

from __future__ import annotations

import re
import warnings
from dataclasses import asdict, dataclass, replace

import pandas as pd

from automl.data.kinds import MODEL_KINDS, ColumnKind
from automl.errors import AutoMLError

__all__ = ["MODEL_KINDS", "ColumnKind", "ColumnSchema", "Schema", "infer_schema"]


_BOOLEAN_WORDS = {"true", "false", "yes", "no", "t", "f", "y", "n"}


@dataclass(frozen=True)
class ColumnSchema:
    """One column: its name in the file, a safe tensor name, kind and why."""

    name: str
    input_name: str
    kind: ColumnKind
    missing: int
    distinct: int
    reason: str

    def to_dict(self) -> dict:
        return {**asdict(self), "kind": self.kind.value}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnSchema:
        return cls(**{**data, "kind": ColumnKind(data["kind"])})


@dataclass(frozen=True)
class Schema:
    """All columns of a table, in file order, and the rows it was inferred from."""

    columns: tuple[ColumnSchema, ...]
    rows: int

    def __getitem__(self, name: str) -> ColumnSchema:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def to_dict(self) -> dict:
        return {
            "rows": self.rows,
            "columns": [column.to_dict() for column in self.columns],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Schema:
        return cls(
            columns=tuple(ColumnSchema.from_dict(c) for c in data["columns"]),
            rows=data["rows"],
        )


def infer_schema(frame: pd.DataFrame, column_types: dict[str, str] | None = None) -> Schema:
    """Returns the schema of `frame`, with `column_types` (name -> kind) overriding inference.

    Example:
        >>> schema = infer_schema(pd.DataFrame({"x": [1.5, 2.0], "c": ["a", "b"]}))
        >>> [c.kind.value for c in schema.columns]
        ['numeric', 'categorical']
    """
    column_types = dict(column_types or {})
    for name, kind in column_types.items():
        if name not in frame.columns:
            raise AutoMLError(f"--column-type names column {name!r}, which is not in the data")
        if kind not in {k.value for k in ColumnKind}:
            choices = ", ".join(k.value for k in ColumnKind)
            raise AutoMLError(f"--column-type {name}={kind}: unknown type; choose one of {choices}")
    input_names = safe_input_names([str(c) for c in frame.columns])
    columns = []
    for name in frame.columns:
        series = frame[name]
        if name in column_types:
            kind, reason = ColumnKind(column_types[name]), "set by the user"
        else:
            kind, reason = _infer_kind(str(name), series)
        columns.append(
            ColumnSchema(
                name=str(name),
                input_name=input_names[str(name)],
                kind=kind,
                missing=int(series.isna().sum()),
                distinct=int(series.nunique(dropna=True)),
                reason=reason,
            )
        )
    return Schema(columns=tuple(columns), rows=len(frame))


def retyped(schema: Schema, name: str, kind: ColumnKind) -> Schema:
    """Returns `schema` with column `name` set to `kind` by the user."""
    columns = tuple(
        replace(c, kind=kind, reason="set by the user") if c.name == name else c
        for c in schema.columns
    )
    return replace(schema, columns=columns)


def _infer_kind(name: str, series: pd.Series) -> tuple[ColumnKind, str]:
    values = series.dropna()
    rows = len(values)
    if rows == 0:
        return ColumnKind.NUMERIC, "all values missing"
    distinct = values.nunique()
    if pd.api.types.is_bool_dtype(series):
        return ColumnKind.BOOLEAN, "true/false values"
    if pd.api.types.is_datetime64_any_dtype(series):
        return ColumnKind.DATETIME, "dates/times"
    if pd.api.types.is_numeric_dtype(series):
        integral = bool((values == values.round()).all())
        if integral and distinct == len(series) and len(series) >= 20 and _looks_like_id(name):
            return ColumnKind.ID, "a unique integer per row, named like an identifier"
        if integral and distinct == len(series) and len(series) >= 20 and _is_counter(values):
            return ColumnKind.ID, "a unique, evenly increasing integer per row (a row number)"
        return ColumnKind.NUMERIC, "numbers"
    text = values.astype(str)
    lowered = set(text.str.strip().str.lower().unique())
    if distinct <= 2 and lowered <= _BOOLEAN_WORDS:
        return ColumnKind.BOOLEAN, "two values that read as true/false"
    if _parses_as_dates(text):
        return ColumnKind.DATETIME, "values parse as dates/times"
    mean_words = text.str.split().str.len().mean()
    if distinct > 0.5 * rows and mean_words >= 4:
        return ColumnKind.TEXT, f"free text (about {mean_words:.0f} words a value)"
    if distinct == len(series) and len(series) >= 20:
        return ColumnKind.ID, "a different value in every row"
    return ColumnKind.CATEGORICAL, f"{distinct} distinct values"


def _looks_like_id(name: str) -> bool:
    return bool(re.search(r"(^|[^a-z])(id|key|index|uuid)($|[^a-z])", name.lower()))


def _is_counter(values: pd.Series) -> bool:
    steps = values.diff().dropna().unique()
    return len(steps) == 1 and steps[0] == 1


def _parses_as_dates(text: pd.Series) -> bool:
    sample = text.head(200)
    if not sample.str.contains(r"\d", regex=True).all():
        return False
    if not sample.str.contains(r"[-/:.]", regex=True).all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() > 0.9)


def safe_input_names(names: list[str]) -> dict[str, str]:
    """Returns a valid, unique tensor name for each column name.

    SavedModel signatures and TensorFlow Serving need names made of letters, digits and
    underscores that start with a letter; `bill length (mm)` becomes `bill_length_mm`.

    Example:
        >>> safe_input_names(["bill length (mm)", "2nd", "x"])
        {'bill length (mm)': 'bill_length_mm', '2nd': 'c_2nd', 'x': 'x'}
    """
    result: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_") or "column"
        if not base[0].isalpha():
            base = f"c_{base}"
        candidate, suffix = base, 2
        while candidate.lower() in used:
            candidate, suffix = f"{base}_{suffix}", suffix + 1
        used.add(candidate.lower())
        result[name] = candidate
    return result
