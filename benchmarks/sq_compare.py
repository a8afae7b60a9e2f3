"""search_quality's comparisons: the primary metric, and ours against another score by the
matching rule (worse by at most one test example still matches)."""

from __future__ import annotations

from sq_children import SetResult


def primary_metric(result: SetResult) -> tuple[str, str]:
    """Returns (metric, direction) the comparison uses: our search's objective."""
    ours = result.rows.get("ours", {})
    if ours.get("metric") in ("accuracy", "rmse", "mae"):
        return ours["metric"], ours.get("direction", "max")
    if result.bset.modality == "forecast":
        return "mae", "min"
    metrics = next((r["metrics"] for r in result.rows.values() if r.get("metrics")), {})
    return ("accuracy", "max") if "accuracy" in metrics or not metrics else ("rmse", "min")


def n_test(result: SetResult) -> int | None:
    """Returns our search's number of test rows (everyone's), or None if ours failed."""
    ours = result.rows.get("ours", {})
    return ours.get("n_test")


def verdict(result: SetResult, other: str) -> tuple[str, str]:
    """Returns ("beats" | "matches" | "loses" | "n/a", how much) for ours against `other`.

    `other` is a system, or "baselines" for the best scikit-learn baseline on the test rows.
    Beats: strictly better. Matches: worse by at most one test example (1/n_test of
    accuracy; for errors, 1/n_test of the other's error). Loses: worse by more.
    """
    metric, _ = primary_metric(result)
    if other == "baselines":
        theirs = best_baseline(result)[1]
    else:
        theirs = (result.rows.get(other) or {}).get("metrics", {}).get(metric)
    return compare(result, theirs)


def compare(result: SetResult, theirs: float | None) -> tuple[str, str]:
    """Returns `verdict`'s words for ours against the score `theirs` on the primary metric."""
    metric, direction = primary_metric(result)
    ours = (result.rows.get("ours") or {}).get("metrics", {}).get(metric)
    count = n_test(result)
    if ours is None or theirs is None or not count:
        return "n/a", ""
    if direction == "max":
        diff = ours - theirs
        examples = diff * count
        how = f"{100 * diff:+.1f} points ({examples:+.0f} test examples)"
        tolerance = 1 / count + 1e-9
    else:
        diff = (theirs - ours) / theirs if theirs else 0.0
        how = f"{metric} {ours:.4g} vs {theirs:.4g} ({-100 * diff:+.1f}%)"
        tolerance = 1 / count
    if diff > 1e-12:
        return "beats", how
    if diff >= -tolerance:
        return "matches", how
    return "loses", how


def best_baseline(result: SetResult) -> tuple[str, float | None]:
    """Returns (name, score) of the scikit-learn baseline best on the test rows, or ("-", None)."""
    metric, direction = primary_metric(result)
    baselines = (result.rows.get("baselines") or {}).get("baselines") or {}
    scored = [
        (name, b["metrics"][metric])
        for name, b in baselines.items()
        if metric in b.get("metrics", {})
    ]
    if not scored:
        return "-", None
    pick = max if direction == "max" else min
    return pick(scored, key=lambda item: item[1])


def target_line(claim: str, met: bool, results: list[SetResult], ok: list[str]) -> str:
    """Returns the summary line "`claim`: met" or "...: NOT met; not on: <sets>".

    The sets named are those of `results` whose names are not in `ok`.
    """
    lost = [r.bset.name for r in results if r.bset.name not in ok]
    return f"{claim}: {'met' if met else 'NOT met'}" + (
        f"; not on: {', '.join(lost)}" if lost else ""
    )
