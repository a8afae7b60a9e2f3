"""A tunable recurrent network for series and text: stacked GRU or SimpleRNN layers.

Recurrent layers read the padding mask from the front end, so padded steps are skipped
and a short series gets the same prediction whatever length it was padded to.
"""

from __future__ import annotations

from typing import ClassVar

import keras
import keras_tuner

from architectures.sequence import SequenceHyperModel
from architectures.spaces import RNNSpace
from architectures.tuning import clip, dropout_rate, nearest

CELLS = {"gru": keras.layers.GRU, "simple_rnn": keras.layers.SimpleRNN}


class RNNHyperModel(SequenceHyperModel):
    """Tunes the cell, depth, width and dropout of a recurrent stack.

    Hyperparameters (first-trial defaults in brackets, clipped into the space):
    "cell" ["gru": gated cells learn longer dependencies than SimpleRNN], "layers" [1],
    "units" [64], "dropout" [0.1], plus the shared "embedding_dim" (text) [128],
    "learning_rate" [1e-3], "optimizer" and "batch_size" [32].

    Example:
        >>> from architectures.sequence import SequenceTask, SeriesInput
        >>> series = SeriesInput(features=1, mean=(0.0,), variance=(1.0,))
        >>> model = RNNHyperModel(series, SequenceTask("binary", 2), ["accuracy"], 200)
        >>> model.build(keras_tuner.HyperParameters()).output_shape
        (None, 2)
    """

    family: ClassVar[str] = "rnn"
    space_class: ClassVar[type] = RNNSpace

    def body(self, hp: keras_tuner.HyperParameters, x, real_steps):
        space = self.space
        cells = list(space.cells)
        cell = hp.Choice("cell", cells, default="gru" if "gru" in cells else cells[0])
        depth = hp.Int(
            "layers",
            space.min_layers,
            space.max_layers,
            default=clip(1, space.min_layers, space.max_layers),
        )
        units = hp.Choice("units", list(space.units), default=nearest(space.units, 64))
        rate = dropout_rate(hp, space.max_dropout, 0.1)
        for i in range(depth):
            x = CELLS[cell](units, return_sequences=i < depth - 1, name=f"{cell}{i}")(x)
            if rate > 0:
                x = keras.layers.Dropout(rate, name=f"dropout{i}")(x)
        return x
