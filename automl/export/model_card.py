"""Renders the model card: one self-contained HTML page that describes an exported model.

The page has inline CSS and inline SVG charts, no JavaScript and no external resources, so it
opens in any browser straight from the export folder, offline.
"""

from __future__ import annotations

import json
from html import escape

from automl.errors import AutoMLError
from automl.export.card_evaluation import evaluation_html
from automl.export.card_html import cell, confusion_table, finite, fmt, key_value_table
from automl.export.card_svg import bar_chart_svg, line_chart_svg, residual_svg
from automl.modalities.card_sections import CardSections, is_classification
from automl.modalities.registry import modality_named

_TASK_NAMES = {
    "binary": "Binary classification",
    "multiclass": "Multiclass classification",
    "regression": "Regression",
}

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
        _looks_at_section(metadata),
        _analysis_section(metadata),
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
    exported = str(metadata.get("exported") or "")
    if exported:
        head += f"<p><strong>Exported model:</strong> {escape(exported)}</p>"
    fitted = metadata.get("calibration") or {}
    if fitted.get("temperature", 1.0) != 1.0:
        head += (
            f"<p><strong>Probabilities:</strong> calibrated with temperature "
            f"{fitted['temperature']:.2f}, fitted on {escape(str(fitted['rows']))} (log loss "
            f"{fitted['log_loss_before']:.4f} to {fitted['log_loss_after']:.4f}); "
            "predicted classes unchanged</p>"
        )
    if not metrics:
        return head + '<p class="muted">No test metrics were recorded.</p>'
    refit = bool(metadata.get("refit"))
    # A refit, an ensemble or averaged folds: beside it, the best trial's own model.
    both = bool(search) and (refit or bool(metadata.get("ensemble")) or "fold models" in exported)
    label = "refit on train+validation" if refit else exported
    header = "<tr><th>metric</th>"
    header += (
        f"<th>{escape(label)} (exported)</th><th>best search trial</th></tr>"
        if both
        else "<th>value</th></tr>"
    )
    rows = []
    for name, value in metrics.items():
        is_objective = objective is not None and _objective_matches(str(name), str(objective))
        cls = ' class="objective"' if is_objective else ""
        badge = '<span class="badge">objective</span>' if is_objective else ""
        extra = cell(search.get(name)) if both else ""
        rows.append(f"<tr{cls}><th>{escape(str(name))}{badge}</th>{cell(value)}{extra}</tr>")
    return f"{head}<table>{header}{''.join(rows)}</table>"


def _objective_matches(metric_name: str, objective: str) -> bool:
    """Returns whether a test metric is the search objective (which may carry a val_ prefix)."""
    return metric_name == objective or f"val_{metric_name}" == objective


def _evaluation_section(metadata: dict) -> str:
    """Returns the confusion matrix for a classifier or the residual plot for a regressor."""
    evaluation = metadata.get("evaluation") or {}
    if is_classification(metadata):
        confusion = evaluation.get("confusion_matrix") or {}
        if not confusion.get("matrix"):
            return ""
        return (
            "<h2>Confusion matrix (test rows)</h2>"
            '<p class="muted">Rows are the actual class, columns the predicted class; '
            "shading is the share of the actual class.</p>"
            + confusion_table(confusion.get("labels") or [], confusion["matrix"])
        )
    if metadata.get("task") in ("regression", "forecast"):
        residuals = evaluation.get("residuals") or {}
        svg = residual_svg(residuals.get("actual") or [], residuals.get("predicted") or [])
        if not svg:
            return ""
        return (
            "<h2>Residuals (test rows)</h2>"
            '<p class="muted">Each point is one test row: prediction on the x axis, '
            "actual minus predicted on the y axis. Points should scatter evenly around zero."
            f"</p>{svg}"
        )
    return ""


