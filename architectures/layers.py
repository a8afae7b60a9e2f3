"""Preprocessing layers that Keras lacks, serializable so `.keras` files load in safe mode."""

from __future__ import annotations

import keras
from keras import ops

# Layers of the baselines, the random-convolution family and the numeric embedding live
# beside this module; importing them here keeps "import architectures.layers" enough for
# safe loading.
from architectures.baseline_layers import (  # noqa: F401
    ConstantOutput,
    FlatSteps,
    NearestNeighbours,
)
from architectures.numeric_embedding import PeriodicEmbedding  # noqa: F401
from architectures.rocket_layers import MiniRocketFeatures  # noqa: F401


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
class RobustScale(keras.layers.Layer):
    """Returns numeric columns centred and scaled robustly, then smoothly clipped.

    RealMLP's numeric preprocessing (Holzmüller et al., 2024): z = (x - centre) / scale,
    with the training median and an interquartile-range scale, then z / sqrt(1 + (z/3)^2),
    which keeps values near 0 as they are and bends outliers towards +-3, so one extreme
    row cannot dominate a layer's input.

    Example:
        >>> RobustScale([0.0], [1.0])(np.array([[3.0]], "float32"))  # [[2.1213]]
    """

    def __init__(self, centre: list[float], scale: list[float], **kwargs):
        super().__init__(**kwargs)
        self.centre = [float(v) for v in centre]
        # A scale of 0 (a constant column) divides by 1: the column stays at 0.
        self.scale = [float(v) if v > 0 else 1.0 for v in scale]

    def call(self, inputs):
        centre = ops.convert_to_tensor(self.centre, dtype=inputs.dtype)
        scale = ops.convert_to_tensor(self.scale, dtype=inputs.dtype)
        z = (inputs - centre) / scale
        return z / ops.sqrt(1.0 + ops.square(z / 3.0))

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "centre": self.centre, "scale": self.scale}


@keras.saving.register_keras_serializable(package="automl_studio")
class SmoothedSparseCrossentropy(keras.losses.Loss):
    """Returns the cross-entropy of class ids against softmax outputs, labels smoothed.

    Keras' sparse cross-entropy has no label smoothing; this one-hot encodes the ids and
    smooths them (each label is 1 - s + s/k, every other s/k), as RealMLP trains its
    classifiers (s = 0.1): the model stops pushing probabilities to 0 and 1, which
    over-fits a few hundred rows.
    """

    def __init__(
        self, classes: int, smoothing: float = 0.1, name: str = "smoothed_crossentropy", **kwargs
    ):
        super().__init__(name=name, **kwargs)
        self.classes = int(classes)
        self.smoothing = float(smoothing)

    def call(self, y_true, y_pred):
        ids = ops.cast(ops.reshape(y_true, (-1,)), "int32")
        one_hot = ops.one_hot(ids, self.classes, dtype=y_pred.dtype)
        return keras.losses.categorical_crossentropy(
            one_hot, y_pred, label_smoothing=self.smoothing
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "classes": self.classes, "smoothing": self.smoothing}


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


