"""The sequence families (rnn, lstm, conv1d), their heads, masks, saving, and FamilyChoice."""

from __future__ import annotations

import os
import warnings

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import keras_tuner  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from architectures.conv1d import Conv1DHyperModel  # noqa: E402
from architectures.dense import DenseHyperModel, TabularFeature, TabularTask  # noqa: E402
from architectures.families import FamilyChoice, family_values  # noqa: E402
from architectures.layers import SeriesMask, WindowSpread  # noqa: E402
from architectures.lstm import LSTMHyperModel  # noqa: E402
from architectures.proposals import load_hypermodel_class  # noqa: E402
from architectures.rnn import RNNHyperModel  # noqa: E402
from architectures.sequence import SequenceTask, SeriesInput, TextInput  # noqa: E402
from architectures.spaces import Conv1DSpace, DenseSpace, LSTMSpace, RNNSpace  # noqa: E402

FAMILIES = (RNNHyperModel, LSTMHyperModel, Conv1DHyperModel)

#: Spaces small enough that a test trains in a second or two.
TINY = {
    "rnn": RNNSpace(units=(8,), max_layers=1, embedding_dims=(8,), batch_sizes=(16,)),
    "lstm": LSTMSpace(units=(8,), max_layers=1, embedding_dims=(8,), batch_sizes=(16,)),
    "conv1d": Conv1DSpace(
        filters=(8,), kernel_sizes=(3,), max_blocks=1, embedding_dims=(8,), batch_sizes=(16,)
    ),
}


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)


def _series(rows: int = 48, steps: int = 16, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Returns 2-feature noise series and labels: 1 where the first feature rises."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    x = rng.normal(0, 0.3, (rows, steps, 2))
    x[:, :, 0] += np.where(labels[:, None] == 1, 1, -1) * np.linspace(-1, 1, steps)
    return x.astype("float32"), labels.astype("int64")


def _series_input(steps: int | None = None) -> SeriesInput:
    return SeriesInput(features=2, mean=(0.0, 0.0), variance=(0.5, 0.1), steps=steps)


def _texts(rows: int = 48, seed: int = 0) -> tuple[dict[str, np.ndarray], np.ndarray]:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    words = np.array(["good", "great", "bad", "awful", "film", "plot", "the"])
    texts = [
        " ".join(rng.choice(words[[0, 1] if y else [2, 3]], 2).tolist() + ["the", "film"])
        for y in labels
    ]
    return {"review": np.array(texts)}, labels.astype("int64")


TEXT = TextInput("review", vocabulary=("the", "film", "good", "bad", "great", "awful"), length=8)


def test_conv1d_default_is_the_fcn_of_wang_et_al():
    hp = keras_tuner.HyperParameters()
    model = Conv1DHyperModel(
        _series_input(140), SequenceTask("multiclass", 5), ["accuracy"], 500
    ).build(hp)

    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv1D)]
    assert [c.filters for c in convs] == [128, 256, 128]
    assert [c.kernel_size for c in convs] == [(8,), (5,), (3,)]
    norms = [layer for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)]
    assert [n.momentum for n in norms] == [0.9, 0.9, 0.9]
    assert hp.values["pooling"] == "average" and hp.values["residual"] is False
    assert model.output_names == ["probabilities"] and model.output_shape == (None, 5)
    assert model.input_shape == (None, 140, 2)


def test_lstm_default_is_a_bilstm_for_text_and_one_forward_layer_for_series():
    text_hp, series_hp = keras_tuner.HyperParameters(), keras_tuner.HyperParameters()
    task = SequenceTask("binary", 2)
    text_model = LSTMHyperModel(TEXT, task, ["accuracy"], 100).build(text_hp)
    series_model = LSTMHyperModel(_series_input(), task, ["accuracy"], 100).build(series_hp)

    bidirectional = [
        layer for layer in text_model.layers if isinstance(layer, keras.layers.Bidirectional)
    ]
    assert len(bidirectional) == 2 and text_hp.values["embedding_dim"] == 128
    assert series_hp.values["bidirectional"] is False and series_hp.values["layers"] == 1
    assert "embedding_dim" not in series_hp.values
    assert not any(isinstance(layer, keras.layers.Bidirectional) for layer in series_model.layers)
    assert text_model.input_shape == (None, 1) and text_model.inputs[0].name == "review"


