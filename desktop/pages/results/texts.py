"""The Results page's words: values, metrics, and one-line summaries of a report (no Qt)."""

from __future__ import annotations

from html import escape
from pathlib import Path


def format_value(value: object) -> str:
    """Returns `value` as short text for a table cell ("" for missing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):  # a forecast's values, one per step ahead
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    if isinstance(value, float):
        # .4g would write 45000.0 as 4.5e+04; large values read better as whole numbers.
        return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.4g}"
    return str(value)


def format_metrics(metrics: dict[str, float]) -> str:
    """Returns metrics as "name value, name value" with four decimals."""
    return ", ".join(f"{name} {value:.4f}" for name, value in metrics.items())


def best_trial(report: dict) -> str | None:
    """Returns the id of the best scored trial (the leaderboard is best first), or None."""
    scored = [t for t in report["leaderboard"] if t.get("score") is not None]
    return scored[0]["trial_id"] if scored else None


def summary_text(report: dict) -> str:
    """Returns the one-line description of an experiment above the leaderboard."""
    trials = report["leaderboard"]
    done = sum(1 for t in trials if t["status"] == "completed")
    status = report.get("status", "running")
    if report.get("reason"):
        status += f" ({report['reason']})"
    folds = (report.get("cross_validation") or {}).get("folds")
    if folds:
        status += f" · {folds_words(folds)}"
    return (
        f"<b>{Path(report['experiment']).name}</b>: {report.get('task', '?')} on "
        f"<b>{report.get('target', '?')}</b>, objective {report.get('metric', '?')} "
        f"({'higher' if report.get('direction', 'max') == 'max' else 'lower'} is better) · "
        f"{status} · {done} of {len(trials)} trials completed"
    )


def test_metrics_text(report: dict) -> str:
    """Returns which model was exported and how it scored on the test rows."""
    if not report.get("test_metrics"):
        return "No test scores yet."
    rows = (report.get("rows") or {}).get("test")
    on_rows = f" on {rows} test rows" if rows else ""
    best = best_trial(report) or "?"
    guard = report.get("baseline_guard") or {}
    if guard.get("beaten_by_baseline"):
        # The engine's own baseline beat every trial: say so before anything else.
        return (
            f"<b>Exported model: the {escape(guard['baseline']['name'])} baseline</b>"
            f"{on_rows}: {format_metrics(report['test_metrics'])}.<br>{escape(guard['message'])}"
        )
    if report.get("refit"):
        text = (
            f"Exported model: trial {best} refit on train+validation{on_rows}: "
            f"{format_metrics(report['test_metrics'])}."
        )
        if report.get("search_test_metrics"):
            text += (
                f"<br>Trial {best} as searched, before the refit: "
                f"{format_metrics(report['search_test_metrics'])}."
            )
        return text
    exported = str(report.get("exported") or "")
    if report.get("search_test_metrics") and exported.endswith("averaged"):
        # Cross-validated: the best configuration's fold models, or several trials' (an
        # "ensemble of trials 003 (0.45), 000 (0.55), 5 fold models each, averaged").
        what = averaged_words(exported, best)
        return (
            f"Exported model: {what}{on_rows}: "
            f"{format_metrics(report['test_metrics'])}.<br>Trial {best}'s first fold alone: "
            f"{format_metrics(report['search_test_metrics'])}."
        )
    return (
        f"Exported model: best trial {best} as searched{on_rows}: "
        f"{format_metrics(report['test_metrics'])}."
    )


def averaged_words(exported: str, best: str) -> str:
    """Returns the averaged model in words: "trial 3's 5 fold models, averaged", or the
    engine's "ensemble of trials ..." as it wrote it."""
    if exported.startswith("ensemble of trials"):
        return f"an {escape(exported)}"
    what = exported.split("'s ", 1)[-1]  # "5 fold models, averaged"
    return f"trial {best}'s {what}"


#: Metrics written in capitals: they are abbreviations.
METRIC_ABBREVIATIONS = {"mae", "rmse", "r2", "auc", "f1"}
#: Metrics where lower is better (the others: higher).
LOWER_IS_BETTER = {"mae", "rmse", "log_loss", "loss", "mse"}


def metric_name(metric: str) -> str:
    """Returns a metric's name as people write it: MAE, RMSE, accuracy, balanced accuracy."""
    if metric in METRIC_ABBREVIATIONS:
        return "R²" if metric == "r2" else metric.upper()
    return metric.replace("_", " ")


def report_modality(report: dict) -> str:
    """Returns "table", "image", "series", "forecast" or "text" for a report."""
    if report.get("modality"):
        return report["modality"]
    return "forecast" if report.get("task") == "forecast" else "table"


def baseline_text(report: dict) -> str:
    """Returns one line per baseline, beside the exported model on the same metric.

    Example:
        >>> baseline_text({"metric": "mae", "test_metrics": {"mae": 17.3, "rmse": 22.0},
        ...                "baselines": {"naive last value": {"mae": 24.1, "rmse": 30.2}}})
        'Baseline — naive last value: MAE 24.1 — this model: MAE 17.3 (better)'
    """
    metrics = report.get("test_metrics") or {}
    lines = []
    for name, scores in (report.get("baselines") or {}).items():
        shared = [metric for metric in scores if metric in metrics]
        if not shared:
            continue
        metric = report.get("metric") if report.get("metric") in shared else shared[0]
        ours, theirs = metrics[metric], scores[metric]
        lower = metric in LOWER_IS_BETTER
        verdict = "equal" if ours == theirs else "better" if (ours < theirs) == lower else "worse"
        shown = metric_name(metric)
        lines.append(
            f"Baseline — {name}: {shown} {_score(theirs)} — "
            f"this model: {shown} {_score(ours)} ({verdict})"
        )
    return "<br>".join(lines)


def _score(value: float) -> str:
    """Returns a score with four decimals when small (0.7500), else four digits (24.13)."""
    return f"{value:.4f}" if abs(value) < 10 else format_value(float(value))


def folds_words(folds: int) -> str:
    """Returns "cross-validated, 5 folds", or what one fold (the budget kept no more) is."""
    return f"cross-validated, {folds} folds" if folds > 1 else "scored on one held-out fold"
