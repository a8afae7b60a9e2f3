"""Renders the model card: one self-contained HTML page that describes an exported model.

The page has inline CSS and inline SVG charts, no JavaScript and no external resources, so it
opens in any browser straight from the export folder, offline.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from html import escape

_TASK_NAMES = {
    "binary": "Binary classification",
    "multiclass": "Multiclass classification",
    "regression": "Regression",
}

_TRAIN_COLOUR = "#2563eb"
_VAL_COLOUR = "#ea580c"

_CSS = """
:root { color-scheme: light; }
body { margin: 0; background: #f8fafc; color: #1e293b;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 960px; margin: 0 auto; padding: 24px 28px 48px; background: #fff;
  min-height: 100vh; box-sizing: border-box; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.25em; margin: 32px 0 10px; padding-bottom: 4px;
  border-bottom: 1px solid #e2e8f0; }
h3 { font-size: 1em; margin: 16px 0 6px; }
.subtitle { color: #64748b; margin: 0 0 8px; }
table { border-collapse: collapse; margin: 8px 0 12px; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #cbd5e1; padding: 4px 10px; text-align: left; }
th { background: #f1f5f9; font-weight: 600; }
td.num { text-align: right; }
tr.objective td { background: #fef9c3; font-weight: 600; }
.badge { display: inline-block; font-size: 0.75em; font-weight: 600; color: #854d0e;
  background: #fde68a; border-radius: 4px; padding: 0 6px; margin-left: 6px; }
.confusion td { text-align: center; min-width: 48px; }
.confusion th.corner { background: #fff; color: #64748b; font-weight: 400; font-size: 0.85em; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
svg { background: #fff; border: 1px solid #e2e8f0; border-radius: 4px; }
svg text { font-family: system-ui, sans-serif; font-size: 11px; fill: #334155; }
pre { background: #f1f5f9; border: 1px solid #e2e8f0; border-radius: 4px; padding: 10px 12px;
  overflow-x: auto; font-size: 13px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.muted { color: #64748b; }
"""


def render_model_card(metadata: dict) -> str:
    """Returns the model card for `metadata` as a complete HTML5 document.

    Only "task" and "target" are required; sections whose keys are missing are left out or
    say that nothing was recorded.
    """
    target = str(metadata.get("target", ""))
    sections = [
        _header_section(metadata),
        _performance_section(metadata),
        _evaluation_section(metadata),
        _learning_curves_section(metadata),
        _data_section(metadata),
        _hyperparameters_section(metadata),
        _export_check_section(metadata),
        _usage_section(metadata),
        _versions_section(metadata),
    ]
    body = "\n".join(s for s in sections if s)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Model card: predicts {escape(target)}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


# --- formatting helpers -------------------------------------------------------------------


def _fmt(value: object) -> str:
    """Returns `value` as escaped text, numbers with 4 significant digits."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return escape(str(value))
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (list, tuple, dict)):
        return escape(json.dumps(value, default=str))
    return escape(str(value))


def _cell(value: object) -> str:
    """Returns a table cell for `value`, right-aligned when it is a number."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="num">{_fmt(value)}</td>' if numeric else f"<td>{_fmt(value)}</td>"


def _key_value_table(rows: Iterable[tuple[str, object]]) -> str:
    """Returns a two-column table of (escaped) names and formatted values."""
    body = "".join(f"<tr><th>{escape(str(k))}</th>{_cell(v)}</tr>" for k, v in rows)
    return f"<table>{body}</table>"


def _is_classification(metadata: dict) -> bool:
    """Returns whether the card describes a classifier."""
    return metadata.get("task") in ("binary", "multiclass")


def _finite(value: object) -> bool:
    """Returns whether `value` is a plottable real number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


# --- sections -----------------------------------------------------------------------------


def _header_section(metadata: dict) -> str:
    """Returns the title and the one-line summary: task, creation time, automl version."""
    task = str(metadata.get("task", ""))
    parts = [escape(_TASK_NAMES.get(task, task))]
    created = metadata.get("created_at") or metadata.get("created")
    if created:
        parts.append(f"created {escape(str(created))}")
    versions = metadata.get("versions") or {}
    version = (
        metadata.get("automl_version")
        or versions.get("automl")
        or versions.get("automl-studio")
        or versions.get("automl_studio")
    )
    if version:
        parts.append(f"automl {escape(str(version))}")
    return (
        f"<h1>Model card: predicts {escape(str(metadata.get('target', '')))}</h1>\n"
        f'<p class="subtitle">{" · ".join(parts)}</p>'
    )


def _performance_section(metadata: dict) -> str:
    """Returns the held-out test metrics table, with the search trial's column after a refit."""
    metrics = metadata.get("test_metrics") or {}
    search = metadata.get("search_test_metrics") or {}
    objective = metadata.get("metric")
    head = "<h2>Performance on held-out test rows</h2>"
    if objective:
        head += (
            f"<p>Objective: <strong>{escape(str(objective))}</strong>"
            '<span class="badge">objective</span></p>'
        )
    guard = metadata.get("baseline_guard") or {}
    if guard.get("message"):
        # The engine's own baselines, scored like the trials: the reader sees who won.
        head += f"<p><strong>Baseline check:</strong> {escape(guard['message'])}</p>"
    if not metrics:
        return head + '<p class="muted">No test metrics were recorded.</p>'
    both = bool(search) and bool(metadata.get("refit"))
    header = "<tr><th>metric</th>"
    header += (
        "<th>refit on train+validation (exported)</th><th>best search trial</th></tr>"
        if both
        else "<th>value</th></tr>"
    )
    rows = []
    for name, value in metrics.items():
        is_objective = objective is not None and _objective_matches(str(name), str(objective))
        cls = ' class="objective"' if is_objective else ""
        badge = '<span class="badge">objective</span>' if is_objective else ""
        extra = _cell(search.get(name)) if both else ""
        rows.append(f"<tr{cls}><th>{escape(str(name))}{badge}</th>{_cell(value)}{extra}</tr>")
    return f"{head}<table>{header}{''.join(rows)}</table>"


def _objective_matches(metric_name: str, objective: str) -> bool:
    """Returns whether a test metric is the search objective (which may carry a val_ prefix)."""
    return metric_name == objective or f"val_{metric_name}" == objective


def _evaluation_section(metadata: dict) -> str:
    """Returns the confusion matrix for a classifier or the residual plot for a regressor."""
    evaluation = metadata.get("evaluation") or {}
    if _is_classification(metadata):
        confusion = evaluation.get("confusion_matrix") or {}
        if not confusion.get("matrix"):
            return ""
        return (
            "<h2>Confusion matrix (test rows)</h2>"
            '<p class="muted">Rows are the actual class, columns the predicted class; '
            "shading is the share of the actual class.</p>"
            + _confusion_table(confusion.get("labels") or [], confusion["matrix"])
        )
    if metadata.get("task") in ("regression", "forecast"):
        residuals = evaluation.get("residuals") or {}
        svg = _residual_svg(residuals.get("actual") or [], residuals.get("predicted") or [])
        if not svg:
            return ""
        return (
            "<h2>Residuals (test rows)</h2>"
            '<p class="muted">Each point is one test row: prediction on the x axis, '
            "actual minus predicted on the y axis. Points should scatter evenly around zero."
            f"</p>{svg}"
        )
    return ""


def _learning_curves_section(metadata: dict) -> str:
    """Returns one line chart per metric, training and validation curves together."""
    curves = metadata.get("learning_curves") or {}
    groups = _group_curves(curves)
    charts = [_line_chart_svg(base, series) for base, series in groups.items()]
    charts = [c for c in charts if c]
    head = "<h2>Learning curves</h2>"
    if not charts:
        return head + '<p class="muted">No learning curves were recorded.</p>'
    return f'{head}<div class="charts">{"".join(charts)}</div>'


def _group_curves(curves: dict) -> dict[str, dict[str, list]]:
    """Returns curves grouped by base metric name, `x` and `val_x` in the same group."""
    groups: dict[str, dict[str, list]] = {}
    for name, values in curves.items():
        name = str(name)
        base = name[4:] if name.startswith("val_") else name
        groups.setdefault(base, {})[name] = list(values or [])
    # Loss first: it is the curve analysts read to spot over-fitting.
    ordered = dict(sorted(groups.items(), key=lambda kv: kv[0] != "loss"))
    return {
        base: dict(sorted(series.items(), key=lambda kv: kv[0].startswith("val_")))
        for base, series in ordered.items()
    }


def _data_section(metadata: dict) -> str:
    """Returns the data file, row counts, the model inputs and the ignored columns."""
    data = metadata.get("data") or {}
    inputs = metadata.get("inputs") or []
    ignored = metadata.get("ignored_columns") or {}
    if not (data or inputs or ignored):
        return ""
    parts = ["<h2>Data</h2>"]
    if data:
        labels = [
            ("file", "file"),
            ("sha256", "SHA-256"),
            ("rows", "rows"),
            ("train_rows", "training rows"),
            ("validation_rows", "validation rows"),
            ("test_rows", "test rows"),
        ]
        rows = [(label, data[key]) for key, label in labels if key in data]
        parts.append(_key_value_table(rows))
    if inputs:
        parts.append("<h3>Inputs</h3>" + _inputs_table(inputs))
    if ignored:
        parts.append("<h3>Ignored columns</h3>")
        header = "<tr><th>column</th><th>reason</th></tr>"
        body = "".join(
            f"<tr><td>{escape(str(c))}</td><td>{escape(str(r))}</td></tr>"
            for c, r in ignored.items()
        )
        parts.append(f"<table>{header}{body}</table>")
    return "".join(parts)


def _inputs_table(inputs: Sequence[dict]) -> str:
    """Returns a table of the model inputs: column, signature name, kind and dtype."""
    header = "<tr><th>column</th><th>input name</th><th>kind</th><th>dtype</th></tr>"
    body = "".join(
        f"<tr><td>{escape(str(i.get('column', '')))}</td>"
        f"<td><code>{escape(str(i.get('input_name', '')))}</code></td>"
        f"<td>{escape(str(i.get('kind', '')))}</td><td>{escape(str(i.get('dtype', '')))}</td>"
        "</tr>"
        for i in inputs
    )
    return f"<table>{header}{body}</table>"


def _hyperparameters_section(metadata: dict) -> str:
    """Returns the chosen hyperparameters and the best search trial."""
    hyperparameters = metadata.get("hyperparameters") or {}
    best = metadata.get("best_trial") or {}
    if not (hyperparameters or best):
        return ""
    parts = ["<h2>Hyperparameters</h2>"]
    if hyperparameters:
        parts.append(_key_value_table(sorted(hyperparameters.items(), key=lambda kv: kv[0])))
    if best:
        labels = [("trial_id", "trial"), ("score", "score"), ("best_epoch", "best epoch")]
        parts.append("<h3>Best trial</h3>")
        parts.append(_key_value_table((label, best[k]) for k, label in labels if k in best))
    return "".join(parts)


def _export_check_section(metadata: dict) -> str:
    """Returns the sentence comparing the reloaded SavedModel with the trained model."""
    parity = metadata.get("parity")
    if not parity:
        return ""
    diff = parity.get("max_abs_diff")
    rows = parity.get("rows_compared")
    diff_text = f"{diff:.2g}" if _finite(diff) else _fmt(diff)
    rows_text = f" over {_fmt(rows)} test rows" if rows is not None else ""
    return (
        "<h2>Export check</h2>"
        "<p>The reloaded SavedModel matches the trained model: "
        f"max difference {diff_text}{rows_text}.</p>"
    )


def _usage_section(metadata: dict) -> str:
    """Returns the Python and TensorFlow Serving snippets that call the exported model."""
    # Quotes are safe in element text; leaving them unescaped keeps the source copyable.
    return (
        "<h2>How to call it</h2>"
        "<p>With plain TensorFlow, from the export folder:</p>"
        f"<pre><code>{escape(_python_snippet(metadata), quote=False)}</code></pre>"
        "<p>With TensorFlow Serving (REST), after serving the <code>saved_model</code> "
        "folder as <code>MODEL</code>:</p>"
        f"<pre><code>{escape(_curl_snippet(metadata), quote=False)}</code></pre>"
    )


def _example_value(spec: dict) -> float | str:
    """Returns a plausible example value for one input, typed as the signature expects."""
    # The signature's dtype decides what it accepts; kind is the fallback for old metadata.
    dtype = spec.get("dtype")
    if spec.get("kind") == "series":
        # One series: [steps][features]; any length unless trained on a fixed lookback.
        _, steps, features = spec.get("shape") or [None, None, 1]
        return [[0.0] * int(features or 1) for _ in range(int(steps or 3))]
    if dtype == "float32" or (dtype is None and spec.get("kind") == "numeric"):
        return 0.0
    return "..."


def _python_snippet(metadata: dict) -> str:
    """Returns the Python code that loads the SavedModel and predicts one row."""
    inputs = metadata.get("inputs") or []
    lines = [
        "import tensorflow as tf",
        "",
        'model = tf.saved_model.load("saved_model/1")',
        'out = model.signatures["serving_default"](**{',
    ]
    for spec in inputs:
        name = json.dumps(str(spec.get("input_name", "")))
        lines.append(f"    {name}: tf.constant([{json.dumps(_example_value(spec))}]),")
    if not inputs:
        lines.append("    # one entry per input: name -> tf.constant([value])")
    lines.append("})")
    if _is_classification(metadata):
        classes = ", ".join(str(c) for c in metadata.get("class_names") or [])
        lines.append('print(out["label"])          # predicted class name')
        order = f"class order: {classes}" if classes else "one column per class"
        lines.append(f'print(out["probabilities"])  # {order}')
    elif metadata.get("task") == "forecast":
        lines.append('print(out["forecast"])  # one column per step ahead: h1, h2, ...')
    else:
        lines.append('print(out["value"])  # predicted value')
    return "\n".join(lines)


def _curl_snippet(metadata: dict) -> str:
    """Returns the curl command that asks TensorFlow Serving's REST API for one prediction."""
    instance = {
        str(spec.get("input_name", "")): _example_value(spec)
        for spec in metadata.get("inputs") or []
    }
    body = json.dumps({"instances": [instance]})
    # A single quote would end the shell string; close, escape and reopen it.
    body = body.replace("'", "'\\''")
    return f"curl -d '{body}' \\\n  http://localhost:8501/v1/models/MODEL:predict"


def _versions_section(metadata: dict) -> str:
    """Returns the library versions and the random seed the model was trained with."""
    versions = metadata.get("versions") or {}
    seed = metadata.get("seed")
    if not versions and seed is None:
        return ""
    rows = [(k, v) for k, v in versions.items()]
    if seed is not None:
        rows.append(("seed", seed))
    return "<h2>Versions</h2>" + _key_value_table(rows)


# --- charts -------------------------------------------------------------------------------


def _nice_ticks(low: float, high: float, count: int = 5, integer: bool = False) -> list[float]:
    """Returns about `count` round tick values from at or below `low` to at or above `high`.

    With `integer`, the step is a whole number (epochs have no halves).
    """
    if high <= low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if integer:
        step = max(1, math.ceil(step))
    start = math.floor(low / step) * step
    ticks = [float(start)]
    # Round each tick from the start rather than accumulating float error step by step.
    while ticks[-1] < high - step * 1e-9 and len(ticks) < 50:
        ticks.append(round(start + len(ticks) * step, 12))
    return ticks


def _tick_label(value: float) -> str:
    """Returns a short label for an axis tick."""
    return f"{value:.3g}"


class _Frame:
    """Maps data coordinates to SVG pixels inside a chart's plotting area."""

    def __init__(self, width: int, height: int, x_ticks: list[float], y_ticks: list[float]):
        self.left, self.right, self.top, self.bottom = 56, width - 14, 30, height - 40
        self.x_ticks, self.y_ticks = x_ticks, y_ticks
        self.x0, self.x1 = x_ticks[0], x_ticks[-1]
        self.y0, self.y1 = y_ticks[0], y_ticks[-1]

    def x(self, value: float) -> float:
        """Returns the pixel column for data x `value`."""
        span = (self.x1 - self.x0) or 1.0
        return self.left + (value - self.x0) / span * (self.right - self.left)

    def y(self, value: float) -> float:
        """Returns the pixel row for data y `value`."""
        span = (self.y1 - self.y0) or 1.0
        return self.bottom - (value - self.y0) / span * (self.bottom - self.top)


def _axes_svg(frame: _Frame, x_label: str, y_label: str) -> str:
    """Returns the grid lines, tick labels and axis titles of a chart."""
    parts = []
    for t in frame.y_ticks:
        y = frame.y(t)
        parts.append(
            f'<line x1="{frame.left}" y1="{y:.1f}" x2="{frame.right}" y2="{y:.1f}" '
            'stroke="#e2e8f0"/>'
            f'<text x="{frame.left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{_tick_label(t)}</text>"
        )
    for t in frame.x_ticks:
        x = frame.x(t)
        parts.append(
            f'<line x1="{x:.1f}" y1="{frame.bottom}" x2="{x:.1f}" y2="{frame.bottom + 4}" '
            'stroke="#94a3b8"/>'
            f'<text x="{x:.1f}" y="{frame.bottom + 16}" text-anchor="middle">'
            f"{_tick_label(t)}</text>"
        )
    mid_x = (frame.left + frame.right) / 2
    mid_y = (frame.top + frame.bottom) / 2
    parts.append(
        f'<rect x="{frame.left}" y="{frame.top}" width="{frame.right - frame.left}" '
        f'height="{frame.bottom - frame.top}" fill="none" stroke="#94a3b8"/>'
        f'<text x="{mid_x:.1f}" y="{frame.bottom + 32}" text-anchor="middle">'
        f"{escape(x_label)}</text>"
        f'<text x="14" y="{mid_y:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {mid_y:.1f})">{escape(y_label)}</text>'
    )
    return "".join(parts)


def _line_chart_svg(title: str, series: dict[str, list]) -> str:
    """Returns an SVG line chart of `series` (name -> values per epoch), or "" if empty.

    Epochs are numbered from 1; None and non-finite values are skipped.
    """
    points = {
        name: [(i + 1, float(v)) for i, v in enumerate(values) if _finite(v)]
        for name, values in series.items()
    }
    points = {name: pts for name, pts in points.items() if pts}
    if not points:
        return ""
    xs = [x for pts in points.values() for x, _ in pts]
    ys = [y for pts in points.values() for _, y in pts]
    width, height = 440, 260
    x_ticks = _nice_ticks(0, max(xs), 6, integer=True)
    frame = _Frame(width, height, x_ticks, _nice_ticks(min(ys), max(ys)))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="{frame.left}" y="18" font-weight="600">{escape(title)}</text>',
        _axes_svg(frame, "epoch", title),
    ]
    # The legend sits on the title row, after the title, so it never covers a curve.
    legend_x = frame.left + _text_width(title) + 24
    for name, pts in points.items():
        colour = _VAL_COLOUR if name.startswith("val_") else _TRAIN_COLOUR
        coords = " ".join(f"{frame.x(x):.1f},{frame.y(y):.1f}" for x, y in pts)
        parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        if len(pts) == 1:
            x, y = pts[0]
            parts.append(
                f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="3" fill="{colour}"/>'
            )
        parts.append(_legend_entry(legend_x, 14, colour, name))
        legend_x += _text_width(name) + 40
    parts.append("</svg>")
    return "".join(parts)


def _text_width(text: str) -> float:
    """Returns a rough pixel width of `text` in the 11px chart font (no layout engine here)."""
    return 6.5 * len(text)


def _legend_entry(x: float, y: float, colour: str, label: str) -> str:
    """Returns one legend line: a colour swatch and its series name."""
    return (
        f'<line x1="{x}" y1="{y}" x2="{x + 16}" y2="{y}" stroke="{colour}" stroke-width="3"/>'
        f'<text x="{x + 22}" y="{y + 4}">{escape(label)}</text>'
    )


def _residual_svg(actual: Sequence, predicted: Sequence) -> str:
    """Returns an SVG scatter of residuals (actual - predicted) against predictions, or ""."""
    pairs = [
        (float(p), float(a) - float(p))
        for a, p in zip(actual, predicted, strict=False)
        if _finite(a) and _finite(p)
    ]
    if not pairs:
        return ""
    xs = [p for p, _ in pairs]
    ys = [r for _, r in pairs]
    # Zero must be on the y axis so that the reference line is visible.
    y_ticks = _nice_ticks(min(min(ys), 0.0), max(max(ys), 0.0))
    width, height = 640, 360
    frame = _Frame(width, height, _nice_ticks(min(xs), max(xs), 6), y_ticks)
    zero = frame.y(0.0)
    dots = "".join(
        f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="3" fill="{_TRAIN_COLOUR}" '
        'fill-opacity="0.55"/>'
        for x, y in pairs
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="residuals">'
        f'<text x="{frame.left}" y="18" font-weight="600">Residuals</text>'
        + _axes_svg(frame, "predicted", "actual − predicted")
        + f'<line x1="{frame.left}" y1="{zero:.1f}" x2="{frame.right}" y2="{zero:.1f}" '
        f'stroke="{_VAL_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>' + dots + "</svg>"
    )


def _confusion_table(labels: Sequence, matrix: Sequence[Sequence[int]]) -> str:
    """Returns the confusion matrix as an HTML table, cells shaded by row-normalised count."""
    names = [str(label) for label in labels]
    size = max(len(names), len(matrix))
    names += [str(i) for i in range(len(names), size)]
    header = '<tr><th class="corner">actual ↓ / predicted →</th>'
    header += "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    rows = []
    for name, counts in zip(names, matrix, strict=False):
        total = sum(c for c in counts if _finite(c)) or 1
        cells = "".join(_confusion_cell(c, c / total if _finite(c) else 0.0) for c in counts)
        rows.append(f"<tr><th>{escape(name)}</th>{cells}</tr>")
    return f'<table class="confusion">{header}{"".join(rows)}</table>'


def _confusion_cell(count: object, share: float) -> str:
    """Returns one confusion cell, its blue background as strong as `share` of the row."""
    share = min(max(share, 0.0), 1.0)
    # White text once the background is dark enough that black would be hard to read.
    text = "#fff" if share > 0.55 else "#1e293b"
    return (
        f'<td style="background: rgba(37, 99, 235, {share:.3f}); color: {text}" '
        f'title="{share:.1%} of the row">{_fmt(count)}</td>'
    )
