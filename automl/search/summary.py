"""What a finished search reports: its summary.json and the `SearchResult` callers get."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

EXIT_DONE, EXIT_NO_TRIAL, EXIT_INTERRUPTED = 0, 3, 130


@dataclass
class SearchResult:
    """What a finished search left: its summary, leaderboard and exported model."""

    status: str
    summary: dict
    experiment: Path
    model_path: Path | None
    exit_code: int
    notes: list[str] = field(default_factory=list)

    @property
    def leaderboard(self):
        """Returns the trials as a pandas DataFrame, best first."""
        import pandas as pd

        rows = [
            {
                "trial_id": t["trial_id"],
                "status": t["status"],
                "score": t["score"],
                "best_epoch": t["best_epoch"],
                "epochs": t["epochs"],
                "duration_s": t["duration_s"],
                **t["hyperparameters"],
            }
            for t in self.summary.get("leaderboard", [])
        ]
        return pd.DataFrame(rows)

    @property
    def test_metrics(self) -> dict:
        return self.summary.get("test_metrics", {})


def search_summary(
    request, prepared, run, status, reason, best, outcome, export, data_hash, started
) -> dict:
    """Returns summary.json of a finished search: status, exit code, scores, leaderboard."""
    splits = prepared.splits
    if best is None:
        status, reason, exit_code = "failed", "no trial succeeded", EXIT_NO_TRIAL
    elif status == "stopped":
        exit_code = EXIT_INTERRUPTED
    else:
        exit_code = EXIT_DONE
    from automl.search.ranking import leaderboard

    timing = search_timing(run)
    timing["total_s"] = time.monotonic() - started
    cv = getattr(run, "cross_validation", None)
    return {
        "status": status,
        "reason": reason,
        "exit_code": exit_code,
        "experiment": str(request.out),
        "data": str(request.data),
        "data_sha256": data_hash,
        "modality": prepared.modality,
        "target": prepared.target,
        "task": prepared.task_kind,
        "task_reason": prepared.task_reason,
        "class_names": list(prepared.class_names),
        "metric": prepared.objective.name,
        "direction": prepared.objective.direction,
        "tuner": request.tuner,
        "workers": request.workers,
        "stopped_early": stopped_early(request, status),
        "cross_validation": None if cv is None else {"folds": cv.k, "reason": cv.reason},
        "baseline_guard": guard.to_dict() if (guard := getattr(run, "guard", None)) else None,
        "exported": outcome.exported if outcome else None,
        "calibration": outcome.calibration if outcome else None,
        "budget": {
            "max_trials": request.max_trials,
            "time_budget_s": request.time_budget_s,
            "max_epochs": request.max_epochs,
        },
        "seed": request.seed,
        "rows": {
            "train": len(splits.train),
            "validation": len(splits.validation),
            "test": len(splits.test),
            "dropped_missing_target": prepared.dropped_rows,
        },
        "ignored_columns": prepared.ignored,
        "trials": trial_counts(run.state),
        "best_trial": None
        if best is None
        else {
            "trial_id": best.trial_id,
            "score": best.score,
            "best_epoch": best.best_epoch,
            "hyperparameters": best.hyperparameters,
        },
        "refit": bool(outcome and outcome.refit),
        "test_metrics": outcome.test_metrics if outcome else {},
        "search_test_metrics": outcome.search_test_metrics if outcome else {},
        "timing": timing,
        "model": None
        if export is None
        else {
            "path": str(export.path),
            "saved_model": str(export.path / "saved_model" / "1"),
            "parity": export.parity.to_dict(),
        },
        "plan": run.planner.plan_note or None,
        "notes": list(getattr(run, "notes", []))
        + list(outcome.notes if outcome else [])
        + calibration_notes(outcome)
        + list(export.notes if export else []),
        "leaderboard": leaderboard(
            run.state.ranked(), prepared.objective.direction, cv.k if cv is not None else None
        ),
    }


def trial_counts(state) -> dict[str, int]:
    """Returns how many trials of a search's `state` completed and failed."""
    statuses = [t.status for t in state.trials.values()]
    return {"completed": statuses.count("completed"), "failed": statuses.count("failed")}


def search_timing(run) -> dict:
    """Returns the seconds a run spent searching, training, refitting and exporting."""
    fit = run.state.fit_seconds
    return {
        "search_s": round(run.search_seconds, 3),
        "fit_s": round(fit, 3),
        "overhead_fraction": round(1 - fit / run.search_seconds, 4)
        if run.search_seconds > 0
        else None,
        "refit_s": round(run.refit_seconds, 3),
        "choosing_s": round(run.choosing_seconds, 3),
        "export_s": round(run.export_seconds, 3),
    }


def stopped_early(request, status: str) -> str | None:
    """Returns why a search with a time budget ended before it, or None.

    Only a search that ran out of trials ends early: by its --max-trials, or (with none)
    because the search space had no untried configuration left.
    """
    if request.time_budget_s is None or status != "completed":
        return None
    if request.trials_unbounded:
        return "every configuration of the search space was tried before the time budget ran out"
    return (
        f"all {request.max_trials} trials (--max-trials) were done before the time budget "
        "ran out; leave out --max-trials to search until the budget ends"
    )


def calibration_notes(outcome) -> list[str]:
    """Returns the line saying how the exported probabilities were recalibrated, if they were."""
    fitted = getattr(outcome, "calibration", None) if outcome else None
    if not fitted or fitted["temperature"] == 1.0:
        return []
    from automl.search.calibration import note

    return [
        note(
            fitted["temperature"],
            fitted["log_loss_before"],
            fitted["log_loss_after"],
            fitted["rows"],
        )
    ]
