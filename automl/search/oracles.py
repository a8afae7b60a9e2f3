"""Oracles whose first trials are the families' default (known-good) configurations.

A random first draw can be a poor corner of the space (a tiny learning rate, a huge
batch); with a small trial budget that can be the whole search. Each family's
hyperparameter defaults are its published, known-good shape, so the first trial tries
them, and when several families are searched, trial k is family k's defaults (FCN, then
BiLSTM, ...). Then come the families' seeds (`architectures.tuning.declare_seed`): other
known-good shapes, such as the linear model for tables. The oracle explores from there,
unless its `focus` (`automl.search.baseline_focus`) names configurations to draw around.
"""

from __future__ import annotations

import keras_tuner

from architectures.tuning import SEEDS_ATTRIBUTE
from automl.search.kt_compat import AtomicStateFiles


class DefaultsFirst:
    """Oracle mixin: the families' defaults, then their seeds, then the oracle's draws."""

    def update_space(self, hyperparameters):
        # The tuner builds the hypermodel on a copy of the space, then hands that copy
        # here: the seeds the build declared ride along on it.
        seeds = self.__dict__.setdefault("_seeds", [])
        for seed in getattr(hyperparameters, SEEDS_ATTRIBUTE, None) or ():
            if seed not in seeds:
                seeds.append(dict(seed))
        return super().update_space(hyperparameters)

    def populate_space(self, trial_id):
        space = self.hyperparameters.space
        family = next((hp for hp in space if hp.name == "family"), None)
        seeded = [{"family": name} for name in family.values] if family is not None else [{}]
        seeded += [s for s in self.__dict__.get("_seeds", ()) if _fits(s, space)]
        done = len(self.trials)
        if done >= len(seeded):
            focus = self.__dict__.get("focus")
            near = focus.configuration(self) if focus is not None else None
            if near is not None and _fits(near, space):
                return {"status": "RUNNING", "values": drawn_values(space, near, done)}
            return super().populate_space(trial_id)  # later trials are the oracle's own
        values = seeded_values(space, seeded[done])
        return {"status": "RUNNING", "values": values}


def seeded_values(space: list, overrides: dict) -> dict:
    """Returns every active hyperparameter's value: its default unless `overrides` has one.

    An override the space does not hold yet (a batch size a family registers in `fit`)
    is kept: Keras Tuner takes a value already set when the build registers it.
    """
    return _active_values(space, overrides, lambda position, hp: hp.default)


def drawn_values(space: list, fixed: dict, draw: int) -> dict:
    """Returns every active hyperparameter's value: `fixed`'s, or else a random draw.

    `draw` numbers the draw, so that each trial draws differently and a rerun the same.
    """
    return _active_values(
        space, fixed, lambda position, hp: hp.random_sample(draw * 1009 + position)
    )


def _active_values(space: list, given: dict, otherwise) -> dict:
    """Returns each active hyperparameter's value in `given`, else `otherwise(position, hp)`.

    Conditions are checked in the space's order, so a value given for an inactive
    hyperparameter (another family's) is dropped; one the space does not hold is kept.
    """
    chosen = keras_tuner.HyperParameters()
    for position, hp in enumerate(space):
        chosen.merge([hp])
        if chosen.is_active(hp):
            value = given.get(hp.name)
            chosen.values[hp.name] = otherwise(position, hp) if value is None else value
    known = {hp.name for hp in space}
    return {**{k: v for k, v in given.items() if k not in known}, **chosen.values}


def _fits(seed: dict, space: list) -> bool:
    """Returns whether every value of `seed` is one its hyperparameter can take.

    A user's narrower space (`--space`) can leave a seed out: then it is skipped. A value
    whose hyperparameter the space does not hold yet (registered in `fit`) is let through.
    """
    by_name = {hp.name: hp for hp in space}
    for name, value in seed.items():
        hp = by_name.get(name)
        if hp is None:
            continue
        if isinstance(hp, keras_tuner.engine.hyperparameters.Choice):
            if value not in hp.values:
                return False
        elif isinstance(hp, keras_tuner.engine.hyperparameters.Boolean):
            if not isinstance(value, bool):
                return False
        elif hasattr(hp, "min_value") and not hp.min_value <= value <= hp.max_value:
            return False
    return True


class DefaultsFirstRandom(AtomicStateFiles, DefaultsFirst, keras_tuner.oracles.RandomSearchOracle):
    """Random search, starting from the families' defaults and seeds."""


class DefaultsFirstBayesian(
    AtomicStateFiles, DefaultsFirst, keras_tuner.oracles.BayesianOptimizationOracle
):
    """Bayesian optimization, starting from the families' defaults and seeds."""