@keras.saving.register_keras_serializable(package="automl_studio")
class SeriesMask(keras.layers.Layer):
    """Returns series standardized per feature with NaN as 0, masking all-NaN steps.

    NaN marks both a missing value and the padding after a series shorter than the
    longest one. After standardizing, 0 is the training mean, the neutral fill for either.
    A step whose features are all NaN is padding: its Keras mask is False, so recurrent
    layers skip it and a short series gives the same prediction padded or not.

    Args:
        mean, variance: per feature, NaN-free training statistics.
        mask_padding: False for layers that cannot take a Keras mask (Conv1D would drop it
            with a warning); they read `RealSteps` instead.
        per_series: standardize each series by its own mean and spread (per feature, over
            its real steps) instead: the FCN recipe (Wang et al. 2017), for classes told by
            shape rather than by level or scale.

    Example:
        >>> SeriesMask([1.0], [4.0])(np.array([[[3.0], [np.nan]]], "float32"))  # [[[1.], [0.]]]
    """

    def __init__(
        self,
        mean: list[float],
        variance: list[float],
        mask_padding: bool = True,
        per_series: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.mean = [float(v) for v in mean]
        self.variance = [float(v) for v in variance]
        self.mask_padding = bool(mask_padding)
        self.per_series = bool(per_series)
        # Keras decides masking support from whether compute_mask is overridden.
        self.supports_masking = self.mask_padding

    def call(self, inputs):
        mean = ops.convert_to_tensor(self.mean, dtype=inputs.dtype)
        # A constant feature has variance 0: dividing by 1 then keeps it at 0.
        scale = ops.sqrt(ops.convert_to_tensor([v if v > 0 else 1.0 for v in self.variance]))
        standardized = (inputs - mean) / ops.cast(scale, inputs.dtype)
        if self.per_series:
            standardized = _standardize_each_series(standardized)
        return ops.where(ops.isnan(standardized), ops.zeros_like(standardized), standardized)

    def compute_mask(self, inputs, previous_mask=None):
        if not self.mask_padding:
            return None
        return ops.any(ops.logical_not(ops.isnan(inputs)), axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "mean": self.mean,
            "variance": self.variance,
            "mask_padding": self.mask_padding,
            "per_series": self.per_series,
        }


def _standardize_each_series(values):
    """Returns (batch, steps, features) values z-scored per series and feature, NaN kept.

    Statistics skip NaN (padding, missing values). A flat series has no spread: it is
    only centred, so it reads as all zeros rather than as a division by zero.
    """
    observed, centred, spread = _moments_over_steps(values)
    spread = ops.where(spread > 1e-6, spread, ops.ones_like(spread))
    return ops.where(observed, centred / spread, values)


def _moments_over_steps(values):
    """Returns (observed, centred values, spread) over axis 1 (the steps), skipping NaN.

    `observed` marks the non-NaN values; `centred` is 0 where a value is NaN; `spread` is
    the standard deviation of the observed values (0 for a flat or empty series).
    """
    observed = ops.logical_not(ops.isnan(values))
    weight = ops.cast(observed, values.dtype)
    filled = ops.where(observed, values, ops.zeros_like(values))
    count = ops.maximum(ops.sum(weight, axis=1, keepdims=True), 1.0)
    mean = ops.sum(filled, axis=1, keepdims=True) / count
    centred = ops.where(observed, values - mean, ops.zeros_like(values))
    return observed, centred, ops.sqrt(ops.sum(centred * centred, axis=1, keepdims=True) / count)


@keras.saving.register_keras_serializable(package="automl_studio")
class RealSteps(keras.layers.Layer):
    """Returns float32 (batch, steps, 1): 1.0 at steps holding data, 0.0 at padding.

    It reads raw series (a step is padding when all its features are NaN) or token ids
    (0 is padding). Conv layers take no Keras mask, so `ClearPadding` and
    `MaskedGlobalPooling` use this tensor instead.
    """

    def call(self, inputs):
        if len(inputs.shape) == 2:  # token ids
            real = ops.not_equal(inputs, 0)
        else:
            real = ops.any(ops.logical_not(ops.isnan(inputs)), axis=-1)
        return ops.expand_dims(ops.cast(real, "float32"), -1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:2], 1)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor(self.compute_output_shape(inputs.shape), dtype="float32")


