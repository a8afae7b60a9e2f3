"""How a search spends its budget: epoch caps, trials still improving, the refit reserve,
and the bag of words that text tables get."""

from __future__ import annotations

import json

import keras_tuner
import numpy as np

from architectures.dense import DenseHyperModel, TabularFeature, TabularTask
from automl.experiment.events import EventLog
from automl.experiment.fold import TrialRecord
from automl.search.budget import Deadline
from automl.search.callbacks import _still_improving, plan_epochs
from automl.search.features import bag_of_words_terms
from automl.search.state import SearchState
from tests.conftest import PENGUINS, run_cli


def _trial(losses: list[float]) -> TrialRecord:
    record = TrialRecord("000", {})
    record.history.extend({"val_loss": v} for v in losses)
    return record


def test_a_trial_is_still_improving_while_its_best_loss_is_recent():
    assert _still_improving(_trial([1.0, 0.8, 0.9, 0.85]))  # best two epochs ago
    assert _still_improving(_trial([1.0, 0.9, 0.7]))
    assert not _still_improving(_trial([1.0, 0.5, 0.9, 0.8, 0.7]))  # best four epochs ago
    assert not _still_improving(_trial([0.5, 0.9]))  # the first epoch is no trend


def test_the_plan_caps_epochs_to_fit_three_trials_and_lets_the_first_go_further(tmp_path):
    state = SearchState(EventLog(tmp_path / "events.jsonl"), Deadline(300))
    state.max_epochs = 1000
    plan_epochs(state, epoch_s=1.0)
    assert state.epoch_cap == 100  # 300 s for 3 trials of 1 s epochs
    assert state.first_trial_cap == 150  # half the budget
    assert "capped at 100 epochs" in state.plan_note
    slow = SearchState(EventLog(tmp_path / "slow.jsonl"), Deadline(60))
    slow.max_epochs = 1000
    plan_epochs(slow, epoch_s=5.0)
    assert slow.epoch_cap == 20  # never below MIN_EPOCH_CAP: a trial must be able to converge


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
        "--time-budget", "20s", "--refit", "--max-trials", "3", "--epochs", "40",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    # 15% of 20 s is 3 s: no refit of a trial trained for several seconds fits in it.
    assert any("that time went to the search instead" in n for n in summary["notes"])
    assert summary["refit"] is False
