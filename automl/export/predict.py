"""Runs an exported model on a new file: `automl predict MODEL_DIR data.csv -o out.csv`.

Uses only the SavedModel and `metadata.json`; no training code is needed to load it.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from automl.data.dataset import numeric_array, string_array
from automl.data.loading import read_table
from automl.errors import AutoMLError
from automl.export.bundle import SAVED_MODEL_DIR, read_metadata

BATCH_ROWS = 8192


@dataclass(frozen=True)
class Predictions:
    frame: pd.DataFrame  # the input's columns, then `prediction` (and `proba_<class>`)
    notes: tuple[str, ...]


def predict_file(model_dir: str | Path, data: str | Path) -> Predictions:
    """Returns predictions for every row of `data`, in the file's order.

    Raises:
        AutoMLError: not an exported model, a missing column, or a value of the wrong
            type (text in a numeric column).
    """
    model_dir = Path(model_dir)
    if not (model_dir / "metadata.json").exists():
        nested = model_dir / "model"
        if (nested / "metadata.json").exists():
            model_dir = nested  # an experiment folder: use its exported model
        else:
            raise AutoMLError(f"{model_dir} is not an exported model (no metadata.json)")
    metadata = read_metadata(model_dir)
    if metadata.get("modality") == "image":
        return predict_images(model_dir, metadata, Path(data))
    if metadata.get("modality") == "series":
        return predict_series(model_dir, metadata, Path(data))
    if metadata.get("modality") == "forecast":
        return predict_forecast(model_dir, metadata, Path(data))
    frame = read_table(data)
    inputs, notes = model_inputs(frame, metadata, str(data))

    import tensorflow as tf

    serve = tf.saved_model.load(str(model_dir / SAVED_MODEL_DIR)).signatures["serving_default"]
    outputs: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(frame), BATCH_ROWS):
        batch = {k: tf.constant(v[start : start + BATCH_ROWS]) for k, v in inputs.items()}
        for key, value in serve(**batch).items():
            outputs.setdefault(key, []).append(value.numpy())
    joined = {key: np.concatenate(parts) for key, parts in outputs.items()}

    result = frame.copy()
    if metadata["class_names"]:
        result["prediction"] = [label.decode("utf-8") for label in joined["label"]]
        for i, name in enumerate(metadata["class_names"]):
            result[f"proba_{name}"] = joined["probabilities"][:, i]
    else:
        result["prediction"] = joined["value"].reshape(-1)
    return Predictions(result, tuple(notes))


def predict_images(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns one row per image (path, prediction, proba_<class>) for a folder or CSV.

    A folder is searched recursively for image files; a CSV names them in a `path`
    column (relative to the CSV's folder). Files that cannot be decoded get an empty
    prediction and a note, and never stop the others.
    """
    paths = _image_paths(data, metadata)
    import tensorflow as tf

    serve = tf.saved_model.load(str(model_dir / SAVED_MODEL_DIR)).signatures["serving_default"]
    classes = metadata["class_names"]
    rows, unreadable = [], []
    for start in range(0, len(paths), IMAGE_BATCH):
        batch = paths[start : start + IMAGE_BATCH]
        for path, output in zip(batch, _serve_images(serve, batch), strict=True):
            if output is None:
                unreadable.append(path)
                rows.append(
                    {"path": path, "prediction": "", **{f"proba_{c}": np.nan for c in classes}}
                )
            else:
                label, proba = output
                rows.append(
                    {
                        "path": path,
                        "prediction": label,
                        **{f"proba_{c}": float(p) for c, p in zip(classes, proba, strict=True)},
                    }
                )
    notes = []
    if unreadable:
        notes.append(
            f"{len(unreadable)} file(s) could not be decoded as images, e.g. "
            f"{unreadable[0]}; their prediction is empty"
        )
    return Predictions(pd.DataFrame(rows), tuple(notes))


IMAGE_BATCH = 64


def _serve_series(model_dir: Path, x: np.ndarray) -> dict[str, np.ndarray]:
    import tensorflow as tf

    serve = tf.saved_model.load(str(model_dir / SAVED_MODEL_DIR)).signatures["serving_default"]
    outputs: dict[str, list[np.ndarray]] = {}
    for start in range(0, len(x), BATCH_ROWS):
        for key, value in serve(series=tf.constant(x[start : start + BATCH_ROWS])).items():
            outputs.setdefault(key, []).append(value.numpy())
    return {key: np.concatenate(parts) for key, parts in outputs.items()}


def _check_features(found: tuple[str, ...], expected: list[str], source: Path) -> None:
    if len(found) != len(expected):
        raise AutoMLError(
            f"{source} has {len(found)} feature(s) per step; the model was trained on "
            f"{len(expected)} ({', '.join(expected)})"
        )


