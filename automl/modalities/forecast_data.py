"""Forecasting data: one or more series over time, read from a table and sorted by time.

A table holds the series: the `target` column is what to forecast, an optional time column
orders the rows, an optional id column separates several series, and the other numeric
columns are covariates the model sees beside the target's past. `forecast_windows` cuts
them into (lookback -> horizon) windows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.data.dataset import require_column
from automl.data.loading import read_table
from automl.data.numbers import parse_numbers
from automl.data.times import time_text, time_values
from automl.errors import AutoMLError


@dataclass(frozen=True, eq=False)  # arrays do not compare as one bool
class ForecastData:
    """Series ready to window: each a float32 (T_i, features) array whose feature 0 is the target.

    Rows are in time order. Interior gaps were filled by linear interpolation (counted per
    column in `interpolated`); rows before the first and after the last known target value
    were dropped (`dropped_rows`), since they cannot be targets and would only be guesses.
    """

    series: list[np.ndarray]
    feature_names: tuple[str, ...]
    times: list[np.ndarray]
    ids: list[Any]
    target: str
    time_column: str | None
    id_column: str | None
    ignored: dict[str, str] = field(default_factory=dict)
    interpolated: dict[str, int] = field(default_factory=dict)
    dropped_rows: int = 0
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Returns a JSON-ready summary: series count, lengths, features and time range.

        Example:
            >>> data = load_forecast("assets/samples/sunspots.csv", "sunspots", time_column="year")
            >>> summary = data.to_dict()
            >>> summary["series"], summary["lengths"], summary["time_range"]
            (1, [309], ['1700', '2008'])
        """
        starts = [t[0] for t in self.times if len(t)]
        ends = [t[-1] for t in self.times if len(t)]
        return {
            "source": self.source,
            "target": self.target,
            "time_column": self.time_column,
            "id_column": self.id_column,
            "series": len(self.series),
            "ids": [_json_scalar(i) for i in self.ids],
            "lengths": [len(s) for s in self.series],
            "features": list(self.feature_names),
            "covariates": list(self.feature_names[1:]),
            "time_range": [time_text(min(starts)), time_text(max(ends))] if starts else [],
            "ignored": dict(self.ignored),
            "interpolated": dict(self.interpolated),
            "dropped_rows": self.dropped_rows,
        }


def load_forecast(
    path: str | Path,
    target: str,
    *,
    time_column: str | None = None,
    id_column: str | None = None,
) -> ForecastData:
    """Returns the series in a table, sorted by time, ready to cut into windows.

    Without `time_column` the file's row order is time order and `times` are row positions
    within each series. Other numeric columns become covariates; text columns are ignored
    (with the reason in `ignored`), as are covariates with no value in some series.

    Raises:
        AutoMLError: unreadable file, an unknown column (with the columns that exist), a
            non-numeric or empty target, unparseable or missing times, a missing id, or the
            same time twice within a series.

    Example:
        >>> data = load_forecast("assets/samples/sunspots.csv", "sunspots", time_column="year")
        >>> data.series[0].shape, data.feature_names, data.times[0][:2].tolist()
        ((309, 1), ('sunspots',), [1700, 1701])
    """
    path = Path(path)
    source = str(path)
    frame = read_table(path)
    require_column(frame, target, "target")
    roles = {"target": target, "time": time_column, "id": id_column}
    for role, name in roles.items():
        if name is not None and role != "target":
            require_column(frame, name, role)
    given = [(role, name) for role, name in roles.items() if name is not None]
    for i, (role, name) in enumerate(given):
        for other_role, other in given[i + 1 :]:
            if name == other:
                raise AutoMLError(f"column {name!r} cannot be both the {role} and the {other_role}")

    values = _target_numbers(frame[target], source)
    if np.isnan(values).all():
        raise AutoMLError(f"{source}: target {target!r} has no values (all missing)")
    times = time_values(frame[time_column], source) if time_column else None
    groups = _series_rows(frame, id_column, source)
    covariates, ignored = _covariates(frame, {target, time_column, id_column}, groups)

    series, series_times, ids = [], [], []
    interpolated = dict.fromkeys([target, *covariates], 0)
    dropped = 0
    for key, rows in groups:
        position = np.arange(len(rows))
        if times is not None:
            order = np.argsort(times[rows], kind="stable")
            rows, position = rows[order], position[order]
            _check_unique_times(times[rows], time_column, key, source)
        target_values = values[rows]
        known = np.flatnonzero(~np.isnan(target_values))
        if not len(known):
            raise AutoMLError(
                f"{source}: {series_name(key)} has no values in target {target!r}; "
                f"fill them in or remove its rows"
            )
        # Rows before the first and after the last known target are unknowable, not gaps.
        keep = slice(known[0], known[-1] + 1)
        dropped += len(rows) - (known[-1] + 1 - known[0])
        rows, position = rows[keep], position[keep]
        columns = []
        for name in (target, *covariates):
            column = values[rows] if name == target else covariates[name][rows]
            column, filled = _fill_gaps(column)
            interpolated[name] += filled
            columns.append(column)
        array = np.column_stack(columns).astype(np.float32)
        array.setflags(write=False)
        stamps = times[rows] if times is not None else position
        stamps.setflags(write=False)
        series.append(array)
        series_times.append(stamps)
        ids.append(key)

    return ForecastData(
        series=series,
        feature_names=(target, *covariates),
        times=series_times,
        ids=ids,
        target=target,
        time_column=time_column,
        id_column=id_column,
        ignored=ignored,
        interpolated={name: n for name, n in interpolated.items() if n},
        dropped_rows=int(dropped),
        source=source,
    )


