"""Hyperparameter pieces every family shares: optimizers, defaults clipped into a space,
and the batch size bounded by the training rows."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import keras_tuner

OPTIMIZERS = {
    "adam": keras.optimizers.Adam,
    "adamw": keras.optimizers.AdamW,
    "sgd": lambda rate: keras.optimizers.SGD(rate, momentum=0.9, nesterov=True),
    "rmsprop": keras.optimizers.RMSprop,
}


def clip(value: float, low: float, high: float) -> float:
    """Returns `value` moved into [low, high]: a default that stays inside the user's space."""
    return min(max(value, low), high)


def nearest(choices: Sequence[int], target: int) -> int:
    """Returns the choice closest to `target`."""
    return min(choices, key=lambda c: abs(c - target))


def tune_batch_size(
    hp: keras_tuner.HyperParameters, sizes: Sequence[int], rows: int, preferred: int = 32
) -> int:
    """Returns the trial's batch size, registering `batch_size` with the choices that fit.

    A batch larger than a quarter of the training rows leaves too few steps per epoch,
    so such sizes are left out (the smallest size always stays). The default is the
    choice nearest `preferred`.
    """
    ordered = sorted(sizes)
    choices = [b for b in ordered if b <= max(ordered[0], rows // 4)]
    return hp.Choice("batch_size", choices, default=nearest(choices, preferred))


def tuned_optimizer(hp: keras_tuner.HyperParameters, space) -> keras.optimizers.Optimizer:
    """Returns the optimizer a trial trains with: "optimizer" and a log-uniform
    "learning_rate" from `space` (every family's space has both), 1e-3 by default."""
    learning_rate = hp.Float(
        "learning_rate",
        space.min_learning_rate,
        space.max_learning_rate,
        sampling="log",
        default=clip(1e-3, space.min_learning_rate, space.max_learning_rate),
    )
    return OPTIMIZERS[hp.Choice("optimizer", list(space.optimizers))](learning_rate)


def dropout_rate(hp: keras_tuner.HyperParameters, max_dropout: float, default: float) -> float:
    """Returns the trial's "dropout", or 0.0 without registering it when the space has none."""
    if max_dropout <= 0:
        return 0.0
    return hp.Float("dropout", 0.0, max_dropout, default=min(default, max_dropout))


def hidden_units(hp: keras_tuner.HyperParameters, dense_units: Sequence[int]) -> int:
    """Returns the trial's "dense_units": the width of a head's hidden layer (0: none).

    The first trial takes the choice nearest 0: no hidden layer where the space allows.
    """
    return hp.Choice("dense_units", list(dense_units), default=nearest(dense_units, 0))


#: Where `declare_seed` leaves a hypermodel's seed configurations on a HyperParameters
#: object; the search's oracle (automl/search/oracles.py) reads them from there.
SEEDS_ATTRIBUTE = "seeds"


def declare_seed(hp: keras_tuner.HyperParameters, overrides: dict) -> None:
    """Returns None; records `overrides` as a configuration to try early in the search.

    A seed is the family's defaults with these values changed (names as `build` registers
    them, in the current name scope). The oracle tries each seed once, right after the
    families' defaults. Where a family is one choice among several, the seed also holds
    the choice that reaches it, so it builds that family. Building the hypermodel while
    the tuner gathers its space is what declares the seeds.
    """
    # Name scopes and open conditions are Keras Tuner internals with no public reader.
    seed = {c.name: c.values[0] for c in hp._conditions}
    seed.update({hp._get_name(name): value for name, value in overrides.items()})
    seeds = getattr(hp, SEEDS_ATTRIBUTE, None)
    if seeds is None:
        seeds = []
        setattr(hp, SEEDS_ATTRIBUTE, seeds)
    if seed not in seeds:
        seeds.append(seed)
