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
