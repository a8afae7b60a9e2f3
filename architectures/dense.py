"""A tunable MLP for tables, with the preprocessing of every column inside the model.

The model takes one input per raw column (numbers with NaN for missing values, strings
for categories and text), so an exported SavedModel needs no side pipeline.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import keras
import keras_tuner

from architectures.fitting import fit_batches
from architectures.layers import (
    FillMissing,
    MissingIndicator,
    RobustScale,
    SmoothedSparseCrossentropy,
)
from architectures.numeric_embedding import PeriodicEmbedding
from architectures.spaces import DenseSpace
from architectures.tuning import (
    clip,
    declare_seed,
    nearest,
    tune_batch_size,
    tuned_optimizer,
)

#: Categories up to this many are one-hot encoded; more get a learned embedding.
ONE_HOT_MAX_CATEGORIES = 24


@dataclass(frozen=True)
class TabularFeature:
    """One model input, described by statistics from the training split.

    Attributes:
        input_name: the tensor name (letters, digits, underscores).
        kind: "numeric", "categorical" (strings, including booleans) or "text".
        mean, variance: numeric columns only; NaN-free training statistics.
        median, robust_scale: numeric columns only; the training median and an
            interquartile-range scale (`robust_scale_of`), for `RobustScale`.
        has_missing: numeric columns only; adds a missing-value indicator.
        vocabulary: categorical/text columns only; known values (text: tokens, and word
            pairs spelled "a b" when `ngrams` is 2).
        ngrams: text columns only; 2 counts word pairs beside words.
    """

    input_name: str
    kind: str
    mean: float = 0.0
    variance: float = 1.0
    median: float = 0.0
    robust_scale: float = 1.0
    has_missing: bool = False
    vocabulary: tuple[str, ...] = field(default=())
    ngrams: int = 1


@dataclass(frozen=True)
class TabularTask:
    """What the head predicts: "binary"/"multiclass" with `classes`, or "regression"."""

    kind: str
    classes: int = 0
    target_mean: float = 0.0
    target_std: float = 1.0


class DenseHyperModel(keras_tuner.HyperModel):
    """Tunes depth (or a linear model), width, activation, dropout, batch norm, L2,
    optimizer, learning rate and its schedule.

    Args:
        features: one `TabularFeature` per input column, in signature order.
        task: the head to build.
        metrics: Keras metrics to compile with (names or objects).
        train_rows: rows in the training split; bounds the batch-size choices.
        seed: shuffles training batches repeatably.
        space: the ranges and choices to search (defaults: `DenseSpace()`).

    Example:
        >>> model = DenseHyperModel(features, TabularTask("binary", 2), ["accuracy"], 200)
        >>> tuner = keras_tuner.RandomSearch(model, objective="val_accuracy", max_trials=3)
    """

    def __init__(
        self,
        features: list[TabularFeature],
        task: TabularTask,
        metrics: list,
        train_rows: int,
        seed: int = 0,
        space: DenseSpace | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.features = list(features)
        self.task = task
        self.metrics = list(metrics)
        self.train_rows = train_rows
        self.seed = seed
        self.space = space or DenseSpace()

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        # RealMLP's robust scaling with smooth clipping first; plain standardizing stays a
        # choice (it is what the baselines read).
        scaling = hp.Choice("scaling", ["robust", "standard"], default="robust")
        inputs, encoded = build_inputs(
            self.features, hp, scaling=scaling, periodic=self._periodic(hp)
        )
        space = self.space
        x = encoded
        depth = hp.Int(
            "layers",
            space.min_layers,
            space.max_layers,
            default=clip(2, space.min_layers, space.max_layers),
        )
        if _linear(hp, space):
            depth = 0
        l2 = hp.Float("l2", space.min_l2, space.max_l2, sampling="log", default=space.min_l2)
        penalty = keras.regularizers.L2(l2)
        batch_norm = hp.Boolean("batch_norm", default=False) if space.tune_batch_norm else False
        for i in range(depth):
            units = hp.Choice(f"units_{i}", list(space.units), default=nearest(space.units, 128))
            x = keras.layers.Dense(units, use_bias=not batch_norm, kernel_regularizer=penalty)(x)
            if batch_norm:
                # See cnn.py: momentum 0.9 so inference statistics settle on small data.
                x = keras.layers.BatchNormalization(momentum=0.9)(x)
            x = keras.layers.Activation(hp.Choice("activation", list(space.activations)))(x)
            if space.max_dropout > 0:
                rate = hp.Float(
                    "dropout", 0.0, space.max_dropout, default=min(0.1, space.max_dropout)
                )
                x = keras.layers.Dropout(rate)(x)
        outputs, loss = self._head(x, penalty)
        if self.task.kind != "regression":
            smoothing = hp.Float("label_smoothing", 0.0, 0.2, default=0.1)
            loss = SmoothedSparseCrossentropy(self.task.classes, smoothing)
        model = keras.Model(inputs, outputs, name="dense")
        optimizer = tuned_optimizer(hp, space)
        # The search's callbacks read it (automl/search/schedule.py): the length it decays
        # over is the trial's planned epochs, which only the search knows.
        hp.Choice("schedule", list(space.schedules), default=space.schedules[0])
        model.compile(optimizer=optimizer, loss=loss, metrics=self.metrics)
        if space.tune_linear:
            self._declare_linear_seed(hp)
        return model

    @property
    def _embeds_numbers(self) -> bool:
        """Returns whether the periodic embedding is a choice: numbers, and the space allows."""
        numeric = any(f.kind == "numeric" for f in self.features)
        return numeric and self.space.tune_numeric_embedding

    def _plain_numbers(self) -> dict:
        """Returns the value that keeps numbers unembedded (nothing if it is no choice)."""
        return {"numeric_embedding": "none"} if self._embeds_numbers else {}

    def _periodic(self, hp: keras_tuner.HyperParameters) -> float | None:
        """Returns the periodic embedding's frequency spread, or None for none.

        Off in the first trial (plain scaled numbers are the known-good start); a choice
        after. The spread is in the units of the scaled numbers: 0.1 is RealMLP's default.
        """
        if not self._embeds_numbers:
            return None
        embedding = hp.Choice("numeric_embedding", ["none", "periodic"], default="none")
        with hp.conditional_scope("numeric_embedding", ["periodic"]):
            sigma = hp.Float("frequency_scale", 0.01, 3.0, sampling="log", default=0.1)
        return sigma if embedding == "periodic" else None

    def _declare_linear_seed(self, hp: keras_tuner.HyperParameters) -> None:
        """Returns None; makes the linear model the search's next trial after the defaults.

        A linear model wants more steps and a larger rate than an MLP: the smallest batch
        and a rate of 1e-2 (at 1e-3 or 3e-3 it had not converged when a 1-minute
        cross-validated search cut it short); a moderate L2 stands in for the C=1 of
        scikit-learn's logistic regression on a few hundred rows.
        """
        space = self.space
        declare_seed(
            hp,
            {
                "layers": space.min_layers,
                "linear": True,
                **self._plain_numbers(),
                "l2": clip(1e-3, space.min_l2, space.max_l2),
                "learning_rate": clip(1e-2, space.min_learning_rate, space.max_learning_rate),
                "batch_size": min(space.batch_sizes),
            },
        )

    def near_baseline(self, kind: str) -> dict[str, dict]:
        """Returns the configurations nearest a baseline of `kind` (see `FamilyChoice`).

        A linear baseline, or a constant one that only a heavily regularised model can
        match, is nearest the linear model: no hidden layer, its L2 and rate still drawn.
        """
        if kind in ("linear", "constant") and self.space.tune_linear:
            linear = {"layers": self.space.min_layers, "linear": True, **self._plain_numbers()}
            return {"the linear model": linear}
        return {}

    def baseline_inputs(self):
        """Returns the raw columns, standardized and with every category one-hot."""
        from architectures.baselines import BaselineInputs

        inputs, encoded = build_inputs(self.features, keras_tuner.HyperParameters(), None)
        return BaselineInputs(inputs, next(iter(inputs.values())), encoded)

    def baseline_head(self):
        """Returns what the baselines predict, as this family's head does."""
        from architectures.baselines import BaselineHead

        if self.task.kind == "regression":
            return BaselineHead("value", 1)
        return BaselineHead("classes", self.task.classes)

    def _head(self, x, penalty: keras.regularizers.Regularizer):
        if self.task.kind == "regression":
            # Predict in standard units, then rescale: the first guess is the mean.
            raw = keras.layers.Dense(
                1, name="standardized", dtype="float32", kernel_regularizer=penalty
            )(x)
            value = keras.layers.Rescaling(
                self.task.target_std, offset=self.task.target_mean, name="value", dtype="float32"
            )(raw)
            return value, "mean_squared_error"
        probabilities = keras.layers.Dense(
            self.task.classes,
            activation="softmax",
            name="probabilities",
            dtype="float32",
            kernel_regularizer=penalty,
        )(x)
        return probabilities, "sparse_categorical_crossentropy"

    def fit(self, hp, model, x, y, validation_data=None, **kwargs):
        """Trains on dicts of arrays through tf.data, with the batch size tuned."""
        import tensorflow as tf

        batch_size = tune_batch_size(hp, self.space.batch_sizes, self.train_rows)
        train = (
            tf.data.Dataset.from_tensor_slices((x, y))
            .shuffle(len(y), seed=self.seed, reshuffle_each_iteration=True)
            .batch(batch_size)
            .prefetch(tf.data.AUTOTUNE)
        )
        # Table rows are small: larger validation batches read them faster.
        return fit_batches(model, train, validation_data, kwargs, validation_batch_size=1024)


