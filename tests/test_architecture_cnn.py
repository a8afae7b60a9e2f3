"""The image family: shapes, pooling limits, learning, deterministic inference, its space."""

from __future__ import annotations

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import keras_tuner  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

from architectures.cnn import CNNHyperModel, image_augmentation  # noqa: E402
from architectures.spaces import SPACES, CNNSpace  # noqa: E402


def _images_left_brighter(rows: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Returns 8x8x1 noise images (0..255) and labels: 1 where the left half is brighter."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, rows)
    images = rng.uniform(0, 195, (rows, 8, 8, 1))
    images[labels == 1, :, :4] += 60
    images[labels == 0, :, 4:] += 60
    return images.astype("float32"), labels.astype("int64")


def _dataset(images: np.ndarray, labels: np.ndarray) -> tf.data.Dataset:
    return tf.data.Dataset.from_tensor_slices((images, labels))  # unbatched, as the engine gives


def _last_conv_size(model: keras.Model) -> tuple[int, int]:
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    return tuple(convs[-1].output.shape[1:3])


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.utils.clear_session()
    keras.utils.set_random_seed(0)


@pytest.mark.parametrize(
    ("image_shape", "classes", "blocks", "last_conv"),
    [((8, 8, 1), 10, 2, (4, 4)), ((32, 32, 3), 2, 3, (8, 8))],
)
def test_default_build_is_a_small_vgg_with_a_softmax_head(
    image_shape, classes, blocks, last_conv
):
    hp = keras_tuner.HyperParameters()
    model = CNNHyperModel(image_shape, classes, ["accuracy"], train_rows=200).build(hp)

    assert model.output_shape == (None, classes)
    assert model.input_shape == (None, *image_shape)
    assert hp.values["blocks"] == blocks and hp.values["filters"] == 32
    assert hp.values["kernel_size"] == 3 and hp.values["batch_norm"] is True
    assert hp.values["residual"] is False and "augment" not in hp.values  # fit's choice
    assert hp.values["dropout"] == 0.25 and hp.values["dense_units"] == 0
    assert _last_conv_size(model) == last_conv


def test_deepest_widest_choices_build_on_8x8_without_pooling_below_2x2():
    space = CNNSpace()
    hp = keras_tuner.HyperParameters()
    hp.Fixed("blocks", space.max_blocks)
    hp.Fixed("filters", max(space.filters))
    hp.Fixed("kernel_size", max(space.kernel_sizes))
    hp.Fixed("residual", True)
    hp.Fixed("augment", True)
    hp.Fixed("dense_units", max(space.dense_units))
    model = CNNHyperModel((8, 8, 1), 10, ["accuracy"], train_rows=200).build(hp)

    assert model.output_shape == (None, 10)
    assert _last_conv_size(model) == (2, 2)
    assert model.get_layer("block2_conv1").output.shape[-1] == max(space.filters) * 4
    assert model(np.zeros((2, 8, 8, 1), "float32")).shape == (2, 10)


def test_default_model_learns_which_half_is_brighter():
    images, labels = _images_left_brighter()
    hypermodel = CNNHyperModel((8, 8, 1), 2, ["accuracy"], train_rows=len(labels))
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)

    history = hypermodel.fit(hp, model, _dataset(images, labels), epochs=5, verbose=0)

    assert history.history["accuracy"][-1] > 0.8
    assert hp.values["batch_size"] == 32


def test_augmentation_changes_training_images_but_keeps_their_shape():
    images, _ = _images_left_brighter(rows=16)

    augmented = np.asarray(image_augmentation(seed=0)(images, training=True))

    assert augmented.shape == images.shape
    assert not np.allclose(augmented, images)
    assert augmented.min() >= 0 and augmented.max() <= 255


def test_model_trained_with_augmentation_predicts_and_exports_deterministically(tmp_path):
    images, labels = _images_left_brighter(rows=64)
    hypermodel = CNNHyperModel((8, 8, 1), 2, ["accuracy"], train_rows=64)
    hp = keras_tuner.HyperParameters()
    hp.Fixed("augment", True)
    model = hypermodel.build(hp)
    hypermodel.fit(hp, model, _dataset(images, labels), epochs=1, verbose=0)

    first = model.predict(images, verbose=0)
    np.testing.assert_array_equal(first, model.predict(images, verbose=0))
    model.export(str(tmp_path / "saved_model"), format="tf_saved_model", verbose=False)
    loaded = tf.saved_model.load(str(tmp_path / "saved_model"))  # keep: serve needs its variables
    np.testing.assert_allclose(loaded.serve(tf.constant(images)).numpy(), first, atol=1e-5)


# Keras Tuner reloads the best weights into an uncompiled-state optimizer: expected, harmless.
@pytest.mark.filterwarnings("ignore:Skipping variable loading for optimizer")
def test_random_search_runs_end_to_end_and_returns_probabilities(tmp_path):
    images, labels = _images_left_brighter()
    hypermodel = CNNHyperModel((8, 8, 1), 2, ["accuracy"], train_rows=160, seed=1)
    tuner = keras_tuner.RandomSearch(
        hypermodel,
        objective="val_accuracy",
        max_trials=2,
        seed=1,
        directory=str(tmp_path),
        project_name="cnn",
    )

    tuner.search(
        _dataset(images[:160], labels[:160]),
        validation_data=_dataset(images[160:], labels[160:]),
        epochs=1,
        verbose=0,
    )

    assert len(tuner.oracle.trials) == 2
    best = tuner.get_best_models(1)[0]
    probabilities = best.predict(images[:8], verbose=0)
    assert probabilities.shape == (8, 2)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-5)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"min_blocks": 3, "max_blocks": 2}, "blocks"),
        ({"filters": ()}, "filters"),
        ({"kernel_sizes": (4,)}, "kernel sizes"),
        ({"dense_units": (-1,)}, "dense units"),
        ({"max_dropout": 1.0}, "max_dropout"),
        ({"optimizers": ("lbfgs",)}, "optimizers"),
    ],
)
def test_cnn_space_rejects_impossible_settings(overrides, message):
    with pytest.raises(ValueError, match=message):
        CNNSpace(**overrides)


def test_cnn_space_round_trips_through_json_ready_dicts_and_is_registered():
    space = CNNSpace(max_blocks=2, filters=(32,), tune_residual=False, dense_units=(0, 64))

    data = space.to_dict()

    assert data["filters"] == [32]
    assert CNNSpace.from_dict(data) == space
    assert SPACES["cnn"] is CNNSpace
    with pytest.raises(ValueError, match="unknown field"):
        CNNSpace.from_dict({"layers": 2})
