"""How the families' `fit` feeds Keras: shuffled training batches and batched validation.

Every family hands `model.fit` tf.data pipelines it batched itself, so the batch size can
be a tuned hyperparameter and Keras never shuffles again.
"""

from __future__ import annotations

from typing import Any

import keras

#: Validation batches: only memory bounds them, as nothing is learned from them.
VALIDATION_BATCH_SIZE = 256

#: Images and long series are large next to table rows: the shuffle buffer is capped
#: to bound memory.
MAX_SHUFFLE_BUFFER = 10_000


def shuffled_batches(train: Any, rows: int, batch_size: int, seed: int) -> Any:
    """Returns `train` (an unbatched tf.data.Dataset) reshuffled each epoch and batched.

    The shuffle buffer holds every row up to `MAX_SHUFFLE_BUFFER`.
    """
    buffer = max(1, min(rows, MAX_SHUFFLE_BUFFER))
    return train.shuffle(buffer, seed=seed, reshuffle_each_iteration=True).batch(batch_size)


def fit_batches(
    model: keras.Model,
    train: Any,
    validation_data: Any,
    fit_kwargs: dict,
    validation_batch_size: int = VALIDATION_BATCH_SIZE,
) -> keras.callbacks.History:
    """Returns the History of `model.fit` on the batched `train` dataset.

    Args:
        train: a batched tf.data.Dataset.
        validation_data: an unbatched dataset, a tuple of arrays, or None.
        fit_kwargs: the rest of Keras Tuner's `fit` arguments; the tuner's own
            `batch_size` is dropped, as `train` is already batched.
        validation_batch_size: the batch size the validation rows are read in.

    Example:
        >>> history = fit_batches(model, train, (x_val, y_val), {"epochs": 1})
    """
    import tensorflow as tf

    validation = None
    if validation_data is not None:
        if isinstance(validation_data, tuple):
            validation_data = tf.data.Dataset.from_tensor_slices(validation_data)
        validation = validation_data.batch(validation_batch_size).prefetch(tf.data.AUTOTUNE)
    fit_kwargs.pop("batch_size", None)
    fit_kwargs["shuffle"] = False  # tf.data shuffles; Keras would only warn
    return model.fit(train, validation_data=validation, **fit_kwargs)
