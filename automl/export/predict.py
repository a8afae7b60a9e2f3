"""Runs an exported model on a new file: `automl predict MODEL_DIR data.csv -o out.csv`.

Uses only the SavedModel and `metadata.json`; no training code is needed to load it. The
model's kind of data (`metadata.json`'s "modality") reads the file and shapes the output.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from automl.errors import AutoMLError
from automl.export.bundle import SAVED_MODEL_DIR, read_metadata
from automl.export.reporting import current_report
from automl.modalities import modality_named

BATCH_ROWS = 8192


@dataclass(frozen=True)
class Predictions:
    frame: pd.DataFrame  # the input's columns, then `prediction` (and `proba_<class>`)
    notes: tuple[str, ...]


def predict_file(model_dir: str | Path, data: str | Path) -> Predictions:
    """Returns predictions for every row (image, series, window) of `data`, in order.

    Raises:
        AutoMLError: not an exported model, a missing column, or a value of the wrong
            type (text in a numeric column).
    """
    model_dir = model_folder(model_dir)
    metadata = read_metadata(model_dir)
    return modality_named(metadata.get("modality")).predict_file(model_dir, metadata, Path(data))


def model_folder(path: str | Path) -> Path:
    """Returns the exported model folder `path` names: itself, or an experiment's `model/`.

    Raises:
        AutoMLError: neither holds a metadata.json.
    """
    model_dir = Path(path)
    if not (model_dir / "metadata.json").exists():
        nested = model_dir / "model"
        if (nested / "metadata.json").exists():
            return nested  # an experiment folder: use its exported model
        raise AutoMLError(f"{model_dir} is not an exported model (no metadata.json)")
    return model_dir


def load_signature(model_dir: Path) -> Any:
    """Returns the exported SavedModel's `serving_default` signature."""
    import tensorflow as tf

    return tf.saved_model.load(str(model_dir / SAVED_MODEL_DIR)).signatures["serving_default"]


def serve_in_batches(
    model_dir: Path, inputs: dict[str, np.ndarray], serve: Any = None
) -> dict[str, np.ndarray]:
    """Returns the signature's outputs for `inputs` (named arrays), fed `BATCH_ROWS` at once.

    `serve` is the loaded signature when the caller serves many times (explanations).
    Reports (0, rows) before the first batch, so a reader's clock for the time left starts
    after the model has loaded, then (rows done, rows) after each batch
    (`automl.export.reporting`).
    """
    import tensorflow as tf

    serve = load_signature(model_dir) if serve is None else serve
    rows = len(next(iter(inputs.values()))) if inputs else 0
    report = current_report()
    report(0, rows)
    outputs: dict[str, list[np.ndarray]] = {}
    for start in range(0, rows, BATCH_ROWS):
        batch = {k: tf.constant(v[start : start + BATCH_ROWS]) for k, v in inputs.items()}
        for key, value in serve(**batch).items():
            outputs.setdefault(key, []).append(value.numpy())
        report(min(start + BATCH_ROWS, rows), rows)
    return {key: np.concatenate(parts) for key, parts in outputs.items()}


def labelled(outputs: dict[str, np.ndarray], metadata: dict) -> dict[str, Any]:
    """Returns the output columns: `prediction` and `proba_<class>`, or the `prediction` value."""
    columns: dict[str, Any] = {}
    if metadata["class_names"]:
        columns["prediction"] = [label.decode("utf-8") for label in outputs["label"]]
        for i, name in enumerate(metadata["class_names"]):
            columns[f"proba_{name}"] = outputs["probabilities"][:, i]
    else:
        columns["prediction"] = outputs["value"].reshape(-1)
    return columns


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Writes `frame` as CSV (or Parquet for .parquet), via a temporary name."""
    path = Path(path)
    partial = partial_table(path)
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            frame.to_parquet(partial, index=False)
        else:
            frame.to_csv(partial, index=False)
    except BaseException:  # Ctrl-C included: nothing half-written stays
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)


def partial_table(path: Path) -> Path:
    """Returns where `write_table` writes `path` before renaming it into place."""
    return path.with_name(f".{path.name}.partial")