def test_rnn_default_is_one_gru_layer():
    hp = keras_tuner.HyperParameters()
    model = RNNHyperModel(_series_input(), SequenceTask("binary", 2), [], 100).build(hp)
    assert hp.values["cell"] == "gru" and hp.values["layers"] == 1
    assert [type(layer) for layer in model.layers].count(keras.layers.GRU) == 1


@pytest.mark.parametrize("family", FAMILIES)
def test_a_short_series_predicts_the_same_padded_with_nan_to_any_length(family):
    x, _ = _series(rows=2, steps=12)
    short = x[:, :7]
    padded = x.copy()
    padded[:, 7:] = np.nan
    hp = keras_tuner.HyperParameters()
    if family is LSTMHyperModel:
        hp.values["bidirectional"] = True  # padding must be skipped reading backwards too
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when a layer drops a mask
        model = family(_series_input(), SequenceTask("binary", 2), [], 100).build(hp)
    np.testing.assert_allclose(model(short), model(padded), atol=1e-5)


def test_series_mask_standardizes_fills_nan_and_masks_all_nan_steps():
    layer = SeriesMask([1.0, 0.0], [4.0, 0.0])
    x = np.array([[[3.0, 2.0], [np.nan, 5.0], [np.nan, np.nan]]], "float32")
    np.testing.assert_allclose(layer(x), [[[1.0, 2.0], [0.0, 5.0], [0.0, 0.0]]])
    assert layer.compute_mask(x).numpy().tolist() == [[True, True, False]]


def test_per_series_norm_ignores_level_and_scale_and_keeps_padding_zero():
    layer = SeriesMask([5.0], [9.0], per_series=True)
    shape = np.array([0.0, 1.0, 3.0, 1.0, np.nan], "float32")
    batch = np.stack([shape, 10.0 + 4.0 * shape, np.array([2.0, 2.0, 2.0, np.nan, np.nan])])
    out = np.asarray(layer(batch[..., None].astype("float32")))[..., 0]
    np.testing.assert_allclose(out[0], out[1], atol=1e-5)  # level and scale are gone
    np.testing.assert_allclose(out[0, :4].mean(), 0.0, atol=1e-6)
    np.testing.assert_allclose(out[0, :4].std(), 1.0, atol=1e-5)
    assert out[0, 4] == 0.0 and out[2].tolist() == [0.0] * 5  # padding; a flat series


def test_classes_and_forecasts_start_per_series_normalised():
    hp = keras_tuner.HyperParameters()
    model = Conv1DHyperModel(_series_input(), SequenceTask("multiclass", 3), [], 100).build(hp)
    assert hp.values["per_series_norm"] is True
    assert model.get_layer("standardize").per_series
    hp = keras_tuner.HyperParameters()
    task = SequenceTask("forecast", outputs=2)
    model = Conv1DHyperModel(_series_input(), task, [], 100).build(hp)
    assert hp.values["per_series_norm"] is True
    assert model.get_layer("standardize").per_series
    assert model.get_layer("window_spread").feature == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_a_window_scaled_forecast_scales_with_its_window(family):
    # Per-window scaling (RevIN): a window raised by b and stretched by a > 0 gets the
    # same forecast raised and stretched alike, so a louder test period than any training
    # window is no extrapolation for the trained layers.
    spec = SeriesInput(features=1, mean=(5.0,), variance=(4.0,), steps=8)
    task = SequenceTask("forecast", outputs=3, target_std=2.0)
    model = family(spec, task, [], 100, space=TINY[family.family]).build(
        keras_tuner.HyperParameters()
    )
    window = np.random.default_rng(0).normal(5.0, 2.0, (4, 8, 1)).astype("float32")
    stretched = (30.0 + 7.0 * window).astype("float32")
    np.testing.assert_allclose(
        model(stretched), 30.0 + 7.0 * np.asarray(model(window)), rtol=1e-4, atol=1e-3
    )


