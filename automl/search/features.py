"""Describes a dataset's columns to the model families, from the training rows only."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from automl.data import ColumnKind, Dataset

#: Words kept per text column (the most frequent in training).
TEXT_VOCABULARY = 20_000


def describe_features(dataset: Dataset, train_inputs: dict[str, np.ndarray]) -> list:
    """Returns one `architectures.dense.TabularFeature` per feature column.

    Statistics come from the training split so nothing leaks from validation or test.
    """
    from architectures.dense import TabularFeature

    described = []
    for column in dataset.features:
        values = train_inputs[column.input_name]
        if column.kind is ColumnKind.NUMERIC:
            present = values[~np.isnan(values)]
            mean = float(present.mean()) if present.size else 0.0
            variance = float(present.var()) if present.size else 1.0
            described.append(
                TabularFeature(
                    column.input_name,
                    "numeric",
                    mean=mean,
                    variance=variance if variance > 0 else 1.0,
                    has_missing=bool(np.isnan(values).any()),
                )
            )
        elif column.kind is ColumnKind.TEXT:
            described.append(
                TabularFeature(column.input_name, "text", vocabulary=text_vocabulary(values))
            )
        else:
            categories = tuple(sorted(set(values.tolist()) - {""}))
            described.append(
                TabularFeature(column.input_name, "categorical", vocabulary=categories)
            )
    return described


def text_vocabulary(texts: np.ndarray, size: int = TEXT_VOCABULARY) -> tuple[str, ...]:
    """Returns the most frequent words, standardised as Keras' TextVectorization does."""
    counts: Counter[str] = Counter()
    for text in texts.tolist():
        counts.update(re.sub(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']", "", text.lower()).split())
    return tuple(word for word, _ in counts.most_common(size))
