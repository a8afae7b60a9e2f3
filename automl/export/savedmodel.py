"""SavedModel signatures: one per kind of input (columns, images, series), each able to
write itself, describe itself in metadata.json and predict the rows it is checked on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


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


@dataclass(frozen=True)
class TableServing:
    """Tables (and text) in: one 1-D tensor per raw column, named by `ServingInput`."""

    inputs: tuple[ServingInput, ...]

    def input_dicts(self) -> list[dict]:
        return [i.to_dict() for i in self.inputs]

    def outputs(self, class_names: list[str]) -> list[str]:
        return ["probabilities", "label"] if class_names else ["value"]

    def extra_metadata(self) -> dict:
        return {}

    def write(self, model, class_names: list[str], path: Path) -> None:
        write_table_saved_model(model, list(self.inputs), class_names, path)

    def predict(self, model, rows: dict[str, np.ndarray]) -> np.ndarray:
        from automl.search.arrays import predict

        return predict(model, rows)


@dataclass(frozen=True)
class ImageServing:
    """Images in: encoded bytes (`serving_default`) or float arrays (`serve_array`)."""

    size: tuple[int, int]
    channels: int

    def input_dicts(self) -> list[dict]:
        return [
            {"column": "image", "input_name": "image_bytes", "dtype": "string", "kind": "image"}
        ]

    def outputs(self, class_names: list[str]) -> list[str]:
        return ["probabilities", "label"] if class_names else ["value"]

    def extra_metadata(self) -> dict:
        return {
            "image": {"size": list(self.size), "channels": self.channels},
            "signatures": ["serving_default", "serve_array"],
        }

    def write(self, model, class_names: list[str], path: Path) -> None:
        write_image_saved_model(model, self, class_names, path)

    def predict(self, model, rows: dict[str, np.ndarray]) -> np.ndarray:
        """Returns the model's output for base64-encoded images, decoded as served."""
        import tensorflow as tf

        from automl.export.bundle import decode_base64_rows
        from automl.modalities.image_decode import decode_image

        encoded = decode_base64_rows(rows)["image_bytes"]
        images = tf.data.Dataset.from_tensor_slices(encoded).map(
            lambda one: decode_image(one, self.size, self.channels)
        )
        return np.asarray(model.predict(images.batch(256), verbose=0))


@dataclass(frozen=True)
class SeriesServing:
    """Series in: float32 `series` [batch, steps, features], NaN padding after short series.

    `horizon` > 0 makes it a forecaster: `steps` is then its lookback, and the output is
    `forecast` [batch, horizon].
    """

    features: int
    feature_names: tuple[str, ...]
    horizon: int = 0
    steps: int | None = None

    def input_dicts(self) -> list[dict]:
        return [
            {
                "column": "series",
                "input_name": "series",
                "dtype": "float32",
                "kind": "series",
                "shape": [None, self.steps, self.features],
                "feature_names": list(self.feature_names),
            }
        ]

    def outputs(self, class_names: list[str]) -> list[str]:
        if self.horizon:
            return ["forecast"]
        return ["probabilities", "label"] if class_names else ["value"]

    def extra_metadata(self) -> dict:
        return {}

    def write(self, model, class_names: list[str], path: Path) -> None:
        write_series_saved_model(model, self, class_names, path)

    def predict(self, model, rows: dict[str, np.ndarray]) -> np.ndarray:
        return np.asarray(model.predict(rows["series"], batch_size=512, verbose=0))


def series_serving(metadata: dict) -> SeriesServing:
    """Returns the `SeriesServing` an export's metadata.json describes."""
    spec = metadata["inputs"][0]
    forecast = metadata.get("forecast") or {}
    return SeriesServing(
        spec["shape"][2],
        tuple(spec["feature_names"]),
        horizon=int(forecast.get("horizon", 0)),
        steps=spec["shape"][1],
    )


def _outputs(output, labels):
    import tensorflow as tf

    if labels is None:
        return {"value": tf.squeeze(output, -1)}
    return {"probabilities": output, "label": tf.gather(labels, tf.argmax(output, -1))}


def write_image_saved_model(
    model, serving: ImageServing, class_names: list[str], path: Path
) -> None:
    """Writes a SavedModel that decodes and resizes images itself.

    `serving_default` takes `image_bytes`: a 1-D string tensor of encoded JPEG/PNG/GIF/BMP
    files of any size. `serve_array` takes `images`: float32 [batch, height, width,
    channels] with values 0..255, any height and width. Both return `probabilities` and
    `label`.
    """
    import keras
    import tensorflow as tf

    from automl.modalities.image_decode import decode_image

    labels = tf.constant(class_names)
    height, width = serving.size

    def from_bytes(image_bytes):
        images = tf.map_fn(
            lambda one: decode_image(one, serving.size, serving.channels),
            image_bytes,
            fn_output_signature=tf.TensorSpec([height, width, serving.channels], tf.float32),
        )
        return _outputs(model(images, training=False), labels)

    def from_arrays(images):
        resized = tf.image.resize(images, serving.size)
        return _outputs(model(resized, training=False), labels)

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serving_default",
        from_bytes,
        input_signature=[tf.TensorSpec([None], tf.string, name="image_bytes")],
    )
    archive.add_endpoint(
        "serve_array",
        from_arrays,
        input_signature=[
            tf.TensorSpec([None, None, None, serving.channels], tf.float32, name="images")
        ],
    )
    archive.write_out(str(path), verbose=False)


def write_table_saved_model(
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
        return _outputs(model(batch, training=False), labels)

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint("serving_default", serve, input_signature=[specs])
    archive.write_out(str(path), verbose=False)


def write_series_saved_model(
    model, serving: SeriesServing, class_names: list[str], path: Path
) -> None:
    """Writes a SavedModel whose `serving_default` takes `series` [batch, steps, features].

    Classifiers return `probabilities` and `label`, regressors `value`, forecasters
    `forecast` [batch, horizon]. Steps may be any number unless the model was trained on a
    fixed lookback (forecasting).
    """
    import keras
    import tensorflow as tf

    labels = tf.constant(class_names) if class_names else None

    def serve(series):
        output = model(series, training=False)
        if serving.horizon:
            return {"forecast": output}
        return _outputs(output, labels)

    archive = keras.export.ExportArchive()
    archive.track(model)
    archive.add_endpoint(
        "serving_default",
        serve,
        input_signature=[
            tf.TensorSpec([None, serving.steps, serving.features], tf.float32, name="series")
        ],
    )
    archive.write_out(str(path), verbose=False)
