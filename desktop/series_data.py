"""Series for the Data page: the engine's loaders, a summary the pages share, example curves.

Plain functions with no widgets: the Data page runs them on a worker thread, and the tests
call them alone. The summaries and the default window are the engine's
(`automl.modalities.series`, `automl.modalities.forecast`), so the CLI reads the same; the
example curves stay with the page, as image thumbnails do.

Example:
    >>> loaded = read_series("assets/samples/shapes.npz")
    >>> loaded.summary["samples"], loaded.summary["class_counts"]["ramp"], len(loaded.groups)
    (600, 150, 4)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from automl.errors import AutoMLError
from desktop.state import DataLayout

#: Example curves drawn per class: enough to see a shape, few enough to tell classes apart.
EXAMPLES_PER_CLASS = 5
#: Classes drawn at most (the largest); more colours than this stop being distinguishable.
MAX_CLASSES_SHOWN = 10
#: Series of a forecast drawn at most.
MAX_SERIES_SHOWN = 6
#: The label name the engine gives a NumPy file's labels (it has no column names).
ARRAY_LABEL = "label"


@dataclass(frozen=True, eq=False)  # arrays do not compare as one bool
class SeriesGroup:
    """Example curves of one class (or one series of a forecast), to draw in one colour."""

    name: str
    count: int  # series in the class (rows of the series, for a forecast)
    curves: tuple[np.ndarray, ...]  # each (steps, features), padding cut off


@dataclass(frozen=True, eq=False)
class LoadedSeries:
    """Series read from a file, ready for `StudioState.set_sequences` or `set_layout`."""

    path: Path
    summary: dict
    groups: tuple[SeriesGroup, ...]
    layout: DataLayout  # how a table was read; the plain default for a NumPy file
    target: str  # the label or forecast column; "" for a NumPy file


def read_series(path: Path, layout: DataLayout | None = None, target: str = "") -> LoadedSeries:
    """Returns the series in a NumPy file, or in a table read with a series `layout`.

    Raises:
        AutoMLError: the engine's one-line reason (no such array or column, a window that
            does not fit the series, a single class...).
    """
    from automl.modalities.series_data import is_sequence_file, load_sequences

    path = Path(path)
    layout = layout or DataLayout()
    if is_sequence_file(path):
        data = load_sequences(path)
        return LoadedSeries(path, *_labelled(data, ARRAY_LABEL), DataLayout(), "")
    if layout.kind == "forecast":
        return read_forecast(path, layout, target)
    if not target:
        raise AutoMLError("choose the column that holds each series' label")
    if layout.kind == "series_per_row":
        data = load_sequences(
            path, target=target, id_column=layout.id_column or None, series_per_row=True
        )
    elif layout.kind == "long":
        if not layout.id_column or not layout.time_column:
            raise AutoMLError(
                "long format needs the id column (which series a row belongs to) and the "
                "time column (the order of its steps)"
            )
        data = load_sequences(
            path, target=target, id_column=layout.id_column, time_column=layout.time_column
        )
    else:
        raise AutoMLError(f"{layout.kind!r} is not a series layout")
    return LoadedSeries(path, *_labelled(data, target), layout, target)


def read_forecast(path: Path, layout: DataLayout, target: str) -> LoadedSeries:
    """Returns a table's `target` column as series to forecast, cut into windows.

    A lookback or horizon of 0 is filled in with the engine's `default_window`; the
    returned layout holds the values used.

    Raises:
        AutoMLError: an unusable column, or a window the series are too short for.
    """
    from automl.modalities.forecast import default_window, forecast_summary
    from automl.modalities.forecast_data import load_forecast

    if not target:
        raise AutoMLError("choose the column to forecast")
    data = load_forecast(
        path,
        target,
        time_column=layout.time_column or None,
        id_column=layout.id_column or None,
    )
    lengths = [len(values) for values in data.series]
    if not (layout.lookback and layout.horizon):
        lookback, horizon = default_window(max(lengths))
        layout = replace(
            layout, lookback=layout.lookback or lookback, horizon=layout.horizon or horizon
        )
    summary = forecast_summary(data, layout.lookback, layout.horizon)
    groups = tuple(
        SeriesGroup(
            target if key is None else str(key),
            len(values),
            (np.asarray(values[:, :1]),),
        )
        for key, values in list(zip(data.ids, data.series, strict=True))[:MAX_SERIES_SHOWN]
    )
    return LoadedSeries(Path(path), summary, groups, layout, target)


def guess_series_per_row(frame, target: str = "") -> tuple[str, str] | None:
    """Returns (label column, id column or "") when `frame` reads as one series per row.

    Tries the chosen target, then the last and first columns as the label (and the other
    end as an id), with the engine's `looks_like_series_per_row`.

    Example:
        >>> import pandas as pd
        >>> wide = pd.DataFrame([[f"s{i}", *range(12), "a"] for i in range(3)],
        ...                     columns=["id", *(f"t{i}" for i in range(12)), "kind"])
        >>> guess_series_per_row(wide)
        ('kind', 'id')
    """
    from automl.modalities.series_tables import looks_like_series_per_row

    names = [str(c) for c in frame.columns]
    if not names:
        return None
    first, last = names[0], names[-1]
    tries = [(target, ""), (last, ""), (first, ""), (last, first), (first, last)]
    for label, id_column in tries:
        if label and looks_like_series_per_row(frame, label, id_column or None):
            return label, id_column
    return None


def _labelled(data, label: str) -> tuple[dict, tuple[SeriesGroup, ...]]:
    """Returns the engine's summary of a `SequenceSet` and example groups to draw."""
    from automl.data.task import class_name
    from automl.modalities.series import labelled_summary

    summary = labelled_summary(data, label)
    if not summary["class_counts"]:  # regression: one group, the labels' range in the summary
        picks = np.arange(min(len(data.X), 2 * EXAMPLES_PER_CLASS))
        curves = tuple(_curve(data, row) for row in picks)
        return summary, (SeriesGroup("examples", len(data.X), curves),)
    counts = summary["class_counts"]
    names = np.asarray([class_name(v.item() if hasattr(v, "item") else v) for v in data.y])
    shown = sorted(counts, key=lambda name: -counts[name])[:MAX_CLASSES_SHOWN]
    groups = []
    for name in counts:
        if name in shown:
            rows = np.flatnonzero(names == name)[:EXAMPLES_PER_CLASS]
            curves = tuple(_curve(data, r) for r in rows)
            groups.append(SeriesGroup(name, counts[name], curves))
    return summary, tuple(groups)


def _curve(data, row: int) -> np.ndarray:
    """Returns one series without its NaN padding, (length, features)."""
    return np.asarray(data.X[row, : int(data.lengths[row])])
