"""search_quality's report on small data (issue 13): what our search exported, its baseline
guard's message, and whether the exported model is worse than the engine's own best baseline
on the test rows; and the count of sets where ours matches or beats every other yardstick."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sq_children import SetResult
from sq_compare import primary_metric, target_line, verdict

#: The yardsticks issue 13 asks ours to match or beat on every set, with their short names.
ISSUE13_OTHERS = (
    ("baselines", "the best scikit-learn baseline"),
    ("reference", "the reference network"),
    ("keras_tuner", "plain Keras Tuner"),
)


def exported_kind(result: SetResult) -> str:
    """Returns "baseline" when the guard exported a baseline, "searched" for a searched model
    (best trial, refit or ensemble), "-" when unknown (ours failed or predates the guard)."""
    exported = (result.rows.get("ours") or {}).get("exported")
    if not exported:
        return "-"
    return "baseline" if exported.startswith("baseline") else "searched"


def below_engine_baseline(result: SetResult) -> tuple[bool | None, str]:
    """Returns (whether the exported model scored strictly below the engine's own best
    baseline on the test rows, a few words of how much); None when either is unknown."""
    ours = result.rows.get("ours") or {}
    engine = ours.get("engine_baseline") or {}
    metric, direction = primary_metric(result)
    mine = (ours.get("metrics") or {}).get(metric)
    theirs = (engine.get("metrics") or {}).get(metric)
    if mine is None or theirs is None:
        return None, engine.get("error", "")
    margin = (mine - theirs) if direction == "max" else (theirs - mine)
    how = f"{metric} {mine:.4f} vs {theirs:.4f} ({engine.get('name', '?')})"
    count = ours.get("n_test")
    if direction == "max" and count:
        how += f", {margin * count:+.0f} test examples"
    return margin < -1e-12, how


def _below_cell(result: SetResult) -> str:
    below, _ = below_engine_baseline(result)
    return "-" if below is None else "YES" if below else "no"


def guard_columns() -> list[tuple[str, Callable[[SetResult, str], str]]]:
    """Returns the summary table's columns for the guard: what was exported, and whether it
    is below the engine's own best baseline on the test rows."""
    return [
        ("exported", lambda r, m: exported_kind(r)),
        ("< engine BL", lambda r, m: _below_cell(r)),
    ]


def issue13_lines(results: list[SetResult], systems: Sequence[str]) -> list[str]:
    """Returns the summary's issue 13 lines: per set, the export and the guard's message;
    then the count of sets where ours matches or beats every yardstick that ran, and of sets
    where the exported model is below the engine's own best baseline on the test rows."""
    lines: list[str] = []
    for result in results:
        ours = result.rows.get("ours") or {}
        if ours.get("error") or "exported" not in ours:
            continue
        below, how = below_engine_baseline(result)
        against = "n/a" if below is None else "below" if below else "not below"
        lines.append(
            f"{result.bset.name}: exported {ours.get('exported') or '?'}; guard: "
            f"{ours.get('guard_message') or '-'}; against the engine's best baseline on the "
            f"test rows: {against}" + (f" ({how})" if how else "")
        )
    others = [(s, title) for s, title in ISSUE13_OTHERS if s in systems]
    total = len(results)
    if others and total:
        ok = [
            r.bset.name
            for r in results
            if all(verdict(r, s)[0] in ("beats", "matches") for s, _ in others)
        ]
        claim = (
            f"ours matches or beats {', '.join(t for _, t in others)} together on "
            f"{len(ok)}/{total} (issue 13's target on small data: {total}/{total})"
        )
        lines.append(target_line(claim, len(ok) == total, results, ok))
    judged = [(r.bset.name, below_engine_baseline(r)[0]) for r in results]
    judged = [(name, below) for name, below in judged if below is not None]
    if judged:
        below = [name for name, flag in judged if flag]
        lines.append(
            f"exported model strictly below the engine's own best baseline on the test rows: "
            f"{len(below)}/{len(judged)} sets (target 0): {'met' if not below else 'NOT met'}"
            + (f"; on: {', '.join(below)}" if below else "")
        )
    return lines
