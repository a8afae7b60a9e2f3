"""Feeding dicts of numpy arrays (strings included) to Keras models."""

from __future__ import annotations

import numpy as np


def predict(model, x: dict[str, np.ndarray], batch_size: int = 1024) -> np.ndarray:
    """Returns `model`'s output for the rows in `x`.

    Keras rejects numpy string arrays, so rows go through `tf.data`, which takes them.
    Up to one batch of rows is passed to the model directly, as tensors: `predict` traces
    a function for each model it is given (0.06-0.16 s for a small table model here,
    against 0.01 s for the call), and choosing among several trials' fold models after
    the deadline predicts each fold's few held-out rows with 10-25 of them.
    """
    import tensorflow as tf

    if len(next(iter(x.values()), ())) <= batch_size:
        tensors = {name: tf.constant(values) for name, values in x.items()}
        return np.asarray(model(tensors, training=False))
    rows = tf.data.Dataset.from_tensor_slices(x).batch(batch_size)
    return np.asarray(model.predict(rows, verbose=0))
