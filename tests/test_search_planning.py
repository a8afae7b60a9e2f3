"""How a search spends its budget in a real search (the refit reserve), and the bag of
words that text tables get. The planner's rules alone: tests/test_budget_planner.py."""

from __future__ import annotations

import json

import keras_tuner
import numpy as np

from architectures.dense import DenseHyperModel, TabularFeature, TabularTask
from automl.search.features import bag_of_words_terms
from tests.conftest import PENGUINS, run_cli


def test_a_bag_of_words_counts_word_pairs_that_recur():
    texts = np.array(
        ["Not good at all.", "not good, sadly", "good value", "a one-off pair"], dtype=object
    )
    terms = bag_of_words_terms(texts)
    assert "not good" in terms and "good" in terms and "not" in terms
    assert "oneoff pair" not in terms  # a pair in one text only is noise
    assert terms[0] == "good"  # most frequent first


def test_a_dense_text_column_tells_not_good_from_good():
    terms = bag_of_words_terms(np.array(["not good", "not good", "good"], dtype=object))
    feature = TabularFeature("review", "text", vocabulary=terms, ngrams=2)
    model = DenseHyperModel([feature], TabularTask("binary", 2), [], 100).build(
        keras_tuner.HyperParameters()
    )
    words = model.get_layer("review_words")
    encoded = np.asarray(words(np.array(["not good", "good not"])))
    vocabulary = words.get_vocabulary()
    assert encoded[0, vocabulary.index("not good")] == 1.0
    assert encoded[1, vocabulary.index("not good")] == 0.0


def test_a_refit_that_cannot_fit_its_reserve_gives_the_time_to_the_search(tmp_path):
    out = tmp_path / "reserve"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--time-budget", "10s", "--refit", "--max-trials", "3", "--epochs", "40", "--no-cv",
        "--patience", "40",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    # 15% of 10 s is 1.5 s: no refit of a trial trained for 40 epochs fits in it.
    assert any("that time went to the search instead" in n for n in summary["notes"])
    assert summary["refit"] is False
