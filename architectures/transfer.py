"""Transfer learning for images: a pretrained `keras.applications` backbone, a new head.

Offered only when the user points at a local weights file (`--backbone-weights FILE`):
nothing is ever downloaded. The model takes the same float32 0..255 pixels as the CNN
family; channel repetition (grayscale), resizing to the backbone's input size and the
backbone's own input scaling all happen inside the model, so the export still takes raw
images.
"""

from __future__ import annotations

from pathlib import Path

import keras
import keras_tuner

from architectures.backbones import MAX_INPUT_SIZE, Backbone
from architectures.cnn import CNNHyperModel
from architectures.spaces import TransferSpace
from architectures.tuning import dropout_rate, hidden_units, nearest


class TransferHyperModel(CNNHyperModel):
    """Tunes the head (dropout, hidden units), fine-tuning depth and learning rate.

    Hyperparameters (first-trial defaults in brackets): "dropout" [0.2],
    "dense_units" [0], "fine_tune_layers" [0: frozen backbone], "learning_rate" [1e-3],
    "optimizer", and in `fit` "batch_size" [32] and "augment" [False].

    Args:
        weights: the local weights file of the backbone without its top (ImageNet
            "notop" weights as Keras publishes them, or your own).
        backbone: a `Backbone` from `BACKBONES` (see `backbone_for`).
        Others as `CNNHyperModel`.
    """

    def __init__(
        self,
        image_shape: tuple[int, int, int],
        classes: int,
        metrics: list,
        train_rows: int,
        weights: Path,
        backbone: Backbone,
        seed: int = 0,
        space: TransferSpace | None = None,
        **kwargs,
    ):
        super().__init__(
            image_shape, classes, metrics, train_rows, seed=seed, space=space or TransferSpace()
        )
        self.weights = Path(weights)
        self.backbone = backbone

    def input_size(self) -> int:
        height, width = self.image_shape[:2]
        return int(min(MAX_INPUT_SIZE, max(self.backbone.min_size, height, width)))

    def build(self, hp: keras_tuner.HyperParameters) -> keras.Model:
        space = self.space
        size = self.input_size()
        inputs = keras.Input(shape=self.image_shape, dtype="float32", name="image")
        x = inputs
        if self.image_shape[2] == 1:
            x = keras.layers.Concatenate(name="to_rgb")([x, x, x])
        x = keras.layers.Resizing(size, size, name="resize")(x)
        if self.backbone.scale is not None:
            x = keras.layers.Rescaling(
                self.backbone.scale, offset=self.backbone.offset, name="backbone_scale"
            )(x)
        base = getattr(keras.applications, self.backbone.constructor)(
            include_top=False, weights=None, input_shape=(size, size, 3), pooling="avg"
        )
        base.load_weights(self.weights)
        fine_tune = hp.Choice(
            "fine_tune_layers",
            list(space.fine_tune_layers),
            default=nearest(space.fine_tune_layers, 0),
        )
        base.trainable = fine_tune > 0
        if fine_tune > 0:
            for layer in base.layers[:-fine_tune]:
                layer.trainable = False
        for layer in base.layers:
            # Batch norm statistics stay as pretrained: small data would skew them.
            if isinstance(layer, keras.layers.BatchNormalization):
                layer.trainable = False
        x = base(x, training=False)
        dropout = dropout_rate(hp, space.max_dropout, 0.2)
        units = hidden_units(hp, space.dense_units)
        if units > 0:
            x = keras.layers.Dense(units, activation="relu", name="hidden")(x)
        if dropout > 0:
            x = keras.layers.Dropout(dropout, name="head_dropout")(x)
        return self._classifier(inputs, x, hp, name="transfer")
