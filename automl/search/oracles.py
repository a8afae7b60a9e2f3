"""Oracles whose first trials are the families' default (known-good) configurations.

A random first draw can be a poor corner of the space (a tiny learning rate, a huge
batch); with a small trial budget that can be the whole search. Each family's
hyperparameter defaults are its published, known-good shape, so the first trial tries
them, and when several families are searched, trial k is family k's defaults (FCN, then
BiLSTM, ...); the oracle explores from there.
"""

from __future__ import annotations

import keras_tuner


class DefaultsFirst:
    """Oracle mixin: the first trials are each family's defaults, then the oracle's draws."""

    def populate_space(self, trial_id):
        space = self.hyperparameters.space
        family = next((hp for hp in space if hp.name == "family"), None)
        seeded = list(family.values) if family is not None else [None]
        done = len(self.trials)
        if done >= len(seeded):
            return super().populate_space(trial_id)  # later trials are the oracle's own
        defaults = keras_tuner.HyperParameters()
        for hp in space:
            defaults.merge([hp])
            if defaults.is_active(hp):
                defaults.values[hp.name] = seeded[done] if hp is family else hp.default
        return {"status": "RUNNING", "values": defaults.values}


class DefaultsFirstRandom(DefaultsFirst, keras_tuner.oracles.RandomSearchOracle):
    """Random search, starting from the families' defaults."""


class DefaultsFirstBayesian(DefaultsFirst, keras_tuner.oracles.BayesianOptimizationOracle):
    """Bayesian optimization, starting from the families' defaults."""
