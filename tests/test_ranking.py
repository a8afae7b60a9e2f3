"""Trials rank by the objective, then by the plain validation log loss."""

from __future__ import annotations

from automl.experiment.fold import TrialRecord
from automl.search.ranking import rank_key


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


def test_a_trial_cut_short_before_its_last_fold_ranks_after_whole_ones():
    whole, cut = _trial("whole", 0.8), _trial("cut", 0.9)
    whole.fold_scores, cut.fold_scores = [0.8] * 5, [0.9] * 3
    whole.best_metrics = cut.best_metrics = {"val_log_loss": 0.4}
    ranked = sorted([cut, whole], key=lambda t: rank_key(t, "max", folds=5))
    assert [t.trial_id for t in ranked] == ["whole", "cut"]
