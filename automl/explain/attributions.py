"""Gradient attributions on a Keras 3 model: integrated gradients and Grad-CAM.

Both work on any functional model (a nested backbone is one layer of it) and compare no kind
of data: a caller hands them a differentiable `forward` (a tensor in, scores out) or the model
itself. TensorFlow loads inside the functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Integrated gradients' stated tolerance: attributions sum to f(x) - f(baseline) within 5%
#: of |f(x) - f(baseline)| (measured against `SMALL_CHANGE` when that difference is smaller).
COMPLETENESS_TOLERANCE = 0.05
SMALL_CHANGE = 0.01
STEPS = 64


@dataclass(frozen=True)
class Completeness:
    """How far integrated gradients' attributions are from summing to the output change."""

    steps: int
    tolerance: float
    #: the largest gap over the rows, as a fraction of |f(x) - f(baseline)|
    worst_gap: float
    median_gap: float

    @property
    def within(self) -> bool:
        """Returns whether every row's gap is within the tolerance."""
        return self.worst_gap <= self.tolerance

    def to_dict(self) -> dict:
        """Returns explain.json's record of the check."""
        return {
            "steps": self.steps,
            "tolerance": self.tolerance,
            "worst_gap": round(self.worst_gap, 6),
            "median_gap": round(self.median_gap, 6),
            "within": self.within,
            "rule": "attributions sum to f(x) - f(baseline) within tolerance * "
            f"max(|f(x) - f(baseline)|, {SMALL_CHANGE})",
        }


def integrated_gradients(
    forward: Callable[[Any], Any],
    inputs: np.ndarray,
    baseline: np.ndarray,
    targets: np.ndarray,
    *,
    steps: int = STEPS,
    chunk: int = 4096,
) -> tuple[np.ndarray, Completeness]:
    """Returns attributions shaped like `inputs` and the completeness check of them.

    `forward` maps a float tensor shaped like `inputs` to scores [rows, outputs];
    `targets[i]` is the output explained for row i. The path integral uses the trapezoid
    rule over `steps` intervals; when a row misses the tolerance the steps double (once,
    twice) before the gap is reported as measured.

    Example:
        >>> attributions, check = integrated_gradients(f, x, np.zeros_like(x), classes)
        >>> check.worst_gap <= check.tolerance
    """
    inputs = np.asarray(inputs, dtype=np.float32)
    baseline = np.broadcast_to(np.asarray(baseline, dtype=np.float32), inputs.shape)
    targets = np.asarray(targets, dtype=np.int64)
    change = _target_scores(forward, inputs, targets) - _target_scores(forward, baseline, targets)
    for attempt in range(3):
        attributions = _path_integral(forward, inputs, baseline, targets, steps, chunk)
        total = attributions.reshape(len(inputs), -1).sum(axis=1)
        gaps = np.abs(total - change) / np.maximum(np.abs(change), SMALL_CHANGE)
        if attempt == 2 or gaps.max(initial=0.0) <= COMPLETENESS_TOLERANCE:
            break
        steps *= 2
    check = Completeness(
        steps,
        COMPLETENESS_TOLERANCE,
        float(gaps.max(initial=0.0)),
        float(np.median(gaps)) if len(gaps) else 0.0,
    )
    return attributions, check


