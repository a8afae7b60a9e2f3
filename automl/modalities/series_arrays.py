"""Series in NumPy files: `.npz` with X and y, or a `.npy` of series beside its labels.

Pickled (object) arrays are refused: unpickling a file runs code from it, and a dropped-in
download should never do that. Variable-length series belong in a float array padded with
NaN, which `pad_series` writes.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from automl.data.numpy_headers import check_numpy_file
from automl.errors import AutoMLError, first_line

_PICKLE_HINT = (
    "save the series as one float array padded with NaN at the end, "
    "e.g. X = automl.modalities.series_arrays.pad_series(list_of_series)[0]"
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


def read_npz(path: Path, target: str | None, require_labels: bool) -> tuple[Any, Any]:
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


def read_npy_pair(path: Path, target: str | None, require_labels: bool) -> tuple[Any, Any]:
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
    check_numpy_file(path)  # a declared shape is never allocated before it is checked
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
    check_numpy_file(path)
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


def array_series(X: np.ndarray, where: str) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
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
    lengths = series_lengths(X)
    names = tuple(f"x{i}" for i in range(X.shape[2])) if X.shape[2] > 1 else ("x",)
    return X, lengths, names


def series_lengths(X: np.ndarray) -> np.ndarray:
    """Returns each series' real steps: up to its last step with any value (NaN pads)."""
    present = ~np.isnan(X).all(axis=2)
    last = X.shape[1] - np.argmax(present[:, ::-1], axis=1)
    return np.where(present.any(axis=1), last, 0).astype(np.int64)


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


def _dtype_words(dtype: np.dtype) -> str:
    words = {"U": "text", "S": "bytes", "O": "Python objects", "M": "dates", "m": "durations"}
    return words.get(dtype.kind, f"{dtype} values")
