"""search_quality's report: a table per data set and the summary against issue 7's targets."""

from __future__ import annotations

import argparse
from collections.abc import Callable

import numpy as np
from sq_children import SetResult
from sq_compare import best_baseline, primary_metric, target_line, verdict
from sq_guard_report import guard_columns, issue13_lines

REFERENCE_NAMES = {
    "table": "MLP 256-128",
    "series": "FCN (Wang et al. 2017)",
    "image": "VGG-style CNN",
    "text": "BiLSTM",
    "forecast": "Conv1D + LSTM",
}


SYSTEM_LABELS = {
    "ours": "ours: automl.search",
    "keras_tuner": "plain Keras Tuner Hyperband",
    "autokeras": "AutoKeras 3",
}


def system_label(system: str, modality: str) -> str:
    if system == "reference":
        return f"reference {REFERENCE_NAMES[modality]}"
    return SYSTEM_LABELS.get(system, system)


def _cell(value, digits: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, int | np.integer):
        return str(int(value))
    return f"{value:.{digits}f}"


def format_rows(header: list[str], body: list[list[str]], align_left: int = 1) -> str:
    """Returns a plain text table: the first `align_left` columns left-aligned."""
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        out = []
        for i, (c, w) in enumerate(zip(cells, widths, strict=True)):
            out.append(c.ljust(w) if i < align_left or i == len(cells) - 1 else c.rjust(w))
        return "  ".join(out).rstrip()

    return "\n".join([line(header), "-" * len(line(header)), *(line(r) for r in body)])


def ours_notes(row: dict, budget_s: float) -> str:
    parts = []
    if row.get("families"):
        family = row.get("best_family")
        parts.append(
            f"families {'/'.join(row['families'])}" + (f", best {family}" if family else "")
        )
    if row.get("refit") is not None:
        parts.append("refit" if row["refit"] else "no refit")
    within = row.get("within_s")
    parts.append(
        f"validation best within 1 pt of final at {within:.0f} s of {budget_s:.0f} s"
        if within is not None
        else "validation best: n/a"
    )
    if row.get("overhead_fraction") is not None:
        per_trial = ""
        if row.get("trials") and row.get("search_s") is not None and row.get("fit_s") is not None:
            per_trial = f" ({(row['search_s'] - row['fit_s']) / row['trials']:.2f} s a trial)"
        parts.append(f"overhead {100 * row['overhead_fraction']:.1f}%{per_trial}")
    if row.get("parity") is not None:
        parts.append(f"parity {row['parity']:.1e}")
    if row.get("export_s") is not None:
        parts.append(f"export {row['export_s']:.0f} s")
    return "; ".join(parts)


def set_report(result: SetResult, budget_s: float) -> str:
    """Returns one data set's table and its comparison lines."""
    bset = result.bset
    metric, _ = primary_metric(result)
    regression = metric in ("rmse", "mae")
    names = ("rmse", "mae") if regression else ("accuracy", "balanced_accuracy")
    ours = result.rows.get("ours", {})
    rows = ours.get("rows") or {}
    counts = (
        f"{rows.get('train')}/{rows.get('validation')}/{rows.get('test')} train/validation/test"
        if rows
        else "split unknown"
    )
    lines = [
        f"== {bset.name}: {bset.modality}, {ours.get('task') or '?'}; {counts}; "
        f"budget {budget_s:.0f} s per system; primary metric: {metric} ==",
        f"   {bset.description}",
    ]
    header = [
        "system",
        *{"rmse": ["RMSE"], "mae": ["MAE"]}.get(names[0], ["accuracy"]),
        *{"mae": ["MAE"], "balanced_accuracy": ["bal. acc."]}[names[1]],
        "trials",
        "epochs",
        "time_s",
        "notes",
    ]
    body = []
    for system, row in result.rows.items():
        if system == "baselines":
            if row.get("error"):
                body.append(["baselines", "-", "-", "-", "-", "-", row["error"]])
                continue
            for name, baseline in row["baselines"].items():
                metrics = baseline.get("metrics", {})
                body.append(
                    [
                        name,
                        _cell(metrics.get(names[0])),
                        _cell(metrics.get(names[1])),
                        "-",
                        "-",
                        _cell(baseline.get("time_s"), 1),
                        baseline.get("error", ""),
                    ]
                )
            continue
        metrics = row.get("metrics", {})
        if system == "ours" and not row.get("error"):
            note = ours_notes(row, budget_s)
        else:
            note = row.get("error") or "; ".join(row.get("notes", []))
        body.append(
            [
                system_label(system, bset.modality),
                _cell(metrics.get(names[0])),
                _cell(metrics.get(names[1])),
                _cell(row.get("trials")),
                _cell(row.get("epochs")),
                _cell(row.get("time_s"), 1),
                note,
            ]
        )
    lines.append(format_rows(header, body))
    split_notes = {r.get("split_note") for r in result.rows.values() if r.get("split_note")}
    lines += [f"   note: {note}" for note in sorted(split_notes)]
    comparisons = []
    for other in ("keras_tuner", "reference", "autokeras"):
        if other in result.rows:
            word, how = verdict(result, other)
            comparisons.append(f"vs {system_label(other, bset.modality)}: {word} {how}".rstrip())
    if comparisons:
        lines.append("ours " + "; ".join(comparisons))
    return "\n".join(lines)


def _metric_cell(result: SetResult, system: str, metric: str) -> str:
    return _cell((result.rows.get(system) or {}).get("metrics", {}).get(metric))


def _baseline_cell(result: SetResult) -> str:
    name, score = best_baseline(result)
    return f"{_cell(score)} {name}" if score is not None else "-"


