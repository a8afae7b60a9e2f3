"""The periodic embedding of numeric columns: known answer, a choice of the search, export."""

from __future__ import annotations

import keras
import keras_tuner
import numpy as np
import pytest

from architectures.dense import DenseHyperModel, TabularFeature, TabularTask, robust_scale_of
from architectures.numeric_embedding import PeriodicEmbedding
from automl.search.arrays import predict


def test_each_column_becomes_cos_and_sin_of_its_frequencies_then_a_relu_map():
    layer = PeriodicEmbedding(frequencies=1, width=2, sigma=0.1)
    layer.build((None, 1))
    layer.frequency.assign([[0.25]])  # 2 pi x 0.25 = pi / 2 at x = 1
    layer.kernel.assign([np.eye(2)])
    out = np.asarray(layer(np.array([[1.0], [-1.0], [0.0]], "float32")))
    # x=1: (cos, sin) = (0, 1); x=-1: (0, -1) -> ReLU (0, 0); x=0: (1, 0)
    np.testing.assert_allclose(out, [[0, 1], [0, 0], [1, 0]], atol=1e-6)
    assert layer.compute_output_shape((None, 3)) == (None, 6)


def _features(x: np.ndarray) -> list[TabularFeature]:
    median, scale = robust_scale_of(x[:, 0])
    return [TabularFeature("x", "numeric", float(x.mean()), float(x.var()), median, scale)]


def test_the_first_trial_reads_plain_numbers_and_the_embedding_is_a_choice():
    x = np.linspace(-3, 3, 50, dtype="float32")[:, None]
    family = DenseHyperModel(_features(x), TabularTask("binary", 2), ["accuracy"], 50)
    hp = keras_tuner.HyperParameters()
    model = family.build(hp)
    assert hp.values["numeric_embedding"] == "none"
    with pytest.raises(ValueError):
        model.get_layer("periodic")
    hp = keras_tuner.HyperParameters()
    hp.values["numeric_embedding"] = "periodic"
    assert isinstance(family.build(hp).get_layer("periodic"), PeriodicEmbedding)
    assert hp.values["frequency_scale"] == 0.1
    # The linear seed and the focus's linear model keep numbers plain: still linear.
    assert family.near_baseline("linear")["the linear model"]["numeric_embedding"] == "none"


def test_no_numeric_column_no_choice():
    colour = TabularFeature("colour", "categorical", vocabulary=("blue", "red"))
    family = DenseHyperModel([colour], TabularTask("binary", 2), ["accuracy"], 50)
    hp = keras_tuner.HyperParameters()
    family.build(hp)
    assert "numeric_embedding" not in hp.values
    assert "numeric_embedding" not in family.near_baseline("linear")["the linear model"]


@pytest.mark.slow
def test_bands_an_mlp_cannot_fit_from_a_plain_number_are_fitted_through_the_embedding():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, (400, 1)).astype("float32")
    y = (np.sin(4 * x[:, 0]) > 0).astype("int32")  # eight bands
    accuracy = {}
    for embedding in ("none", "periodic"):
        keras.utils.set_random_seed(0)
        family = DenseHyperModel(_features(x), TabularTask("binary", 2), ["accuracy"], 400)
        hp = keras_tuner.HyperParameters()
        hp.values.update(numeric_embedding=embedding, frequency_scale=1.0)
        history = family.build(hp).fit({"x": x}, y, epochs=40, batch_size=32, verbose=0)
        accuracy[embedding] = history.history["accuracy"][-1]
    assert accuracy["periodic"] > 0.95 > 0.8 > accuracy["none"], accuracy


def test_an_embedded_model_survives_keras_and_saved_model(tmp_path):
    import tensorflow as tf

    x = np.linspace(-3, 3, 20, dtype="float32")[:, None]
    x[3] = np.nan
    features = [
        TabularFeature("x", "numeric", 0.0, 3.0, 0.0, 2.2, has_missing=True),
        TabularFeature("colour", "categorical", vocabulary=("blue", "red")),
    ]
    family = DenseHyperModel(features, TabularTask("regression"), [], 20)
    hp = keras_tuner.HyperParameters()
    hp.values.update(numeric_embedding="periodic", frequency_scale=0.5)
    model = family.build(hp)
    rows = {"x": x, "colour": np.array([["red"], ["blue"]] * 10)}
    expected = predict(model, rows)
    assert np.isfinite(expected).all()
    model.save(tmp_path / "dense.keras")
    reloaded = keras.saving.load_model(tmp_path / "dense.keras")  # safe mode
    np.testing.assert_allclose(predict(reloaded, rows), expected, atol=1e-6)

    archive = keras.export.ExportArchive()
    archive.track(model)
    specs = {
        "x": tf.TensorSpec([None, 1], tf.float32, name="x"),
        "colour": tf.TensorSpec([None, 1], tf.string, name="colour"),
    }
    archive.add_endpoint("serve", lambda x: model(x, training=False), input_signature=[specs])
    archive.write_out(str(tmp_path / "saved"), verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "saved"))  # kept: its variables live on it
    served = loaded.serve({"x": tf.constant(rows["x"]), "colour": tf.constant(rows["colour"])})
    assert np.abs(np.asarray(served) - expected).max() < 1e-5


@pytest.mark.slow
def test_a_periodic_regression_on_large_values_passes_the_export_check(tmp_path):
    # On outputs near 140,000 the reloaded graph's sin and cos moved the last float32
    # digits by 0.016: the check allows the same share of the largest output as of 1.
    from automl.export.bundle import export_model
    from automl.export.parity import parity_limit
    from automl.export.savedmodel import ServingInput, TableServing

    def batches(columns, targets):
        import tensorflow as tf

        return tf.data.Dataset.from_tensor_slices((columns, targets)).batch(32)

    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, (300, 3)).astype("float32")
    y = (1e5 + 2e4 * np.sin(3 * x[:, 0]) + 1e4 * x[:, 1]).astype("float32")
    features = [TabularFeature(f"x{i}", "numeric", 0.0, 1.0, 0.0, 1.0) for i in range(3)]
    family = DenseHyperModel(features, TabularTask("regression", 0, 1e5, 2e4), [], 300)
    hp = keras_tuner.HyperParameters()
    hp.values.update(numeric_embedding="periodic", frequency_scale=1.0)
    model = family.build(hp)
    rows = {f"x{i}": x[:, i] for i in range(3)}  # one value per row, as tables feed them
    model.fit(batches(rows, y), epochs=10, verbose=0)
    expected = predict(model, rows)
    serving = TableServing(tuple(ServingInput(n, n, "float32", "numeric") for n in rows))
    result = export_model(
        model,
        serving=serving,
        class_names=[],
        metadata={"task": "regression"},
        check_rows=rows,
        destination=tmp_path / "model",
    )
    assert result.parity.max_abs_diff <= parity_limit(expected)
    assert parity_limit(expected) > 1.0  # outputs near 1e5
