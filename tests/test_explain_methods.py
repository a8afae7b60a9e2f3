"""The shared explanation methods on small hand-built Keras models: known answers, no search.

Integrated gradients' completeness on a differentiable model of each kind (table columns,
series, images), Grad-CAM inside a shape's mask, occlusion and permutation on known functions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

keras = pytest.importorskip("keras")

from automl.explain.attributions import (  # noqa: E402
    COMPLETENESS_TOLERANCE,
    grad_cam,
    has_gradients,
    integrated_gradients,
    last_convolution_output,
)
from automl.explain.occlusion import occlusion, patches, windows  # noqa: E402
from automl.explain.permutation import permutation_importance  # noqa: E402


def _forward(model):
    return lambda t: model(t, training=False)


def _check_completeness(model, x, baseline):
    targets = np.argmax(np.asarray(model(x)), axis=1)
    attributions, check = integrated_gradients(_forward(model), x, baseline, targets)
    assert attributions.shape == x.shape
    assert check.tolerance == COMPLETENESS_TOLERANCE
    assert check.within, check
    # The stated property, measured again here: sums equal the output change.
    change = (
        np.asarray(model(x))[np.arange(len(x)), targets]
        - np.asarray(model(baseline))[np.arange(len(x)), targets]
    )
    sums = attributions.reshape(len(x), -1).sum(axis=1)
    assert np.all(
        np.abs(sums - change) <= COMPLETENESS_TOLERANCE * np.maximum(np.abs(change), 0.01)
    )
    return attributions


def test_completeness_on_table_series_and_image_models():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    table = keras.Sequential(
        [keras.Input((6,)), keras.layers.Dense(16, "tanh"), keras.layers.Dense(3, "softmax")]
    )
    x = rng.normal(size=(10, 6)).astype("float32")
    _check_completeness(table, x, np.zeros_like(x))

    series_in = keras.Input((30, 2))
    h = keras.layers.Conv1D(8, 5, activation="relu")(series_in)
    h = keras.layers.GlobalAveragePooling1D()(h)
    series = keras.Model(series_in, keras.layers.Dense(2, activation="softmax")(h))
    s = rng.normal(size=(6, 30, 2)).astype("float32")
    _check_completeness(series, s, np.zeros_like(s))

    image_in = keras.Input((12, 12, 1))
    h = keras.layers.Conv2D(4, 3, activation="relu", padding="same")(image_in)
    h = keras.layers.GlobalAveragePooling2D()(h)
    image = keras.Model(image_in, keras.layers.Dense(2, activation="softmax")(h))
    im = rng.uniform(0, 1, size=(4, 12, 12, 1)).astype("float32")
    _check_completeness(image, im, np.zeros_like(im))


def test_integrated_gradients_finds_the_one_input_that_counts():
    inputs = keras.Input((5,))
    chosen = keras.layers.Lambda(lambda t: t[:, 2:3] * 3.0)(inputs)
    model = keras.Model(inputs, keras.layers.Activation("sigmoid")(chosen))
    x = np.ones((3, 5), dtype="float32")
    attributions, check = integrated_gradients(_forward(model), x, np.zeros_like(x), [0, 0, 0])
    assert check.within
    assert np.all(np.argmax(np.abs(attributions), axis=1) == 2)
    assert np.allclose(attributions[:, [0, 1, 3, 4]], 0.0)


def _squares(count, size, rng):
    images = np.zeros((count, size, size, 1), dtype="float32")
    masks = np.zeros((count, size, size), dtype=bool)
    labels = np.arange(count) % 2  # 1: a bright square somewhere; 0: blank with faint noise
    for i in range(count):
        images[i] += rng.uniform(0, 10, size=(size, size, 1))
        if labels[i]:
            top, left = rng.integers(0, size - 6, 2)
            images[i, top : top + 6, left : left + 6] = 255.0
            masks[i, top : top + 6, left : left + 6] = True
    return images, labels, masks


def test_grad_cam_mass_lies_inside_the_shape():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    images, labels, masks = _squares(200, 20, rng)
    inputs = keras.Input((20, 20, 1))
    h = keras.layers.Rescaling(1 / 255)(inputs)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(h)
    h = keras.layers.Conv2D(8, 3, padding="same", activation="relu")(h)
    h = keras.layers.GlobalMaxPooling2D()(h)
    model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(h))
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(images, labels, epochs=8, batch_size=32, verbose=0)
    assert last_convolution_output(model) is not None
    shapes = labels == 1
    maps = grad_cam(model, images[shapes][:20], np.ones(20, dtype=int))
    inside = (maps * masks[shapes][:20]).sum() / maps.sum()
    assert inside > 0.5, inside  # the square covers 9% of the image


def test_no_convolution_means_no_grad_cam():
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    functional = keras.Model(model.inputs, model.outputs)
    assert last_convolution_output(functional) is None
    assert grad_cam(functional, np.zeros((1, 8, 8, 1)), [0]) is None


def test_a_step_function_has_no_gradients_and_occlusion_still_finds_the_window():
    inputs = keras.Input((20, 1))
    window = keras.layers.Lambda(lambda t: t[:, 8:12, 0])(inputs)
    # Proportion of positive values: a step function, zero gradient almost everywhere.
    ppv = keras.layers.Lambda(
        lambda t: keras.ops.mean(keras.ops.cast(t > 0.5, "float32"), axis=1, keepdims=True)
    )(window)
    model = keras.Model(inputs, ppv)
    x = np.zeros((2, 20, 1), dtype="float32")
    x[:, 8:12] = 1.0
    assert not has_gradients(_forward(model), x)

    def score(values):
        return np.asarray(model(values))[:, 0]

    masks = windows((20, 1), 5)
    drops = occlusion(score, x, masks, fill=0.0)
    assert drops.shape == (2, 5)
    assert np.all(np.argmax(drops, axis=1) == 2)  # the window of steps 8..11


def test_patches_cover_the_image_once():
    masks = patches((8, 8, 3), 3)
    assert len(masks) == 9
    assert np.all(np.sum(masks, axis=0) == 1)


def test_permutation_importance_ranks_the_column_the_score_reads():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "noise": rng.normal(size=200),
            "signal": rng.normal(size=200),
            "word": rng.choice(["a", "b"], 200),
        }
    )
    y = frame["signal"].to_numpy()

    def score(x, truth):
        return -float(np.mean(np.abs(x["signal"].to_numpy() - truth)))

    table = permutation_importance(score, frame, y, repeats=4)
    assert list(table.columns) == ["feature", "importance", "spread"]
    assert table["feature"].iloc[0] == "signal"
    assert table.set_index("feature").loc["noise", "importance"] == 0.0
    assert table["spread"].iloc[0] > 0


def test_word_vectors_integrated_gradients_find_the_deciding_word():
    from automl.explain.embedding import word_attributions

    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    filler = [f"w{i}" for i in range(20)]
    texts, labels = [], []
    for i in range(200):
        words = list(rng.choice(filler, 6))
        if i % 2:
            words.insert(int(rng.integers(0, 6)), "excellent")
        texts.append(" ".join(words))
        labels.append(i % 2)
    text = keras.Input(shape=(1,), dtype="string", name="review")
    ids = keras.layers.TextVectorization(
        vocabulary=["excellent", *filler], output_sequence_length=10
    )(keras.layers.Reshape(())(text))
    vectors = keras.layers.Embedding(23, 8, mask_zero=True)(ids)
    pooled = keras.layers.GlobalAveragePooling1D()(vectors)
    model = keras.Model({"review": text}, keras.layers.Dense(2, activation="softmax")(pooled))
    model.compile("adam", "sparse_categorical_crossentropy")
    raw = np.asarray(texts, dtype=object).reshape(-1, 1)
    import tensorflow as tf

    model.fit({"review": tf.constant(raw)}, np.asarray(labels), epochs=30, batch_size=32, verbose=0)

    good = [t for t, label in zip(texts, labels, strict=True) if label][:10]
    found = word_attributions(model, "review", good, np.ones(10, dtype=int))
    assert found is not None and found.completeness.within, found
    assert "word vectors" in found.method
    for words, values in zip(found.words, found.values, strict=True):
        assert len(words) == len(values) == 7
        assert words[int(np.argmax(values))] == "excellent"
    # The layer's own `call` is back: the model predicts as before.
    assert np.asarray(model({"review": tf.constant(raw[:2])})).shape == (2, 2)


def test_a_nested_backbone_is_explained_by_integrated_gradients():
    inner_in = keras.Input((10, 10, 1))
    inner = keras.Model(inner_in, keras.layers.Conv2D(4, 3, activation="relu")(inner_in))
    outer_in = keras.Input((10, 10, 1))
    pooled = keras.layers.GlobalAveragePooling2D()(inner(outer_in))
    model = keras.Model(outer_in, keras.layers.Dense(3, activation="softmax")(pooled))
    assert last_convolution_output(model) is None  # no feature maps in the outer graph
    assert grad_cam(model, np.zeros((1, 10, 10, 1)), [0]) is None
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 1, (3, 10, 10, 1)).astype("float32")
    _check_completeness(model, x, np.zeros_like(x))
