"""RealMLP's robust scaling with smooth clipping and label smoothing: known answers, save/load,
SavedModel parity."""

from __future__ import annotations

import keras
import keras_tuner
import numpy as np
import pytest

from architectures.dense import DenseHyperModel, TabularFeature, TabularTask, robust_scale_of
from architectures.layers import RobustScale, SmoothedSparseCrossentropy
from automl.search.arrays import predict


def test_robust_scale_centres_scales_and_clips_smoothly():
    layer = RobustScale([1.0, 0.0], [2.0, 0.0])  # the second column is constant
    out = np.asarray(layer(np.array([[1.0, 0.0], [7.0, 3.0], [-1.0, -300.0]], "float32")))
    # z = (x - 1) / 2 = 0, 3, -1, then z / sqrt(1 + (z/3)^2); scale 0 divides by 1
    expected = [[0.0, 0.0], [3 / np.sqrt(2), 3 / np.sqrt(2)], [-1 / np.sqrt(1 + 1 / 9), 0]]
    expected[2][1] = -300 / np.sqrt(1 + 100**2)
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert np.abs(out).max() < 3  # outliers bend towards +-3


def test_robust_statistics_are_the_median_and_the_interquartile_range():
    values = np.arange(1, 102, dtype="float64")  # median 51, quartiles 26 and 76
    assert robust_scale_of(values) == pytest.approx((51.0, 50 / 1.349))
    # A mostly-zero column has no interquartile range: half its range instead.
    assert robust_scale_of(np.r_[np.zeros(90), np.ones(10) * 4]) == (0.0, 2.0)
    assert robust_scale_of(np.full(5, 3.0)) == (3.0, 1.0)
    assert robust_scale_of(np.array([])) == (0.0, 1.0)


def _rows(n: int = 40) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    a = rng.lognormal(size=(n, 1)).astype("float32")
    a[3] = np.nan
    a[4] = 1e6  # an outlier the clip keeps finite and small
    colour = rng.choice(["red", "blue"], size=(n, 1))
    return {"a": a, "colour": colour}


def test_the_default_model_scales_robustly_and_survives_keras_and_saved_model(tmp_path):
    import tensorflow as tf

    features = [
        TabularFeature(
            "a", "numeric", mean=1.6, variance=4.0, median=1.0, robust_scale=0.9, has_missing=True
        ),
        TabularFeature("colour", "categorical", vocabulary=("blue", "red")),
    ]
    family = DenseHyperModel(features, TabularTask("binary", 2), ["accuracy"], 40)
    hp = keras_tuner.HyperParameters()
    model = family.build(hp)
    assert hp.values["scaling"] == "robust"
    assert isinstance(model.get_layer("robust_scale"), RobustScale)
    rows = _rows()
    expected = predict(model, rows)
    assert np.isfinite(expected).all()

    model.save(tmp_path / "dense.keras")
    reloaded = keras.saving.load_model(tmp_path / "dense.keras")  # safe mode
    assert isinstance(reloaded.loss, SmoothedSparseCrossentropy) and reloaded.loss.smoothing == 0.1
    np.testing.assert_allclose(predict(reloaded, rows), expected, atol=1e-6)

    archive = keras.export.ExportArchive()
    archive.track(model)
    specs = {
        "a": tf.TensorSpec([None, 1], tf.float32, name="a"),
        "colour": tf.TensorSpec([None, 1], tf.string, name="colour"),
    }
    archive.add_endpoint("serve", lambda x: model(x, training=False), input_signature=[specs])
    archive.write_out(str(tmp_path / "saved"), verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "saved"))  # kept: its variables live on it
    served = loaded.serve({"a": tf.constant(rows["a"]), "colour": tf.constant(rows["colour"])})
    assert np.abs(np.asarray(served) - expected).max() < 1e-5


def test_standard_scaling_stays_a_choice():
    features = [TabularFeature("a", "numeric", mean=1.0, variance=4.0)]
    family = DenseHyperModel(features, TabularTask("regression"), [], 40)
    hp = keras_tuner.HyperParameters()
    hp.values["scaling"] = "standard"
    model = family.build(hp)
    assert model.get_layer("normalize") is not None
    with pytest.raises(ValueError):
        model.get_layer("robust_scale")


def test_label_smoothing_spreads_a_tenth_of_each_label_over_the_classes():
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]], "float32")
    ids = np.array([0, 1])
    smoothed = np.full((2, 3), 0.1 / 3) + np.eye(3)[ids] * 0.9
    expected = np.mean(-(smoothed * np.log(probabilities)).sum(axis=1))
    loss = SmoothedSparseCrossentropy(3, 0.1)
    assert float(loss(ids, probabilities)) == pytest.approx(expected, rel=1e-6)
    assert float(loss(ids[:, None], probabilities)) == pytest.approx(expected, rel=1e-6)
    plain = keras.losses.SparseCategoricalCrossentropy()(ids, probabilities)
    assert float(SmoothedSparseCrossentropy(3, 0.0)(ids, probabilities)) == pytest.approx(
        float(plain), rel=1e-6
    )
