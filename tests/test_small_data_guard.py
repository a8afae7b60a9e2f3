"""Small data: the time budget is the bound, and no model a baseline beats goes out unsaid."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl.search.request import UNBOUNDED_TRIALS, SearchRequest
from automl.search.summary import stopped_early


def test_a_time_budget_without_max_trials_has_no_trial_cap():
    bounded = SearchRequest(Path("d.csv"), "y", Path("o"), time_budget_s=180.0)
    assert bounded.max_trials == UNBOUNDED_TRIALS and bounded.trials_unbounded
    assert SearchRequest(Path("d.csv"), "y", Path("o")).max_trials == 10
    capped = SearchRequest(Path("d.csv"), "y", Path("o"), max_trials=4, time_budget_s=180.0)
    assert capped.max_trials == 4 and not capped.trials_unbounded
    # Recorded and read back (experiment.json), the choice stays.
    assert SearchRequest.from_dict(bounded.to_dict()).trials_unbounded


def test_stopped_early_says_why_a_budgeted_search_ended_before_its_deadline():
    capped = SearchRequest(Path("d.csv"), "y", Path("o"), max_trials=4, time_budget_s=180.0)
    assert "all 4 trials (--max-trials)" in stopped_early(capped, "completed")
    assert stopped_early(capped, "deadline") is None
    unbounded = SearchRequest(Path("d.csv"), "y", Path("o"), time_budget_s=180.0)
    assert "every configuration" in stopped_early(unbounded, "completed")
    assert stopped_early(SearchRequest(Path("d.csv"), "y", Path("o")), "completed") is None


def _rings(path: Path, rows: int = 240) -> Path:
    """Two classes on rings: nearest neighbours separate them at once, two epochs do not."""
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, rows)
    angle = rng.uniform(0, 2 * np.pi, rows)
    radius = np.where(y == 1, 2.0, 0.5) + rng.normal(0, 0.1, rows)
    frame = pd.DataFrame(
        {
            "x1": radius * np.cos(angle),
            "x2": radius * np.sin(angle),
            "label": np.where(y == 1, "outer", "inner"),
        }
    )
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_a_nearest_neighbour_win_exports_the_nearest_neighbour_model_with_its_reason(tmp_path):
    data = _rings(tmp_path / "rings.csv")
    out = tmp_path / "exp"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "automl",
            "search",
            str(data),
            "--target",
            "label",
            "--max-trials",
            "2",
            "--epochs",
            "2",
            "--time-budget",
            "5m",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "no searched network beat the nearest neighbour baseline" in run.stdout
    assert "stopped early: all 2 trials (--max-trials)" in run.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exported"] == "baseline: nearest neighbour"
    assert summary["baseline_guard"]["beaten_by_baseline"] is True
    assert summary["test_metrics"]["accuracy"] > 0.95
    assert summary["model"]["parity"]["max_abs_diff"] < 1e-5
    card = (out / "model" / "model_card.html").read_text()
    assert "Baseline check:" in card and "nearest neighbour" in card
    predicted = subprocess.run(
        [
            sys.executable,
            "-m",
            "automl",
            "predict",
            str(out),
            str(data),
            "--out",
            str(tmp_path / "p.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert predicted.returncode == 0, predicted.stderr[-2000:]
    frame = pd.read_csv(tmp_path / "p.csv")
    assert (frame["prediction"] == frame["label"]).mean() > 0.95


def _linear_classes(path: Path, rows: int = 150) -> Path:
    """Three classes split by linear boundaries: logistic regression is hard to beat."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, 4))
    weights = np.array([[1.5, -1.0, 0.5], [-1.0, 1.2, 0.3], [0.5, 0.2, -1.4], [0.0, 0.0, 0.0]])
    y = np.argmax(x @ weights + rng.normal(0, 0.3, (rows, 3)), axis=1)
    frame = pd.DataFrame({f"x{i}": x[:, i] for i in range(4)})
    frame["label"] = np.array(["a", "b", "c"])[y]
    frame.to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_a_baseline_still_ahead_halfway_gets_the_rest_of_the_search_near_it(tmp_path):
    # One epoch per trial keeps every network behind the linear baseline at the halfway
    # check, so the rest of the budget must go to the family nearest it: the linear model.
    data = _linear_classes(tmp_path / "linear.csv")
    out = tmp_path / "exp"
    run = subprocess.run(
        [sys.executable, "-m", "automl", "search", str(data), "--target", "label"]
        # 30 s: the defaults and the linear seed, then at least one trial after halfway,
        # even with two test processes sharing one core.
        + ["--epochs", "1", "--time-budget", "30s", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    focus = [n for n in summary["notes"] if n.startswith("halfway through the search")]
    assert len(focus) == 1, summary["notes"]
    assert "the linear baseline" in focus[0]
    assert focus[0].endswith("the rest of the search tries the linear model")
    assert focus[0] in run.stdout
    # Trial 1 is the linear seed; the focus starts after the defaults and seeds, and every
    # trial it starts is linear, so the last one is.
    trials = sorted(summary["leaderboard"], key=lambda t: t["trial_id"])
    assert len(trials) > 3
    assert trials[-1]["hyperparameters"].get("linear") is True
    assert sum(bool(t["hyperparameters"].get("linear")) for t in trials) >= 2


def test_the_search_focuses_only_where_a_family_is_near_a_baseline():
    # Images: no family is near a pixel baseline; the baselines are scored for the guard.
    from architectures.cnn import CNNHyperModel
    from architectures.families import FamilyChoice
    from architectures.lstm import LSTMHyperModel
    from architectures.rocket import RocketHyperModel
    from architectures.sequence import SequenceTask, SeriesInput
    from automl.search.baseline_focus import anything_near

    assert not anything_near(CNNHyperModel((8, 8, 1), 2, ["accuracy"], train_rows=40))
    series, task = SeriesInput(1, (0.0,), (1.0,), steps=40), SequenceTask("binary", 2)
    lstm = LSTMHyperModel(series, task, ["accuracy"], 20)
    assert not anything_near(FamilyChoice({"lstm": lstm}))
    rocket = RocketHyperModel(series, task, ["accuracy"], 20)
    assert anything_near(FamilyChoice({"lstm": lstm, "rocket": rocket}))


def test_an_image_search_scores_its_baselines_halfway_for_the_guard(monkeypatch):
    # After the deadline their scoring made a 1-minute digits search end 85 s late: they
    # are scored halfway instead, though no family is near them, and nothing is steered.
    from types import SimpleNamespace

    from architectures.cnn import CNNHyperModel
    from automl.search import baseline_guard
    from automl.search.baseline_focus import BaselineFocus

    asked = []
    pool = SimpleNamespace(best=object(), baselines=[], protocol="the same 3 folds")
    monkeypatch.setattr(baseline_guard, "scored_baselines", lambda run: asked.append(run) or pool)
    run = SimpleNamespace(hypermodel=CNNHyperModel((8, 8, 1), 2, ["accuracy"], train_rows=40))
    run.notes = []
    focus = BaselineFocus(run)
    focus._decide(oracle=None)
    assert asked == [run]  # scored now; the guard reads `run.baseline_pool` later
    assert focus.near == {} and run.notes == []