def _looks_at_section(metadata: dict) -> str:
    """Returns "What the model looks at" from an `automl explain` run, or "" before one.

    `metadata["explanation"]` is what `automl explain` adds when it rewrites the card: the
    method, the most important features and one example explained.
    """
    explained = metadata.get("explanation") or {}
    top = explained.get("top") or []
    if not top:
        return ""
    chart = bar_chart_svg(
        "importance",
        [str(t.get("feature")) for t in top],
        [t.get("importance") for t in top],
        [t.get("spread") for t in top],
    )
    example = explained.get("example") or {}
    example_html = ""
    if example:
        example_html = (
            f"<h3>One example: row {escape(str(example.get('row')))}, predicted "
            f"{escape(str(example.get('prediction')))}</h3>"
            f'<p class="muted">{escape(str(example.get("method", "")))}</p>'
            + str(example.get("html", ""))
        )
    return (
        "<h2>What the model looks at</h2>"
        f"<p>{escape(str(explained.get('method', '')))}, on {fmt(explained.get('examples'))} "
        f"examples ({escape(str(explained.get('source', '')))}). "
        f"{escape(str(explained.get('meaning', '')))}</p>" + chart + example_html
    )


def _analysis_section(metadata: dict) -> str:
    """Returns per-class scores, ROC/PR, reliability, residuals by column, error by step."""
    body = evaluation_html((metadata.get("evaluation") or {}).get("analysis"))
    return f"<h2>How the model does on the test rows</h2>{body}" if body else ""


def _learning_curves_section(metadata: dict) -> str:
    """Returns one line chart per metric, training and validation curves together."""
    curves = metadata.get("learning_curves") or {}
    groups = _group_curves(curves)
    charts = [line_chart_svg(base, series) for base, series in groups.items()]
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
        parts.append(key_value_table(rows))
    if inputs:
        parts.append("<h3>Inputs</h3>" + _kind_sections(metadata).inputs_table(inputs))
    if ignored:
        parts.append("<h3>Ignored columns</h3>")
        header = "<tr><th>column</th><th>reason</th></tr>"
        body = "".join(
            f"<tr><td>{escape(str(c))}</td><td>{escape(str(r))}</td></tr>"
            for c, r in ignored.items()
        )
        parts.append(f"<table>{header}{body}</table>")
    return "".join(parts)


def _hyperparameters_section(metadata: dict) -> str:
    """Returns the chosen hyperparameters and the best search trial."""
    hyperparameters = metadata.get("hyperparameters") or {}
    best = metadata.get("best_trial") or {}
    if not (hyperparameters or best):
        return ""
    parts = ["<h2>Hyperparameters</h2>"]
    if hyperparameters:
        parts.append(key_value_table(sorted(hyperparameters.items(), key=lambda kv: kv[0])))
    if best:
        labels = [("trial_id", "trial"), ("score", "score"), ("best_epoch", "best epoch")]
        parts.append("<h3>Best trial</h3>")
        parts.append(key_value_table((label, best[k]) for k, label in labels if k in best))
    return "".join(parts)


def _export_check_section(metadata: dict) -> str:
    """Returns the sentence comparing the reloaded SavedModel with the trained model."""
    parity = metadata.get("parity")
    if not parity:
        return ""
    diff = parity.get("max_abs_diff")
    rows = parity.get("rows_compared")
    diff_text = f"{diff:.2g}" if finite(diff) else fmt(diff)
    rows_text = f" over {fmt(rows)} test rows" if rows is not None else ""
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


def _python_snippet(metadata: dict) -> str:
    """Returns the Python code that loads the SavedModel and predicts one row."""
    sections = _kind_sections(metadata)
    inputs = metadata.get("inputs") or []
    lines = [
        "import tensorflow as tf",
        "",
        'model = tf.saved_model.load("saved_model/1")',
        'out = model.signatures["serving_default"](**{',
    ]
    for spec in inputs:
        name = json.dumps(str(spec.get("input_name", "")))
        lines.append(f"    {name}: tf.constant([{json.dumps(sections.example_value(spec))}]),")
    if not inputs:
        lines.append("    # one entry per input: name -> tf.constant([value])")
    lines.append("})")
    lines += sections.output_lines(metadata)
    return "\n".join(lines)


def _curl_snippet(metadata: dict) -> str:
    """Returns the curl command that asks TensorFlow Serving's REST API for one prediction."""
    sections = _kind_sections(metadata)
    instance = {
        str(spec.get("input_name", "")): sections.example_value(spec)
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
    return "<h2>Versions</h2>" + key_value_table(rows)


def _kind_sections(metadata: dict) -> CardSections:
    """Returns the card parts of the export's kind; the plain ones for a kind not known here."""
    try:
        kind = modality_named(metadata.get("modality"))
    except AutoMLError:
        return CardSections()
    # `card` is optional on a Modality: a kind without one reads like a table.
    return getattr(kind, "card", None) or CardSections()
