"""A tunable LSTM network for series and text, optionally bidirectional.

For text the first trial is the bidirectional LSTM of Keras' IMDB example (embedding
128, two BiLSTM layers of 64 units); for series, one forward LSTM of 64 units. LSTMs
read the padding mask, so padded steps are skipped in both directions.
"""

from __future__ import annotations

from typing import ClassVar

import keras
import keras_tuner

from architectures.sequence import SequenceHyperModel
from architectures.spaces import LSTMSpace
from architectures.tuning import clip, dropout_rate, nearest


class LSTMHyperModel(SequenceHyperModel):
    """Tunes the depth, width, direction and dropout of an LSTM stack.

    Hyperparameters (first-trial defaults in brackets, clipped into the space; text /
    series where they differ): "layers" [2 / 1], "units" [64], "bidirectional"
    [True / False], "dropout" [0.1], plus the shared "embedding_dim" (text) [128],
    "learning_rate" [1e-3], "optimizer" and "batch_size" [32].

    Example:
        >>> from architectures.sequence import SequenceTask, TextInput
        >>> text = TextInput("review", vocabulary=("good", "bad"), length=50)
        >>> model = LSTMHyperModel(text, SequenceTask("binary", 2), ["accuracy"], 200)
        >>> model.build(keras_tuner.HyperParameters()).output_names
        ['probabilities']
    """

    family: ClassVar[str] = "lstm"
    space_class: ClassVar[type] = LSTMSpace

    def body(self, hp: keras_tuner.HyperParameters, x, real_steps):
        space = self.space
        text = self.is_text
        depth = hp.Int(
            "layers",
            space.min_layers,
            space.max_layers,
            default=clip(2 if text else 1, space.min_layers, space.max_layers),
        )
        units = hp.Choice("units", list(space.units), default=nearest(space.units, 64))
        # Reading text both ways is the published default; on series it doubles the cost.
        both_ways = hp.Boolean("bidirectional", default=text) if space.tune_bidirectional else False
        rate = dropout_rate(hp, space.max_dropout, 0.1)
        for i in range(depth):
            layer = keras.layers.LSTM(units, return_sequences=i < depth - 1, name=f"lstm{i}")
            if both_ways:
                layer = keras.layers.Bidirectional(layer, name=f"bilstm{i}")
            x = layer(x)
            if rate > 0:
                x = keras.layers.Dropout(rate, name=f"dropout{i}")(x)
        return x
