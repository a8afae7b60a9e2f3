"""split_rows, and the search budget: durations, trials and epochs."""

import numpy as np
import pytest

from automl.data.splits import split_rows
from automl.errors import AutoMLError
from automl.search.budget import SearchBudget, parse_duration

# The class sizes of the bundled penguins sample, in a fixed shuffled order.
LABELS = np.random.default_rng(7).permutation(np.repeat([0, 1, 2], [152, 68, 124]))
ROWS = np.arange(len(LABELS))


def split(seed=0, labels=LABELS, rows=ROWS, validation=0.2, test=0.2):
    return split_rows(rows, labels, seed=seed, validation_fraction=validation, test_fraction=test)


def test_every_class_is_in_every_split():
    splits = split()
    assert splits.stratified
    for part in (splits.train, splits.validation, splits.test):
        assert set(LABELS[part]) == {0, 1, 2}


def test_class_shares_follow_the_data():
    splits = split()
    for part in (splits.train, splits.validation, splits.test):
        share = np.bincount(LABELS[part]) / len(part)
        np.testing.assert_allclose(share, [152 / 344, 68 / 344, 124 / 344], atol=0.03)


def test_splits_are_disjoint_and_cover_every_row():
    splits = split()
    parts = [splits.train, splits.validation, splits.test]
    together = np.concatenate(parts)
    assert len(together) == len(set(together.tolist())) == 344
    assert sorted(together.tolist()) == ROWS.tolist()
    assert len(splits.test) == 69  # 20% of 344, rounded


def test_same_seed_same_split_other_seed_other_split():
    first, again, other = split(seed=3), split(seed=3), split(seed=4)
    assert first.to_dict() == again.to_dict()
    assert first.test.tolist() != other.test.tolist()
    assert first.validation.tolist() != other.validation.tolist()


def test_regression_split_without_labels():
    splits = split(labels=None)
    assert not splits.stratified
    assert len(splits.train) + len(splits.validation) + len(splits.test) == 344


def test_zero_test_fraction_leaves_test_empty():
    splits = split(test=0.0)
    assert len(splits.test) == 0
    assert len(splits.train) + len(splits.validation) == 344


def test_too_few_rows():
    with pytest.raises(AutoMLError, match=r"has 5 usable rows; the split needs at least 13\b"):
        split(rows=np.arange(5), labels=np.array([0, 1, 0, 1, 0]))


def test_the_smallest_table_the_message_asks_for_is_enough():
    with pytest.raises(AutoMLError, match="needs at least 13"):
        split(rows=np.arange(12), labels=None)
    splits = split(rows=np.arange(13), labels=None)
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (8, 2, 3)


@pytest.mark.parametrize("fraction", [0, 1, 1.5, -0.2])
def test_bad_validation_fraction(fraction):
    with pytest.raises(AutoMLError, match="--validation-split must be between 0 and 1"):
        split(validation=fraction)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("1.5h", 5400), (" 2 min ", 120)],
)
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["0", "0s", "-5m", "abc", "", "10 parsecs", "5m!"])
def test_bad_duration(text):
    with pytest.raises(AutoMLError, match="time budget"):
        parse_duration(text)


def test_budget_defaults_are_valid():
    budget = SearchBudget()
    assert (budget.max_trials, budget.time_budget_s, budget.max_epochs) == (10, None, 100)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_trials": 0}, "--max-trials must be at least 1"),
        ({"max_epochs": 0}, "--epochs must be at least 1"),
        ({"time_budget_s": 0}, "--time-budget must be more than zero"),
        ({"time_budget_s": -1.0}, "--time-budget must be more than zero"),
    ],
)
def test_bad_budget(kwargs, message):
    with pytest.raises(AutoMLError, match=message):
        SearchBudget(**kwargs)
