"""Series in a table: long format (one row per step, `--id-column`) or wide (one series per
row, `--series-per-row`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from automl.data.dataset import require_column
from automl.data.numbers import parse_numbers
from automl.data.times import time_values
from automl.errors import AutoMLError
from automl.modalities.series_arrays import pad_series, series_lengths

#: A wide table needs at least this many step columns before we suggest `--series-per-row`.
MIN_WIDE_STEPS = 10


def looks_like_series_per_row(
    frame: pd.DataFrame, target: str | None = None, id_column: str | None = None
) -> bool:
    """Returns True when a table looks like one series per row, so `--series-per-row` fits.

    That is: at least `MIN_WIDE_STEPS` columns besides the target and id, all numeric,
    named by increasing integers (`0, 1, 2...`) or one prefix with increasing integer
    suffixes (`t0, t1...`, `step_1, step_2...`).

    Example:
        >>> wide = pd.DataFrame([[0.0] * 12 + ["a"]], columns=[*(f"t{i}" for i in range(12)), "y"])
        >>> looks_like_series_per_row(wide, "y"), looks_like_series_per_row(wide.iloc[:, 8:], "y")
        (True, False)
    """
    names = [str(c) for c in frame.columns if c not in (target, id_column)]
    if len(names) < MIN_WIDE_STEPS:
        return False
    parts = [re.fullmatch(r"(.*?)(\d+)", name) for name in names]
    if not all(parts):
        return False
    prefixes = {match.group(1) for match in parts}  # type: ignore[union-attr]
    numbers = [int(match.group(2)) for match in parts]  # type: ignore[union-attr]
    if len(prefixes) != 1 or any(b <= a for a, b in zip(numbers, numbers[1:], strict=False)):
        return False
    return all(
        pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
        for c in frame.columns
        if c not in (target, id_column)
    )


def long_series(
    frame: pd.DataFrame,
    target: str | None,
    id_column: str,
    time_column: str | None,
    source: str,
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, tuple[str, ...], np.ndarray]:
    require_column(frame, id_column, "id")
    if time_column is not None:
        require_column(frame, time_column, "time")
    taken = [name for name in (id_column, time_column, target) if name is not None]
    if len(set(taken)) != len(taken):
        raise AutoMLError(
            f"the id, time and target columns must differ ({', '.join(map(repr, taken))})"
        )
    names = [str(c) for c in frame.columns if c not in taken]
    if not names:
        raise AutoMLError(
            f"{source} has no feature columns: besides {', '.join(map(repr, taken))} it "
            f"needs at least one numeric column of values per step"
        )
    why = (
        "in a long-format file every column other than the id, time and target is a "
        "feature of each step: remove it from the file"
    )
    values = np.column_stack([_numeric(frame[name], source, why) for name in names])
    ids = frame[id_column]
    if ids.isna().any():
        row = int(np.flatnonzero(ids.isna().to_numpy())[0])
        raise AutoMLError(
            f"{source}: id column {id_column!r} is empty on row {row + 1}; every row needs "
            f"the id of its series"
        )
    times = time_values(frame[time_column], source) if time_column else None
    groups = ids.groupby(ids, sort=False).indices
    order = pd.unique(ids)
    series, labels = [], []
    for key in order:
        rows = np.asarray(groups[key])
        if times is not None:
            rows = rows[np.argsort(times[rows], kind="stable")]
            stamps = times[rows]
            repeated = np.flatnonzero(stamps[1:] == stamps[:-1])
            if len(repeated):
                raise AutoMLError(
                    f"{source}: series {scalar(key)!r} has two rows at {time_column} = "
                    f"{stamps[repeated[0]]}; each time step may appear once per series"
                )
        series.append(values[rows])
        if target is not None:
            labels.append(_series_label(frame[target].iloc[rows], key, target, source))
    X, lengths = pad_series(series, source)
    y = _label_array(labels, frame[target]) if target is not None else None
    return X, y, lengths, tuple(names), np.asarray(order)


def wide_series(
    frame: pd.DataFrame, target: str | None, id_column: str | None, source: str
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray, tuple[str, ...], np.ndarray]:
    if id_column is not None:
        require_column(frame, id_column, "id")
    steps = [str(c) for c in frame.columns if c not in (target, id_column)]
    if not steps:
        raise AutoMLError(f"{source} has no step columns besides the target and id columns")
    why = (
        "with --series-per-row every column other than the target and id is one time "
        "step: remove it from the file"
    )
    X = np.column_stack([_numeric(frame[name], source, why) for name in steps])[:, :, None]
    X = X.astype(np.float32)
    ids = frame[id_column].to_numpy() if id_column else np.arange(len(frame), dtype=np.int64)
    y = _label_array(frame[target].tolist(), frame[target]) if target is not None else None
    return X, y, series_lengths(X), ("value",), ids


def _series_label(labels: pd.Series, key: Any, target: str, source: str) -> Any:
    """Returns a series' one label (None when missing), or says where it changes."""
    known = labels[labels.notna()]
    distinct = pd.unique(known)
    if len(distinct) > 1:
        raise AutoMLError(
            f"{source}: label column {target!r} changes within series {scalar(key)!r} "
            f"({scalar(distinct[0])!r}, then {scalar(distinct[1])!r}); a long-format file "
            f"needs one label per series, the same on each of its rows"
        )
    return distinct[0] if len(distinct) else None


def _label_array(labels: list[Any], column: pd.Series) -> np.ndarray:
    """Returns per-series labels with the column's type: numbers stay numbers, text is str.

    Missing labels become NaN (numbers) or "" (text), which `_missing_labels` finds.
    """
    missing = [is_missing(v) for v in labels]
    if pd.api.types.is_bool_dtype(column) and not any(missing):
        return np.asarray(labels, dtype=bool)
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = [np.nan if gone else v for v, gone in zip(labels, missing, strict=True)]
        # numpy infers int64 for whole labels; a missing one makes the array float.
        return np.asarray(values, dtype=np.float64 if any(missing) else None)
    return np.array(["" if gone else str(v) for v, gone in zip(labels, missing, strict=True)])


def _numeric(column: pd.Series, source: str, why: str) -> np.ndarray:
    """Returns a column as float32 (NaN = missing), or says which value is not a number."""
    result = parse_numbers(
        column,
        lambda row, value: (
            f"{source}: column {column.name!r} is not numeric (row {row} has {value!r}); {why}"
        ),
        np.float32,
    )
    if np.isinf(result).any():
        row = int(np.flatnonzero(np.isinf(result))[0])
        raise AutoMLError(
            f"{source}: column {column.name!r} has an infinite value on row {row + 1}; "
            f"leave the cell blank for a missing value"
        )
    return result


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
