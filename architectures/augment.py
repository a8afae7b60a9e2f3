"""Series augmentation for small series sets: window slicing, jitter and scaling.

With a few dozen training series a network sees each one hundreds of times and learns
them by heart. Drawing a slightly different version of a series each time (Le Guennec et
al., 2016: window slicing; Um et al., 2017: jitter and scaling) is the cheapest cure, and
whether it helps depends on the data, so it is a tuned choice whose default is "none".

Augmentation happens in the training pipeline only: the model, and so the SavedModel,
never sees it. Every transform keeps NaN (padding and missing values) where it was.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

#: The choices of the "augment" hyperparameter; the first is the default.
AUGMENTATIONS = ("none", "jitter_scale", "slice")
#: Jitter: Gaussian noise of this many training standard deviations per value.
JITTER_STD = 0.03
#: Scaling: each series and feature multiplied by a factor drawn around 1 with this spread.
SCALE_STD = 0.1
#: Window slicing: a random window of this share of the steps, stretched back to all of them.
SLICE_SHARE = 0.9


def series_augmentation(kind: str, variance: Sequence[float], seed: int) -> Callable | None:
    """Returns a tf.data map function `(series, label) -> (series', label)`, or None for "none".

    Args:
        kind: one of `AUGMENTATIONS`.
        variance: per feature, the training variance (jitter is scaled to it).
        seed: makes the draws repeatable for a trial.
    """
    import tensorflow as tf

    if kind == "none":
        return None
    if kind not in AUGMENTATIONS:
        raise ValueError(f"unknown series augmentation {kind!r}; choose from {AUGMENTATIONS}")
    std = tf.constant([math.sqrt(max(v, 0.0)) for v in variance], tf.float32)

    def jitter_scale(series, label):
        features = tf.shape(series)[-1]
        factor = tf.random.normal([1, features], 1.0, SCALE_STD, seed=seed)
        noise = tf.random.normal(tf.shape(series), 0.0, 1.0, seed=seed + 1) * JITTER_STD * std
        return series * factor + noise, label

    def window_slice(series, label):
        steps = tf.shape(series)[0]
        share = tf.math.ceil(SLICE_SHARE * tf.cast(steps, tf.float32))
        length = tf.maximum(1, tf.cast(share, tf.int32))
        start = tf.random.uniform([], 0, steps - length + 1, dtype=tf.int32, seed=seed)
        # Nearest-step stretching: no value is blended with a neighbour (NaN stays NaN).
        positions = tf.cast(tf.range(steps), tf.float32) * tf.cast(length, tf.float32)
        index = start + tf.cast(positions / tf.cast(steps, tf.float32), tf.int32)
        return tf.gather(series, tf.minimum(index, steps - 1)), label

    return jitter_scale if kind == "jitter_scale" else window_slice
