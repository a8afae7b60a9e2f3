"""The model card's evaluation and choices sections: `automl.explain` results as HTML + SVG.

Draws the data of `automl.explain.evaluation.Evaluation.to_dict()` (per-class table, ROC and
precision-recall curves with the model's threshold, reliability, residuals against a
column, error by step ahead) and of `automl.explain.choices.ChoiceImportance.to_dict()`
(hyperparameter importance and parallel coordinates), on the card's own chart frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from automl.export.card_html import fmt
from automl.export.card_svg import (
    TRAIN_COLOUR,
    VAL_COLOUR,
    _axes_svg,
    _Frame,
    _legend_entry,
    _nice_ticks,
    _text_width,
)

#: The colour of reference lines (chance, perfect calibration, zero).
REFERENCE_COLOUR = "#94a3b8"
#: Parallel coordinates: worst score to best, from light to dark blue.
LOW_SCORE, HIGH_SCORE = (191, 219, 254), (30, 64, 175)


def xy_svg(
    title: str,
    x_label: str,
    y_label: str,
    lines: Sequence[tuple[str, str, Sequence[float], Sequence[float]]] = (),
    dots: tuple[Sequence[float], Sequence[float]] | None = None,
    mark: tuple[float, float, str] | None = None,
    unit_square: bool = False,
) -> str:
    """Returns an SVG chart of named `lines` (name, colour, xs, ys), `dots` and one `mark`.

    A line named "" is a dashed reference line without a legend entry. `unit_square` fixes
    both axes to 0..1 (rates and probabilities); otherwise they fit the data.
    """
    xs = [x for *_, lx, _ in lines for x in lx] + list(dots[0] if dots else [])
    ys = [y for *_, ly in lines for y in ly] + list(dots[1] if dots else [])
    if not xs:
        return ""
    width, height = 440, 300
    if unit_square:
        x_ticks = y_ticks = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    else:
        x_ticks, y_ticks = _nice_ticks(min(xs), max(xs), 6), _nice_ticks(min(ys), max(ys))
    frame = _Frame(width, height, x_ticks, y_ticks)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{frame.left}" y="18" font-weight="600">{escape(title)}</text>',
        _axes_svg(frame, x_label, y_label),
    ]
    legend_x = frame.left + _text_width(title) + 24
    for name, colour, lx, ly in lines:
        coords = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in zip(lx, ly, strict=True))
        dash = "" if name else ' stroke-dasharray="5 3"'
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" '
            f'stroke-width="{2 if name else 1.5}"{dash}/>'
        )
        if name:
            parts.append(_legend_entry(legend_x, 14, colour, name))
            legend_x += _text_width(name) + 40
    if dots:
        parts.extend(
            f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="3" fill="{TRAIN_COLOUR}" '
            'fill-opacity="0.55"/>'
            for x, y in zip(*dots, strict=True)
        )
    if mark:
        x, y, label = frame.x(mark[0]), frame.y(mark[1]), mark[2]
        anchor = "end" if x > (frame.left + frame.right) / 2 else "start"
        shift = -8 if anchor == "end" else 8
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{VAL_COLOUR}" stroke="#fff"/>'
            f'<text x="{x + shift:.1f}" y="{y + 16:.1f}" text-anchor="{anchor}">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def evaluation_html(analysis: dict | None) -> str:
    """Returns the evaluation plots of `analysis` (an `Evaluation.to_dict()`), or ""."""
    if not analysis:
        return ""
    parts = []
    per_class = analysis.get("per_class") or []
    if per_class:
        header = "<tr><th>class</th><th>precision</th><th>recall</th><th>F1</th><th>rows</th></tr>"
        rows = "".join(
            f"<tr><th>{escape(str(c['label']))}</th>"
            + "".join(
                f'<td class="num">{fmt(c[k])}</td>'
                for k in ("precision", "recall", "f1", "support")
            )
            + "</tr>"
            for c in per_class
        )
        parts.append(f"<h3>Per class (test rows)</h3><table>{header}{rows}</table>")
    charts = [
        _curve_svg(analysis.get("roc"), "ROC", "false-positive rate", "true-positive rate"),
        _curve_svg(analysis.get("precision_recall"), "Precision-recall", "recall", "precision"),
        _reliability_svg(analysis.get("reliability")),
        _residual_column_svg(analysis.get("residuals")),
        _horizon_svg(analysis.get("horizon")),
    ]
    charts = [c for c in charts if c]
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    notes = analysis.get("notes") or []
    residuals = analysis.get("residuals") or {}
    if residuals.get("column"):
        notes = [f"Residuals against {residuals['column']!r}: {residuals['column_reason']}."]
        notes += analysis.get("notes") or []
    if analysis.get("roc"):
        notes.append(
            f"The dot marks the model's own threshold: it predicts {analysis.get('positive')!r} "
            f"when that class's probability is above {analysis['roc']['threshold']:g}."
        )
    parts.extend(f'<p class="muted">{escape(note)}</p>' for note in notes)
    return "".join(parts)


def _curve_svg(curve: dict | None, title: str, x_label: str, y_label: str) -> str:
    """Returns a ROC or precision-recall chart with the model's threshold marked, or ""."""
    if not curve:
        return ""
    area_name = "AUC" if title == "ROC" else "average precision"
    lines = [(f"{area_name} {curve['area']:.3f}", TRAIN_COLOUR, curve["x"], curve["y"])]
    if title == "ROC":
        lines.append(("", REFERENCE_COLOUR, [0.0, 1.0], [0.0, 1.0]))  # chance
    x, y = curve["at_threshold"]
    return xy_svg(
        title,
        x_label,
        y_label,
        lines,
        mark=(x, y, f"threshold {curve['threshold']:g}"),
        unit_square=True,
    )


