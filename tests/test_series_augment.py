"""Series augmentation: what each transform does to a series, and a tuned choice in `fit`."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras_tuner  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from architectures.augment import JITTER_STD, series_augmentation  # noqa: E402
from architectures.conv1d import Conv1DHyperModel  # noqa: E402
from architectures.sequence import SequenceTask, SeriesInput  # noqa: E402
from architectures.spaces import Conv1DSpace  # noqa: E402


def _ramp(steps: int = 40) -> np.ndarray:
    series = np.stack([np.arange(steps), -np.arange(steps)], axis=1).astype("float32")
    series[-5:] = np.nan  # padding after a shorter series
    return series


def test_none_is_no_transform():
    assert series_augmentation("none", (1.0, 1.0), 0) is None
    with pytest.raises(ValueError, match="unknown series augmentation"):
        series_augmentation("mixup", (1.0,), 0)


def test_a_slice_stretches_a_window_of_the_series_own_values_and_keeps_its_padding():
    series = _ramp()
    sliced, label = series_augmentation("slice", (1.0, 1.0), 3)(tf.constant(series), 7)
    sliced = sliced.numpy()
    assert sliced.shape == series.shape and int(label) == 7
    known = sliced[~np.isnan(sliced[:, 0]), 0]
    # Every value is one of the original steps, in order, from a window of 36 of the 40.
    assert set(known) <= set(series[:, 0]) and np.all(np.diff(known) >= 0)
    assert np.nanmax(sliced[:, 0]) - np.nanmin(sliced[:, 0]) <= 35
    # The padding stays at the end (the window may cut some of it), never filled.
    padding = np.isnan(sliced[:, 0])
    assert padding.any() and padding[int(np.argmax(padding)) :].all()


def test_jitter_and_scale_move_values_a_little_and_leave_nan_alone():
    series = _ramp()
    moved = series_augmentation("jitter_scale", (4.0, 4.0), 1)(tf.constant(series), 0)[0].numpy()
    assert np.array_equal(np.isnan(moved), np.isnan(series))
    ratio = moved[1:30, 0] / series[1:30, 0]
    assert 0.6 < np.median(ratio) < 1.4 and np.std(moved[:30, 0] - series[:30, 0]) > 0
    assert np.abs(moved[0]).max() < 10 * JITTER_STD * 2.0  # step 0 is zero: jitter alone


@pytest.mark.parametrize("kind", ["jitter_scale", "slice"])
def test_a_small_series_family_trains_with_each_augmentation(kind):
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 32).astype("int64")
    x = rng.normal(0, 0.3, (32, 16, 2)).astype("float32")
    x[:, :, 0] += np.where(y[:, None] == 1, 1.0, -1.0)
    family = Conv1DHyperModel(
        SeriesInput(2, (0.0, 0.0), (1.0, 0.1), steps=16),
        SequenceTask("binary", 2),
        ["accuracy"],
        train_rows=32,
        space=Conv1DSpace(filters=(8,), kernel_sizes=(3,), max_blocks=1, batch_sizes=(16,)),
    )
    hp = keras_tuner.HyperParameters()
    hp.Fixed("augment", kind)
    model = family.build(hp)
    history = family.fit(hp, model, x, y, validation_data=(x, y), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2 and np.isfinite(history.history["loss"]).all()
