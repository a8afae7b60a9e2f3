"""What the sequence families share: their inputs, their heads, compiling and training.

A sequence family (rnn, lstm, conv1d) only writes `body`: the layers between the front
end, which turns raw series or raw text into a float sequence inside the model, and the
head, which predicts classes, a value, or a forecast. Everything a served model needs
(standardizing, tokenizing, rescaling) lives in the model, so a SavedModel takes raw rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import keras
import keras_tuner

from architectures.augment import AUGMENTATIONS, series_augmentation
from architectures.fitting import fit_batches, shuffled_batches
from architectures.layers import LastObserved, RealSteps, SeriesMask, WindowSpread
from architectures.tuning import nearest, tune_batch_size, tuned_optimizer

#: Series sets up to this many training samples start from batches of 16, not 32.
SMALL_SERIES_ROWS = 2_000

#: Tokens TextVectorization reserves itself; a vocabulary that lists them is rejected.
RESERVED_TOKENS = ("", "[UNK]")


@dataclass(frozen=True)
class SeriesInput:
    """Numeric series in: float32 [batch, steps, features].

    NaN marks the padding after a series shorter than the longest (and missing values).

    Attributes:
        features: values per step.
        mean, variance: per feature, NaN-free training statistics.
        steps: fixed length, or None: the model takes series of any length.
        longest: with `steps` None, the longest training series: families that need a
            length (random-convolution dilations, the baselines' flat rows) use it.
        input_name: the model input's (and the SavedModel signature's) name.
    """

    features: int
    mean: tuple[float, ...]
    variance: tuple[float, ...]
    steps: int | None = None
    input_name: str = "series"
    #: the longest training series, where `steps` is None (series of any length)
    longest: int | None = None

    def __post_init__(self) -> None:
        if len(self.mean) != self.features or len(self.variance) != self.features:
            raise ValueError(
                f"series input: {self.features} features but {len(self.mean)} means and "
                f"{len(self.variance)} variances; give one of each per feature"
            )


@dataclass(frozen=True)
class TextInput:
    """Free text in: one string per row, shape (1,) like dense.py's text columns.

    The model input is the dict {input_name: strings}.

    Attributes:
        input_name: the model input's name (letters, digits, underscores).
        vocabulary: tokens from the training split, most frequent first.
        length: tokens kept per text; longer texts are cut, shorter ones padded.
    """

    input_name: str
    vocabulary: tuple[str, ...]
    length: int = 200


@dataclass(frozen=True)
class SequenceTask:
    """What the head predicts.

    Attributes:
        kind: "binary" | "multiclass" (softmax over `classes`), "regression" (one value)
            or "forecast" (the next `outputs` values of one series).
        classes: classification only; 2 for "binary".
        outputs: the forecast horizon H for "forecast"; 1 for regression.
        target_mean, target_std: regression: the target's training statistics, so the
            head predicts in standard units. Forecast: only `target_std` is used.
        target_feature: forecast only: index of the forecast series among SeriesInput's
            features. The head predicts the change from the last observed value (in
            target_std units), so the first guess is the naive last-value forecast and
            training only has to learn the correction.
    """

    kind: str
    classes: int = 0
    outputs: int = 1
    target_mean: float = 0.0
    target_std: float = 1.0
    target_feature: int = 0

    def __post_init__(self) -> None:
        if self.kind not in ("binary", "multiclass", "regression", "forecast"):
            raise ValueError(
                f"sequence task {self.kind!r}: use binary, multiclass, regression or forecast"
            )
        if self.kind in ("binary", "multiclass") and self.classes < 2:
            raise ValueError(f"a {self.kind} task needs classes >= 2, not {self.classes}")
        if self.outputs < 1:
            raise ValueError(f"a sequence task needs outputs >= 1, not {self.outputs}")


class SequenceHyperModel(keras_tuner.HyperModel):
    """A sequence family: front end + `body` (each family's) + head, compiled and trained.

    The hyperparameters it registers itself: "embedding_dim" (text only),
    "learning_rate" [1e-3], "optimizer" [first choice] and, in `fit`, "batch_size" [32].

    Args:
        inputs: `SeriesInput` (the model takes float32 (batch, steps, features) named
            `input_name`) or `TextInput` (the model takes {input_name: strings}).
        task: the head to build.
        metrics: Keras metrics to compile with (names or objects).
        train_rows: samples in the training split; bounds the batch size and shuffle buffer.
        seed: shuffles training batches repeatably.
        space: the family's search space (defaults: `space_class()`).
    """

    #: The family's name, as in `architectures.proposals.FAMILIES`.
    family: ClassVar[str] = "?"
    #: The family's search space class, in `architectures.spaces`.
    space_class: ClassVar[type]
    #: False for families whose layers take no Keras mask (Conv1D): they get none, and
    #: read `real_steps` instead.
    consumes_masks: ClassVar[bool] = True

    def __init__(
        self,
        inputs: SeriesInput | TextInput,
        task: SequenceTask,
        metrics: list,
        train_rows: int,
        seed: int = 0,
        space=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if task.kind == "forecast" and not isinstance(inputs, SeriesInput):
            raise ValueError("a forecast needs series inputs, not text")
        self.inputs = inputs
        self.task = task
        self.metrics = list(metrics)
        self.train_rows = train_rows
        self.seed = seed
        self.space = space or self.space_class()

    @property
    def is_text(self) -> bool:
        return isinstance(self.inputs, TextInput)

    def body(self, hp: keras_tuner.HyperParameters, x, real_steps):
        """Returns one feature vector per sample from the (batch, steps, width) sequence `x`.

        `real_steps` is float32 (batch, steps, 1): 1.0 where a step holds data. When
        `consumes_masks` is True, `x` also carries the padding as a Keras mask.
        """
        raise NotImplementedError

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        model_input, raw, x, real_steps = self._front_end(hp)
        features = self.body(hp, x, real_steps)
        outputs, loss = self._head(features, raw, hp)
        model = keras.Model(model_input, outputs, name=self.family)
        space = self.space
        optimizer = tuned_optimizer(hp, space)
        model.compile(optimizer=optimizer, loss=loss, metrics=self.metrics)
        return model

    def _front_end(self, hp):
        """Returns (model input(s), raw input tensor, float sequence, real_steps)."""
        if self.is_text:
            return self._text_front_end(hp)
        spec = self.inputs
        raw = keras.Input(shape=(spec.steps, spec.features), dtype="float32", name=spec.input_name)
        per_series = self._per_series_norm(hp)
        x = SeriesMask(
            list(spec.mean),
            list(spec.variance),
            self.consumes_masks,
            per_series=per_series,
            name="standardize",
        )(raw)
        return raw, raw, x, RealSteps(name="real_steps")(raw)

    def _per_series_norm(self, hp) -> bool:
        """Returns whether each series (or forecast window) is scaled by its own statistics.

        Classes are mostly told by shape (the FCN recipe), a regression target mostly by
        level, hence those defaults. A forecast window scaled by its own mean and spread
        (RevIN, Kim et al. 2022) predicts its change in units of that spread, so a model
        trained on quiet periods still scales to a louder one (sunspots' later cycles lie
        above every training window): the trained part sees the shape, not the level.
        """
        if self.task.kind == "forecast":
            return hp.Boolean("per_series_norm", default=True)
        return hp.Boolean("per_series_norm", default=self.task.kind in ("binary", "multiclass"))

    def _text_front_end(self, hp):
        spec = self.inputs
        text = keras.Input(shape=(1,), dtype="string", name=spec.input_name)
        # TextVectorization rejects repeated or reserved tokens; order (frequency) is kept.
        vocabulary = [t for t in dict.fromkeys(spec.vocabulary) if t not in RESERVED_TOKENS]
        ids = keras.layers.TextVectorization(
            vocabulary=vocabulary,
            output_mode="int",
            output_sequence_length=spec.length,
            name=f"{spec.input_name}_tokens",
        )(keras.layers.Reshape((), name=f"{spec.input_name}_flat")(text))
        dims = self.space.embedding_dims
        dim = hp.Choice("embedding_dim", list(dims), default=nearest(dims, 128))
        # + 2: id 0 is padding and id 1 the out-of-vocabulary token.
        x = keras.layers.Embedding(
            len(vocabulary) + 2,
            dim,
            mask_zero=self.consumes_masks,
            name=f"{spec.input_name}_embedding",
        )(ids)
        return {spec.input_name: text}, text, x, RealSteps(name="real_steps")(ids)

    def baseline_inputs(self):
        """Returns this family's raw inputs and the features the baselines read."""
        from architectures.baselines import series_baseline_inputs, text_baseline_inputs

        if self.is_text:
            return text_baseline_inputs(self.inputs)
        classes = self.task.kind in ("binary", "multiclass")
        return series_baseline_inputs(self.inputs, per_series=classes)

    def baseline_head(self):
        """Returns what the baselines predict, as this family's head does."""
        from architectures.baselines import BaselineHead

        kind = {"regression": "value", "forecast": "forecast"}.get(self.task.kind, "classes")
        outputs = self.task.classes if kind == "classes" else self.task.outputs
        return BaselineHead(kind, outputs, self.task.target_feature)

    def _head(self, x, raw, hp):
        task = self.task
        if task.kind == "regression":
            # Predict in standard units, then rescale: the first guess is the mean.
            standardized = keras.layers.Dense(1, name="standardized", dtype="float32")(x)
            value = keras.layers.Rescaling(
                task.target_std, offset=task.target_mean, name="value", dtype="float32"
            )(standardized)
            return value, "mean_squared_error"
        if task.kind == "forecast":
            standardized = keras.layers.Dense(task.outputs, name="standardized", dtype="float32")(x)
            if self._per_series_norm(hp):
                # The change comes in units of the window's own spread, as its inputs did.
                spread = WindowSpread(
                    task.target_feature, task.target_std, name="window_spread", dtype="float32"
                )(raw)
                change = keras.layers.Multiply(name="change", dtype="float32")(
                    [standardized, spread]
                )
            else:
                change = keras.layers.Rescaling(task.target_std, name="change", dtype="float32")(
                    standardized
                )
            # Taken from the raw input, before standardizing: the forecast is in data units.
            last = LastObserved(task.target_feature, name="last_observed", dtype="float32")(raw)
            forecast = keras.layers.Add(name="forecast", dtype="float32")([change, last])
            return forecast, "mean_squared_error"
        probabilities = keras.layers.Dense(
            task.classes, activation="softmax", name="probabilities", dtype="float32"
        )(x)
        return probabilities, "sparse_categorical_crossentropy"

    def _augmentation(self, hp):
        """Returns the training series' augmentation (small series sets), or None."""
        if self.is_text or self.task.kind == "forecast" or self.train_rows > SMALL_SERIES_ROWS:
            return None  # a forecast's windows already overlap; large sets need none
        kind = hp.Choice("augment", list(AUGMENTATIONS), default=AUGMENTATIONS[0])
        return series_augmentation(kind, self.inputs.variance, self.seed)

    def fit(self, hp, model, x, y=None, validation_data=None, **kwargs):
        """Returns the History of training through tf.data, with the batch size tuned.

        Args:
            x: series: float32 ndarray (samples, steps, features), NaN-padded;
                text: {input_name: 1-D string ndarray}. An unbatched `tf.data.Dataset`
                of (input, label) pairs also works, with `y` None.
            y: int64 class indices; float32 (samples,) for regression; float32
                (samples, horizon) for a forecast.
            validation_data: an (x, y) tuple like the above, an unbatched dataset, or None.
        """
        import tensorflow as tf

        # The FCN recipe trains small series sets with batches of 16: twice the updates of
        # 32 for about the same time per epoch on a CPU.
        preferred = 16 if not self.is_text and self.train_rows <= SMALL_SERIES_ROWS else 32
        batch_size = tune_batch_size(hp, self.space.batch_sizes, self.train_rows, preferred)
        train = x if y is None else tf.data.Dataset.from_tensor_slices((x, y))
        augment = self._augmentation(hp)
        if augment is not None:
            train = train.map(augment, num_parallel_calls=tf.data.AUTOTUNE)
        train = shuffled_batches(train, self.train_rows, batch_size, self.seed).prefetch(
            tf.data.AUTOTUNE
        )
        return fit_batches(model, train, validation_data, kwargs)
