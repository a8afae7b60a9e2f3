"""Forecasting data: one or more series over time, cut into (lookback -> horizon) windows.

A table holds the series: the `target` column is what to forecast, an optional time column
orders the rows, an optional id column separates several series, and the other numeric
columns are covariates the model sees beside the target's past. Windows are made here, in
numpy, so the search and `automl predict` cut them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.data.dataset import require_column
from automl.data.loading import read_table
from automl.data.numbers import parse_numbers
from automl.errors import AutoMLError, first_line

#: Fewest training windows worth a search; mirrors `splits.MIN_TRAIN_ROWS` for tables.
MIN_TRAIN_WINDOWS = 8
#: Fewest windows in a validation or test period; mirrors `splits.MIN_HELD_OUT_ROWS`.
MIN_HELD_OUT_WINDOWS = 2


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


@dataclass(frozen=True, eq=False)  # arrays do not compare as one bool
class Windows:
    """Model-ready windows: `lookback` past steps in, the next `horizon` target values out.

    `origin` is the row (within its series) of the last observed step, so the forecast for
    step h (1-based) is for row `origin + h`. `short_series` lists the positions (in
    `ForecastData.series`) of series too short to give a single window.
    """

    X: np.ndarray
    y: np.ndarray | None
    series_index: np.ndarray
    origin: np.ndarray
    origin_time: np.ndarray
    short_series: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.X)


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
                f"{source}: {_series_name(key)} has no values in target {target!r}; "
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


def make_windows(
    data: ForecastData, lookback: int, horizon: int, *, with_targets: bool = True
) -> Windows:
    """Returns every window of each series: `lookback` steps in and, with targets, `horizon` out.

    With targets (training, evaluation) an origin needs a full lookback before it and a full
    horizon after it. Without (`automl predict`), every origin with a full lookback counts,
    including the last row, whose future is what the user wants; `y` is then None. Series
    too short for one window are skipped and listed in `short_series`.

    Raises:
        AutoMLError: a lookback or horizon below 1, or no series long enough for one window.

    Example:
        >>> data = load_forecast("assets/samples/sunspots.csv", "sunspots", time_column="year")
        >>> windows = make_windows(data, lookback=20, horizon=5)
        >>> windows.X.shape, windows.y.shape, windows.origin_time[:2].tolist()
        ((285, 20, 1), (285, 5), ['1719', '1720'])
    """
    _check_window(lookback, horizon)
    parts, short = [], []
    for index, values in enumerate(data.series):
        cut = _series_windows(values, lookback, horizon, with_targets)
        if cut is None:
            short.append(index)
        else:
            parts.append((index, *cut))
    if not parts:
        longest = int(np.argmax([len(s) for s in data.series]))
        flags = f"--lookback {lookback}" + (f" + --horizon {horizon}" if with_targets else "")
        rows = lookback + horizon if with_targets else lookback
        raise AutoMLError(
            f"{flags} needs at least {rows} rows per series; "
            f"{_series_name(data.ids[longest])} has {len(data.series[longest])}: "
            f"lower --lookback{' or --horizon' if with_targets else ''}, or give more history"
        )
    return _join(data, parts, lookback, horizon, with_targets, tuple(short))


def chronological_split(
    data: ForecastData,
    lookback: int,
    horizon: int,
    validation_fraction: float = 0.2,
    test_fraction: float = 0.2,
) -> tuple[Windows, Windows, Windows]:
    """Returns (train, validation, test) windows cut in time, with no target seen twice.

    Each series is cut at two points in time, c1 < c2. The test period is the last
    `test_fraction` of its rows and the validation period the `validation_fraction` before
    it, each at least `horizon + 1` rows (two windows). A window belongs to:

    - train when all its targets lie before c1;
    - validation when all its targets lie in [c1, c2);
    - test when all its targets lie at or after c2.

    Windows whose targets straddle a cut are dropped, so no value is a training target and
    an evaluation target. Inputs may look back across a cut into an earlier period: the past
    is known when a forecast is made. Series too short for all three periods are skipped
    (listed in `short_series`). `test_fraction=0` leaves the test split empty. The cuts are
    per series, by row count: series that share a calendar and a length share cut dates.

    Raises:
        AutoMLError: fractions out of range, no series long enough for the three periods,
            or fewer than `MIN_TRAIN_WINDOWS` training windows in all.

    Example:
        >>> data = load_forecast("assets/samples/sunspots.csv", "sunspots", time_column="year")
        >>> train, validation, test = chronological_split(data, lookback=20, horizon=5)
        >>> len(train), len(validation), len(test)
        (161, 58, 58)
    """
    _check_window(lookback, horizon)
    if not 0 <= test_fraction < 1:
        raise AutoMLError(f"the test fraction must be in [0, 1), not {test_fraction}")
    if not 0 < validation_fraction < 1:
        raise AutoMLError(
            f"--validation-split must be between 0 and 1 (exclusive), not {validation_fraction}"
        )
    if validation_fraction + test_fraction >= 1:
        raise AutoMLError(
            f"validation ({validation_fraction:g}) and test ({test_fraction:g}) fractions "
            f"leave no rows to train on; together they must stay below 1"
        )
    fractions = (validation_fraction, test_fraction)
    parts: dict[str, list] = {"train": [], "validation": [], "test": []}
    short = []
    for index, values in enumerate(data.series):
        cuts = _cut_points(len(values), lookback, horizon, *fractions)
        if cuts is None:
            short.append(index)
            continue
        first, second = cuts
        X, y, origins = _series_windows(values, lookback, horizon, True)
        first_target, last_target = origins + 1, origins + horizon
        masks = {
            "train": last_target < first,
            "validation": (first_target >= first) & (last_target < second),
            "test": first_target >= second,
        }
        for name, mask in masks.items():
            parts[name].append((index, X[mask], y[mask], origins[mask]))

    if not parts["train"]:
        longest = int(np.argmax([len(s) for s in data.series]))
        needed = _rows_needed(lookback, horizon, *fractions)
        periods = f"validation {validation_fraction:.0%}" + (
            f", test {test_fraction:.0%}" if test_fraction else ""
        )
        raise AutoMLError(
            f"--lookback {lookback} + --horizon {horizon} needs at least {needed} rows per "
            f"series to train, validate and test on separate periods ({periods} of each "
            f"series); {_series_name(data.ids[longest])} has {len(data.series[longest])}: "
            f"lower --lookback or --horizon, or give more history"
        )
    n_train = sum(len(part[1]) for part in parts["train"])
    if n_train < MIN_TRAIN_WINDOWS:
        raise AutoMLError(
            f"only {n_train} training windows fit before the validation period (at least "
            f"{MIN_TRAIN_WINDOWS} needed): lower --lookback or --horizon, or give more history"
        )
    return tuple(  # type: ignore[return-value]
        _join(data, parts[name], lookback, horizon, True, tuple(short))
        for name in ("train", "validation", "test")
    )


def naive_forecast(X: np.ndarray, horizon: int, target_feature: int = 0) -> np.ndarray:
    """Returns the last observed target value repeated `horizon` times: the baseline to beat.

    A model that cannot beat "tomorrow is like today" has learned nothing useful, so its
    error is printed beside the model's.

    Example:
        >>> X = np.array([[[1.0], [2.0], [3.0]]], dtype=np.float32)
        >>> naive_forecast(X, 2).tolist()
        [[3.0, 3.0]]
    """
    last = np.asarray(X, dtype=np.float32)[:, -1, target_feature]
    return np.repeat(last[:, None], horizon, axis=1)


def time_values(column: pd.Series, source: str) -> np.ndarray:
    """Returns a time column as numbers or datetime64, so that sorting puts it in time order.

    Numbers (years, step counts) stay numbers; anything else must parse as dates.

    Raises:
        AutoMLError: a missing time, or a value that is neither a number nor a date.

    Example:
        >>> time_values(pd.Series(["2024-01-02", "2024-01-01"], name="day"), "f.csv").dtype
        dtype('<M8[us]')
    """
    name = column.name
    text = column.astype(str).str.strip()
    missing = column.isna() | (text == "")
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise AutoMLError(
            f"{source}: time column {name!r} is empty on row {row + 1}; every row needs a time"
        )
    if pd.api.types.is_datetime64_any_dtype(column):
        dates = pd.to_datetime(column)
    elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.to_numpy()
    else:
        numbers = pd.to_numeric(column, errors="coerce")
        if numbers.notna().all():
            return numbers.to_numpy()
        try:
            dates = pd.to_datetime(column, errors="coerce", format="mixed")
        except (ValueError, TypeError, OverflowError) as error:
            raise AutoMLError(
                f"{source}: time column {name!r} mixes time zones or formats that cannot be "
                f"ordered ({first_line(error)}); write every time the same way"
            ) from error
        bad = dates.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise AutoMLError(
                f"{source}: time column {name!r} should hold numbers or dates, but row "
                f"{row + 1} has {column.iloc[row]!r}"
            )
    if dates.dt.tz is not None:
        dates = dates.dt.tz_convert(None)  # UTC: comparable, and the same instant sorts once
    return dates.to_numpy()


def time_text(value: Any) -> str:
    """Returns a time value as the user would write it: 2024-03-01, 2024-03-01T12:30:00, 1700."""
    if isinstance(value, np.datetime64 | pd.Timestamp):
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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
            ignored[name] = f"no values for {_series_name(empty[0])}"
        else:
            covariates[name] = values
    return covariates, ignored


def _check_unique_times(times: np.ndarray, time_column: str, key: Any, source: str) -> None:
    repeated = np.flatnonzero(times[1:] == times[:-1])
    if len(repeated):
        when = time_text(times[repeated[0]])
        hint = "" if key is not None else " (give --id-column if the file holds several series)"
        raise AutoMLError(
            f"{source}: {_series_name(key)} has more than one row at {time_column} = {when}; "
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


def _check_window(lookback: int, horizon: int) -> None:
    for flag, value in (("--lookback", lookback), ("--horizon", horizon)):
        if int(value) != value or value < 1:
            raise AutoMLError(f"{flag} must be a whole number of steps, at least 1, not {value}")


def _series_windows(
    values: np.ndarray, lookback: int, horizon: int, with_targets: bool
) -> tuple[np.ndarray, np.ndarray | None, np.ndarray] | None:
    """Returns (X, y, origins) for one series, or None when it is too short for one window."""
    count = len(values) - lookback + 1 - (horizon if with_targets else 0)
    if count <= 0:
        return None
    # (count, features, lookback) views of the series, copied once into (count, lookback, F).
    views = np.lib.stride_tricks.sliding_window_view(values, lookback, axis=0)[:count]
    X = np.ascontiguousarray(views.transpose(0, 2, 1), dtype=np.float32)
    y = None
    if with_targets:
        future = np.lib.stride_tricks.sliding_window_view(values[lookback:, 0], horizon)
        y = np.ascontiguousarray(future[:count], dtype=np.float32)
    return X, y, np.arange(count, dtype=np.int64) + lookback - 1


def _join(
    data: ForecastData,
    parts: Sequence[tuple[int, np.ndarray, np.ndarray | None, np.ndarray]],
    lookback: int,
    horizon: int,
    with_targets: bool,
    short: tuple[int, ...],
) -> Windows:
    features = len(data.feature_names)
    if parts:
        X = np.concatenate([part[1] for part in parts])
        y = np.concatenate([part[2] for part in parts]) if with_targets else None
    else:
        X = np.zeros((0, lookback, features), np.float32)
        y = np.zeros((0, horizon), np.float32) if with_targets else None
    index = np.concatenate([np.full(len(p[3]), p[0], np.int64) for p in parts] or [[]])
    origin = np.concatenate([p[3] for p in parts] or [[]]).astype(np.int64)
    origin_time = np.array(
        [time_text(data.times[i][o]) for i, o in zip(index.tolist(), origin.tolist(), strict=True)],
        dtype=str,
    )
    return Windows(
        X=X,
        y=y,
        series_index=index.astype(np.int64),
        origin=origin,
        origin_time=origin_time,
        short_series=short,
    )


def _cut_points(
    rows: int, lookback: int, horizon: int, validation_fraction: float, test_fraction: float
) -> tuple[int, int] | None:
    """Returns the rows where validation and test start, or None when a period cannot fit."""
    smallest = horizon + MIN_HELD_OUT_WINDOWS - 1
    n_test = max(smallest, round(rows * test_fraction)) if test_fraction > 0 else 0
    n_validation = max(smallest, round(rows * validation_fraction))
    second = rows - n_test
    first = second - n_validation
    return (first, second) if first >= lookback + horizon else None


def _rows_needed(
    lookback: int, horizon: int, validation_fraction: float, test_fraction: float
) -> int:
    """Returns the shortest series that `_cut_points` can split."""
    rows = lookback + horizon
    while _cut_points(rows, lookback, horizon, validation_fraction, test_fraction) is None:
        rows += 1  # ends: the fractions sum below 1, so the training period grows with rows
    return rows


def _series_name(key: Any) -> str:
    return "the series" if key is None else f"series {key!r}"


def _json_scalar(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)
