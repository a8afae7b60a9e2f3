"""Writes an explanation: importance.csv, explain.json and explanations.html.

explanations.html is one self-contained page (inline CSS and SVG, PNGs beside it) that
shows everything the other files hold; sections from other analyses are appended in the
order given.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

from automl.experiment.files import write_json
from automl.explain.outputs import Explanation, Section
from automl.export.card_svg import bar_chart_svg

IMPORTANCE_FILE = "importance.csv"
JSON_FILE = "explain.json"
HTML_FILE = "explanations.html"
#: bars drawn per chart (the CSV has every feature)
CHART_BARS = 25

_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; color: #1e293b; max-width: 980px; margin: 0 auto;
  padding: 20px 28px; }
h2 { border-bottom: 1px solid #e2e8f0; padding-bottom: 4px; margin-top: 28px; }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #cbd5e1; padding: 3px 9px; text-align: left; }
svg { border: 1px solid #e2e8f0; border-radius: 4px; background: #fff; }
svg text { font-size: 11px; fill: #334155; }
.muted { color: #64748b; }
.pictures { display: flex; flex-wrap: wrap; gap: 10px; }
.pictures figure { margin: 0; }
"""


def write_explanation(
    explanation: Explanation, out: Path, model: str, data: str, extra: list[Section]
) -> dict:
    """Writes the three files into `out` and returns what explain.json holds."""
    out.mkdir(parents=True, exist_ok=True)
    table = explanation.sorted().importance
    partial = out / f".{IMPORTANCE_FILE}.partial"
    table.to_csv(partial, index=False)
    partial.replace(out / IMPORTANCE_FILE)
    record = _record(explanation, model, data, extra)
    write_json(out / JSON_FILE, record)
    html = _page(explanation, model, data, extra)
    partial = out / f".{HTML_FILE}.partial"
    partial.write_text(html, encoding="utf-8")
    partial.replace(out / HTML_FILE)
    return record


def _record(explanation: Explanation, model: str, data: str, extra: list[Section]) -> dict:
    """Returns explain.json: what was explained, with which method, checked how."""
    return {
        "model": model,
        "data": data,
        "examples": explanation.examples,
        "source": explanation.source,
        "importance": {
            "file": IMPORTANCE_FILE,
            "method": explanation.method,
            "meaning": explanation.meaning,
            "top": explanation.importance.head(10).to_dict(orient="records"),
        },
        "by_output": {
            name: table.head(10).to_dict(orient="records")
            for name, table in explanation.by_output.items()
        },
        "checks": explanation.checks,
        "rows": [
            {
                "row": local.row,
                "prediction": local.prediction,
                "method": local.method,
                "files": list(local.files),
                **local.record,
            }
            for local in explanation.local
        ],
        "sections": [
            {"title": s.title, **s.record} for s in [*explanation.sections, *extra] if s.record
        ],
    }


def _page(explanation: Explanation, model: str, data: str, extra: list[Section]) -> str:
    """Returns explanations.html."""
    table = explanation.importance.head(CHART_BARS)
    parts = [
        f"<h1>What the model looks at</h1><p class='muted'>model {escape(model)}<br>"
        f"data {escape(data)}: {explanation.examples} examples ({escape(explanation.source)})</p>",
        f"<h2>Global importance</h2><p>{escape(explanation.method)}. "
        f"{escape(explanation.meaning)}</p>",
        bar_chart_svg("importance", table["feature"], table["importance"], table["spread"]),
    ]
    if explanation.by_output:
        parts.append("<h2>Per output</h2><div class='pictures'>")
        for name, part in explanation.by_output.items():
            top = part.head(12)
            parts.append(bar_chart_svg(name, top["feature"], top["importance"], top["spread"]))
        parts.append("</div>")
    if explanation.checks:
        parts.append("<h2>Checks</h2><pre>" + escape(json.dumps(explanation.checks, indent=2)))
        parts.append("</pre>")
    for section in explanation.sections:
        parts.append(f"<h2>{escape(section.title)}</h2>{section.html}")
    if explanation.local:
        parts.append("<h2>Examples explained one by one</h2>")
        for local in explanation.local:
            parts.append(
                f"<h3>Row {local.row}: predicted {escape(local.prediction)}</h3>"
                f"<p class='muted'>{escape(local.method)}</p>{local.html}"
            )
    for section in extra:
        parts.append(f"<h2>{escape(section.title)}</h2>{section.html}")
    body = "\n".join(p for p in parts if p)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>Explanations</title><style>{_CSS}</style></head><body>\n{body}\n</body></html>\n"
    )
