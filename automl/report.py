"""The evaluation report of an experiment: leaderboard, curves, test scores, mistakes.

`automl report DIR` prints it; the desktop app's Results page shows the same dict. It
reads only the experiment folder, so it works on a search that is still running or
that crashed (from `events.jsonl` alone).
"""

from __future__ import annotations

import json
from pathlib import Path

from automl.errors import AutoMLError
from automl.search.events import (
    EpochEnded,
    SearchStarted,
    TrialEnded,
    TrialFailed,
    TrialStarted,
    read_events,
)


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
    events_path = folder / "events.jsonl"
    if not events_path.exists():
        raise AutoMLError(f"{folder} is not an experiment folder (no events.jsonl)")
    events = read_events(events_path)
    report = _from_events(events)
    report["experiment"] = str(folder)
    summary_path = folder / "summary.json"
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
        ):
            if key in summary:
                report[key] = summary[key]
    if report.get("status") == "running":
        from automl.store import search_alive

        # No summary and no live search holding the lock: it was killed.
        if search_alive(folder) is False:
            report["status"] = "interrupted"
    metadata_path = folder / "model" / "metadata.json"
    if metadata_path.exists():
        report["evaluation"] = json.loads(metadata_path.read_text()).get("evaluation", {})
    return report


def _from_events(events: list) -> dict:
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
    trials: dict[str, dict] = {}
    for event in events:
        if isinstance(event, SearchStarted):
            report.update(
                task=event.task,
                target=event.target,
                metric=event.objective,
                direction=event.direction,
            )
        elif isinstance(event, TrialStarted):
            trials[event.trial_id] = {
                "trial_id": event.trial_id,
                "status": "running",
                "score": None,
                "best_epoch": None,
                "epochs": 0,
                "duration_s": 0.0,
                "hyperparameters": event.hyperparameters,
                "reason": "",
            }
            report["curves"][event.trial_id] = {}
        elif isinstance(event, EpochEnded):
            curves = report["curves"].setdefault(event.trial_id, {})
            for name, value in event.metrics.items():
                curves.setdefault(name, []).append(value)
            if event.trial_id in trials:
                trials[event.trial_id]["epochs"] = event.epoch
        elif isinstance(event, TrialEnded):
            trials[event.trial_id] = {
                "trial_id": event.trial_id,
                "status": "completed",
                "score": event.score,
                "best_epoch": event.best_epoch,
                "epochs": event.epochs,
                "duration_s": event.duration_s,
                "hyperparameters": event.hyperparameters,
                "reason": "",
            }
        elif isinstance(event, TrialFailed):
            trials.setdefault(
                event.trial_id,
                {
                    "trial_id": event.trial_id,
                    "score": None,
                    "best_epoch": None,
                    "epochs": 0,
                    "duration_s": 0.0,
                    "hyperparameters": {},
                },
            )
            trials[event.trial_id].update(status="failed", reason=event.reason)
        elif event.type == "search_ended":
            report["status"] = event.status
    maximize = report.get("direction", "max") == "max"

    def rank(trial: dict) -> tuple:
        if trial["score"] is None:
            return (1, 0.0)
        return (0, -trial["score"] if maximize else trial["score"])

    report["leaderboard"] = sorted(trials.values(), key=rank)
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
        hp = ", ".join(f"{k}={_short(v)}" for k, v in list(trial["hyperparameters"].items())[:6])
        lines.append(
            f"  {trial['trial_id']:>4}  {trial['status']:<9} {score:>8}  "
            f"{trial['epochs']:>3} epochs  {hp}"
        )
    if report["test_metrics"]:
        lines += [
            "",
            "test: " + ", ".join(f"{k} {v:.4f}" for k, v in report["test_metrics"].items()),
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