def _reliability_svg(reliability: dict | None) -> str:
    """Returns the reliability chart (observed against predicted, the diagonal), or ""."""
    if not reliability or not reliability.get("predicted"):
        return ""
    return xy_svg(
        "Reliability",
        f"predicted {reliability['of']}",
        "observed frequency",
        [
            (
                f"error {reliability['error']:.3f}",
                TRAIN_COLOUR,
                reliability["predicted"],
                reliability["observed"],
            ),
            ("", REFERENCE_COLOUR, [0.0, 1.0], [0.0, 1.0]),  # perfectly calibrated
        ],
        dots=(reliability["predicted"], reliability["observed"]),
        unit_square=True,
    )


def _residual_column_svg(residuals: dict | None) -> str:
    """Returns the residuals against their column, or "" when there is none."""
    if not residuals or not residuals.get("column"):
        return ""
    values = residuals["column_values"]
    return xy_svg(
        f"Residuals by {residuals['column']}",
        str(residuals["column"]),
        "actual − predicted",
        [("", REFERENCE_COLOUR, [min(values), max(values)], [0.0, 0.0])],
        dots=(values, residuals["residual"]),
    )


def _horizon_svg(horizon: dict | None) -> str:
    """Returns the forecast's error per step ahead, or ""."""
    if not horizon or not horizon.get("steps"):
        return ""
    steps = horizon["steps"]
    return xy_svg(
        "Error by step ahead",
        "step ahead",
        "error",
        [
            ("MAE", TRAIN_COLOUR, steps, horizon["mae"]),
            ("RMSE", VAL_COLOUR, steps, horizon["rmse"]),
        ],
    )


def choices_html(choices: dict | None) -> str:
    """Returns hyperparameter importance and parallel coordinates (`ChoiceImportance`), or ""."""
    if not choices:
        return ""
    parts = [f"<p>{escape(str(choices.get('message', '')))}.</p>"]
    importance = choices.get("importance") or {}
    if importance:
        rows = "".join(
            f"<tr><th>{escape(str(name))}</th><td class='num'>{share:.0%}</td>"
            f'<td><svg width="160" height="10" style="border:0">'
            f'<rect width="{160 * share:.1f}" height="10" fill="{TRAIN_COLOUR}"/></svg></td></tr>'
            for name, share in importance.items()
        )
        parts.append(
            "<table><tr><th>hyperparameter</th><th>share of score variance</th><th></th></tr>"
            f"{rows}</table>"
        )
    parallel = _parallel_svg(choices.get("parallel"), choices.get("direction", "max"))
    if parallel:
        parts.append(parallel)
    return "".join(parts)


def _parallel_svg(parallel: dict | None, direction: str) -> str:
    """Returns the parallel-coordinates chart: one line per trial, darker for a better score."""
    if not parallel or not parallel.get("axes") or not parallel.get("scores"):
        return ""
    axes, scores = parallel["axes"], parallel["scores"]
    width, height, top, bottom = 640, 300, 40, 250
    left, right = 60, width - 60
    step = (right - left) / max(len(axes) - 1, 1)
    low, high = min(scores), max(scores)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="parallel coordinates">',
        f'<text x="{left}" y="18" font-weight="600">Trials by hyperparameter '
        f"(darker: better score)</text>",
    ]
    # Worst first, so the best trials are drawn on top.
    order = sorted(range(len(scores)), key=lambda i: scores[i] * (1 if direction == "max" else -1))
    for i in order:
        share = (scores[i] - low) / (high - low) if high > low else 1.0
        good = share if direction == "max" else 1 - share
        colour = "rgb({},{},{})".format(
            *(round(a + (b - a) * good) for a, b in zip(LOW_SCORE, HIGH_SCORE, strict=True))
        )
        points = " ".join(
            f"{left + j * step:.1f},{bottom - p * (bottom - top):.1f}"
            for j, p in enumerate(parallel["positions"][i])
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}"/>')
    for j, axis in enumerate(axes):
        x = left + j * step
        ends = (
            (axis["choices"][0], axis["choices"][-1])
            if axis["choices"]
            else (
                f"{axis['low']:.3g}",
                f"{axis['high']:.3g}",
            )
        )
        parts.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="#475569"/>'
            f'<text x="{x:.1f}" y="{bottom + 30}" text-anchor="middle">'
            f"{escape(str(axis['name']))}</text>"
            f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{escape(ends[0])}</text>'
            f'<text x="{x:.1f}" y="{top - 6}" text-anchor="middle">{escape(ends[1])}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
