"""Sequence data: one label per series of steps, from NumPy files or a CSV.

Four layouts are read into one `SequenceSet` (float32 samples x steps x features, shorter
series padded with NaN at the end):

- `.npz` with arrays `X` and `y`;
- a `.npy` of series with its labels in a sibling `.npy` (`X.npy` -> `y.npy`);
- a long CSV, one row per time step, grouped by an id column and ordered by a time column;
- a wide CSV, one series per row, one column per step.

Pickled (object) arrays are refused: unpickling a file runs code from it, and a dropped-in
download should never do that. Variable-length series belong in a float array padded with
NaN, which `pad_series` writes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.data.dataset import require_column
from automl.data.forecast import time_values
from automl.data.loading import read_table
from automl.data.numbers import parse_numbers
from automl.errors import AutoMLError, first_line

SEQUENCE_SUFFIXES = {".npz", ".npy"}

#: A wide table needs at least this many step columns before we suggest `--series-per-row`.
MIN_WIDE_STEPS = 10

_PICKLE_HINT = (
    "save the series as one float array padded with NaN at the end, "
    "e.g. X = automl.data.sequences.pad_series(list_of_series)[0]"
)


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
            X, y = _read_npz(path, target, require_labels)
            form = "npz"
        else:
            X, y = _read_npy_pair(path, target, require_labels)
            form = "npy"
        X, lengths, names = _array_series(X, path.name)
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
            X, y, lengths, names, ids = _wide_series(frame, target, id_column, str(path))
            form = "wide"
        elif id_column is not None:
            X, y, lengths, names, ids = _long_series(
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
    _check_not_empty(_lengths(X), ids, path.name)
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


def pad_series(
    series: Sequence[np.ndarray], where: str = "the data"
) -> tuple[np.ndarray, np.ndarray]:
    """Returns series of different lengths as one float32 (samples, steps, features) array
    padded with NaN at the end, and each series' length.

    Each series is (steps,) for one feature or (steps, features); all must have the same
    number of features.

    Raises:
        AutoMLError: no series, a series with more than two dimensions, or feature counts
            that differ.

    Example:
        >>> X, lengths = pad_series([np.array([1.0, 2.0, 3.0]), np.array([4.0])])
        >>> X[:, :, 0].tolist(), lengths.tolist()
        ([[1.0, 2.0, 3.0], [4.0, nan, nan]], [3, 1])
    """
    if not len(series):
        raise AutoMLError(f"{where} holds no series")
    shaped = []
    for index, one in enumerate(series):
        one = np.asarray(one)
        if one.ndim == 1:
            one = one[:, None]
        if one.ndim != 2:
            raise AutoMLError(
                f"{where}: series {index} has shape {one.shape}; each series must be "
                f"(steps,) or (steps, features)"
            )
        if shaped and one.shape[1] != shaped[0].shape[1]:
            raise AutoMLError(
                f"{where}: series {index} has {one.shape[1]} features but series 0 has "
                f"{shaped[0].shape[1]}; every series needs the same features"
            )
        shaped.append(one)
    lengths = np.array([len(one) for one in shaped], dtype=np.int64)
    X = np.full((len(shaped), int(lengths.max()), shaped[0].shape[1]), np.nan, np.float32)
    for row, one in enumerate(shaped):
        X[row, : len(one)] = one
    return X, lengths


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


def _read_npz(path: Path, target: str | None, require_labels: bool) -> tuple[Any, Any]:
    label_name = target or "y"
    with _npz_archive(path) as archive:
        names = list(archive.files)
        shown = ", ".join(names) if names else "none"
        if "X" not in names:
            raise AutoMLError(
                f"{path} has no array named 'X' (arrays: {shown}); save the series as X and "
                f"the labels as y: np.savez(path, X=series, y=labels)"
            )
        X = _load_array(archive, "X", path)
        if label_name in names:
            y = _load_array(archive, label_name, path)
        elif target is not None and require_labels:
            raise AutoMLError(f"{path} has no label array {target!r} (arrays: {shown})")
        elif require_labels:
            raise AutoMLError(
                f"{path} has no array named 'y' (arrays: {shown}); save one label per series "
                f"as y: np.savez(path, X=series, y=labels)"
            )
        else:
            y = None
    return X, (None if y is None else _labels(y, path.name))


def _read_npy_pair(path: Path, target: str | None, require_labels: bool) -> tuple[Any, Any]:
    X = _load_npy(path)
    if target is not None:
        if not target.lower().endswith(".npy"):
            raise AutoMLError(
                f"for the .npy file {path.name}, --target must be the .npy file of labels "
                f"(e.g. y.npy), not {target!r}"
            )
        label_path = Path(target)
        if not label_path.is_absolute() and not label_path.exists():
            label_path = path.parent / label_path
        if not label_path.exists():
            if not require_labels:
                return X, None
            raise AutoMLError(f"label file {target}: no such file (also looked in {path.parent})")
        return X, _labels(_load_npy(label_path), label_path.name)
    tried = label_file_names(path.name)
    for name in tried:
        if (path.parent / name).exists():
            return X, _labels(_load_npy(path.parent / name), name)
    if not require_labels:
        return X, None
    looked = (
        f"looked beside it for {', '.join(tried)}"
        if tried
        else "its name has no X to swap for y (as in X.npy and y.npy)"
    )
    raise AutoMLError(
        f"no labels found for {path.name}: {looked}; name the labels file with --target"
    )


def label_file_names(name: str) -> list[str]:
    """Returns the names a `.npy` of series' labels may have: the X in `name` swapped for y.

    The X must stand alone in the name (start, end, or next to `_`, `-`, `.`), so
    `train_X.npy` pairs with `train_y.npy` but `Xylophone.npy` pairs with nothing.

    Example:
        >>> label_file_names("train_X.npy"), label_file_names("x.npy")
        (['train_y.npy', 'train_Y.npy'], ['y.npy', 'Y.npy'])
    """
    stem, suffix = name[: -len(Path(name).suffix) or None], Path(name).suffix
    found: list[str] = []
    for match in re.finditer(r"(?<![A-Za-z0-9])[Xx](?![A-Za-z0-9])", stem):
        for swap in ("y", "Y"):
            candidate = f"{stem[: match.start()]}{swap}{stem[match.end() :]}{suffix}"
            if candidate not in found:
                found.append(candidate)
    return found


@contextmanager
def _npz_archive(path: Path) -> Iterator[Any]:
    """Yields a .npz opened without unpickling; unreadable files become AutoMLError."""
    try:
        archive = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise AutoMLError(
            f"{path}: cannot read it as a NumPy .npz file ({first_line(error)})"
        ) from error
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise AutoMLError(f"{path} holds a single array, not a .npz archive of X and y")
    with archive:
        yield archive


def _load_array(archive: Any, name: str, path: Path) -> np.ndarray:
    try:
        return archive[name]
    except ValueError as error:
        if "pickle" in str(error):
            raise AutoMLError(
                f"{path}: array {name!r} is an object array, which only loads by unpickling "
                f"(that can run code from the file, so it is refused); {_PICKLE_HINT}"
            ) from error
        raise AutoMLError(f"{path}: cannot read array {name!r} ({first_line(error)})") from error
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise AutoMLError(f"{path}: cannot read array {name!r} ({first_line(error)})") from error


def _load_npy(path: Path) -> np.ndarray:
    if not path.exists():
        raise AutoMLError(f"{path}: no such file")
    try:
        array = np.load(path, allow_pickle=False)
    except ValueError as error:
        if "pickle" in str(error):
            raise AutoMLError(
                f"{path} holds an object array, which only loads by unpickling (that can run "
                f"code from the file, so it is refused); {_PICKLE_HINT}"
            ) from error
        raise AutoMLError(
            f"{path}: cannot read it as a NumPy .npy file ({first_line(error)})"
        ) from error
    except (OSError, EOFError) as error:
        raise AutoMLError(
            f"{path}: cannot read it as a NumPy .npy file ({first_line(error)})"
        ) from error
    if not isinstance(array, np.ndarray):
        raise AutoMLError(f"{path} is a .npz archive saved under a .npy name; rename it .npz")
    return array


def _array_series(X: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """Returns X as float32 (samples, steps, features), each series' length, feature names."""
    if X.dtype.kind not in "biuf":
        raise AutoMLError(
            f"{where}: X holds {_dtype_words(X.dtype)}, not numbers; series values must be "
            f"numeric (int or float, NaN for missing)"
        )
    if X.ndim == 2:
        X = X[:, :, None]
    elif X.ndim != 3:
        raise AutoMLError(
            f"{where}: X has shape {X.shape}; expected (samples, steps) for one feature or "
            f"(samples, steps, features)"
        )
    if 0 in X.shape:
        raise AutoMLError(f"{where}: X is empty (shape {X.shape}); it needs series to learn from")
    X = X.astype(np.float32, copy=False)
    if np.isinf(X).any():
        sample = int(np.flatnonzero(np.isinf(X).any(axis=(1, 2)))[0])
        raise AutoMLError(
            f"{where}: series {sample} of X holds an infinite value; use NaN for missing values"
        )
    lengths = _lengths(X)
    names = tuple(f"x{i}" for i in range(X.shape[2])) if X.shape[2] > 1 else ("x",)
    return X, lengths, names


