"""search_quality's look at our search's baseline guard: what it exported, and how the engine's
own best baseline scores on the test rows.

The guard scores the engine's baselines the way it scores trials (on validation rows or
folds), never on the test rows. To say whether the exported model is worse than that
baseline on the test rows, the benchmark keeps the search's run while the guard judges it,
and afterwards (outside the budget) scores the best baseline's Keras form on the test rows.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def guard_watch() -> Iterator[dict]:
    """Yields a dict that holds, once the search's guard has run, the search's run (`"run"`).

    Wraps `automl.search.baseline_guard.guard_outcome` (the search imports it when it
    finishes) without changing what it does or returns.
    """
    import importlib

    # `automl.search` is also the notebook function, so `import automl.search.x as m` fails.
    guard_module = importlib.import_module("automl.search.baseline_guard")
    seen: dict = {}
    original = guard_module.guard_outcome

    def watched(run, best, outcome):
        seen["run"] = run
        return original(run, best, outcome)

    guard_module.guard_outcome = watched
    try:
        yield seen
    finally:
        guard_module.guard_outcome = original


def engine_baseline_test(seen: dict) -> dict | None:
    """Returns {"name", "metrics"}: the engine's best baseline refitted as the guard refits it
    and scored on the test rows; None when the search computed no baselines."""
    run = seen.get("run")
    pool = getattr(run, "baseline_pool", None)
    if pool is None or pool.best is None:
        return None
    from automl.search.metrics import score

    model = pool.keras_model(pool.best)
    output = run.feeds.predict(model, run.feeds.test)
    metrics = score(run.prepared.classification, run.feeds.y_test, output)
    return {"name": pool.best.name, "metrics": {k: float(v) for k, v in metrics.items()}}


def guard_row(summary: dict, seen: dict) -> dict:
    """Returns the guard's part of our row: what was exported, the guard's verdict and
    message, and the engine's best baseline on the test rows."""
    guard = summary.get("baseline_guard") or {}
    try:
        engine = engine_baseline_test(seen)
    except Exception as error:  # noqa: BLE001 - a yardstick's failure must not lose the row
        engine = {"error": f"{type(error).__name__}: {error}"[:200]}
    return {
        "exported": summary.get("exported"),
        "guard_message": guard.get("message"),
        "beaten_by_baseline": guard.get("beaten_by_baseline"),
        "engine_baseline": engine,
    }
