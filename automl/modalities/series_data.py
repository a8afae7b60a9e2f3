"""Sequence data: one label per series of steps, from NumPy files or a CSV.

Four layouts are read into one `SequenceSet` (float32 samples x steps x features, shorter
series padded with NaN at the end):

- `.npz` with arrays `X` and `y`;
- a `.npy` of series with its labels in a sibling `.npy` (`X.npy` -> `y.npy`);
- a long CSV, one row per time step, grouped by an id column and ordered by a time column;
- a wide CSV, one series per row, one column per step.

The NumPy files are read by `series_arrays`, the tables by `series_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from automl.data.dataset import require_column
from automl.data.loading import read_table
from automl.errors import AutoMLError
from automl.modalities.series_arrays import (
    array_series,
    read_npy_pair,
    read_npz,
    series_lengths,
)
from automl.modalities.series_tables import (
    is_missing,
    long_series,
    looks_like_series_per_row,
    scalar,
    wide_series,
)

SEQUENCE_SUFFIXES = {".npz", ".npy"}


@dataclass(frozen=True, eq=False)  # arrays do not compare as one bool
class SequenceSet:
    """Series ready for a sequence model, with one label each (or none, to predict).

    `X` is float32 (samples, steps, features); a series shorter than `steps` is padded with
    NaN at the end, and `lengths` holds its real step count. Series whose label was missing
    were dropped on load and counted in `dropped`, as rows are for tables.
    """

    X: np.ndarray
    y: np.ndarray | None
    lengths: np.ndarray
    feature_names: tuple[str, ...]
    ids: np.ndarray
    form: str
    source: str
    dropped: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Returns a JSON-ready summary: counts and shapes, not the data.

        Example:
            >>> data = load_sequences("assets/samples/shapes.npz")
            >>> summary = data.to_dict()
            >>> summary["samples"], summary["steps"], summary["min_length"], summary["features"]
            (600, 80, 60, 1)
        """
        samples, steps, features = self.X.shape
        real = np.arange(steps)[None, :] < self.lengths[:, None]
        return {
            "source": self.source,
            "form": self.form,
            "samples": samples,
            "steps": steps,
            "min_length": int(self.lengths.min()) if samples else 0,
            "max_length": int(self.lengths.max()) if samples else 0,
            "features": features,
            "feature_names": list(self.feature_names),
            "padded": int((self.lengths < steps).sum()),
            # Missing values inside a series (not padding): the model sees them as NaN.
            "missing_values": int(np.isnan(self.X[real]).sum()),
            "labels": self.y is not None,
            "dropped": self.dropped,
        }


def is_sequence_file(path: str | Path) -> bool:
    """Returns True when `path` names a NumPy file of series (`.npz` or `.npy`), by suffix.

    Existence is not checked, so a mistyped path still reaches `load_sequences` and its
    "no such file" message.

    Example:
        >>> is_sequence_file("train.npz"), is_sequence_file("X.NPY"), is_sequence_file("a.csv")
        (True, True, False)
    """
    return Path(path).suffix.lower() in SEQUENCE_SUFFIXES


