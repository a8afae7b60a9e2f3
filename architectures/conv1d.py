"""A tunable temporal convolution network for series and text.

The first trial is the FCN of Wang et al. (2017), the strongest plain deep default on
small series: three blocks of Conv1D (128/256/128 filters, kernels 8/5/3) + batch norm
+ ReLU, then global average pooling. Residual shortcuts (their ResNet), more or fewer
blocks, other widths and dropout are searched around it.

Keras 3's Conv1D takes no mask: handed one, it warns and drops it. So this family gets
no Keras mask; instead padded steps are set to 0 after every block (`ClearPadding`),
where they read like "same" padding, and pooling skips them (`MaskedGlobalPooling`).
A short series then gives the same prediction padded to any length.
"""

from __future__ import annotations

from typing import ClassVar

import keras
import keras_tuner

from architectures.layers import ClearPadding, MaskedGlobalPooling
from architectures.sequence import SequenceHyperModel
from architectures.spaces import Conv1DSpace
from architectures.tuning import clip, dropout_rate, nearest

#: The FCN's filters and kernels per block; blocks past the third repeat the last.
FCN_FILTERS = (128, 256, 128)
FCN_KERNELS = (8, 5, 3)


class Conv1DHyperModel(SequenceHyperModel):
    """Tunes the blocks, their filters and kernels, residuals, pooling and dropout.

    Hyperparameters (first-trial defaults in brackets, clipped into the space):
    "blocks" [3], "filters_{i}" [128, 256, 128], "kernel_size_{i}" [8, 5, 3],
    "residual" [False], "pooling" ["average" for series, "max" for text: a word
    anywhere can decide the class], "dropout" [0.0], plus the shared "embedding_dim"
    (text) [128], "learning_rate" [1e-3], "optimizer", "batch_size" [16 for up to
    2,000 series, else 32] and "per_series_norm" [True for classes and forecasts].

    Example:
        >>> from architectures.sequence import SequenceTask, SeriesInput
        >>> series = SeriesInput(features=1, mean=(0.0,), variance=(1.0,), steps=140)
        >>> model = Conv1DHyperModel(series, SequenceTask("multiclass", 5), ["accuracy"], 500)
        >>> model.build(keras_tuner.HyperParameters()).output_shape
        (None, 5)
    """

    family: ClassVar[str] = "conv1d"
    space_class: ClassVar[type] = Conv1DSpace
    consumes_masks: ClassVar[bool] = False

    def body(self, hp: keras_tuner.HyperParameters, x, real_steps):
        space = self.space
        blocks = hp.Int(
            "blocks",
            space.min_blocks,
            space.max_blocks,
            default=clip(len(FCN_FILTERS), space.min_blocks, space.max_blocks),
        )
        residual = hp.Boolean("residual", default=False) if space.tune_residual else False
        poolings = list(space.poolings)
        preferred = "max" if self.is_text else "average"
        pooling = hp.Choice(
            "pooling", poolings, default=preferred if preferred in poolings else poolings[0]
        )
        rate = dropout_rate(hp, space.max_dropout, 0.0)
        for i in range(blocks):
            filters = hp.Choice(
                f"filters_{i}",
                list(space.filters),
                default=nearest(space.filters, FCN_FILTERS[min(i, len(FCN_FILTERS) - 1)]),
            )
            kernel = hp.Choice(
                f"kernel_size_{i}",
                list(space.kernel_sizes),
                default=nearest(space.kernel_sizes, FCN_KERNELS[min(i, len(FCN_KERNELS) - 1)]),
            )
            x = _conv_block(x, filters, kernel, residual, name=f"block{i}")
            if rate > 0:
                x = keras.layers.Dropout(rate, name=f"block{i}_dropout")(x)
            x = ClearPadding(name=f"block{i}_clear_padding")([x, real_steps])
        return MaskedGlobalPooling(pooling, name=f"global_{pooling}")([x, real_steps])


def _conv_block(x, filters: int, kernel: int, residual: bool, name: str):
    """Returns Conv1D + batch norm (+ projected shortcut) + ReLU applied to `x`."""
    shortcut = x
    # Batch norm's shift makes a conv bias redundant.
    x = keras.layers.Conv1D(filters, kernel, padding="same", use_bias=False, name=f"{name}_conv")(x)
    # Momentum 0.9, not Keras' 0.99: see cnn.py (small data leaves the moving statistics
    # far behind at 0.99, and inference uses them).
    x = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_norm")(x)
    if residual:
        # A 1x1 projection matches the channel count, as in ResNet's projection shortcut.
        projection = keras.layers.Conv1D(filters, 1, use_bias=False, name=f"{name}_shortcut")(
            shortcut
        )
        projection = keras.layers.BatchNormalization(momentum=0.9, name=f"{name}_shortcut_norm")(
            projection
        )
        x = keras.layers.Add(name=f"{name}_add")([x, projection])
    return keras.layers.ReLU(name=f"{name}_relu")(x)