def predict_series(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns one row per series: its id, `prediction` and `proba_<class>` (or the value).

    The file is read the way the training data was (`.npz`, `.npy`, long or wide CSV);
    labels in it, if any, are ignored.
    """
    from automl.data.sequences import load_sequences

    options = metadata["sequences"]
    # A training `--target y.npy` names the training labels, never the new file's.
    target = options.get("target")
    if target and str(target).endswith(".npy"):
        target = None
    sequences = load_sequences(
        data,
        target=target,
        id_column=options.get("id_column"),
        time_column=options.get("time_column"),
        series_per_row=bool(options.get("series_per_row")),
        require_labels=False,
    )
    _check_features(sequences.feature_names, options["feature_names"], data)
    joined = _serve_series(model_dir, sequences.X.astype(np.float32))
    result = pd.DataFrame({options.get("id_column") or "series": sequences.ids})
    if metadata["class_names"]:
        result["prediction"] = [label.decode("utf-8") for label in joined["label"]]
        for i, name in enumerate(metadata["class_names"]):
            result[f"proba_{name}"] = joined["probabilities"][:, i]
    else:
        result["prediction"] = joined["value"].reshape(-1)
    return Predictions(result, ())


def predict_forecast(model_dir: Path, metadata: dict, data: Path) -> Predictions:
    """Returns one row per forecast origin (every step with a full lookback): h1..hH.

    `origin` is the time (or row) of the last observed step; `h1` is the next step.
    """
    from automl.data.forecast import load_forecast, make_windows

    options = metadata["forecast"]
    series = load_forecast(
        data,
        options["target"],
        time_column=options.get("time_column"),
        id_column=options.get("id_column"),
    )
    missing = [n for n in options["feature_names"] if n not in series.feature_names]
    if missing:
        raise AutoMLError(f"{data} lacks column(s) the model needs: {', '.join(missing)}")
    _check_features(series.feature_names, options["feature_names"], data)
    windows = make_windows(series, options["lookback"], options["horizon"], with_targets=False)
    forecast = _serve_series(model_dir, windows.X.astype(np.float32))["forecast"]
    columns: dict[str, object] = {}
    if options.get("id_column"):
        columns[options["id_column"]] = [series.ids[i] for i in windows.series_index]
    columns[options.get("time_column") or "origin"] = windows.origin_time
    for h in range(forecast.shape[1]):
        columns[f"h{h + 1}"] = forecast[:, h]
    return Predictions(pd.DataFrame(columns), ())


def _serve_images(serve, paths: list[str]):
    """Yields (label, probabilities) per path, or None for a file that is not an image."""
    import tensorflow as tf

    contents = [Path(p).read_bytes() for p in paths]
    try:
        output = serve(image_bytes=tf.constant(contents))
        labels = [v.decode("utf-8") for v in output["label"].numpy()]
        return list(zip(labels, output["probabilities"].numpy(), strict=True))
    except (tf.errors.InvalidArgumentError, ValueError):
        if len(paths) == 1:
            return [None]
        # One bad file fails the whole batch: find it by going one at a time.
        return [_serve_images(serve, [p])[0] for p in paths]


def _image_paths(data: Path, metadata: dict) -> list[str]:
    from automl.data.images import IMAGE_SUFFIXES

    if data.is_dir():
        paths = sorted(
            str(p)
            for p in data.rglob("*")
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith(".")
        )
        if not paths:
            raise AutoMLError(f"{data} holds no image files ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return paths
    frame = read_table(data)
    column = metadata.get("image_column") or "path"
    if column not in frame.columns:
        raise AutoMLError(f"{data} has no {column!r} column of image paths")
    paths = [
        str(p if Path(p).is_absolute() else data.parent / p) for p in frame[column].astype(str)
    ]
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise AutoMLError(f"{len(missing)} image path(s) in {data} do not exist, e.g. {missing[0]}")
    return paths


def model_inputs(
    frame: pd.DataFrame, metadata: dict, source: str
) -> tuple[dict[str, np.ndarray], list[str]]:
    """Returns the signature's inputs built from `frame`'s columns, and notes for the user."""
    expected = [spec["column"] for spec in metadata["inputs"]]
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        hints = []
        for name in missing:
            close = difflib.get_close_matches(name, [str(c) for c in frame.columns], n=1)
            hints.append(f"{name!r}" + (f" (found {close[0]!r}: renamed?)" if close else ""))
        raise AutoMLError(f"{source} lacks column(s) the model needs: {', '.join(hints)}")
    notes = []
    known = set(expected) | {metadata.get("target")}
    extra = [str(c) for c in frame.columns if c not in known]
    if extra:
        notes.append(f"ignored column(s) the model does not use: {', '.join(extra)}")
    arrays = {}
    for spec in metadata["inputs"]:
        series = frame[spec["column"]]
        if spec["dtype"] == "float32":
            arrays[spec["input_name"]] = numeric_array(series, spec["column"], source)
        else:
            arrays[spec["input_name"]] = string_array(series)
    return arrays, notes


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Writes `frame` as CSV (or Parquet for .parquet), via a temporary name."""
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    if path.suffix.lower() in {".parquet", ".pq"}:
        frame.to_parquet(partial, index=False)
    else:
        frame.to_csv(partial, index=False)
    partial.replace(path)