def _target_numbers(column: pd.Series, source: str) -> np.ndarray:
    """Returns the target as float64 (NaN = missing), or says which row is not a number."""
    return parse_numbers(
        column,
        lambda row, value: (
            f"{source}: target {column.name!r} must hold numbers to forecast, "
            f"but row {row} has {value!r}"
        ),
    )


def _series_rows(
    frame: pd.DataFrame, id_column: str | None, source: str
) -> list[tuple[Any, np.ndarray]]:
    """Returns (id, row positions) per series, in order of first appearance."""
    if id_column is None:
        return [(None, np.arange(len(frame)))]
    ids = frame[id_column]
    missing = ids.isna().to_numpy()
    if missing.any():
        row = int(np.flatnonzero(missing)[0])
        raise AutoMLError(
            f"{source}: id column {id_column!r} is empty on row {row + 1}; every row needs "
            f"the id of its series"
        )
    indices = ids.groupby(ids, sort=False).indices
    return [(_json_scalar(key), np.asarray(indices[key])) for key in pd.unique(ids)]


def _covariates(
    frame: pd.DataFrame, taken: set[str | None], groups: list[tuple[Any, np.ndarray]]
) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Returns the numeric columns usable as covariates (float64, NaN = missing) and why
    the others are left out."""
    covariates, ignored = {}, {}
    for name in frame.columns:
        if name in taken:
            continue
        column = frame[name]
        if pd.api.types.is_bool_dtype(column):
            numbers = column.astype("float64")
        else:
            numbers = pd.to_numeric(column, errors="coerce")
            bad = numbers.isna() & column.notna() & (column.astype(str).str.strip() != "")
            if bad.any():
                example = column[bad].iloc[0]
                ignored[name] = f"not numeric (values such as {example!r})"
                continue
        values = numbers.astype("float64").to_numpy(na_value=np.nan)
        empty = [key for key, rows in groups if np.isnan(values[rows]).all()]
        if len(empty) == len(groups):
            ignored[name] = "all values missing"
        elif empty:
            ignored[name] = f"no values for {series_name(empty[0])}"
        else:
            covariates[name] = values
    return covariates, ignored


def _check_unique_times(times: np.ndarray, time_column: str, key: Any, source: str) -> None:
    repeated = np.flatnonzero(times[1:] == times[:-1])
    if len(repeated):
        when = time_text(times[repeated[0]])
        hint = "" if key is not None else " (give --id-column if the file holds several series)"
        raise AutoMLError(
            f"{source}: {series_name(key)} has more than one row at {time_column} = {when}; "
            f"each time may appear once per series{hint}"
        )


def _fill_gaps(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Returns `values` with NaNs filled, and how many there were.

    Interior gaps are interpolated linearly by position (rows are taken as evenly spaced);
    leading and trailing ones take the nearest known value, which is what `np.interp` does
    beyond its end points.
    """
    missing = np.isnan(values)
    if not missing.any():
        return values, 0
    known = np.flatnonzero(~missing)
    filled = values.copy()
    filled[missing] = np.interp(np.flatnonzero(missing), known, values[known])
    return filled, int(missing.sum())


def series_name(key: Any) -> str:
    return "the series" if key is None else f"series {key!r}"


def _json_scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
