"""The evaluation report of an experiment: leaderboard, curves, test scores, mistakes.

`automl report DIR` prints it; the desktop app's Results page shows the same dict. It
reads only the experiment folder, so it works on a search that is still running or
that crashed (from `events.jsonl` alone).
"""

from __future__ import annotations

import json
from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment import layout
from automl.experiment.events import Event, SearchEnded, SearchStarted
from automl.experiment.fold import fold_trials
from automl.experiment.lock import search_alive
from automl.experiment.reader import read_events


def load_report(experiment: str | Path) -> dict:
    """Returns the report of the experiment folder `experiment`.

    Keys: experiment, status, task, target, metric, direction, class_names, leaderboard
    (best first: trial_id, status, score, best_epoch, epochs, duration_s, hyperparameters,
    reason), curves ({trial_id: {metric: [per epoch]}}), test_metrics,
    search_test_metrics, refit, evaluation (confusion_matrix or residuals, and mistakes),
    model, notes.

    Raises:
        AutoMLError: the folder is not an experiment.
    """
    folder = Path(experiment)
    events_path = folder / layout.EVENTS
    if not events_path.exists():
        raise AutoMLError(f"{folder} is not an experiment folder (no {layout.EVENTS})")
    events = read_events(events_path)
    report = _from_events(events)
    report["experiment"] = str(folder)
    summary_path = folder / layout.SUMMARY
    if summary_path.exists():
        summary = json.loads(summary_path.read_text())
        for key in (
            "status",
            "task",
            "target",
            "metric",
            "direction",
            "class_names",
            "leaderboard",
            "test_metrics",
            "search_test_metrics",
            "refit",
            "model",
            "notes",
            "reason",
            "timing",
            "rows",
            "best_trial",
            "baselines",
            "modality",
            "baseline_guard",
            "exported",
            "cross_validation",
            "stopped_early",
        ):
            if key in summary:
                report[key] = summary[key]
    # No summary and no live search holding the lock: it was killed.
    if report.get("status") == "running" and search_alive(folder) is False:
        report["status"] = "interrupted"
    metadata_path = folder / layout.MODEL_DIR / "metadata.json"
    if metadata_path.exists():
        report["evaluation"] = json.loads(metadata_path.read_text()).get("evaluation", {})
    return report


def _from_events(events: list[Event]) -> dict:
    report: dict = {
        "status": "running",
        "leaderboard": [],
        "curves": {},
        "test_metrics": {},
        "search_test_metrics": {},
        "refit": False,
        "evaluation": {},
        "model": None,
        "notes": [],
        "class_names": [],
    }
    for event in events:
        if isinstance(event, SearchStarted):
            report.update(
                task=event.task,
                target=event.target,
                metric=event.objective,
                direction=event.direction,
            )
        elif isinstance(event, SearchEnded):
            report["status"] = event.status
    trials = fold_trials(events)
    report["curves"] = {
        trial_id: {name: values for name, values in trial.curves().items() if name != "epoch"}
        for trial_id, trial in trials.items()
    }
    maximize = report.get("direction", "max") == "max"

    def rank(trial: dict) -> tuple:
        if trial["score"] is None:
            return (1, 0.0)
        return (0, -trial["score"] if maximize else trial["score"])

    rows = [
        {
            "trial_id": t.trial_id,
            "status": t.status,
            "score": t.score,
            "best_epoch": t.best_epoch,
            "epochs": t.epochs,
            "duration_s": t.duration_s,
            "hyperparameters": t.hyperparameters,
            "reason": t.reason,
            "spread": t.spread,
            "fold_scores": t.fold_scores,
        }
        for t in trials.values()
    ]
    report["leaderboard"] = sorted(rows, key=rank)
    return report


def format_report(report: dict) -> str:
    """Returns the report as text for a terminal."""
    lines = [
        f"experiment {report['experiment']}: {report.get('status')} "
        f"({report.get('task', '?')} on {report.get('target', '?')!r}, "
        f"objective {report.get('metric', '?')})",
        "",
        "leaderboard:",
    ]
    for trial in report["leaderboard"][:10]:
        score = "-" if trial["score"] is None else f"{trial['score']:.4f}"
        if trial.get("spread") is not None and len(trial.get("fold_scores") or []) > 1:
            score += f" ± {trial['spread']:.4f} ({len(trial['fold_scores'])} folds)"
        if trial.get("estimated_score") is not None:  # cut short: what ranks it
            score += f" (cut short; estimated {trial['estimated_score']:.4f} on all folds)"
        hp = ", ".join(f"{k}={_short(v)}" for k, v in list(trial["hyperparameters"].items())[:6])
        lines.append(
            f"  {trial['trial_id']:>4}  {trial['status']:<9} {score:>8}  "
            f"{trial['epochs']:>3} epochs  {hp}"
        )
    for key in ("cross_validation", "baseline_guard"):
        said = (report.get(key) or {}).get("reason" if key == "cross_validation" else "message")
        if said:
            lines.append(f"note: {said}")
    if report.get("stopped_early"):
        lines.append(f"stopped early: {report['stopped_early']}")
    if report["test_metrics"]:
        lines += [
            "",
            # As the search printed it: which model these scores are of.
            (f"test ({report['exported']}): " if report.get("exported") else "test: ")
            + ", ".join(f"{k} {v:.4f}" for k, v in report["test_metrics"].items()),
        ]
        for name, scores in (report.get("baselines") or {}).items():
            shown = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
            lines.append(f"baseline ({name}): {shown}")
    evaluation = report.get("evaluation") or {}
    if "confusion_matrix" in evaluation:
        labels = evaluation["confusion_matrix"]["labels"]
        width = max(8, *(len(label) for label in labels)) + 1
        lines += [
            "",
            "confusion matrix (rows: actual, columns: predicted):",
            " " * width + "".join(f"{label:>{width}}" for label in labels),
        ]
        for label, row in zip(labels, evaluation["confusion_matrix"]["matrix"], strict=True):
            lines.append(f"{label:>{width}}" + "".join(f"{n:>{width}}" for n in row))
    mistakes = evaluation.get("mistakes") or []
    if mistakes:
        lines += ["", f"worst test rows ({len(mistakes)} kept):"]
        for mistake in mistakes[:10]:
            lines.append(
                f"  row {mistake['row']}: actual {mistake['actual']}, predicted "
                f"{_short(mistake['predicted'])}"
            )
    return "\n".join(lines)


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
