"""The model card's inline SVG charts: learning curves and the residual plot.

Hand-written SVG, no plotting library: the card stays one self-contained page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from automl.export.card_html import finite

TRAIN_COLOUR = "#2563eb"
VAL_COLOUR = "#ea580c"


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


def line_chart_svg(title: str, series: dict[str, list]) -> str:
    """Returns an SVG line chart of `series` (name -> values per epoch), or "" if empty.

    Epochs are numbered from 1; None and non-finite values are skipped.
    """
    points = {
        name: [(i + 1, float(v)) for i, v in enumerate(values) if finite(v)]
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
        colour = VAL_COLOUR if name.startswith("val_") else TRAIN_COLOUR
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


def residual_svg(actual: Sequence, predicted: Sequence) -> str:
    """Returns an SVG scatter of residuals (actual - predicted) against predictions, or ""."""
    pairs = [
        (float(p), float(a) - float(p))
        for a, p in zip(actual, predicted, strict=False)
        if finite(a) and finite(p)
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
        f'<circle cx="{frame.x(x):.1f}" cy="{frame.y(y):.1f}" r="3" fill="{TRAIN_COLOUR}" '
        'fill-opacity="0.55"/>'
        for x, y in pairs
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="residuals">'
        f'<text x="{frame.left}" y="18" font-weight="600">Residuals</text>'
        + _axes_svg(frame, "predicted", "actual − predicted")
        + f'<line x1="{frame.left}" y1="{zero:.1f}" x2="{frame.right}" y2="{zero:.1f}" '
        f'stroke="{VAL_COLOUR}" stroke-width="1.5" stroke-dasharray="5 3"/>' + dots + "</svg>"
    )


def bar_chart_svg(
    title: str, labels: Sequence[str], values: Sequence[float], spreads: Sequence[float] = ()
) -> str:
    """Returns an SVG of horizontal bars, one per label (with a spread whisker), or "" if empty.

    Bars start at zero; a negative value (a column that helps when shuffled) draws leftwards.
    """
    rows = [(str(label), float(v)) for label, v in zip(labels, values, strict=False) if finite(v)]
    if not rows:
        return ""
    spread = [float(s) if finite(s) else 0.0 for s in spreads] + [0.0] * len(rows)
    label_width = min(220.0, max(_text_width(label) for label, _ in rows) + 12)
    width, bar, top = 640, 18, 30
    height = top + bar * len(rows) + 12
    low = min(0.0, min(v - s for (_, v), s in zip(rows, spread, strict=False)))
    high = max(0.0, max(v + s for (_, v), s in zip(rows, spread, strict=False))) or 1.0
    scale = (width - label_width - 70) / (high - low or 1.0)

    def x(value: float) -> float:
        return label_width + (value - low) * scale

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f'<text x="8" y="18" font-weight="600">{escape(title)}</text>',
    ]
    for i, ((label, value), s) in enumerate(zip(rows, spread, strict=False)):
        y = top + i * bar
        left, right = sorted((x(0.0), x(value)))
        parts.append(
            f'<text x="{label_width - 6:.1f}" y="{y + 13}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{left:.1f}" y="{y + 3}" width="{max(right - left, 0.5):.1f}" '
            f'height="{bar - 6}" fill="{TRAIN_COLOUR}"/>'
            f'<text x="{max(right, x(value + s)) + 4:.1f}" y="{y + 13}">{_tick_label(value)}</text>'
        )
        if s > 0:
            parts.append(
                f'<line x1="{x(value - s):.1f}" y1="{y + bar / 2}" x2="{x(value + s):.1f}" '
                f'y2="{y + bar / 2}" stroke="{VAL_COLOUR}" stroke-width="1.5"/>'
            )
    parts.append("</svg>")
    return "".join(parts)