def test_a_flat_window_moves_in_the_training_spread():
    spread = WindowSpread(0, fallback=2.0)
    windows = np.array([[[3.0], [3.0], [3.0]], [[1.0], [3.0], [np.nan]]], "float32")
    np.testing.assert_allclose(spread(windows), [[2.0], [1.0]])


def test_a_forecast_can_keep_the_training_scale_instead():
    hp = keras_tuner.HyperParameters()
    hp.Fixed("per_series_norm", False)
    task = SequenceTask("forecast", outputs=2, target_std=2.0)
    model = LSTMHyperModel(_series_input(), task, [], 100).build(hp)
    assert not model.get_layer("standardize").per_series
    assert "window_spread" not in [layer.name for layer in model.layers]


def test_forecast_starts_from_the_last_observed_value():
    spec = SeriesInput(features=2, mean=(10.0, 0.0), variance=(4.0, 1.0), steps=6)
    task = SequenceTask("forecast", outputs=3, target_std=2.0, target_feature=0)
    model = LSTMHyperModel(spec, task, [], 100).build(keras_tuner.HyperParameters())
    head = model.get_layer("standardized")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])

    window = np.arange(24, dtype="float32").reshape(2, 6, 2)
    window[1, 5, 0] = np.nan  # a missing last value: the one before it counts
    assert model.output_names == ["forecast"]
    np.testing.assert_allclose(model(window), [[10.0] * 3, [20.0] * 3])


def test_regression_starts_from_the_target_mean():
    task = SequenceTask("regression", target_mean=50.0, target_std=5.0)
    model = RNNHyperModel(TEXT, task, [], 100).build(keras_tuner.HyperParameters())
    head = model.get_layer("standardized")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    texts = tf.constant([["good film"], ["awful plot"]])
    np.testing.assert_allclose(model({"review": texts}), [[50.0], [50.0]])


@pytest.mark.parametrize(
    ("family", "task", "steps"),
    [
        (Conv1DHyperModel, SequenceTask("forecast", outputs=2, target_std=2.0), 12),
        (LSTMHyperModel, SequenceTask("binary", 2), None),
    ],
)
def test_a_saved_model_loads_in_safe_mode_and_predicts_the_same(family, task, steps, tmp_path):
    model = family(_series_input(steps), task, [], 100).build(keras_tuner.HyperParameters())
    x, _ = _series(rows=3, steps=12)
    x[0, 9:] = np.nan
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True, compile=False)
    np.testing.assert_allclose(loaded(x), model(x), atol=1e-6)


@pytest.mark.slow
def test_conv1d_learns_a_rising_series_from_nan_padded_variable_lengths():
    x, y = _series(rows=64, steps=16)
    x[::2, 10:] = np.nan  # every other series is shorter
    space = Conv1DSpace(filters=(16,), kernel_sizes=(3,), max_blocks=1, batch_sizes=(16,))
    hypermodel = Conv1DHyperModel(
        _series_input(), SequenceTask("binary", 2), ["accuracy"], 48, space=space
    )
    hp = keras_tuner.HyperParameters()
    hp.values["learning_rate"] = 3e-3
    model = hypermodel.build(hp)
    history = hypermodel.fit(
        hp, model, x[:48], y[:48], validation_data=(x[48:], y[48:]), epochs=16, verbose=0
    )
    assert hp.values["batch_size"] == 16
    assert history.history["val_accuracy"][-1] >= 0.8


def test_conv1d_trains_on_text_given_as_one_dimensional_string_arrays():
    # The LSTM trains on text in the FamilyChoice test below.
    x, y = _texts()
    hypermodel = Conv1DHyperModel(
        TEXT, SequenceTask("binary", 2), ["accuracy"], 32, space=TINY["conv1d"]
    )
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    history = hypermodel.fit(
        hp,
        model,
        {"review": x["review"][:32]},
        y[:32],
        validation_data=({"review": x["review"][32:]}, y[32:]),
        epochs=1,
        verbose=0,
    )
    assert hp.values["pooling"] == "max"  # a telling word anywhere counts
    assert len(history.history["val_loss"]) == 1


