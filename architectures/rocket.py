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

import math
from typing import ClassVar

import keras
import keras_tuner
import numpy as np

from architectures.rocket_layers import KERNEL_LENGTH, MiniRocketFeatures, kernel_bank
from architectures.sequence import SequenceHyperModel
from architectures.spaces import RocketSpace
from architectures.tuning import dropout_rate, nearest

#: MiniRocket's most dilations per kernel.
MAX_DILATIONS = 32
#: Training series whose convolutions give the bias quantiles.
BIAS_SAMPLE = 256


def dilations_for(steps: int, features: int) -> tuple[tuple[int, ...], int]:
    """Returns (dilations, biases per kernel and dilation) for about `features` features."""
    kernels = kernel_bank().shape[-1]
    top = math.log2(max(1.0, (steps - 1) / (KERNEL_LENGTH - 1)))
    count = max(1, min(MAX_DILATIONS, features // kernels))
    dilations = tuple(sorted({int(2**e) for e in np.linspace(0, top, count)}))
    biases = max(1, features // (kernels * len(dilations)))
    return dilations, biases


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

    def near_baseline(self, kind: str) -> dict[str, dict]:
        """Returns this family (any settings) for a linear or nearest-neighbour baseline.

        Its head is linear, and on small series sets random-convolution features with a
        linear head match or beat nearest neighbour (Dempster et al., 2020).
        """
        near = kind in ("linear", "neighbours")
        return {"random convolutions with a linear head": {}} if near else {}

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
