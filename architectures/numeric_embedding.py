"""Periodic embeddings of numeric columns (Gorishniy et al., 2022; RealMLP's PBLD).

An MLP fed a scaled number sees it through one weight per unit: a function of the number
that is hard to make wiggly, while tables are full of thresholds and bands. Embedding each
number as cos and sin of learned frequencies, then a small linear map and ReLU of its own
("PLR"), gives every column a learned, high-frequency basis. The scaled number stays beside
its embedding, as RealMLP keeps it, so the network can still read it directly.
"""

from __future__ import annotations

import math

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="automl_studio")
class PeriodicEmbedding(keras.layers.Layer):
    """Returns (batch, columns x width): each column's periodic features, mapped and ReLU'd.

    Args:
        frequencies: learned frequencies per column (k): 2k periodic features each.
        width: outputs per column after its own linear map.
        sigma: the spread of the initial frequencies, in the units of the scaled inputs;
            the one setting that matters (small: smooth functions; large: sharp ones).
        seed: initial frequencies' seed.

    Example:
        >>> PeriodicEmbedding(8, 4, 0.1)(np.zeros((2, 3), "float32")).shape  # (2, 12)
    """

    def __init__(
        self, frequencies: int = 16, width: int = 8, sigma: float = 0.1, seed: int = 0, **kwargs
    ):
        super().__init__(**kwargs)
        self.frequencies = int(frequencies)
        self.width = int(width)
        self.sigma = float(sigma)
        self.seed = int(seed)

    def build(self, input_shape):
        columns = self.columns = int(input_shape[-1])
        self.frequency = self.add_weight(
            name="frequency",
            shape=(columns, self.frequencies),
            initializer=keras.initializers.RandomNormal(0.0, self.sigma, seed=self.seed),
        )
        self.kernel = self.add_weight(
            name="kernel",
            shape=(columns, 2 * self.frequencies, self.width),
            initializer=keras.initializers.GlorotUniform(seed=self.seed + 1),
        )
        self.bias = self.add_weight(name="bias", shape=(columns, self.width), initializer="zeros")

    def call(self, inputs):
        angle = 2.0 * math.pi * ops.expand_dims(inputs, -1) * self.frequency  # (b, n, k)
        periodic = ops.concatenate([ops.cos(angle), ops.sin(angle)], axis=-1)  # (b, n, 2k)
        mapped = ops.einsum("bnf,nfw->bnw", periodic, self.kernel) + self.bias
        # The column count is static (from `build`): a traced graph may not know it.
        return ops.reshape(ops.relu(mapped), (-1, self.width * self.columns))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.width * int(input_shape[-1]))

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "frequencies": self.frequencies,
            "width": self.width,
            "sigma": self.sigma,
            "seed": self.seed,
        }
