"""The exported model as explanations use it: its SavedModel, its `.keras` twin, its test rows.

Permutation and occlusion run the SavedModel itself; gradients need the `.keras` file, which
is checked to give the SavedModel's outputs on the rows explained before any gradient is
trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from automl.errors import AutoMLError
from automl.experiment.layout import MARKER, SPLITS
from automl.export.bundle import KERAS_FILE, SAVED_MODEL_DIR, read_metadata
from automl.export.predict import load_signature, model_folder, serve_in_batches

#: The `.keras` model must match the SavedModel within this (max absolute difference).
KERAS_MATCH = 1e-4


@dataclass
class ExportedModel:
    """An exported model folder opened for explaining: metadata, SavedModel, `.keras` model."""

    folder: Path
    metadata: dict
    _serve: Any = field(default=None, repr=False)
    _keras: Any = field(default=None, repr=False)
    _saved: Any = field(default=None, repr=False)

    @property
    def class_names(self) -> list[str]:
        """Returns the class names (empty for regression and forecasts)."""
        return [str(c) for c in self.metadata.get("class_names") or []]

    def serve(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        """Returns the SavedModel's scores [rows, outputs]: probabilities, value or forecast."""
        if self._serve is None:
            self._serve = load_signature(self.folder)
        outputs = serve_in_batches(self.folder, inputs, serve=self._serve)
        return scores_of(outputs)

    def serve_images(self, images: np.ndarray) -> np.ndarray:
        """Returns the SavedModel's probabilities for decoded images (its `serve_array`)."""
        import tensorflow as tf

        if self._saved is None:
            self._saved = tf.saved_model.load(str(self.folder / SAVED_MODEL_DIR))
        outputs = self._saved.signatures["serve_array"](images=tf.constant(images))
        return scores_of({k: v.numpy() for k, v in outputs.items()})

    def keras_model(self) -> Any:
        """Returns the `.keras` model, loaded once with the project's layers registered."""
        if self._keras is None:
            import keras

            # Registers the project's layers for safe loading.
            import architectures.backbones  # noqa: F401
            import architectures.baseline_layers  # noqa: F401
            import architectures.layers  # noqa: F401
            import architectures.rocket_layers  # noqa: F401

            path = self.folder / KERAS_FILE
            if not path.exists():
                raise AutoMLError(f"{self.folder} has no {KERAS_FILE}: re-export the model")
            self._keras = keras.saving.load_model(path, safe_mode=True)
        return self._keras


def scores_of(outputs: dict[str, np.ndarray]) -> np.ndarray:
    """Returns a signature's numeric output as [rows, outputs]."""
    for key in ("probabilities", "forecast", "value"):
        if key in outputs:
            values = np.asarray(outputs[key], dtype=np.float64)
            return values.reshape(len(values), -1)
    raise AutoMLError(f"the model's outputs ({', '.join(outputs)}) hold no scores to explain")


def open_model(path: str | Path) -> ExportedModel:
    """Returns the exported model at `path` (a model folder or an experiment folder).

    Raises:
        AutoMLError: not a model folder this tool exported.
    """
    folder = model_folder(path)
    try:
        metadata = read_metadata(folder)
    except (OSError, ValueError) as error:
        raise AutoMLError(f"{folder} is not an exported model (metadata.json: {error})") from None
    if not isinstance(metadata, dict) or "modality" not in metadata or "inputs" not in metadata:
        raise AutoMLError(f"{folder} is not a model exported by AutoML Studio")
    return ExportedModel(folder, metadata)


def keras_gap(served: np.ndarray, keras_scores: np.ndarray) -> float:
    """Returns the largest difference between the two models' scores.

    Raises:
        AutoMLError: larger than `KERAS_MATCH`: gradients of the `.keras` model would not
            explain the SavedModel.
    """
    gap = float(np.max(np.abs(np.asarray(served) - np.asarray(keras_scores)), initial=0.0))
    if not gap <= KERAS_MATCH:
        raise AutoMLError(
            f"the model's .keras file differs from its SavedModel by {gap:.2g}; re-export it"
        )
    return gap


def test_positions(folder: Path, data: Path) -> np.ndarray | None:
    """Returns the experiment's test split when `data` is the file it searched, else None."""
    experiment = folder.parent
    try:
        record = json.loads((experiment / MARKER).read_text())
        splits = json.loads((experiment / SPLITS).read_text())
    except (OSError, ValueError):
        return None
    searched = record.get("data_path")
    if not searched or (record.get("request") or {}).get("test_file"):
        return None
    if Path(searched).resolve() != Path(data).resolve():
        return None
    return np.asarray(splits.get("test") or [], dtype=np.int64)