def _lengths(X: np.ndarray) -> np.ndarray:
    """Returns each series' real steps: up to its last step with any value (NaN pads)."""
    present = ~np.isnan(X).all(axis=2)
    last = X.shape[1] - np.argmax(present[:, ::-1], axis=1)
    return np.where(present.any(axis=1), last, 0).astype(np.int64)


def _check_not_empty(lengths: np.ndarray, ids: np.ndarray, where: str) -> None:
    empty = np.flatnonzero(lengths == 0)
    if len(empty):
        raise AutoMLError(
            f"{where}: series {_scalar(ids[empty[0]])!r} has no values (all missing); "
            f"remove it or fill it in"
        )


def _labels(y: np.ndarray, where: str) -> np.ndarray:
    """Returns labels as a 1-D array, as given (strings, ints, floats or bools)."""
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1:
        raise AutoMLError(
            f"{where}: the labels have shape {y.shape}; give one label per series (a 1-D array)"
        )
    if y.dtype.kind not in "biufUS":
        raise AutoMLError(f"{where}: labels hold {_dtype_words(y.dtype)}; use numbers or text")
    if y.dtype.kind == "S":
        y = y.astype(str)
    return y


def _missing_labels(y: np.ndarray) -> np.ndarray:
    if y.dtype.kind == "f":
        return np.isnan(y)
    if y.dtype.kind in "US":
        return np.char.strip(y.astype(str)) == ""
    if y.dtype.kind == "O":
        return np.array([_is_missing(v) for v in y], dtype=bool)
    return np.zeros(len(y), dtype=bool)


