"""tabular_vs_baselines' rows and report: our rows and the baselines', their mean over seeds,
the table and the comparison lines."""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from tabular_baselines import CLASSIFICATION_METRICS, HGB, REGRESSION_METRICS

#: How close to HistGradientBoosting counts as "within": accuracy points, or % of its RMSE.
WITHIN = 2.0

OURS = "ours (exported refit model)"
#: Marks the seed of an exported model that was not refit (the budget ran out first).
NO_REFIT = "*"
OURS_TRIAL = "ours (best trial, before refit)"


@dataclass
class Row:
    """One line of the table: a system's test scores on one seed's split."""

    system: str
    seed: int | str
    metrics: dict[str, float]
    trials: int | None = None
    search_s: float | None = None
    total_s: float | None = None
    flag: str = ""  # NO_REFIT, shown after the seed


@dataclass
class SeedRun:
    """One seed: our search's summary and every system's row on its split."""

    seed: int
    summary: dict
    rows: list[Row] = field(default_factory=list)

    def row(self, system: str) -> Row | None:
        return next((row for row in self.rows if row.system == system), None)


def our_rows(summary: dict, seed: int) -> list[Row]:
    """Returns the rows for our exported model and for our best trial before refit."""
    timing, trials = summary.get("timing", {}), summary.get("trials", {})
    refit = bool(summary.get("refit"))
    exported = Row(
        OURS,
        seed,
        dict(summary.get("test_metrics") or {}),
        trials=trials.get("completed"),
        search_s=timing.get("search_s"),
        total_s=timing.get("total_s"),
        flag="" if refit else NO_REFIT,
    )
    # Without a refit the exported model *is* the best trial.
    before = summary.get("search_test_metrics") if refit else summary.get("test_metrics")
    return [exported, Row(OURS_TRIAL, seed, dict(before or {}))]


def mean_row(rows: list[Row]) -> Row:
    """Returns a row holding the mean of `rows` (one system over several seeds)."""

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return statistics.fmean(present) if present else None

    names = sorted({k for row in rows for k in row.metrics})
    return Row(
        rows[0].system,
        "mean",
        {k: mean([row.metrics.get(k) for row in rows]) for k in names},
        trials=mean([row.trials for row in rows]),
        search_s=mean([row.search_s for row in rows]),
        total_s=mean([row.total_s for row in rows]),
    )


def table_rows(runs: list[SeedRun]) -> list[Row]:
    """Returns every row, grouped by system, with a mean row per system for several seeds."""
    systems = list(dict.fromkeys(row.system for run in runs for row in run.rows))
    rows: list[Row] = []
    for system in systems:
        mine = [row for run in runs for row in run.rows if row.system == system]
        rows += mine
        if len(runs) > 1:
            rows.append(mean_row(mine))
    return rows


def format_table(rows: list[Row], metric_names: Sequence[str]) -> str:
    """Returns `rows` as a plain text table."""

    def cell(value: float | None, digits: int) -> str:
        return "-" if value is None else f"{value:.{digits}f}"

    headers = ["system", "seed", *metric_names, "trials", "search_s", "total_s"]
    body = [
        [
            row.system,
            f"{row.seed}{row.flag}",
            *(cell(row.metrics.get(name), 4) for name in metric_names),
            cell(row.trials, 0 if isinstance(row.trials, int) else 1),
            cell(row.search_s, 1),
            cell(row.total_s, 1),
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [headers, *body]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "-" * len(line(headers))
    return "\n".join([line(headers), rule, *(line(cells) for cells in body)])


def gap_line(label: str, ours: Row | None, hgb: Row | None, regression: bool) -> str:
    """Returns how far our exported model is from HistGradientBoosting, and if within 2."""
    metric = "rmse" if regression else "accuracy"
    mine = ours.metrics.get(metric) if ours else None
    theirs = hgb.metrics.get(metric) if hgb else None
    if mine is None or theirs is None:
        return f"{label}ours - HGB: n/a (our search produced no model)"
    if regression:
        diff = mine - theirs
        percent = 100 * diff / theirs if theirs else float("inf")
        within = "yes" if abs(percent) <= WITHIN else ("no (ours is better)" if diff < 0 else "no")
        return (
            f"{label}ours - HGB RMSE = {diff:+.4g} ({percent:+.1f}% of HGB's); "
            f"within {WITHIN:g}%: {within}"
        )
    points = 100 * (mine - theirs)
    within = "yes" if abs(points) <= WITHIN else ("no (ours is ahead)" if points > 0 else "no")
    return f"{label}ours - HGB = {points:+.1f} points; within {WITHIN:g} points: {within}"


def overhead_line(label: str, summaries: list[dict]) -> str:
    """Returns the share of the search time spent outside model.fit (mean over summaries)."""
    fractions = [s["timing"].get("overhead_fraction") for s in summaries]
    fractions = [f for f in fractions if f is not None]
    seconds = statistics.fmean(s["timing"]["search_s"] for s in summaries)
    if not fractions:
        return f"{label}search overhead (time outside model.fit): n/a"
    percent = 100 * statistics.fmean(fractions)
    return f"{label}search overhead (time outside model.fit): {percent:.1f}% of {seconds:.1f} s"


def parity_line(label: str, summaries: list[dict]) -> str:
    """Returns the export parity check's largest difference (the worst over summaries)."""
    parities = [(s.get("model") or {}).get("parity") for s in summaries]
    parities = [p for p in parities if p]
    if not parities:
        return f"{label}export parity: n/a (nothing exported)"
    worst = max(p["max_abs_diff"] for p in parities)
    rows = sum(p["rows_compared"] for p in parities)
    return f"{label}export parity (Keras vs SavedModel): max_abs_diff {worst:.3g} over {rows} rows"


def report(runs: list[SeedRun], args: argparse.Namespace, epochs: int) -> str:
    """Returns the text the benchmark prints: the table and the comparison lines."""
    first = runs[0].summary
    regression = first["task"] == "regression"
    metric_names = REGRESSION_METRICS if regression else CLASSIFICATION_METRICS
    rows = first["rows"]
    lines = [
        f"data: {args.data} (target {first['target']}, task {first['task']}); "
        f"rows train/validation/test: {rows['train']}/{rows['validation']}/{rows['test']}",
        f"search: budget {args.budget}, max {args.max_trials} trials, {epochs} epochs; "
        f"baselines fit on train+validation; all scored on the same test rows",
        "",
        format_table(table_rows(runs), metric_names),
        "",
    ]
    for run in runs:
        label = f"seed {run.seed}: " if len(runs) > 1 else ""
        lines.append(gap_line(label, run.row(OURS), run.row(HGB), regression))
        lines.append(overhead_line(label, [run.summary]))
        lines.append(parity_line(label, [run.summary]))
        if not run.summary.get("refit"):
            why = "; ".join(run.summary.get("notes") or []) or "refit turned off"
            lines.append(
                f"{label}{NO_REFIT} the exported model is the best trial, trained on the train "
                f"rows only ({why})"
            )
    if len(runs) > 1:
        by_system = {row.system: row for row in table_rows(runs) if row.seed == "mean"}
        lines.append(gap_line("mean: ", by_system.get(OURS), by_system.get(HGB), regression))
        lines.append(overhead_line("mean: ", [run.summary for run in runs]))
        lines.append(parity_line("all seeds: ", [run.summary for run in runs]))
    lines.append(f"experiments: {args.out}")
    return "\n".join(lines)
