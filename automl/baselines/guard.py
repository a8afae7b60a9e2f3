"""The baseline guard: is the best trial better than the engine's own best baseline?"""

from __future__ import annotations

from dataclasses import dataclass

from automl.baselines.candidates import Baseline
from automl.search.metrics import Objective


@dataclass(frozen=True)
class GuardVerdict:
    """The best trial against the best baseline, scored by the same protocol.

    Attributes:
        baseline: the best baseline (None: no baseline could be scored).
        beaten_by_baseline: the best trial is not better than `baseline`, so the baseline
            is what gets exported.
        message: one line for the terminal, summary.json, the model card and the app.
    """

    baseline: Baseline | None
    beaten_by_baseline: bool
    message: str

    def to_dict(self) -> dict:
        return {
            "baseline": self.baseline.to_dict() if self.baseline else None,
            "beaten_by_baseline": self.beaten_by_baseline,
            "message": self.message,
        }


def judge(
    baselines: list[Baseline],
    trial_score: float | None,
    trial_loss: float | None,
    objective: Objective,
    protocol: str,
) -> GuardVerdict:
    """Returns whether the best trial beats the best of `baselines` (sorted best first).

    A tie on the objective goes to the lower loss (log loss, or RMSE for values), as ties
    between trials do; a trial without a score loses.

    Example:
        >>> from automl.search.metrics import OBJECTIVES
        >>> b = Baseline("linear", "linear", {}, {"accuracy": 0.9, "log_loss": 0.3})
        >>> judge([b], 0.8, 0.5, OBJECTIVES["accuracy"], "validation").beaten_by_baseline
        True
    """
    if not baselines:
        return GuardVerdict(None, False, "")
    best = baselines[0]
    value = best.scores[objective.name]
    shown = f"{objective.name} {value:.4f}"
    if trial_score is None:
        return GuardVerdict(best, True, f"no trial scored; exported the {best.name} baseline")
    sign = 1.0 if objective.direction == "max" else -1.0
    margin = sign * (trial_score - value)
    if margin == 0:
        loss_key = "log_loss" if objective.classification else "rmse"
        baseline_loss = best.scores.get(loss_key)
        if baseline_loss is not None and trial_loss is not None:
            margin = baseline_loss - trial_loss if objective.classification else 0.0
    if margin > 0:
        return GuardVerdict(
            best,
            False,
            f"the best trial ({objective.name} {trial_score:.4f}) beats the best baseline, "
            f"{best.name} ({shown}), on {protocol}",
        )
    return GuardVerdict(
        best,
        True,
        f"no searched network beat the {best.name} baseline ({shown} against "
        f"{trial_score:.4f} on {protocol}); exported the {best.name} model instead",
    )