def _linear(hp: keras_tuner.HyperParameters, space: DenseSpace) -> bool:
    """Returns whether this trial is the linear model (no hidden layer).

    "linear" exists only at the shallowest depth, and only a seed (the second trial) or
    the baseline focus sets it: it is `Fixed` at False, so no random or Bayesian draw is
    linear. Drawn at random (1 in 8 before), a linear model took a random rate and batch
    size; below about 3e-3 it had not converged within a 1-minute search, and on tables
    with interactions each draw cost one of the 5-6 trials such a search runs
    (benchmarks/README.md, sixth session).
    """
    if not space.tune_linear:
        return False
    with hp.conditional_scope("layers", [space.min_layers]):
        return bool(hp.Fixed("linear", False))


def build_inputs(
    features: list[TabularFeature],
    hp: keras_tuner.HyperParameters,
    one_hot_max: int | None = ONE_HOT_MAX_CATEGORIES,
    scaling: str = "standard",
    periodic: float | None = None,
):
    """Returns (inputs by name, one encoded float tensor) for the raw columns.

    Categories up to `one_hot_max` are one-hot (None: all of them), more are embedded.
    Numbers are standardized (`scaling` "standard") or robustly scaled and smoothly
    clipped ("robust", `RobustScale`); with `periodic` (the frequencies' spread), their
    `PeriodicEmbedding` follows them.
    """
    inputs: dict[str, keras.KerasTensor] = {}
    parts = []
    numeric = [f for f in features if f.kind == "numeric"]
    for feature in features:
        dtype = "float32" if feature.kind == "numeric" else "string"
        inputs[feature.input_name] = keras.Input(shape=(1,), dtype=dtype, name=feature.input_name)
    if numeric:
        raw = (
            keras.layers.Concatenate(name="numeric")([inputs[f.input_name] for f in numeric])
            if len(numeric) > 1
            else inputs[numeric[0].input_name]
        )
        filled = FillMissing([f.mean for f in numeric], name="fill_missing")(raw)
        if scaling == "robust":
            scaled = RobustScale(
                [f.median for f in numeric], [f.robust_scale for f in numeric], name="robust_scale"
            )(filled)
        else:
            scaled = keras.layers.Normalization(
                mean=[f.mean for f in numeric],
                variance=[max(f.variance, 1e-12) for f in numeric],
                name="normalize",
            )(filled)
        parts.append(scaled)
        if periodic is not None:
            parts.append(PeriodicEmbedding(sigma=periodic, name="periodic")(scaled))
        with_missing = [i for i, f in enumerate(numeric) if f.has_missing]
        if with_missing:
            parts.append(MissingIndicator(with_missing, name="missing")(raw))
    for feature in features:
        if feature.kind == "categorical":
            parts.append(_encode_category(feature, inputs[feature.input_name], one_hot_max))
        elif feature.kind == "text":
            vectorize = keras.layers.TextVectorization(
                vocabulary=list(feature.vocabulary),
                output_mode="multi_hot",
                ngrams=feature.ngrams if feature.ngrams > 1 else None,
                name=f"{feature.input_name}_words",
            )
            parts.append(vectorize(keras.layers.Reshape(())(inputs[feature.input_name])))
    encoded = parts[0] if len(parts) == 1 else keras.layers.Concatenate(name="features")(parts)
    return inputs, encoded