def _ours_cell(result: SetResult, what: str) -> str:
    ours = result.rows.get("ours", {})
    if what == "trials/epochs":
        return f"{_cell(ours.get('trials'))}/{_cell(ours.get('epochs'))}"
    if what == "within":
        within = ours.get("within_s")
        return f"{within:.0f} s" if within is not None else "-"
    if what == "overhead":
        fraction = ours.get("overhead_fraction")
        return f"{100 * fraction:.1f}%" if fraction is not None else "-"
    parity = ours.get("parity")
    return f"{parity:.1e}" if parity is not None else "-"


def summary_report(results: list[SetResult], args: argparse.Namespace) -> str:
    """Returns the closing summary: one line per set, then the counts against the targets."""
    ran = [s for s in args.systems if s != "autokeras" or args.autokeras_python is not None]
    # Column title, and its cell for one data set; only the systems that ran get columns.
    columns: list[tuple[str, Callable[[SetResult, str], str]]] = [
        ("data set", lambda r, m: r.bset.name),
        ("metric", lambda r, m: m),
        ("ours", lambda r, m: _metric_cell(r, "ours", m)),
    ]
    for system, title, short in (
        ("keras_tuner", "Keras Tuner", "KT"),
        ("reference", "reference", "ref"),
        ("autokeras", "AutoKeras", "AK"),
    ):
        if system in ran:
            columns += [
                (title, lambda r, m, s=system: _metric_cell(r, s, m)),
                (f"vs {short}", lambda r, m, s=system: verdict(r, s)[0]),
            ]
    if "baselines" in ran:
        columns.append(("best baseline", lambda r, m: _baseline_cell(r)))
        columns.append(("vs BL", lambda r, m: verdict(r, "baselines")[0]))
    columns += guard_columns()
    columns += [
        ("ours trials/epochs", lambda r, m: _ours_cell(r, "trials/epochs")),
        ("within 1 pt", lambda r, m: _ours_cell(r, "within")),
        ("overhead", lambda r, m: _ours_cell(r, "overhead")),
        ("parity", lambda r, m: _ours_cell(r, "parity")),
    ]
    header = [title for title, _ in columns]
    body = [[cell(r, primary_metric(r)[0]) for _, cell in columns] for r in results]
    lines = [
        "== summary ==",
        format_rows(header, body, align_left=2),
        "",
    ]
    total = len(results)

    def count(other: str, words: tuple[str, ...]) -> list[str]:
        return [r.bset.name for r in results if verdict(r, other)[0] in words]

    if "keras_tuner" in args.systems and total:
        ok = count("keras_tuner", ("beats", "matches"))
        better = count("keras_tuner", ("beats",))
        claim = (
            f"ours matches or beats plain Keras Tuner on {len(ok)}/{total} data sets "
            f"(target {total}/{total})"
        )
        lines.append(target_line(claim, len(ok) == total, results, ok))
        lines.append(
            f"ours strictly better than plain Keras Tuner on {len(better)}/{total} "
            f"(target at least {(total + 1) // 2}): "
            f"{'met' if 2 * len(better) >= total else 'NOT met'}"
        )
    if "reference" in args.systems and total:
        ok = count("reference", ("beats", "matches"))
        share = len(ok) / total
        claim = (
            f"ours matches or beats the reference network on {len(ok)}/{total} = "
            f"{100 * share:.0f}% (target 80%)"
        )
        lines.append(target_line(claim, share >= 0.8, results, ok))
    if "baselines" in args.systems and total:
        ok = count("baselines", ("beats", "matches"))
        claim = (
            f"ours matches or beats the best scikit-learn baseline (best on the test rows) on "
            f"{len(ok)}/{total} (target {total}/{total})"
        )
        lines.append(target_line(claim, len(ok) == total, results, ok))
    lines += issue13_lines(results, args.systems)
    for result in results:
        ours = result.rows.get("ours", {})
        if result.bset.name == "penguins" and ours.get("overhead_fraction") is not None:
            fraction = ours["overhead_fraction"]
            per_trial = (ours.get("search_s", 0) - ours.get("fit_s", 0)) / max(
                1, ours.get("trials") or 1
            )
            lines.append(
                f"search time outside model.fit on penguins (the tabular sample): "
                f"{100 * fraction:.1f}% of {ours.get('search_s', 0):.0f} s, "
                f"{per_trial:.2f} s per trial "
                f"(target < 5%): {'met' if fraction < 0.05 else 'NOT met'}"
            )
    parities = [
        (r.bset.name, r.rows["ours"]["parity"], r.rows["ours"].get("parity_limit") or 1e-5)
        for r in results
        if (r.rows.get("ours") or {}).get("parity") is not None
    ]
    if parities:
        # Judged as the engine judges it: within 1e-5, or that share of the largest output
        # where values exceed 1 (float32 keeps about 7 digits of a value in the hundreds).
        worst = max(parities, key=lambda item: item[1] / item[2])
        missing = [r.bset.name for r in results if (r.rows.get("ours") or {}).get("parity") is None]
        lines.append(
            f"export parity (Keras model vs reloaded SavedModel): worst max_abs_diff "
            f"{worst[1]:.1e} ({worst[0]}, limit {worst[2]:.1e}) over {len(parities)} exports "
            f"(target < 1e-5, relative above 1): "
            f"{'met' if all(p[1] <= p[2] for p in parities) and not missing else 'NOT met'}"
            + (f"; no export on: {', '.join(missing)}" if missing else "")
        )
    if "autokeras" in args.systems and args.autokeras_python is None:
        lines.append(f"AutoKeras 3: {args.autokeras_reason}")
    lines.append(
        "'within 1 pt' is validation-based: when the best validation score seen so far first "
        "came within 0.01 (1% for errors) of the search's final best, counted from the search "
        "call. Matching = worse by at most one test example."
    )
    return "\n".join(lines)
