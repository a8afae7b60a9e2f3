"""search_quality's Keras pieces shared by plain Keras Tuner, the reference networks and
AutoKeras: the deadline clock, the inputs per recipe, the output head and compile."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from sq_split import SplitArrays, job_split


def make_clock(keras, deadline: float):
    """Returns a Keras callback that stops training at `deadline` (time.monotonic) and counts
    the epochs run. Keras Tuner deep-copies callbacks per trial; this one returns itself, so
    one count covers every trial."""

    class Clock(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = 0

        def __deepcopy__(self, memo):
            return self

        def on_train_batch_end(self, batch, logs=None):
            if time.monotonic() >= deadline:
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            self.epochs += 1

    return Clock()


@dataclass
class Inputs:
    """Model-ready arrays for the Keras systems, and how to turn outputs back into units."""

    x: dict  # split name -> array
    y: dict
    outputs: int  # classes, 1 (regression) or horizon (forecast)
    unscale: Callable[[np.ndarray], np.ndarray] = lambda out: out
    vocabulary: int = 0  # text: token ids run below this


def keras_inputs(split: SplitArrays, recipe: str) -> Inputs:
    """Returns the split as numeric arrays: fitted on the training rows only.

    `recipe` is "generic" (what a plain Keras Tuner user does: standardise, vectorise with
    common defaults) or "reference" (the reference network's published preprocessing).
    """
    x, y = dict(split.x), dict(split.y)
    outputs = len(split.class_names) if split.classification else 1
    unscale: Callable[[np.ndarray], np.ndarray] = lambda out: out  # noqa: E731
    vocabulary = 0
    if split.modality == "table":
        x = table_matrices(split, x)
    elif split.modality == "series":
        if recipe == "reference":  # FCN: each series z-normalised on its own (UCR practice)
            x = {k: np.nan_to_num(_znorm(v)) for k, v in x.items()}
        else:
            mean = np.nanmean(x["train"], axis=(0, 1))
            std = np.nanstd(x["train"], axis=(0, 1)) + 1e-8
            x = {k: np.nan_to_num((v - mean) / std).astype(np.float32) for k, v in x.items()}
    elif split.modality == "text":
        import keras

        words = np.array([len(t.split()) for t in x["train"]])
        if recipe == "reference":
            tokens, length = 20000, int(max(16, np.percentile(words, 95)))
        else:
            tokens, length = 10000, 100
        vectorize = keras.layers.TextVectorization(max_tokens=tokens, output_sequence_length=length)
        vectorize.adapt(x["train"])
        vocabulary = int(vectorize.vocabulary_size())
        x = {k: np.asarray(vectorize(np.asarray(v, dtype=object))) for k, v in x.items()}
    elif split.modality == "forecast":
        mean = x["train"].mean(axis=(0, 1))
        std = x["train"].std(axis=(0, 1)) + 1e-8
        x = {k: ((v - mean) / std).astype(np.float32) for k, v in x.items()}
        target_mean, target_std = float(mean[0]), float(std[0])
        y = {k: ((v - target_mean) / target_std).astype(np.float32) for k, v in y.items()}
        outputs = y["train"].shape[1]

        def unscale(out: np.ndarray) -> np.ndarray:
            return out * target_std + target_mean

    if split.task == "regression":
        target_mean, target_std = float(y["train"].mean()), float(y["train"].std() or 1.0)
        y = {k: ((v - target_mean) / target_std).astype(np.float32) for k, v in y.items()}

        def unscale(out: np.ndarray) -> np.ndarray:
            return np.asarray(out).ravel() * target_std + target_mean

    return Inputs(x, y, outputs, unscale, vocabulary)


def seeded_job_inputs(keras, job: dict, recipe: str) -> tuple[SplitArrays, Inputs]:
    """Returns a worker job's split and its Keras inputs for `recipe`, Keras seeded first."""
    keras.utils.set_random_seed(job["seed"])
    split = job_split(job)
    return split, keras_inputs(split, recipe)


def _znorm(x: np.ndarray) -> np.ndarray:
    mean = np.nanmean(x, axis=1, keepdims=True)
    std = np.nanstd(x, axis=1, keepdims=True) + 1e-8
    return ((x - mean) / std).astype(np.float32)


def table_frame(split: SplitArrays, columns: dict):
    """Returns a table split's columns as a DataFrame: numbers as float, the rest as text."""
    import pandas as pd

    frame = pd.DataFrame({c: columns[c] for c in split.numeric})
    for c in split.categorical:
        frame[c] = pd.Series(columns[c], dtype=object).replace("", np.nan)
    return frame


def table_preprocessing(split: SplitArrays):
    """Median + scaling for numbers; most frequent + one-hot for the other columns."""
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    return ColumnTransformer(
        [
            (
                "num",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                split.numeric,
            ),
            (
                "cat",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                ),
                split.categorical,
            ),
        ]
    )


def table_matrices(split: SplitArrays, x: dict) -> dict[str, np.ndarray]:
    """Returns each part's table as one float32 matrix: numbers scaled, the rest one-hot.

    The encoding is fit on the train part only, as a Keras user would, so validation and test
    see no statistics of their own.
    """
    columns = table_preprocessing(split)
    frames = {k: table_frame(split, v) for k, v in x.items()}
    columns.fit(frames["train"])
    return {k: np.asarray(columns.transform(f), dtype=np.float32) for k, f in frames.items()}


def output_head(keras, x, split: SplitArrays, outputs: int):
    if split.classification:
        return keras.layers.Dense(outputs, activation="softmax")(x)
    return keras.layers.Dense(outputs)(x)


def compile_model(keras, model, split: SplitArrays, learning_rate: float):
    if split.classification:
        loss, metrics = "sparse_categorical_crossentropy", ["accuracy"]
    else:
        loss, metrics = "mse", ["mae"]
    model.compile(keras.optimizers.Adam(learning_rate), loss=loss, metrics=metrics)
    return model
