"""Preprocessing layers that Keras lacks, serializable so `.keras` files load in safe mode."""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="automl_studio")
class FillMissing(keras.layers.Layer):
    """Replaces NaN in each column with that column's fill value (the training mean).

    Example:
        >>> FillMissing([1.0, 2.0])(np.array([[np.nan, 5.0]], "float32"))  # [[1., 5.]]
    """

    def __init__(self, fill_values: list[float], **kwargs):
        super().__init__(**kwargs)
        self.fill_values = [float(v) for v in fill_values]

    def call(self, inputs):
        fill = ops.convert_to_tensor(self.fill_values, dtype=inputs.dtype)
        return ops.where(ops.isnan(inputs), fill, inputs)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "fill_values": self.fill_values}


@keras.saving.register_keras_serializable(package="automl_studio")
class MissingIndicator(keras.layers.Layer):
    """Returns 1.0 where the chosen columns are NaN, else 0.0: missingness as a feature."""

    def __init__(self, columns: list[int], **kwargs):
        super().__init__(**kwargs)
        self.columns = [int(c) for c in columns]

    def call(self, inputs):
        chosen = ops.take(inputs, self.columns, axis=-1)
        return ops.cast(ops.isnan(chosen), self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], len(self.columns))

    def get_config(self) -> dict:
        return {**super().get_config(), "columns": self.columns}
