"""HTML pieces the model card is made of: formatted values, cells, tables, the confusion matrix."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from html import escape


def fmt(value: object) -> str:
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


def cell(value: object) -> str:
    """Returns a table cell for `value`, right-aligned when it is a number."""
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    return f'<td class="num">{fmt(value)}</td>' if numeric else f"<td>{fmt(value)}</td>"


def key_value_table(rows: Iterable[tuple[str, object]]) -> str:
    """Returns a two-column table of (escaped) names and formatted values."""
    body = "".join(f"<tr><th>{escape(str(k))}</th>{cell(v)}</tr>" for k, v in rows)
    return f"<table>{body}</table>"


def finite(value: object) -> bool:
    """Returns whether `value` is a plottable real number."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def confusion_table(labels: Sequence, matrix: Sequence[Sequence[int]]) -> str:
    """Returns the confusion matrix as an HTML table, cells shaded by row-normalised count."""
    names = [str(label) for label in labels]
    size = max(len(names), len(matrix))
    names += [str(i) for i in range(len(names), size)]
    header = '<tr><th class="corner">actual ↓ / predicted →</th>'
    header += "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>"
    rows = []
    for name, counts in zip(names, matrix, strict=False):
        total = sum(c for c in counts if finite(c)) or 1
        cells = "".join(_confusion_cell(c, c / total if finite(c) else 0.0) for c in counts)
        rows.append(f"<tr><th>{escape(name)}</th>{cells}</tr>")
    return f'<table class="confusion">{header}{"".join(rows)}</table>'


def _confusion_cell(count: object, share: float) -> str:
    """Returns one confusion cell, its blue background as strong as `share` of the row."""
    share = min(max(share, 0.0), 1.0)
    # White text once the background is dark enough that black would be hard to read.
    text = "#fff" if share > 0.55 else "#1e293b"
    return (
        f'<td style="background: rgba(37, 99, 235, {share:.3f}); color: {text}" '
        f'title="{share:.1%} of the row">{fmt(count)}</td>'
    )
