"""Writes a SavedModel whose `serving_default` signature takes the raw columns."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ServingInput:
    """One raw column as the signature takes it: a 1-D tensor, one value per row."""

    column: str
    input_name: str
    dtype: str  # "float32" or "string"
    kind: str

    def to_dict(self) -> dict:
        return {
            "column": self.column,
            "input_name": self.input_name,
            "dtype": self.dtype,
            "kind": self.kind,
        }


def write_saved_model(
    model, inputs: list[ServingInput], class_names: list[str], path: Path
) -> None:
    """Writes `model` to `path` as a SavedModel for TensorFlow Serving.

    The `serving_default` signature takes one 1-D tensor per raw column (NaN or "" for
    missing values) and returns `probabilities` and `label` (class names) for
    classification, or `value` for regression. `serve_model` returns the raw output.
    """
    import keras
    import tensorflow as tf

    specs = {
        i.input_name: tf.TensorSpec(
            [None], tf.string if i.dtype == "string" else tf.float32, name=i.input_name
        )
        for i in inputs
    }
    labels = tf.constant(class_names) if class_names else None

    def serve(features):
        batch = {name: tf.expand_dims(tensor, -1) for name, tensor in features.items()}
        output = model(batch, training=False)
        if labels is None:
            return {"value": tf.squeeze(output, -1)}
        return {"probabilities": output, "label": tf.gather(labels, tf.argmax(output, -1))}

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serving_default", serve, input_signature=[specs])
    archive.write_out(str(path), verbose=False)