def load_sequences(
    path: str | Path,
    *,
    target: str | None = None,
    id_column: str | None = None,
    time_column: str | None = None,
    series_per_row: bool = False,
    require_labels: bool = True,
) -> SequenceSet:
    """Returns the labelled series in `path`, its layout chosen by suffix and flags.

    - `.npz`: arrays `X` and `y` (`target` may name another label array in the file).
    - `.npy`: the series; labels come from `target` (a `.npy` path) or the sibling file
      with X swapped for y in its name (`X.npy` -> `y.npy`, `train_X.npy` -> `train_y.npy`).
    - a table with `id_column`: long format, one row per step; `time_column` orders the
      steps (file order without it); every other column except `target` is a feature.
    - a table with `series_per_row`: every column except `target` and `id_column` is one
      step; blanks are missing values, trailing blanks make a series shorter.

    Series with a missing label are dropped and counted when labels are required. With
    `require_labels=False` (files to predict) labels are optional: an absent label array,
    file or column gives `y=None`, and no series is dropped.

    Raises:
        AutoMLError: a missing file, array or column (naming what exists), non-numeric or
            infinite values, mismatched counts, labels that change within a series, an
            empty series, or a pickled array.

    Example:
        >>> data = load_sequences("assets/samples/shapes.npz")
        >>> data.X.shape, data.X.dtype, sorted(set(data.y.tolist()))
        ((600, 80, 1), dtype('float32'), ['bump', 'oscillation', 'ramp', 'step'])
    """
    path = Path(path)
    if not path.exists():
        raise AutoMLError(f"{path}: no such file")
    if path.is_dir():
        raise AutoMLError(f"{path} is a folder; sequence data must be a .npz, .npy or CSV file")
    suffix = path.suffix.lower()
    if suffix in SEQUENCE_SUFFIXES:
        for flag, value in (
            ("--id-column", id_column),
            ("--time-column", time_column),
            ("--series-per-row", series_per_row or None),
        ):
            if value is not None:
                raise AutoMLError(
                    f"{flag} is for tables; {path.name} is a NumPy file, whose layout is "
                    f"fixed (X: samples x steps [x features], y: one label per series)"
                )
        if suffix == ".npz":
            X, y = read_npz(path, target, require_labels)
            form = "npz"
        else:
            X, y = read_npy_pair(path, target, require_labels)
            form = "npy"
        X, lengths, names = array_series(X, path.name)
        ids = np.arange(len(X), dtype=np.int64)
    else:
        frame = read_table(path)
        if target is None and require_labels:
            raise AutoMLError(f"{path}: name the column with one label per series with --target")
        if target is not None and not require_labels and target not in frame.columns:
            target = None  # a file to predict need not hold the label column
        if target is not None:
            require_column(frame, target, "target")
        if series_per_row:
            X, y, lengths, names, ids = wide_series(frame, target, id_column, str(path))
            form = "wide"
        elif id_column is not None:
            X, y, lengths, names, ids = long_series(
                frame, target, id_column, time_column, str(path)
            )
            form = "long"
        else:
            suggestion = (
                "; it looks like one series per row: add --series-per-row"
                if looks_like_series_per_row(frame, target)
                else ""
            )
            raise AutoMLError(
                f"{path} is a table: to read sequences from it give --id-column (one row per "
                f"time step, with --time-column to order them) or --series-per-row{suggestion}"
            )

    if y is not None and len(y) != len(X):
        raise AutoMLError(
            f"{path}: {len(X)} series but {len(y)} labels; give exactly one label per series"
        )
    dropped = 0
    if y is not None and require_labels:
        missing = _missing_labels(y)
        dropped = int(missing.sum())
        if dropped == len(y):
            raise AutoMLError(f"{path}: every label is missing; each series needs one")
        if dropped:
            keep = ~missing
            X, y, lengths, ids = X[keep], y[keep], lengths[keep], ids[keep]
    _check_not_empty(series_lengths(X), ids, path.name)
    for array in (X, y, lengths, ids):
        if array is not None:
            array.setflags(write=False)  # the dataclass is frozen; so are its arrays
    return SequenceSet(
        X=X,
        y=y,
        lengths=lengths,
        feature_names=names,
        ids=ids,
        form=form,
        source=str(path),
        dropped=dropped,
    )


def _check_not_empty(lengths: np.ndarray, ids: np.ndarray, where: str) -> None:
    empty = np.flatnonzero(lengths == 0)
    if len(empty):
        raise AutoMLError(
            f"{where}: series {scalar(ids[empty[0]])!r} has no values (all missing); "
            f"remove it or fill it in"
        )


def _missing_labels(y: np.ndarray) -> np.ndarray:
    if y.dtype.kind == "f":
        return np.isnan(y)
    if y.dtype.kind in "US":
        return np.char.strip(y.astype(str)) == ""
    if y.dtype.kind == "O":
        return np.array([is_missing(v) for v in y], dtype=bool)
    return np.zeros(len(y), dtype=bool)
