"""The feeds of a search: how its rows reach a model, asked of the data's kind.

A search holds one `Feeds` object (see `automl.modalities.base.Feeds`); the rest of the
search (tuner, refit, scores, evaluation) is the same for every kind of data.
"""

from __future__ import annotations

from automl.modalities import Feeds, Prepared, modality_of


def make_feeds(prepared: Prepared) -> Feeds:
    """Returns the feeds for prepared data of any kind."""
    return modality_of(prepared).feeds(prepared)
