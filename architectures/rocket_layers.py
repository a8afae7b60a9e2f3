"""The random-convolution (MiniRocket) feature layer and its fixed kernel bank.

Registered for safe loading like every custom layer (`import architectures.layers` imports
this module too).
"""

from __future__ import annotations

import itertools
import math

import keras
import numpy as np
from keras import ops

KERNEL_LENGTH = 9
#: The low-discrepancy quantiles MiniRocket draws biases at.
GOLDEN = (math.sqrt(5) - 1) / 2


def kernel_bank() -> np.ndarray:
    """Returns the 84 MiniRocket kernels as (9, 1, 84): -1 everywhere, 2 at three taps."""
    kernels = []
    for taps in itertools.combinations(range(KERNEL_LENGTH), 3):
        weights = -np.ones(KERNEL_LENGTH, dtype="float32")
        weights[list(taps)] = 2.0
        kernels.append(weights)
    return np.stack(kernels, axis=1)[:, None, :]


@keras.saving.register_keras_serializable(package="automl_studio")
class MiniRocketFeatures(keras.layers.Layer):
    """Returns (batch, dilations x 84 x biases) proportions of positive values.

    Takes [series (batch, steps, features), real_steps (batch, steps, 1)]; padded steps
    count neither as positive nor as steps. The biases are a weight set by `fit_biases`.
    """

    def __init__(self, dilations: tuple[int, ...], biases: int, **kwargs):
        super().__init__(**kwargs)
        self.dilations = tuple(int(d) for d in dilations)
        self.biases = int(biases)
        self.kernels = kernel_bank().shape[-1]
        self.bias = self.add_weight(
            shape=(len(self.dilations), self.kernels, self.biases),
            initializer="zeros",
            trainable=False,
            name="bias",
        )

    def convolve(self, series, dilation: int):
        """Returns (batch, steps, 84): every kernel at `dilation` over the summed features."""
        summed = ops.sum(series, axis=-1, keepdims=True)
        bank = ops.convert_to_tensor(kernel_bank(), dtype=summed.dtype)
        return ops.conv(summed, bank, strides=1, padding="same", dilation_rate=dilation)

    def call(self, inputs):
        series, real = inputs
        steps = ops.maximum(ops.sum(real, axis=1), 1.0)  # (batch, 1)
        parts = []
        for i, dilation in enumerate(self.dilations):
            out = self.convolve(series, dilation)[..., None]  # (batch, steps, 84, 1)
            positive = ops.cast(out > self.bias[i], "float32") * real[..., None]
            parts.append(
                ops.reshape(
                    ops.sum(positive, axis=1) / steps[..., None], (-1, self.kernels * self.biases)
                )
            )
        return ops.concatenate(parts, axis=-1)

    def fit_biases(self, series: np.ndarray, seed: int = 0) -> None:
        """Sets the biases from convolution outputs on training `series` (NaN-free).

        Each (kernel, dilation) takes its biases at spread quantiles of its outputs on one
        random training series, as MiniRocket does, so every feature splits real data.
        """
        rng = np.random.default_rng(seed)
        quantiles = np.array([(j + 1) * GOLDEN % 1 for j in range(self.biases)])
        values = np.zeros((len(self.dilations), self.kernels, self.biases), dtype="float32")
        for i, dilation in enumerate(self.dilations):
            out = np.asarray(self.convolve(ops.convert_to_tensor(series), dilation))
            pick = rng.integers(0, len(series), self.kernels)
            for k in range(self.kernels):
                values[i, k] = np.quantile(out[pick[k], :, k], quantiles)
        self.bias.assign(values)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], len(self.dilations) * self.kernels * self.biases)

    def get_config(self) -> dict:
        return {**super().get_config(), "dilations": self.dilations, "biases": self.biases}
