"""Forecast windows: each series cut into (lookback -> horizon) windows, and split in time.

Windows are made here, in numpy, so the search and `automl predict` cut them the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from automl.data.times import time_text
from automl.errors import AutoMLError
from automl.modalities.forecast_data import ForecastData, series_name

#: Fewest training windows worth a search; mirrors `splits.MIN_TRAIN_ROWS` for tables.
MIN_TRAIN_WINDOWS = 8
#: Fewest windows in a validation or test period; mirrors `splits.MIN_HELD_OUT_ROWS`.
MIN_HELD_OUT_WINDOWS = 2


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
        >>> from automl.modalities.forecast_data import load_forecast
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
            f"{series_name(data.ids[longest])} has {len(data.series[longest])}: "
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
        >>> from automl.modalities.forecast_data import load_forecast
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
            f"series); {series_name(data.ids[longest])} has {len(data.series[longest])}: "
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
