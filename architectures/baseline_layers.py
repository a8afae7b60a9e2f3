"""The layers of the baselines' Keras forms: a constant row, nearest neighbours, flat steps.

Registered for safe loading like every custom layer (`import architectures.layers` imports
this module too).
"""

from __future__ import annotations

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="automl_studio")
class ConstantOutput(keras.layers.Layer):
    """Returns the same row of `values` for every input row: majority class or mean."""

    def __init__(self, values: list[float], **kwargs):
        super().__init__(**kwargs)
        self.values = [float(v) for v in values]

    def call(self, inputs):
        ones = ops.ones((ops.shape(inputs)[0], 1), dtype=self.compute_dtype)
        return ones * ops.convert_to_tensor([self.values], dtype=self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.values))

    def get_config(self) -> dict:
        return {**super().get_config(), "values": self.values}


@keras.saving.register_keras_serializable(package="automl_studio")
class NearestNeighbours(keras.layers.Layer):
    """Returns the mean target of the `k` stored examples nearest each row (Euclidean).

    The stored examples and their targets are weights of the layer, so they travel inside
    the SavedModel. For classes the targets are one-hot rows, so the mean is the share of
    the neighbours' votes per class: with k = 1, the nearest example's class.

    Args:
        examples: (n, width) encoded training rows.
        targets: (n, outputs) what each example predicts (one-hot classes or values).
        k: neighbours that vote.
    """

    def __init__(self, examples_shape: tuple[int, int], outputs: int, k: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.examples_shape = (int(examples_shape[0]), int(examples_shape[1]))
        self.outputs = int(outputs)
        self.k = int(min(k, self.examples_shape[0]))
        self.examples = self.add_weight(
            shape=self.examples_shape, initializer="zeros", trainable=False, name="examples"
        )
        self.targets = self.add_weight(
            shape=(self.examples_shape[0], self.outputs),
            initializer="zeros",
            trainable=False,
            name="targets",
        )

    def call(self, inputs):
        inputs = ops.cast(inputs, self.examples.dtype)
        # |a - b|^2 = |a|^2 - 2 a.b + |b|^2; |a|^2 is the same for every example of a row.
        squared = ops.sum(ops.square(self.examples), axis=1)
        distances = squared[None, :] - 2.0 * ops.matmul(inputs, ops.transpose(self.examples))
        _, nearest = ops.top_k(-distances, k=self.k)
        votes = ops.take(self.targets, nearest, axis=0)  # (batch, k, outputs)
        return ops.mean(votes, axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.outputs)

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "examples_shape": self.examples_shape,
            "outputs": self.outputs,
            "k": self.k,
        }


@keras.saving.register_keras_serializable(package="automl_studio")
class FlatSteps(keras.layers.Layer):
    """Returns series cut or zero-padded to `steps`, flat: (batch, steps x features).

    The baselines compare series step by step; a longer or shorter series than the
    training ones still gets an answer (standardized padding reads as 0, the mean).
    """

    def __init__(self, steps: int, features: int, **kwargs):
        super().__init__(**kwargs)
        self.steps, self.features = int(steps), int(features)

    def call(self, inputs):
        cut = inputs[:, : self.steps, :]
        missing = self.steps - ops.shape(cut)[1]
        padded = ops.pad(cut, [[0, 0], [0, missing], [0, 0]])
        return ops.reshape(padded, (-1, self.steps * self.features))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.steps * self.features)

    def get_config(self) -> dict:
        return {**super().get_config(), "steps": self.steps, "features": self.features}
