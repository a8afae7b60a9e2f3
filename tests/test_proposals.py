"""Which families are proposed for which data, why, with what budget; the new spaces."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from architectures.proposals import (
    FAMILIES,
    MAX_BUDGET_S,
    MIN_BUDGET_S,
    DataDescription,
    propose_architectures,
    propose_for_images,
    suggest_budget,
)
from architectures.spaces import SPACES, Conv1DSpace, LSTMSpace, RNNSpace
from automl.propose import (
    check_space,
    propose_for_columns,
    propose_for_image_folder,
    propose_for_sequences,
)


def _families(description: DataDescription) -> list[str]:
    return [p.family for p in propose_architectures(description)]


def _summary(**changes) -> dict:
    summary = {
        "modality": "series",
        "task": "multiclass",
        "samples": 500,
        "steps": 140,
        "features": 1,
        "classes": 5,
        "horizon": 0,
        "text_column": None,
    }
    return {**summary, **changes}


def test_series_classification_ranks_the_fcn_first_then_lstm_then_rnn():
    proposals = propose_for_sequences(_summary(samples=5000))
    assert [p["family"] for p in proposals] == ["conv1d", "rocket", "lstm", "rnn"]
    assert proposals[0]["reason"].startswith("Conv1D (FCN): 5000 series of 140 steps, 5 classes")
    assert "140-step series, order matters" in proposals[2]["reason"]
    assert proposals[0]["space"] == Conv1DSpace().to_dict()
    assert set(proposals[0]["budget"]) == {"time_budget_s", "max_trials", "max_epochs"}


def test_small_series_sets_start_from_random_convolutions():
    proposals = propose_for_sequences(_summary(samples=40))
    assert [p["family"] for p in proposals] == ["rocket", "conv1d", "lstm", "rnn"]
    assert proposals[0]["reason"].startswith("Random convolutions (MiniRocket): 40 series")
    assert set(proposals[0]["budget"]) == {"time_budget_s", "max_trials", "max_epochs"}


def test_a_forecast_proposes_conv1d_and_lstm_that_start_from_the_last_value():
    proposals = propose_for_sequences(
        _summary(modality="forecast", task="regression", steps=48, horizon=12, classes=0)
    )
    assert [p["family"] for p in proposals][:2] == ["conv1d", "lstm"]
    assert "12-step forecasts from 48-step windows" in proposals[0]["reason"]
    assert all("last value" in p["reason"] for p in proposals)


def test_text_ranks_sequence_models_first_unless_texts_are_few_for_their_length():
    text = _summary(modality="text", task="binary", steps=0, classes=2, text_column="review")
    assert [p["family"] for p in propose_for_sequences(text)] == ["conv1d", "lstm", "dense"]
    assert "bidirectional LSTM" in propose_for_sequences(text)[1]["reason"]

    # 500 reviews of ~100 words: 5 samples per word, far below the guide's 1500.
    few = propose_for_sequences({**text, "text_tokens": 100})
    assert [p["family"] for p in few] == ["dense", "conv1d", "lstm"]
    assert "word counts usually beat word order" in few[0]["reason"]
    assert few[0]["space"]["units"]  # the dense space, ready to edit


def test_tables_get_dense_only_and_images_the_cnn():
    proposals = propose_for_columns(
        {"x": "numeric", "c": "categorical", "when": "datetime"}, "binary", 300
    )
    assert [p["family"] for p in proposals] == ["dense"]
    assert proposals[0]["reason"].startswith("Dense: 2 tabular columns (1 categorical, 1 numeric)")
    assert proposals[0]["budget"]["max_epochs"] == 200

    folder = {"image_size": [8, 8], "channels": 1, "class_names": list("0123456789"), "files": 1797}
    images = propose_for_image_folder(folder)
    assert [p["family"] for p in images] == ["cnn"]
    assert images[0]["reason"].startswith("CNN: 2-D grayscale images of 8x8, 10 classes, 1797")
    # The engine adds how it will judge 1,797 images: cross-validated on 3 folds.
    assert images[0]["reason"].startswith(propose_for_images(8, 8, 1, 10, 1797)[0].reason)
    assert images[0]["reason"].endswith(
        "cross-validated on 3 folds, as one small validation split cannot rank trials"
    )


def test_budgets_give_small_data_more_epochs_and_stay_within_bounds():
    small = suggest_budget("conv1d", DataDescription("series", "binary", 200, steps=100))
    large = suggest_budget("conv1d", DataDescription("series", "binary", 200_000, steps=100))
    huge = suggest_budget("lstm", DataDescription("series", "binary", 10**7, steps=5000))
    assert small["max_epochs"] > large["max_epochs"]
    assert small["max_trials"] >= large["max_trials"] >= 3
    for budget in (small, large, huge):
        assert MIN_BUDGET_S <= budget["time_budget_s"] <= MAX_BUDGET_S
        assert budget["time_budget_s"] % 60 == 0
    # Longer series cost more time for the same samples.
    longer = suggest_budget("conv1d", DataDescription("series", "binary", 200, steps=1000))
    assert longer["time_budget_s"] > small["time_budget_s"]


def test_every_proposed_family_has_a_hypermodel_and_a_space():
    assert {"dense", "cnn", "rnn", "lstm", "conv1d"} <= set(FAMILIES) == set(SPACES)


def test_a_description_names_a_known_modality():
    with pytest.raises(ValueError, match="use one of table, image, series, text, forecast"):
        DataDescription("audio", "binary", 10)


@pytest.mark.parametrize("space_class", [RNNSpace, LSTMSpace, Conv1DSpace])
def test_sequence_spaces_round_trip_through_json(space_class):
    space = space_class()
    assert space_class.from_dict(json.loads(json.dumps(space.to_dict()))) == space


def test_a_bad_space_lists_every_problem_at_once():
    problem = check_space(
        "conv1d", {"min_blocks": 3, "max_blocks": 2, "poolings": ["median"], "max_dropout": 1.5}
    )
    assert problem.startswith("conv1d search space: ")
    assert "min_blocks <= max_blocks" in problem and "poolings" in problem
    assert "max_dropout" in problem
    assert "cells must be among gru, simple_rnn" in check_space("rnn", {"cells": ["lstm"]})
    assert "embedding dims" in check_space("lstm", {"embedding_dims": [0]})
    assert check_space("lstm", {"units": [16, 32]}) == ""


def test_proposals_load_without_tensorflow():
    code = (
        "import sys; import automl.propose as p; "
        "p.propose_for_sequences({'modality': 'text', 'task': 'binary', 'samples': 9, "
        "'steps': 0, 'features': 1, 'classes': 2, 'horizon': 0, 'text_column': 't'}); "
        "print(any(m.split('.')[0] in ('tensorflow', 'keras', 'keras_tuner') "
        "for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
