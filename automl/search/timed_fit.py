"""The searched HyperModel, its `fit` timed: the share of a search spent outside training."""

from __future__ import annotations

import time

import keras_tuner

from automl.search.state import SearchState


class TimedFit(keras_tuner.HyperModel):
    """Wraps the searched HyperModel and counts the seconds its `fit` takes.

    The search reports the share of its time spent outside training (building
    models, bookkeeping); `fit` is timed from its call to its return, callbacks
    and all, so nothing outside it is counted as training.
    """

    def __init__(self, hypermodel: keras_tuner.HyperModel, state: SearchState):
        super().__init__(name=hypermodel.name, tunable=hypermodel.tunable)
        self.hypermodel = hypermodel
        self.state = state

    def build(self, hp):
        return self.hypermodel.build(hp)

    def fit(self, hp, model, *args, **kwargs):
        began = time.monotonic()
        try:
            return self.hypermodel.fit(hp, model, *args, **kwargs)
        finally:
            self.state.fit_seconds += time.monotonic() - began

    def __getattr__(self, name):
        # Reach the wrapped hypermodel's attributes (its space, its families) through here.
        if name == "hypermodel":
            raise AttributeError(name)
        return getattr(self.hypermodel, name)