def _long_series(
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
                    f"{source}: series {_scalar(key)!r} has two rows at {time_column} = "
                    f"{stamps[repeated[0]]}; each time step may appear once per series"
                )
        series.append(values[rows])
        if target is not None:
            labels.append(_series_label(frame[target].iloc[rows], key, target, source))
    X, lengths = pad_series(series, source)
    y = _label_array(labels, frame[target]) if target is not None else None
    return X, y, lengths, tuple(names), np.asarray(order)


def _wide_series(
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
    return X, y, _lengths(X), ("value",), ids


def _series_label(labels: pd.Series, key: Any, target: str, source: str) -> Any:
    """Returns a series' one label (None when missing), or says where it changes."""
    known = labels[labels.notna()]
    distinct = pd.unique(known)
    if len(distinct) > 1:
        raise AutoMLError(
            f"{source}: label column {target!r} changes within series {_scalar(key)!r} "
            f"({_scalar(distinct[0])!r}, then {_scalar(distinct[1])!r}); a long-format file "
            f"needs one label per series, the same on each of its rows"
        )
    return distinct[0] if len(distinct) else None


def _label_array(labels: list[Any], column: pd.Series) -> np.ndarray:
    """Returns per-series labels with the column's type: numbers stay numbers, text is str.

    Missing labels become NaN (numbers) or "" (text), which `_missing_labels` finds.
    """
    missing = [_is_missing(v) for v in labels]
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


def _dtype_words(dtype: np.dtype) -> str:
    words = {"U": "text", "S": "bytes", "O": "Python objects", "M": "dates", "m": "durations"}
    return words.get(dtype.kind, f"{dtype} values")


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
