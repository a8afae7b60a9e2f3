"""How trials are ordered: the objective first, then the plain validation loss."""

from __future__ import annotations

from automl.experiment.fold import TrialRecord
from automl.search.metrics import tie_loss


def rank_key(trial: TrialRecord, direction: str, folds: int | None = None) -> tuple:
    """Returns the sort key of `trial`, best first; ties go to the lower validation loss.

    On a small validation set many trials tie on accuracy; the plain log loss (not the
    training loss, which carries each trial's label smoothing and L2) then says which
    predicted more confidently right. A cross-validated trial the deadline cut short
    before its last of `folds` folds is scored on fewer folds: it ranks after the trials
    judged on all of them.

    Example:
        >>> a, b = TrialRecord("a"), TrialRecord("b")
        >>> a.score = b.score = 0.9
        >>> a.history, b.history = [{"val_log_loss": 0.4}], [{"val_log_loss": 0.2}]
        >>> a.best_epoch = b.best_epoch = 1
        >>> sorted([a, b], key=lambda t: rank_key(t, "max"))[0].trial_id
        'b'
    """
    if trial.score is None:
        return (1, float("inf"), float("inf"))
    primary = -trial.score if direction == "max" else trial.score
    if folds and trial.fold_scores:
        loss = tie_loss(trial.best_metrics)  # the folds' mean
        return (
            int(len(trial.fold_scores) < folds),
            primary,
            loss if loss is not None else float("inf"),
        )
    epoch = (trial.best_epoch or 1) - 1
    loss = tie_loss(trial.history[epoch]) if epoch < len(trial.history) else None
    return (0, primary, loss if loss is not None else float("inf"))
