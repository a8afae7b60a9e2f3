"""Describes a dataset's columns to the model families, from the training rows only."""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from automl.data import ColumnKind, Dataset

#: Words kept per text column (the most frequent in training).
TEXT_VOCABULARY = 20_000

#: A word pair joins a bag of words when at least this many training texts hold it.
MIN_PAIR_TEXTS = 2

#: Keras TextVectorization's default standardisation: lower case, punctuation stripped.
_PUNCTUATION = re.compile(r"[!\"#$%&()*+,\-./:;<=>?@\[\\\]^_`{|}~']")


def describe_features(dataset: Dataset, train_inputs: dict[str, np.ndarray]) -> list:
    """Returns one `architectures.dense.TabularFeature` per feature column.

    Statistics come from the training split so nothing leaks from validation or test.
    """
    from architectures.dense import TabularFeature, robust_scale_of

    described = []
    for column in dataset.features:
        values = train_inputs[column.input_name]
        if column.kind is ColumnKind.NUMERIC:
            present = values[~np.isnan(values)]
            mean = float(present.mean()) if present.size else 0.0
            variance = float(present.var()) if present.size else 1.0
            median, scale = robust_scale_of(present)
            described.append(
                TabularFeature(
                    column.input_name,
                    "numeric",
                    mean=mean,
                    variance=variance if variance > 0 else 1.0,
                    median=median,
                    robust_scale=scale,
                    has_missing=bool(np.isnan(values).any()),
                )
            )
        elif column.kind is ColumnKind.TEXT:
            described.append(
                TabularFeature(
                    column.input_name, "text", vocabulary=bag_of_words_terms(values), ngrams=2
                )
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
        counts.update(_words(text))
    return tuple(word for word, _ in counts.most_common(size))


def bag_of_words_terms(texts: np.ndarray, size: int = TEXT_VOCABULARY) -> tuple[str, ...]:
    """Returns the words and word pairs a bag-of-words model counts, most frequent first.

    Pairs carry what single words lose: "not good" is neither "not" nor "good". A pair
    is kept only when `MIN_PAIR_TEXTS` training texts hold it, so rare pairs do not
    crowd out words. Pairs are spelled as TextVectorization(ngrams=2) spells them.
    """
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for text in texts.tolist():
        tokens = _words(text)
        words.update(tokens)
        pairs.update(set(f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)))
    kept = words + Counter({pair: n for pair, n in pairs.items() if n >= MIN_PAIR_TEXTS})
    return tuple(term for term, _ in kept.most_common(size))


def _words(text: str) -> list[str]:
    return _PUNCTUATION.sub("", text.lower()).split()
