"""A tunable image classifier: small VGG-style conv blocks, optionally residual.

The model takes float32 pixels in 0..255, already decoded and resized to `image_shape`
(the engine does that in tf.data and, at serving time, in the SavedModel's own function).
Rescaling lives inside the model. Augmentation runs in the training tf.data pipeline
instead: `model.export` traces the model without `training=False`, and Keras' random
image layers default to training mode, so inside the model they would distort every
served image. Outside it, the export matches `model.predict` by construction.
"""

from __future__ import annotations

import keras
import keras_tuner

from architectures.fitting import fit_batches, shuffled_batches
from architectures.spaces import CNNSpace

# Shared with the dense family so both accept the same optimizer names in their spaces.
from architectures.tuning import (
    clip,
    dropout_rate,
    hidden_units,
    nearest,
    tune_batch_size,
    tuned_optimizer,
)

#: Pooling stops once another halving would take the feature map below this size.
MIN_POOLED_SIZE = 2

#: Images at least this many pixels on their short side start from three blocks.
VGG_MIN_SIZE = 24


class CNNHyperModel(keras_tuner.HyperModel):
    """Tunes depth, width, kernel, batch norm, residuals, augmentation, dropout and optimizer.

    Hyperparameters (first-trial defaults in brackets, clipped into the space):
    "blocks" [3 for images of 24 px or more, else 2], "filters" (first block; later
    blocks double) [32], "kernel_size" [3], "batch_norm" [True], "residual" [False],
    "dropout" [0.25],
    "dense_units" (0: none) [0], "learning_rate" [1e-3], "optimizer" [first choice],
    "batch_size" [32], "augment" [False]. `fit` registers the last two: they shape training,
    not the model.

    Args:
        image_shape: (height, width, channels) of the images the model takes.
        classes: how many classes the softmax head predicts.
        metrics: Keras metrics to compile with (names or objects).
        train_rows: images in the training split; bounds the batch size and shuffle buffer.
        seed: shuffles training batches and draws augmentations repeatably.
        space: the ranges and choices to search (defaults: `CNNSpace()`).

    Example:
        >>> model = CNNHyperModel((8, 8, 1), 10, ["accuracy"], train_rows=1_000)
        >>> tuner = keras_tuner.RandomSearch(model, objective="val_accuracy", max_trials=3)
        >>> tuner.search(train_images, validation_data=validation_images, epochs=20)
    """

    def __init__(
        self,
        image_shape: tuple[int, int, int],
        classes: int,
        metrics: list,
        train_rows: int,
        seed: int = 0,
        space: CNNSpace | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.image_shape = tuple(image_shape)
        self.classes = classes
        self.metrics = list(metrics)
        self.train_rows = train_rows
        self.seed = seed
        self.space = space or CNNSpace()

    def baseline_inputs(self):
        """Returns this family's raw inputs and the features the baselines read."""
        from architectures.baselines import image_baseline_inputs

        return image_baseline_inputs(self.image_shape)

    def baseline_head(self):
        """Returns what the baselines predict: class probabilities."""
        from architectures.baselines import BaselineHead

        return BaselineHead("classes", self.classes)

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        space = self.space
        inputs = keras.Input(shape=self.image_shape, dtype="float32", name="image")
        x = keras.layers.Rescaling(1 / 255, name="rescale")(inputs)

        size = min(self.image_shape[0], self.image_shape[1])
        # The small VGG recipe: 32-64-128 filters where three poolings leave a 3x3 map or
        # more; tiny images (8x8 digits) start from two blocks.
        preferred = 3 if size >= VGG_MIN_SIZE else 2
        blocks = hp.Int(
            "blocks",
            space.min_blocks,
            space.max_blocks,
            default=clip(preferred, space.min_blocks, space.max_blocks),
        )
        filters = hp.Choice("filters", list(space.filters), default=nearest(space.filters, 32))
        kernel = hp.Choice(
            "kernel_size", list(space.kernel_sizes), default=nearest(space.kernel_sizes, 3)
        )
        batch_norm = hp.Boolean("batch_norm", default=True) if space.tune_batch_norm else True
        residual = hp.Boolean("residual", default=False) if space.tune_residual else False
        dropout = dropout_rate(hp, space.max_dropout, 0.25)

        for i in range(blocks):
            x = _conv_block(x, filters * 2**i, kernel, batch_norm, residual, name=f"block{i}")
            # Pool only while the map stays >= 2x2, so small images (8x8 digits) can still
            # take every block; later blocks then work at the smallest size.
            if size // 2 >= MIN_POOLED_SIZE:
                x = keras.layers.MaxPooling2D(2, name=f"block{i}_pool")(x)
                size //= 2
            if dropout > 0:
                x = keras.layers.Dropout(dropout, name=f"block{i}_dropout")(x)

        x = keras.layers.GlobalAveragePooling2D(name="average")(x)
        units = hidden_units(hp, space.dense_units)
        if units > 0:
            x = keras.layers.Dense(units, activation="relu", name="hidden")(x)
            if dropout > 0:
                x = keras.layers.Dropout(dropout, name="hidden_dropout")(x)
        return self._classifier(inputs, x, hp, name="cnn")

    def _classifier(self, inputs, features, hp, name: str) -> keras.Model:
        """Returns the compiled model: a float32 softmax over `features`, tuned optimizer."""
        outputs = keras.layers.Dense(
            self.classes, activation="softmax", name="probabilities", dtype="float32"
        )(features)
        model = keras.Model(inputs, outputs, name=name)
        model.compile(
            optimizer=tuned_optimizer(hp, self.space),
            loss="sparse_categorical_crossentropy",
            metrics=self.metrics,
        )
        return model

    def fit(self, hp, model, x, y=None, validation_data=None, **kwargs):
        """Returns the History of training on an unbatched dataset, with the batch size tuned.

        Args:
            x: unbatched `tf.data.Dataset` of (image float32 (h, w, c), label int64) pairs.
                Arrays also work when `y` holds their labels.
            validation_data: an unbatched dataset like `x`, an (images, labels) tuple, or None.
        """
        import tensorflow as tf

        batch_size = tune_batch_size(hp, self.space.batch_sizes, self.train_rows)
        train = x if y is None else tf.data.Dataset.from_tensor_slices((x, y))
        train = shuffled_batches(train, self.train_rows, batch_size, self.seed)
        if self.space.tune_augmentation and hp.Boolean("augment", default=False):
            augment = image_augmentation(self.seed)
            train = train.map(
                lambda images, labels: (augment(images, training=True), labels),
                num_parallel_calls=tf.data.AUTOTUNE,
            )
        train = train.prefetch(tf.data.AUTOTUNE)
        return fit_batches(model, train, validation_data, kwargs)


def image_augmentation(seed: int = 0) -> keras.Sequential:
    """Returns the random flip/rotation/zoom/contrast applied to training batches.

    It works on raw 0..255 pixels (RandomContrast clips to that range by default) and
    must be called with `training=True`: the layers pass images through unchanged otherwise.

    Example:
        >>> augmented = image_augmentation(seed=0)(images, training=True)
    """
    # Small changes only: a digit rotated far or zoomed hard can become another class.
    return keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal", seed=seed),
            keras.layers.RandomRotation(0.05, seed=seed),
            keras.layers.RandomZoom(0.1, seed=seed),
            keras.layers.RandomContrast(0.1, seed=seed),
        ],
        name="augment",
    )


def _conv_block(x, filters: int, kernel: int, batch_norm: bool, residual: bool, name: str):
    """Returns two conv (+ batch norm) + ReLU layers applied to `x`, optionally residual."""
    shortcut = x
    for j in range(2):
        # Batch norm's shift makes a conv bias redundant.
        x = keras.layers.Conv2D(
            filters, kernel, padding="same", use_bias=not batch_norm, name=f"{name}_conv{j}"
        )(x)
        if batch_norm:
            # Momentum 0.9, not Keras' 0.99: with small data there are only a few hundred
            # steps, and at 0.99 the moving statistics used at inference still lag far
            # behind (training accuracy 1.0, validation near chance on 180 digits).
            x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_norm{j}")(x)
        if residual and j == 1:
            # A 1x1 projection matches the channel count, as in ResNet's projection shortcut;
            # adding before the last ReLU keeps the block's output non-negative like VGG's.
            projection = keras.layers.Conv2D(filters, 1, name=f"{name}_shortcut")(shortcut)
            x = keras.layers.Add(name=f"{name}_add")([x, projection])
        x = keras.layers.ReLU(name=f"{name}_relu{j}")(x)
    return x
