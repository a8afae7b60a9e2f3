"""The app shows cross-validated trials and a baseline that beat every trial."""

from __future__ import annotations

import json

import pytest

from automl.experiment.events import EpochEnded, TrialEnded, TrialStarted
from desktop.pages.results.texts import summary_text
from desktop.pages.results.texts import test_metrics_text as exported_text
from desktop.trial_table import TrialTableModel


def test_the_trial_table_shows_the_fold_spread_of_cross_validated_trials(qtbot):
    model = TrialTableModel("val_accuracy", "max")
    model.take(TrialStarted(trial_id="0", hyperparameters={"units": 64}))
    assert "folds" not in model.columns  # one split: no column for folds
    model.take(EpochEnded(trial_id="0", epoch=1, metrics={"val_accuracy": 0.8}, fold=0))
    assert "folds" in model.columns
    column = model.columns.index("folds")
    assert model.data(model.index(0, column)) == "fold 1"
    model.take(EpochEnded(trial_id="0", epoch=1, metrics={"val_accuracy": 0.9}, fold=1))
    assert model.data(model.index(0, column)) == "fold 2"
    model.take(
        TrialEnded(trial_id="0", score=0.85, best_epoch=1, epochs=1, duration_s=2.0,
                   metrics={"val_accuracy": 0.85}, hyperparameters={"units": 64},
                   spread=0.05, fold_scores=[0.8, 0.9])
    )  # fmt: skip
    assert model.data(model.index(0, column)) == "± 0.0500 (2 folds)"
    assert model.data(model.index(0, model.columns.index("best"))) == "0.8500"


def test_the_app_follows_the_folds_the_budget_kept(qtbot):
    from automl.experiment.events import SearchStarted
    from desktop.pages.results.texts import folds_words
    from desktop.pages.search_page import SearchPage
    from desktop.state import StudioState

    page = SearchPage(StudioState())
    qtbot.addWidget(page)
    page._on_event(
        SearchStarted(experiment="e", data="d", task="multiclass", target="t", tuner="random",
                      objective="accuracy", direction="max", max_trials=1000,
                      time_budget_s=60.0, max_epochs=100, rows={}, folds=5)
    )  # fmt: skip
    assert page.folds == 5
    page._on_event(TrialStarted(trial_id="1", hyperparameters={}, folds=1))
    assert page.folds == 1
    assert folds_words(5) == "cross-validated, 5 folds"
    assert folds_words(1) == "scored on one held-out fold"
    model = TrialTableModel("val_accuracy", "max")
    model.take(TrialStarted(trial_id="0", hyperparameters={}, folds=1))
    model.take(EpochEnded(trial_id="0", epoch=1, metrics={"val_accuracy": 0.8}, fold=0))
    model.take(
        TrialEnded(trial_id="0", score=0.8, best_epoch=1, epochs=1, duration_s=2.0,
                   metrics={"val_accuracy": 0.8}, hyperparameters={}, spread=0.0,
                   fold_scores=[0.8])
    )  # fmt: skip
    assert model.data(model.index(0, model.columns.index("folds"))) == "1 fold"
    from desktop.pages.results.leaderboard import score_text

    assert score_text({"score": 0.8, "spread": 0.0, "fold_scores": [0.8]}) == "0.8000"
    assert score_text({"score": 0.8, "spread": 0.1, "fold_scores": [0.7, 0.9]}) == "0.8000 ± 0.1000"
    cut = {"score": 0.8, "spread": 0.0, "fold_scores": [0.8, 0.8, 1.0], "estimated_score": 0.92}
    assert score_text(cut) == "0.8000 ± 0.0000 (cut short; est. 0.9200)"


def test_the_results_words_name_the_baseline_and_the_folds():
    report = {
        "experiment": "/x/rings",
        "leaderboard": [{"trial_id": "0", "status": "completed", "score": 0.55}],
        "status": "completed",
        "cross_validation": {"folds": 5, "reason": "5-fold cross-validation: ..."},
        "test_metrics": {"accuracy": 1.0},
        "rows": {"test": 48},
        "baseline_guard": {
            "beaten_by_baseline": True,
            "baseline": {"name": "nearest neighbour"},
            "message": "no searched network beat the nearest neighbour baseline (...)",
        },
    }
    assert "cross-validated, 5 folds" in summary_text(report)
    text = exported_text(report)
    assert text.startswith("<b>Exported model: the nearest neighbour baseline</b> on 48 test")
    assert "no searched network beat the nearest neighbour baseline" in text


@pytest.mark.parametrize(
    ("exported", "named"),
    [
        ("best trial's 5 fold models, averaged", "trial 003's 5 fold models, averaged"),
        # Several trials' fold models, weighted on their out-of-fold rows (fold_ensemble).
        (
            "ensemble of trials 003 (0.45), 000 (0.55), 5 fold models each, averaged",
            "an ensemble of trials 003 (0.45), 000 (0.55), 5 fold models each, averaged",
        ),
    ],
)
def test_averaged_fold_models_are_named_beside_the_first_fold_alone(exported, named):
    report = {
        "test_metrics": {"accuracy": 0.6833},
        "search_test_metrics": {"accuracy": 0.6},
        "exported": exported,
        "rows": {"test": 60},
        "best_trial": {"trial_id": "003"},
        "leaderboard": [{"trial_id": "003", "status": "completed", "score": 0.67}],
    }
    text = exported_text(report)
    assert text.startswith(f"Exported model: {named} on 60 test rows: accuracy 0.6833")
    assert "Trial 003's first fold alone: accuracy 0.6000" in text


@pytest.mark.slow
def test_the_results_page_shows_a_cross_validated_search_whose_baseline_won(qtbot, tmp_path):
    from desktop.pages.results_page import ResultsPage
    from desktop.state import StudioState
    from tests.conftest import run_cli
    from tests.test_small_data_guard import _rings

    data = _rings(tmp_path / "rings.csv")
    out = tmp_path / "rings"
    done = run_cli(
        "search", str(data), "--target", "label", "--out", str(out), "--time-budget", "5m",
        "--max-trials", "2", "--epochs", "2", "--cv", "3",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    page = ResultsPage(StudioState())
    qtbot.addWidget(page)
    assert page.show_experiment(out)
    assert "cross-validated, 3 folds" in page.summary_label.text()
    summary = json.loads((out / "summary.json").read_text())
    if summary["baseline_guard"]["beaten_by_baseline"]:
        assert "baseline" in page.metrics_label.text()
    page.resize(1100, 800)
    page.grab().save(str(tmp_path / "results-small-data.png"))


def test_the_cross_validation_choice_reaches_the_command_line(qtbot, tmp_path):
    from automl.search.request import SearchRequest
    from desktop.pages.search.settings_box import SearchSettingsBox
    from desktop.state import SearchSettings

    box = SearchSettingsBox(SearchSettings())
    qtbot.addWidget(box)
    assert box.cv_box.currentData() is None  # automatic: the engine decides
    for folds, flag in ((0, ["--no-cv"]), (5, ["--cv", "5"])):
        box.cv_box.setCurrentIndex(box.cv_box.findData(folds))
        request = SearchRequest(tmp_path / "d.csv", "y", tmp_path / "o", **box.request_fields())
        argv = request.to_argv()
        assert argv[argv.index(flag[0]) : argv.index(flag[0]) + len(flag)] == flag
        saved = SearchSettings()
        box.save_to(saved)
        assert saved.cv == folds
