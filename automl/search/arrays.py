"""Feeding dicts of numpy arrays (strings included) to Keras models."""

from __future__ import annotations

import numpy as np


def predict(model, x: dict[str, np.ndarray], batch_size: int = 1024) -> np.ndarray:
    """Returns `model`'s output for the rows in `x`.

    Keras rejects numpy string arrays, so rows go through `tf.data`, which takes them.
    """
    import tensorflow as tf

    rows = tf.data.Dataset.from_tensor_slices(x).batch(batch_size)
    return np.asarray(model.predict(rows, verbose=0))