def test_proposed_families_load_their_hypermodels():
    assert load_hypermodel_class("rnn") is RNNHyperModel
    assert load_hypermodel_class("lstm") is LSTMHyperModel
    assert load_hypermodel_class("conv1d") is Conv1DHyperModel


def _series_choice(names=("conv1d", "lstm", "rnn")) -> FamilyChoice:
    classes = {"conv1d": Conv1DHyperModel, "lstm": LSTMHyperModel, "rnn": RNNHyperModel}
    return FamilyChoice(
        {
            name: classes[name](
                _series_input(), SequenceTask("binary", 2), ["accuracy"], 32, space=TINY[name]
            )
            for name in names
        }
    )


def test_family_choice_prefixes_each_familys_hyperparameters_and_defaults_to_the_first():
    hp = keras_tuner.HyperParameters()
    model = _series_choice().build(hp)

    assert model.name == "conv1d" and hp.values["family"] == "conv1d"
    assert hp.values["conv1d/blocks"] == 1 and "blocks" not in hp.values
    assert not any(name.startswith(("lstm/", "rnn/")) for name in hp.values)
    assert family_values(hp.values, "conv1d")["filters_0"] == 8

    hp.values["family"] = "lstm"
    assert _series_choice().build(hp).name == "lstm"
    assert hp.values["lstm/units"] == 8 and "units" not in hp.values


def test_a_random_search_over_families_trains_each_from_the_first_familys_defaults(tmp_path):
    from automl.search.oracles import DefaultsFirstRandom

    x, y = _series(rows=48, steps=12)
    tuner = keras_tuner.Tuner(
        oracle=DefaultsFirstRandom(objective="val_accuracy", max_trials=3, seed=2),
        hypermodel=_series_choice(),
        directory=str(tmp_path),
        project_name="families",
    )
    # The tuner's first pass built every family once: all their values are in the space.
    space = {hp.name for hp in tuner.oracle.hyperparameters.space}
    assert {"conv1d/blocks", "lstm/units", "rnn/cell"} <= space

    tuner.search(x[:32], y[:32], validation_data=(x[32:], y[32:]), epochs=1, verbose=0)

    trials = sorted(tuner.oracle.trials.values(), key=lambda t: t.trial_id)
    values = [t.hyperparameters.values for t in trials]
    assert values[0]["family"] == "conv1d"
    assert values[0]["conv1d/pooling"] == "average" and values[0]["conv1d/batch_size"] == 16
    assert len({v["family"] for v in values}) >= 2
    assert all(t.status == "COMPLETED" and t.score is not None for t in trials)
    for v in values:  # each trial holds only its own family's values
        others = {name for name in ("conv1d", "lstm", "rnn") if name != v["family"]}
        assert not any(k.split("/")[0] in others for k in v)


def test_a_family_choice_searches_text_with_the_dense_bag_of_words_too():
    x, y = _texts()
    feature = TabularFeature("review", "text", vocabulary=TEXT.vocabulary)
    dense = DenseHyperModel(
        [feature],
        TabularTask("binary", 2),
        ["accuracy"],
        32,
        space=DenseSpace(units=(8,), max_layers=1, batch_sizes=(16,)),
    )
    lstm = LSTMHyperModel(TEXT, SequenceTask("binary", 2), ["accuracy"], 32, space=TINY["lstm"])
    choice = FamilyChoice({"dense": dense, "lstm": lstm})
    for family in ("dense", "lstm"):
        hp = keras_tuner.HyperParameters()
        hp.values["family"] = family
        model = choice.build(hp)
        history = choice.fit(
            hp,
            model,
            {"review": x["review"][:32]},
            y[:32],
            validation_data=({"review": x["review"][32:]}, y[32:]),
            epochs=1,
            verbose=0,
        )
        assert model.name == family and len(history.history["val_accuracy"]) == 1
        assert hp.values[f"{family}/batch_size"] == 16


def test_a_family_choice_needs_families_with_plain_names():
    with pytest.raises(ValueError, match="at least one family"):
        FamilyChoice({})
    with pytest.raises(ValueError, match="'/'"):
        FamilyChoice({"a/b": RNNHyperModel(_series_input(), SequenceTask("binary", 2), [], 9)})
