"""Several trials' fold models averaged, chosen on their out-of-fold predictions."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from automl.search.fold_ensemble import (
    MIN_GAIN,
    Candidate,
    choose,
    greedy_counts,
    selection_loss,
)

ACCURACY = SimpleNamespace(name="accuracy", direction="max")
RMSE = SimpleNamespace(name="rmse", direction="min")


def _proba(labels: np.ndarray, right: np.ndarray, confidence: float = 0.9) -> np.ndarray:
    """Returns 2-class probabilities: `confidence` on the true class where `right`, and an
    unsure 0.4 on it where not."""
    on_true = np.where(right, confidence, 0.4)
    proba = np.empty((len(labels), 2))
    proba[np.arange(len(labels)), labels] = on_true
    proba[np.arange(len(labels)), 1 - labels] = 1 - on_true
    return proba


def test_trials_that_err_on_different_rows_are_averaged_with_weights_that_sum_to_one():
    labels = np.array([0, 1] * 50)
    # Each trial is wrong on its own fifth of the rows: their average is right everywhere.
    first = _proba(labels, np.arange(100) % 5 != 0)
    second = _proba(labels, np.arange(100) % 5 != 1)
    chosen, refused = choose(
        [Candidate("003", ["a"], first), Candidate("000", ["b"], second)],
        labels,
        ACCURACY,
        classification=True,
    )
    assert chosen is not None and not refused
    assert chosen.trial_ids == ["003", "000"]
    assert sum(chosen.weights) == pytest.approx(1.0)
    assert chosen.models == ["a", "b"] and sum(chosen.model_weights) == pytest.approx(1.0)
    assert selection_loss(True, labels, chosen.held_out) < selection_loss(True, labels, first)
    assert chosen.note.startswith("exported trials 003 (0.50), 000 (0.50) averaged")
    assert "accuracy 1.0000" in chosen.note and "accuracy 0.8000" in chosen.note


def test_fold_models_share_their_trials_weight():
    labels = np.array([0, 1] * 50)
    first = _proba(labels, np.arange(100) % 5 != 0)
    second = _proba(labels, np.arange(100) % 5 != 1)
    chosen, _ = choose(
        [Candidate("003", ["a1", "a2"], first), Candidate("000", ["b1", "b2"], second)],
        labels,
        ACCURACY,
        classification=True,
    )
    assert chosen.models == ["a1", "a2", "b1", "b2"]
    assert chosen.model_weights == pytest.approx([0.25] * 4)
    assert "2 fold models each" in chosen.note


def test_a_trial_that_adds_nothing_leaves_the_best_trials_folds_alone():
    labels = np.array([0, 1] * 50)
    best = _proba(labels, np.ones(100, bool), 0.95)
    worse = _proba(labels, np.arange(100) % 2 == 0, 0.6)
    chosen, refused = choose(
        [Candidate("001", ["a"], best), Candidate("004", ["b"], worse)],
        labels,
        ACCURACY,
        classification=True,
    )
    assert chosen is None
    assert refused.startswith("no average of trial 001 with trials 004 predicts the 100")
    assert f"by {MIN_GAIN:.0%} or more" in refused


def test_one_candidate_is_no_ensemble():
    labels = np.array([0, 1])
    assert choose(
        [Candidate("0", ["a"], _proba(labels, np.ones(2, bool)))], labels, ACCURACY, True
    ) == (
        None,
        "",
    )


def test_values_are_chosen_on_squared_error():
    rng = np.random.default_rng(0)
    target = rng.normal(size=200)
    # Two unbiased predictions with independent errors: the mean halves the error's variance.
    first = (target + rng.normal(scale=0.5, size=200)).reshape(-1, 1)
    second = (target + rng.normal(scale=0.5, size=200)).reshape(-1, 1)
    chosen, _ = choose(
        [Candidate("002", ["a"], first), Candidate("005", ["b"], second)],
        target,
        RMSE,
        classification=False,
    )
    assert chosen is not None and set(chosen.trial_ids) == {"002", "005"}
    assert "squared error" in chosen.note
    assert selection_loss(False, target, chosen.held_out) < 0.8 * selection_loss(
        False, target, first
    )


def test_greedy_selection_starts_from_the_best_trial_and_may_pick_a_trial_again():
    # Here the other trial is right on every row: it is picked again and again.
    labels = np.array([0, 1] * 50)
    strong = _proba(labels, np.arange(100) % 10 != 0, 0.9)
    # Less sure than the strong trial where it is right, sure where it errs.
    weak = _proba(labels, np.ones(100, bool), 0.8)
    weak[::10] = _proba(labels, np.ones(100, bool), 0.99)[::10]
    counts = greedy_counts([strong, weak], labels, classification=True)
    assert counts[0] >= 1 and counts[1] > 1


def test_confidence_alone_does_not_win_a_place():
    # The same ranking of the classes, only sharper: the temperature the export fits makes
    # the two equal, so the sharper trial adds nothing.
    labels = np.array([0, 1] * 50)
    right = np.arange(100) % 5 != 0
    soft = _proba(labels, right, 0.7)
    logits = np.log(soft) * 3.0
    sharp = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert selection_loss(True, labels, sharp) == pytest.approx(
        selection_loss(True, labels, soft), rel=1e-3
    )
    chosen, refused = choose(
        [Candidate("000", ["a"], soft), Candidate("001", ["b"], sharp)],
        labels,
        ACCURACY,
        classification=True,
    )
    assert chosen is None and refused.startswith("no average of trial 000")


@pytest.mark.slow
def test_a_cross_validated_search_weighs_ensemble_k_trials_on_out_of_fold_rows(tmp_path):
    import json

    from tests.conftest import PENGUINS, run_cli

    out = tmp_path / "k"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out), "--time-budget",
        "5m", "--max-trials", "3", "--epochs", "3", "--cv", "2", "--ensemble", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    notes = " ".join(summary["notes"])
    # Judged on the out-of-fold rows, never on validation rows the fold models trained on.
    assert "out-of-fold rows" in notes and "for the best trial alone" not in notes
    # The engine's linear baseline was weighed beside the trials, kept or not.
    assert "the linear baseline" in notes
    # 6% of the 5 minutes is kept for choosing and exporting after the search.
    assert "the last 18 s of the time budget are kept for choosing among the fold" in notes
    assert summary["timing"]["choosing_s"] > 0 and summary["timing"]["export_s"] > 0
    if summary["exported"].startswith("ensemble of trials"):
        assert summary["exported"].endswith("2 fold models each, averaged")
        metadata = json.loads((out / "model" / "metadata.json").read_text())
        assert metadata["ensemble"] and len(metadata["ensemble_weights"]) == len(
            metadata["ensemble"]
        )
        assert sum(metadata["ensemble_weights"]) == pytest.approx(1.0, abs=1e-3)
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