@keras.saving.register_keras_serializable(package="automl_studio")
class ClearPadding(keras.layers.Layer):
    """Returns [values, real_steps] as values with padded steps set to 0.

    Applied after each conv block, the padding reads as the zeros of "same" padding to
    the next conv, so a short series padded to any length gives the same features.
    """

    def call(self, inputs):
        values, real = inputs
        return values * ops.cast(real, values.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape[0]


@keras.saving.register_keras_serializable(package="automl_studio")
class MaskedGlobalPooling(keras.layers.Layer):
    """Returns the average (or max) over steps of [values, real_steps], skipping padding.

    Args:
        mode: "average" (the FCN's global average pooling) or "max" (text conv nets).
    """

    def __init__(self, mode: str = "average", **kwargs):
        super().__init__(**kwargs)
        if mode not in ("average", "max"):
            raise ValueError(f"pooling mode must be 'average' or 'max', not {mode!r}")
        self.mode = mode

    def call(self, inputs):
        values, real = inputs
        real = ops.cast(real, values.dtype)
        if self.mode == "average":
            # At least one step in the count: an all-padding row gives 0, not NaN.
            count = ops.maximum(ops.sum(real, axis=1), 1.0)
            return ops.sum(values * real, axis=1) / count
        lowest = ops.min(values, axis=1, keepdims=True)
        # Padded steps drop to the row's minimum, so they never win the max.
        shifted = ops.where(real > 0, values, lowest)
        return ops.max(shifted, axis=1)

    def compute_output_shape(self, input_shape):
        shape = input_shape[0]
        return (shape[0], shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "mode": self.mode}


@keras.saving.register_keras_serializable(package="automl_studio")
class LastObserved(keras.layers.Layer):
    """Returns (batch, 1): the last non-NaN value of one feature of raw series (0 if none).

    A forecast head adds its predicted change to this value, so an untrained model
    already makes the naive last-value forecast.
    """

    def __init__(self, feature: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.feature = int(feature)

    def call(self, inputs):
        values = inputs[:, :, self.feature]
        observed = ops.logical_not(ops.isnan(values))
        positions = ops.expand_dims(ops.arange(ops.shape(values)[1]), 0)
        last = ops.max(ops.where(observed, positions, -1), axis=1, keepdims=True)
        filled = ops.where(observed, values, ops.zeros_like(values))
        picked = ops.take_along_axis(filled, ops.maximum(last, 0), axis=1)
        return ops.where(last >= 0, picked, ops.zeros_like(picked))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "feature": self.feature}


@keras.saving.register_keras_serializable(package="automl_studio")
class WindowSpread(keras.layers.Layer):
    """Returns (batch, 1): the standard deviation of one feature over each raw window.

    It skips NaN steps, as `SeriesMask(per_series=True)` does. A flat window has no spread
    of its own: it gets `fallback` (the training spread), so a forecast from it still
    moves in the series' usual units instead of being stuck at its last value.
    """

    def __init__(self, feature: int = 0, fallback: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.feature = int(feature)
        self.fallback = float(fallback)

    def call(self, inputs):
        _, _, spread = _moments_over_steps(inputs[:, :, self.feature])
        # `_standardize_each_series`'s threshold, in data units: the inputs and the change
        # then share one scale for every window, flat or not.
        flat = spread <= 1e-6 * self.fallback
        return ops.where(flat, ops.full_like(spread, self.fallback), spread)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], 1)

    def get_config(self) -> dict:
        return {**super().get_config(), "feature": self.feature, "fallback": self.fallback}


@keras.saving.register_keras_serializable(package="automl_studio")
class TemperatureScale(keras.layers.Layer):
    """Returns class probabilities recalibrated by a temperature: softmax(log p / T).

    T < 1 sharpens probabilities that label smoothing or averaging left too timid, T > 1
    softens over-confident ones; the most likely class never changes.

    Example:
        >>> TemperatureScale(0.5)(np.array([[0.6, 0.4]], "float32"))  # [[0.692, 0.308]]
    """

    def __init__(self, temperature: float, **kwargs):
        super().__init__(**kwargs)
        self.temperature = float(temperature)

    def call(self, inputs):
        logits = ops.log(ops.clip(inputs, 1e-7, 1.0)) / self.temperature
        return ops.softmax(logits, axis=-1)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "temperature": self.temperature}
