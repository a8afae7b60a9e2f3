"""search_quality's worker for our search: `automl.search` as a notebook user calls it."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from sq_guard import guard_row, guard_watch
from sq_sets import BenchmarkSet
from stdout_redirect import stdout_to_stderr

#: Our search: as many trials as the budget allows.
OURS_MAX_TRIALS = 200
#: "Within 1 point" for our best validation score: 0.01 of accuracy, or 1% of an error.
WITHIN = 0.01


def worker_ours(job: dict) -> dict:
    """Runs our search as a notebook user would and returns its row."""
    import automl

    bset = BenchmarkSet(**job["set"])
    experiment = Path(job["experiment"])
    began_wall, began = time.time(), time.monotonic()
    with stdout_to_stderr(), guard_watch() as seen:
        result = automl.search(
            bset.path,
            bset.target,
            experiment,
            time_budget=job["budget_s"],
            max_trials=OURS_MAX_TRIALS,
            seed=job["seed"],
            overwrite=True,
            **bset.options,
        )
    wall = time.monotonic() - began
    summary = result.summary
    guard = guard_row(summary, seen)  # after the budget: the engine baseline's test scores
    timing = summary.get("timing", {})
    events = _read_events(experiment / "events.jsonl")
    metric, direction = summary.get("metric"), summary.get("direction")
    best_score = (summary.get("best_trial") or {}).get("score")
    test = summary.get("test_metrics") or {}
    keys = ("accuracy", "balanced_accuracy") if summary["class_names"] else ("rmse", "mae")
    best_hp = (summary.get("best_trial") or {}).get("hyperparameters") or {}
    model = summary.get("model") or {}
    families = sorted(
        {e["hyperparameters"].get("family", "") for e in events if e["type"] == "trial_started"}
        - {""}
    )
    return {
        "metrics": {k: test[k] for k in keys if k in test},
        "trials": (summary.get("trials") or {}).get("completed"),
        "epochs": sum(1 for e in events if e["type"] == "epoch_ended"),
        # The budget covers search and refit; export and test scoring come after it.
        "time_s": round(timing.get("total_s", wall) - timing.get("export_s", 0.0), 1),
        "status": summary.get("status"),
        "within_s": _time_within(events, metric, direction, best_score, began_wall),
        "overhead_fraction": timing.get("overhead_fraction"),
        "search_s": timing.get("search_s"),
        "fit_s": timing.get("fit_s"),
        "export_s": timing.get("export_s"),
        "total_s": round(wall, 1),
        "parity": (model.get("parity") or {}).get("max_abs_diff"),
        # The engine's own limit: 1e-5, or that share of the largest output (values above 1).
        "parity_limit": (model.get("parity") or {}).get("limit", 1e-5),
        "refit": summary.get("refit"),
        "best_family": best_hp.get("family") or (families[0] if len(families) == 1 else None),
        "families": families,
        "best_val": best_score,
        "metric": metric,
        "direction": direction,
        "n_test": summary["rows"]["test"],
        "rows": summary["rows"],
        "task": summary.get("task"),
        "notes": summary.get("notes") or [],
        **guard,
    }


def _read_events(path: Path) -> list[dict]:
    if not path.exists():
        return []
    events = []
    for line in path.read_text().splitlines():
        with contextlib.suppress(json.JSONDecodeError):
            events.append(json.loads(line))
    return events


def _time_within(
    events: list[dict], metric: str | None, direction: str | None, best: float | None, start: float
) -> float | None:
    """Returns the seconds (from the search call) at which the best validation score seen so
    far first came within 1 point (0.01, or 1% of an error) of the search's final best."""
    if metric is None or best is None:
        return None
    key = "val_loss" if metric == "log_loss" else f"val_{metric}"
    maximise = direction == "max"
    threshold = best - WITHIN if maximise else best * (1 + WITHIN)
    for event in events:
        if event["type"] != "epoch_ended":
            continue
        value = event["metrics"].get(key)
        if value is None:
            continue
        if (value >= threshold) if maximise else (value <= threshold):
            return round(event["time"] - start, 1)
    return None
