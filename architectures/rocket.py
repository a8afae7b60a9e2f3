"""Random convolutions for series, after MiniRocket (Dempster et al., 2021).

A fixed bank of kernels of length 9 with weights in {-1, 2} (the 84 ways to place three 2s
among nine taps), at dilations spread exponentially up to the series' length, turns each
series into thousands of "proportion of positive values" features: for each kernel,
dilation and bias, the share of steps where the convolution exceeds the bias. The biases are
quantiles of the convolution outputs on training series, set once in `fit`; only the linear
head behind the features trains. That fits small series sets in seconds at close to the
state of the art, and it is an ordinary Keras model, exported like every family.

Multivariate series are summed over their (standardized) features before the convolutions:
simpler than MiniRocket's random channel subsets, and a model the size of the univariate one.
"""

from __future__ import annotations

import itertools
import math
from typing import ClassVar

import keras
import keras_tuner
import numpy as np
from keras import ops

from architectures.sequence import SequenceHyperModel, dropout_rate
from architectures.spaces import RocketSpace
from architectures.tuning import nearest

KERNEL_LENGTH = 9
#: MiniRocket's most dilations per kernel.
MAX_DILATIONS = 32
#: Training series whose convolutions give the bias quantiles.
BIAS_SAMPLE = 256
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


def dilations_for(steps: int, features: int) -> tuple[tuple[int, ...], int]:
    """Returns (dilations, biases per kernel and dilation) for about `features` features."""
    kernels = kernel_bank().shape[-1]
    top = math.log2(max(1.0, (steps - 1) / (KERNEL_LENGTH - 1)))
    count = max(1, min(MAX_DILATIONS, features // kernels))
    dilations = tuple(sorted({int(2**e) for e in np.linspace(0, top, count)}))
    biases = max(1, features // (kernels * len(dilations)))
    return dilations, biases


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


class RocketHyperModel(SequenceHyperModel):
    """Random dilated convolutions with a trained linear head, for series.

    Hyperparameters (first-trial defaults in brackets): "features" [~10,000, MiniRocket's
    default], "dropout" [0.0], plus the shared "learning_rate" [1e-3], "optimizer",
    "batch_size" and "per_series_norm" [True for classes].

    Example:
        >>> from architectures.sequence import SequenceTask, SeriesInput
        >>> series = SeriesInput(features=1, mean=(0.0,), variance=(1.0,), steps=60)
        >>> model = RocketHyperModel(series, SequenceTask("binary", 2), ["accuracy"], 40)
        >>> model.build(keras_tuner.HyperParameters()).output_shape
        (None, 2)
    """

    family: ClassVar[str] = "rocket"
    space_class: ClassVar[type] = RocketSpace
    consumes_masks: ClassVar[bool] = False

    def body(self, hp: keras_tuner.HyperParameters, x, real_steps):
        space = self.space
        count = hp.Choice("features", list(space.features), default=nearest(space.features, 10_000))
        steps = self.inputs.steps or self.inputs.longest or space.assumed_steps
        dilations, biases = dilations_for(steps, count)
        features = MiniRocketFeatures(dilations, biases, name="minirocket")([x, real_steps])
        # Proportions sit in [0, 1] with very different spreads: standardized in `fit`.
        features = keras.layers.Normalization(name="feature_scale")(features)
        rate = dropout_rate(hp, space.max_dropout, 0.0)
        return keras.layers.Dropout(rate)(features) if rate else features

    def fit(self, hp, model, x, y=None, validation_data=None, **kwargs):
        """Sets the fixed biases and feature scales from training series, then trains the head."""
        sample = x if isinstance(x, np.ndarray) else _first_series(x)
        rng = np.random.default_rng(self.seed)
        chosen = rng.choice(len(sample), min(len(sample), BIAS_SAMPLE), replace=False)
        inputs = sample[np.sort(chosen)]
        standardize = keras.Model(
            model.inputs,
            [model.get_layer("standardize").output, model.get_layer("real_steps").output],
        )
        series, real = standardize.predict(inputs, verbose=0)
        rocket = model.get_layer("minirocket")
        rocket.fit_biases(series * real, seed=self.seed)
        values = np.asarray(rocket([series, real]))
        model.get_layer("feature_scale").adapt(values)
        return super().fit(hp, model, x, y, validation_data=validation_data, **kwargs)


def _first_series(dataset) -> np.ndarray:
    """Returns up to BIAS_SAMPLE series from a dataset of (series, label) pairs."""
    return np.stack([np.asarray(s) for s, _ in dataset.take(BIAS_SAMPLE)])