def _target_scores(forward: Callable, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Returns each row's score for its target output."""
    import tensorflow as tf

    scores = forward(tf.constant(inputs))
    return tf.gather(scores, targets, axis=1, batch_dims=1).numpy()


def _path_integral(
    forward: Callable,
    inputs: np.ndarray,
    baseline: np.ndarray,
    targets: np.ndarray,
    steps: int,
    chunk: int,
) -> np.ndarray:
    """Returns (inputs - baseline) times the trapezoid mean of gradients along the path."""
    import tensorflow as tf

    alphas = np.linspace(0.0, 1.0, steps + 1, dtype=np.float32)
    weights = np.full(steps + 1, 1.0 / steps, dtype=np.float32)
    weights[[0, -1]] /= 2
    rows = len(inputs)
    per_call = max(1, chunk // max(rows, 1))  # alphas per call: keeps a batch near `chunk`
    mean_gradient = np.zeros_like(inputs)
    for start in range(0, len(alphas), per_call):
        a = alphas[start : start + per_call].reshape((-1,) + (1,) * inputs.ndim)
        points = baseline[None] + a * (inputs - baseline)[None]  # [alphas, rows, ...]
        path = tf.constant(points.reshape(-1, *inputs.shape[1:]))
        repeated = np.tile(targets, len(a))
        with tf.GradientTape() as tape:
            tape.watch(path)
            scores = tf.gather(forward(path), repeated, axis=1, batch_dims=1)
        gradient = tape.gradient(scores, path)
        if gradient is None:  # the output does not depend on the input at all
            continue
        gradient = gradient.numpy().reshape(len(a), *inputs.shape)
        w = weights[start : start + len(a)].reshape((-1,) + (1,) * inputs.ndim)
        mean_gradient += (np.nan_to_num(gradient) * w).sum(axis=0)
    return (inputs - baseline) * mean_gradient


def has_gradients(forward: Callable[[Any], Any], inputs: np.ndarray) -> bool:
    """Returns whether the scores change with the inputs along gradients at `inputs`.

    Random-convolution features pooled by proportion of positive values, and nearest
    neighbours, give zero (or no) gradients almost everywhere: they need occlusion.
    """
    import tensorflow as tf

    x = tf.constant(np.asarray(inputs, dtype=np.float32))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(forward(x))
    gradient = tape.gradient(total, x)
    return gradient is not None and bool(np.any(np.nan_to_num(gradient.numpy()) != 0))


def all_layers(model: Any) -> Iterator[Any]:
    """Yields every layer of `model`, those inside nested models (backbones) after their model."""
    for layer in getattr(model, "layers", ()):
        yield layer
        yield from all_layers(layer)


def last_convolution_output(model: Any) -> Any | None:
    """Returns the top-level layer whose 4-D output ends the model's last convolution block.

    Grad-CAM looks at that layer's feature maps. None when no convolution precedes a 4-D
    output of the model's own graph: a dense network over pixels, or a nested backbone
    followed by pooling (a nested model's `output` belongs to its inner graph, so its
    feature maps are out of reach; integrated gradients explain those models instead).
    """
    import keras

    conv_types = (keras.layers.Conv2D, keras.layers.DepthwiseConv2D, keras.layers.SeparableConv2D)
    seen_conv = False
    found = None
    for layer in model.layers:
        if any(isinstance(sub, conv_types) for sub in [layer, *all_layers(layer)]):
            seen_conv = True
        if isinstance(layer, keras.Model):
            continue
        shape = getattr(getattr(layer, "output", None), "shape", None)
        if seen_conv and shape is not None and len(shape) == 4:
            found = layer
    return found


def grad_cam(model: Any, images: np.ndarray, targets: np.ndarray) -> np.ndarray | None:
    """Returns Grad-CAM maps [images, height, width] scaled 0..1, or None without convolutions.

    The maps weight the last convolution block's feature maps by their mean gradient for
    each image's target class (the keras.io method), keep the positive part and are resized
    to the input's height and width.
    """
    import keras
    import tensorflow as tf

    layer = last_convolution_output(model)
    if layer is None:
        return None
    both = keras.Model(model.inputs, [layer.output, model.outputs[0]])
    x = tf.constant(np.asarray(images, dtype=np.float32))
    with tf.GradientTape() as tape:
        features, scores = both(x, training=False)
        chosen = tf.gather(scores, np.asarray(targets, dtype=np.int64), axis=1, batch_dims=1)
    gradient = tape.gradient(chosen, features)
    if gradient is None:
        return None
    weights = tf.reduce_mean(gradient, axis=(1, 2), keepdims=True)
    maps = tf.nn.relu(tf.reduce_sum(weights * features, axis=-1))[..., None]
    maps = tf.image.resize(maps, images.shape[1:3], method="bilinear")[..., 0].numpy()
    peak = maps.reshape(len(maps), -1).max(axis=1).reshape(-1, 1, 1)
    return np.where(peak > 0, maps / np.maximum(peak, 1e-12), 0.0).astype(np.float32)
