"""Keras forms of the simple baselines: a constant, a linear model, nearest neighbours.

The engine fits these baselines outside Keras (closed forms and scikit-learn, in seconds) on
the features that `baseline_inputs` computes inside the model, then builds them here as
ordinary Keras models. So when a baseline beats every searched network, the baseline itself
is exported: the same raw-input SavedModel, parity check and `automl predict` as any family.

Every builder takes the `BaselineInputs` of a family's `baseline_inputs()`: the model's raw
inputs and one float matrix (batch, width) computed from them inside the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np

from architectures.baseline_layers import ConstantOutput, FlatSteps, NearestNeighbours


@dataclass(frozen=True)
class BaselineHead:
    """What the exported baseline predicts, as the families' heads do.

    Attributes:
        kind: "classes" (softmax probabilities, output "probabilities"), "value" (one
            number per row) or "forecast" (`outputs` numbers per row).
        outputs: classes for "classes", else the numbers predicted per row.
    """

    kind: str
    outputs: int
    #: forecasts: which feature of the series is forecast (its last value is the naive one)
    target_feature: int = 0

    @property
    def name(self) -> str:
        return {"classes": "probabilities", "value": "value"}.get(self.kind, "forecast")


def constant_model(given: BaselineInputs, values: np.ndarray, head: BaselineHead) -> keras.Model:
    """Returns a model that predicts `values` (class shares, or the mean) for every row."""
    values = np.asarray(values, dtype="float32").reshape(-1)
    rows = given.features if given.features is not None else given.raw
    output = ConstantOutput(values.tolist(), name=head.name, dtype="float32")(rows)
    return keras.Model(given.inputs, output, name="constant")


def linear_model(
    given: BaselineInputs, weights: np.ndarray, bias: np.ndarray, head: BaselineHead
) -> keras.Model:
    """Returns the linear model with fitted `weights` (width, outputs) and `bias`.

    For classes the outputs are logits, turned into probabilities by a softmax; a binary
    model fitted with one logit gets a zero logit for the first class, which gives the same
    probabilities as a sigmoid.
    """
    weights = np.asarray(weights, dtype="float32")
    bias = np.asarray(bias, dtype="float32").reshape(-1)
    if weights.ndim == 1:
        weights = weights[:, None]
    if head.kind == "classes" and weights.shape[1] == 1 and head.outputs == 2:
        weights = np.concatenate([np.zeros_like(weights), weights], axis=1)
        bias = np.concatenate([np.zeros(1, "float32"), bias])
    layer = keras.layers.Dense(
        weights.shape[1],
        activation="softmax" if head.kind == "classes" else None,
        name=head.name,
        dtype="float32",
    )
    output = layer(given.features)
    layer.set_weights([weights, bias])
    return keras.Model(given.inputs, output, name="linear")


def nearest_neighbour_model(
    given: BaselineInputs, examples: np.ndarray, targets: np.ndarray, k: int, head: BaselineHead
) -> keras.Model:
    """Returns the k-nearest-neighbour model over the stored encoded `examples`.

    Args:
        targets: class indices (n,) for classes, else values (n,) or (n, outputs).
    """
    examples = np.asarray(examples, dtype="float32")
    if head.kind == "classes":
        stored = np.eye(head.outputs, dtype="float32")[np.asarray(targets, dtype=np.int64)]
    else:
        stored = np.asarray(targets, dtype="float32").reshape(len(examples), -1)
    layer = NearestNeighbours(examples.shape, stored.shape[1], k, name=head.name, dtype="float32")
    output = layer(given.features)
    layer.set_weights([examples, stored])
    return keras.Model(given.inputs, output, name="nearest_neighbour")


def last_value_model(given: BaselineInputs, target_feature: int, outputs: int) -> keras.Model:
    """Returns the naive forecast: the last observed value, for every step of the horizon."""
    from architectures.layers import LastObserved

    last = LastObserved(target_feature, name="last_observed", dtype="float32")(given.raw)
    repeat = keras.layers.Dense(
        outputs, use_bias=False, trainable=False, name="forecast", dtype="float32"
    )
    output = repeat(last)
    repeat.set_weights([np.ones((1, outputs), dtype="float32")])
    return keras.Model(given.inputs, output, name="last_value")


@dataclass
class BaselineInputs:
    """A family's raw inputs, and the features the baselines compute from them.

    Attributes:
        inputs: the model inputs (a tensor, or a dict by name), as the family's model has.
        raw: the raw input tensor (a forecast's last value is read from it).
        features: a float (batch, width) tensor; None where rows have no fixed width
            (series of any length): then only the constant baseline applies.
    """

    inputs: object
    raw: object
    features: object | None

    def encoder(self) -> keras.Model:
        """Returns the model that computes `features` from raw inputs."""
        return keras.Model(self.inputs, self.features, name="baseline_features")


def series_baseline_inputs(spec, per_series: bool) -> BaselineInputs:
    """Returns series standardized (per series for classes, as 1-NN on UCR sets) and flat."""
    from architectures.layers import SeriesMask

    raw = keras.Input(shape=(spec.steps, spec.features), dtype="float32", name=spec.input_name)
    length = spec.steps or spec.longest
    if length is None:
        return BaselineInputs(raw, raw, None)
    x = SeriesMask(
        list(spec.mean), list(spec.variance), False, per_series=per_series, name="standardize"
    )(raw)
    return BaselineInputs(raw, raw, FlatSteps(length, spec.features, name="flat")(x))


def text_baseline_inputs(spec) -> BaselineInputs:
    """Returns a text column as a bag of its training vocabulary's words."""
    text = keras.Input(shape=(1,), dtype="string", name=spec.input_name)
    # TextVectorization rejects repeated tokens and the two it reserves ("", "[UNK]").
    vocabulary = [t for t in dict.fromkeys(spec.vocabulary) if t not in ("", "[UNK]")]
    words = keras.layers.TextVectorization(
        vocabulary=vocabulary, output_mode="multi_hot", name=f"{spec.input_name}_words"
    )(keras.layers.Reshape((), name=f"{spec.input_name}_flat")(text))
    return BaselineInputs({spec.input_name: text}, text, words)


#: Images are compared at most this many pixels a side (the 1-NN and linear baselines).
BASELINE_IMAGE_SIDE = 16


def image_baseline_inputs(image_shape: tuple[int, int, int]) -> BaselineInputs:
    """Returns images scaled to 0..1, shrunk to 16 px a side at most, as flat pixels."""
    image = keras.Input(shape=image_shape, dtype="float32", name="image")
    x = keras.layers.Rescaling(1 / 255, name="rescale")(image)
    height, width = image_shape[:2]
    if max(height, width) > BASELINE_IMAGE_SIDE:
        scale = BASELINE_IMAGE_SIDE / max(height, width)
        x = keras.layers.Resizing(
            max(1, round(height * scale)), max(1, round(width * scale)), name="shrink"
        )(x)
    return BaselineInputs(image, image, keras.layers.Flatten(name="flat")(x))
