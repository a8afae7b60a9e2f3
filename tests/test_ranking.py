"""Trials rank by the objective, then by the plain validation log loss."""

from __future__ import annotations

from automl.experiment.fold import TrialRecord
from automl.search.ranking import best_whole_trial, cut_short_note, estimated_score, rank_key


def _trial(trial_id: str, score: float, **metrics) -> TrialRecord:
    trial = TrialRecord(trial_id)
    trial.score, trial.best_epoch, trial.history = score, 1, [dict(metrics)]
    return trial


def test_a_tie_on_accuracy_goes_to_the_lower_log_loss_not_the_lower_training_loss():
    # "smooth" trains with label smoothing 0.2 and L2: its val_loss is high although its
    # predictions are better; "sharp" has the lower val_loss and the worse log loss.
    smooth = _trial("smooth", 0.9, val_loss=0.70, val_log_loss=0.30)
    sharp = _trial("sharp", 0.9, val_loss=0.40, val_log_loss=0.45)
    ranked = sorted([sharp, smooth], key=lambda t: rank_key(t, "max"))
    assert [t.trial_id for t in ranked] == ["smooth", "sharp"]


def test_the_objective_comes_first_and_records_without_log_loss_fall_back():
    better = _trial("better", 0.95, val_loss=0.9)
    worse = _trial("worse", 0.90, val_loss=0.1)
    unscored = TrialRecord("unscored")
    ranked = sorted([unscored, worse, better], key=lambda t: rank_key(t, "max"))
    assert [t.trial_id for t in ranked] == ["better", "worse", "unscored"]
    old_a, old_b = _trial("a", 0.5, val_loss=0.3), _trial("b", 0.5, val_loss=0.2)
    assert sorted([old_a, old_b], key=lambda t: rank_key(t, "min"))[0].trial_id == "b"


def _folds(trial_id: str, scores: list[float]) -> TrialRecord:
    trial = _trial(trial_id, sum(scores) / len(scores))
    trial.fold_scores, trial.best_metrics = scores, {"val_log_loss": 0.4}
    trial.status = "completed"
    return trial


def _ranked(trials: list[TrialRecord], direction: str = "max") -> list[str]:
    reference = best_whole_trial(trials, direction, 5)
    return [t.trial_id for t in sorted(trials, key=lambda t: rank_key(t, direction, 5, reference))]


def test_a_trial_cut_short_is_judged_against_the_best_whole_one_on_the_same_folds():
    # The folds differ in difficulty: the first two are hard for every trial.
    whole = _folds("whole", [0.70, 0.70, 0.90, 0.90, 0.90])
    ahead = _folds("ahead", [0.80, 0.80, 1.00])  # +0.10 on the folds it finished
    behind = _folds("behind", [0.65, 0.65, 0.85])  # below whole on the folds it finished
    early = _folds("early", [0.99])  # one fold of five: too few to pair, ranks after
    assert _ranked([early, behind, whole, ahead]) == ["ahead", "whole", "behind", "early"]
    assert round(estimated_score(ahead, 5, whole), 4) == 0.92
    assert estimated_score(early, 5, whole) is None
    note = cut_short_note(ahead, 5, whole, "accuracy")
    assert "finished 3 of 5 folds" in note and "0.9200" in note
    assert cut_short_note(whole, 5, whole, "accuracy") is None


def test_errors_pair_the_same_way():
    whole = _folds("whole", [20.0, 20.0, 10.0, 10.0, 10.0])
    cut = _folds("cut", [18.0, 18.0, 9.0])  # lower errors than whole on its folds
    assert _ranked([whole, cut], "min") == ["cut", "whole"]


def test_without_a_whole_trial_the_ones_cut_short_rank_after_whole_ones():
    cut_first, cut_second = _folds("a", [0.9, 0.9]), _folds("b", [0.8])
    single = _trial("single", 0.5)  # a trial without folds is whole
    assert _ranked([cut_second, cut_first, single]) == ["single", "a", "b"]


def test_the_guard_judges_a_trial_cut_short_by_its_estimate_on_all_folds():
    from types import SimpleNamespace

    from automl.search.baseline_guard import _whole_score

    whole = _folds("whole", [0.70, 0.70, 0.90, 0.90, 0.90])
    cut = _folds("cut", [0.80, 0.80, 1.00])
    run = SimpleNamespace(
        cross_validation=SimpleNamespace(k=5),
        whole_reference=lambda: best_whole_trial([whole, cut], "max", 5),
    )
    assert round(_whole_score(run, cut), 4) == 0.92  # not its three folds' 0.8667
    assert _whole_score(run, whole) == whole.score


def test_the_report_says_which_trials_were_cut_short_and_their_estimate():
    from automl.report import format_report

    report = {
        "experiment": "e",
        "status": "deadline",
        "test_metrics": {},
        "leaderboard": [
            {"trial_id": "1", "status": "completed", "score": 0.8, "epochs": 9,
             "hyperparameters": {}, "spread": 0.0, "fold_scores": [0.8],
             "estimated_score": 0.92},
            {"trial_id": "0", "status": "completed", "score": 0.82, "epochs": 9,
             "hyperparameters": {}, "spread": 0.1, "fold_scores": [0.7, 0.7, 0.9, 0.9, 0.9]},
        ],
    }  # fmt: skip
    text = format_report(report)
    assert "0.8000 (cut short; estimated 0.9200 on all folds)" in text
    assert "0.8200 ± 0.1000 (5 folds)" in text


def test_the_report_says_which_model_its_test_scores_are_of():
    from automl.report import format_report

    exported = "ensemble of trials 003 (0.39), 000 (0.61), 5 fold models each, averaged"
    report = {
        "experiment": "e",
        "status": "deadline",
        "test_metrics": {"accuracy": 0.6833},
        "exported": exported,
        "leaderboard": [],
    }
    assert f"test ({exported}): accuracy 0.6833" in format_report(report).splitlines()
    assert "test: accuracy 0.6833" in format_report({**report, "exported": None}).splitlines()
