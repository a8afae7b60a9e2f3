"""Integrated gradients on a text model's word vectors (or its bag of words).

Raw strings have no gradient; the first float tensor after them does: an `Embedding`'s
word vectors, or a `TextVectorization` layer's multi-hot bag of words. That layer's output
is swapped for the integrated path (the layer's `call` is replaced on the instance while the
attributions are taken, then restored), so the rest of the functional model runs unchanged,
masks included.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from automl.explain.attributions import Completeness, all_layers, integrated_gradients


@dataclass(frozen=True)
class WordAttributions:
    """Each text's words (as the model's vocabulary spells them) and their attributions."""

    words: list[list[str]]
    values: list[np.ndarray]
    completeness: Completeness
    method: str


def _layers(network: Any) -> tuple[Any, Any] | None:
    """Returns (the TextVectorization layer, the layer whose output is attributed), or None."""
    import keras

    layers = list(all_layers(network))
    vectorize = next((x for x in layers if isinstance(x, keras.layers.TextVectorization)), None)
    if vectorize is None:
        return None
    mode = vectorize.get_config().get("output_mode")
    embedding = next((x for x in network.layers if isinstance(x, keras.layers.Embedding)), None)
    if embedding is not None and mode == "int":
        return vectorize, embedding
    if mode in ("multi_hot", "count", "tf_idf"):
        return vectorize, vectorize
    return None


@contextmanager
def _swapped_output(layer: Any, holder: dict) -> Iterator[None]:
    """Makes `layer` return `holder["value"]` while the block runs."""
    layer.call = lambda *_args, **_kwargs: holder["value"]
    try:
        yield
    finally:
        del layer.call  # the class's own `call` again


def word_attributions(
    network: Any, input_name: str, texts: list[str], targets: np.ndarray
) -> WordAttributions | None:
    """Returns each text's word attributions to its target output, or None without a text
    layer to attribute (the caller then takes words out one by one instead)."""
    import keras
    import tensorflow as tf

    found = _layers(network)
    if found is None or len(network.inputs) != 1:
        return None
    vectorize, attributed = found
    raw = np.asarray(texts, dtype=object).reshape(-1, 1)
    values = keras.Model(network.inputs, attributed.output)({input_name: tf.constant(raw)})
    values = np.asarray(values, dtype=np.float32)
    holder: dict = {}

    def forward(path: Any) -> Any:
        holder["value"] = path
        repeats = int(path.shape[0]) // len(raw)
        return network({input_name: tf.constant(np.tile(raw, (repeats, 1)))}, training=False)

    with _swapped_output(attributed, holder):
        attributions, check = integrated_gradients(forward, values, np.zeros_like(values), targets)
    vocabulary = [str(w) for w in vectorize.get_vocabulary()]
    if attributed is vectorize:
        index = {w: i for i, w in enumerate(vocabulary)}
        words, per_word = [], []
        for text, row in zip(texts, attributions, strict=True):
            tokens = [t for t in standardized(text) if t]
            counts = {t: tokens.count(t) for t in tokens}
            words.append(tokens)
            # A word's share of its bag entry: repeats split it evenly.
            per_word.append(
                np.asarray([row[index[t]] / counts[t] if t in index else 0.0 for t in tokens])
            )
        method = "integrated gradients on the bag of words (baseline: no word)"
        return WordAttributions(words, per_word, check, method)
    ids = np.asarray(keras.Model(network.inputs, vectorize.output)({input_name: tf.constant(raw)}))
    words, per_word = [], []
    for text, row_ids, row in zip(texts, ids, attributions.sum(axis=-1), strict=True):
        kept = row_ids != 0  # padding
        tokens = standardized(text)
        spelled = [vocabulary[i] for i in row_ids[kept]]
        # Out-of-vocabulary words keep their own spelling where the positions line up.
        if len(tokens) >= len(spelled):
            spelled = [t if s == "[UNK]" else s for s, t in zip(spelled, tokens, strict=False)]
        words.append(spelled)
        per_word.append(row[kept])
    method = "integrated gradients on the word vectors (baseline: zero vectors)"
    return WordAttributions(words, per_word, check, method)


def standardized(text: str) -> list[str]:
    """Returns the words of `text` as TextVectorization's default standardisation sees them."""
    import re

    return re.sub(r"[^\w\s]", "", text.lower()).split()