def robust_scale_of(values) -> tuple[float, float]:
    """Returns (median, scale) of NaN-free numbers: RealMLP's robust statistics.

    The scale is the interquartile range over 1.349 (the standard deviation for normal
    data); where it is 0 (a mostly constant or binary column), half the range; 1 for a
    constant column.
    """
    import numpy as np

    values = np.asarray(values, dtype="float64")
    if values.size == 0:
        return 0.0, 1.0
    low, median, high = np.quantile(values, [0.25, 0.5, 0.75])
    scale = (high - low) / 1.349
    if scale <= 0:
        scale = (values.max() - values.min()) / 2
    return float(median), float(scale) if scale > 0 else 1.0


def _encode_category(feature: TabularFeature, tensor, one_hot_max: int | None):
    size = len(feature.vocabulary) + 1  # + the out-of-vocabulary slot
    if one_hot_max is None or size <= one_hot_max:
        return keras.layers.StringLookup(
            vocabulary=list(feature.vocabulary),
            output_mode="one_hot",
            name=f"{feature.input_name}_lookup",
        )(keras.layers.Reshape(())(tensor))
    ids = keras.layers.StringLookup(
        vocabulary=list(feature.vocabulary), name=f"{feature.input_name}_lookup"
    )(tensor)
    width = min(64, max(4, round(1.6 * math.sqrt(size))))
    embedded = keras.layers.Embedding(size, width, name=f"{feature.input_name}_embedding")(ids)
    return keras.layers.Flatten()(embedded)
