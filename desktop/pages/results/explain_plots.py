"""The Explain view's charts (pyqtgraph, palette colours): importance bars, curves with a
marked point, and parallel coordinates of trials coloured by score."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from desktop.pages.results.evaluation import _blend
from desktop.pages.results.plots import TRAIN_COLOUR, VALIDATION_COLOUR
from desktop.plots import MAX_LABEL_CHARS, accent_colour, new_plot

#: Bars shown of an importance chart: the rest are in importance.csv.
MAX_BARS = 12


def _palette() -> QPalette:
    app = QApplication.instance()
    return app.palette() if isinstance(app, QApplication) else QPalette()


def reference_pen() -> pg.QtGui.QPen:
    """Returns the dashed pen of reference lines (chance, perfect calibration, zero)."""
    colour = QColor(_palette().color(QPalette.ColorRole.Text))
    colour.setAlpha(120)
    return pg.mkPen(colour, width=1, style=Qt.PenStyle.DashLine)


def explain_plot() -> pg.PlotWidget:
    """Returns an empty plot whose axes show plain numbers (0.4, not "400 (x0.001)")."""
    plot = new_plot()
    for side in ("left", "bottom"):
        plot.getAxis(side).enableAutoSIPrefix(False)
    plot.setMinimumHeight(150)
    return plot


def bars_plot(
    title: str,
    labels: Sequence[str],
    values: Sequence[float],
    spread: Sequence[float] | None = None,
    plot: pg.PlotWidget | None = None,
    value_label: str = "",
) -> pg.PlotWidget:
    """Returns `plot` (or a new one) with a horizontal bar per label, the first on top.

    Negative values (a column that pushed the prediction down) point left; `spread` draws
    an error bar on each.
    """
    plot = plot if plot is not None else explain_plot()
    plot.clear()
    plot.setTitle(title)
    plot.setLabel("bottom", value_label)
    plot.showGrid(x=True, y=False, alpha=0.2)
    labels, values = list(labels)[:MAX_BARS], [_finite(v) for v in list(values)[:MAX_BARS]]
    rows = list(range(len(labels)))[::-1]  # the first label at the top
    colour = accent_colour()
    if labels:
        plot.addItem(
            pg.BarGraphItem(
                x0=0,
                y=rows,
                height=0.7,
                width=values,
                brush=colour,
                pen=pg.mkPen(colour.darker(130)),
            )
        )
        if spread is not None:
            widths = [_finite(s) for s in list(spread)[: len(labels)]]
            plot.addItem(
                pg.ErrorBarItem(
                    x=np.array(values),
                    y=np.array(rows, dtype=float),
                    width=np.array(widths) * 2,
                    pen=pg.mkPen(_palette().color(QPalette.ColorRole.Text)),
                )
            )
    ticks = [(r, _short(label)) for r, label in zip(rows, labels, strict=True)]
    left = plot.getAxis("left")
    left.setTicks([ticks])
    # pyqtgraph sizes the axis for numbers: make room for the longest name.
    metrics = plot.fontMetrics()
    left.setWidth(max([metrics.horizontalAdvance(t) for _, t in ticks] + [20]) + 16)
    plot.getAxis("bottom").enableAutoSIPrefix(False)
    plot.enableAutoRange()
    return plot


def steps_plot(
    title: str,
    steps: Sequence[float],
    values: Sequence[float],
    plot: pg.PlotWidget | None = None,
    value_label: str = "",
) -> pg.PlotWidget:
    """Returns `plot` with one upright bar per time step: a series' heat strip, in order."""
    plot = plot if plot is not None else explain_plot()
    plot.clear()
    plot.setTitle(title)
    plot.setLabel("bottom", "step")
    plot.setLabel("left", value_label)
    plot.getAxis("left").setTicks(None)
    plot.getAxis("left").setWidth(None)
    plot.getAxis("left").enableAutoSIPrefix(False)
    colour = accent_colour()
    plot.addItem(
        pg.BarGraphItem(
            x=list(steps), height=[_finite(v) for v in values], width=0.9, brush=colour, pen=None
        )
    )
    plot.enableAutoRange()
    return plot


def curve_plot(
    title: str,
    x_label: str,
    y_label: str,
    lines: Sequence[tuple[str, Sequence[float], Sequence[float]]] = (),
    dots: tuple[Sequence[float], Sequence[float]] | None = None,
    mark: tuple[float, float, str] | None = None,
    diagonal: bool = False,
    unit: bool = False,
    zero: bool = False,
    plot: pg.PlotWidget | None = None,
) -> pg.PlotWidget:
    """Returns `plot` (or a new one) with named `lines`, `dots`, a marked point, references.

    The first line takes the training colour and the second the validation colour of the
    learning curves; `diagonal` adds y = x, `unit` fixes both axes to 0..1 (rates and
    probabilities), and `zero` adds the line y = 0.
    """
    plot = plot if plot is not None else explain_plot()
    plot.clear()
    names = "&nbsp;&nbsp;".join(
        f"<span style='color:{colour}'>━ {name}</span>"
        for (name, *_), colour in zip(lines, (TRAIN_COLOUR, VALIDATION_COLOUR), strict=False)
        if name
    )
    plot.setTitle(f"{title}&nbsp;&nbsp;{names}")
    plot.setLabel("bottom", x_label)
    plot.setLabel("left", y_label)
    plot.getAxis("left").enableAutoSIPrefix(False)
    if diagonal:
        plot.plot([0, 1], [0, 1], pen=reference_pen())
    if zero:
        plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=reference_pen()))
    for (_name, xs, ys), colour in zip(lines, (TRAIN_COLOUR, VALIDATION_COLOUR), strict=False):
        plot.plot(list(xs), list(ys), pen=pg.mkPen(colour, width=2))
    if dots is not None:
        plot.addItem(
            pg.ScatterPlotItem(
                list(dots[0]), list(dots[1]), size=6, brush=pg.mkBrush(TRAIN_COLOUR), pen=None
            )
        )
    if mark is not None:
        x, y, label = mark
        plot.addItem(
            pg.ScatterPlotItem(
                [x], [y], size=12, brush=pg.mkBrush(VALIDATION_COLOUR), pen=pg.mkPen("w")
            )
        )
        text = pg.TextItem(label, color=_palette().color(QPalette.ColorRole.Text), anchor=(0, 0))
        text.setPos(x, y)
        plot.addItem(text)
    plot.getAxis("bottom").enableAutoSIPrefix(False)
    if unit or diagonal:
        plot.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.03)
    else:
        plot.enableAutoRange()
    return plot


def parallel_plot(
    parallel: dict | None, direction: str = "max", plot: pg.PlotWidget | None = None
) -> pg.PlotWidget:
    """Returns `plot` with one line per trial across the hyperparameter axes (from
    `ChoiceImportance.to_dict()["parallel"]`), darker in the accent colour for a better score."""
    plot = plot if plot is not None else explain_plot()
    plot.clear()
    plot.showGrid(x=False, y=False)
    plot.setTitle("Trials across the hyperparameters (darker: better score)")
    plot.getAxis("left").setTicks([[(0, "low"), (1, "high")]])
    if not parallel or not parallel.get("axes") or not parallel.get("scores"):
        plot.getAxis("bottom").setTicks([[]])
        return plot
    axes, scores = parallel["axes"], parallel["scores"]
    low, high = min(scores), max(scores)
    palette = _palette()
    base, accent = palette.color(QPalette.ColorRole.Base), accent_colour()
    order = sorted(range(len(scores)), key=lambda i: scores[i] * (1 if direction == "max" else -1))
    xs = list(range(len(axes)))
    for i in order:  # the best drawn last, on top
        share = (scores[i] - low) / (high - low) if high > low else 1.0
        good = share if direction == "max" else 1.0 - share
        colour = _blend(base, accent, 0.2 + 0.8 * good)
        plot.plot(xs, parallel["positions"][i], pen=pg.mkPen(colour, width=1.5))
    for x in xs:
        plot.addItem(pg.InfiniteLine(pos=x, angle=90, pen=reference_pen()))
    ticks, ranges = [], []
    for x, axis in zip(xs, axes, strict=True):
        ends = axis["choices"] if axis["choices"] else [f"{axis['low']:.3g}", f"{axis['high']:.3g}"]
        ranges.append(f"{axis['name']}: {ends[0]} (low) … {ends[-1]} (high)")
        # With many axes the ranges would overlap: they move to the tooltip.
        span = f"\n{ends[0]} … {ends[-1]}" if len(axes) <= 6 else ""
        ticks.append((x, f"{_short(axis['name'])}{span}"))
    plot.setToolTip(
        "One line per completed trial, darker for a better score.\n" + "\n".join(ranges)
    )
    bottom = plot.getAxis("bottom")
    bottom.setTicks([ticks])
    bottom.setHeight(2 * plot.fontMetrics().height() + 16)  # the name over its range
    plot.setRange(xRange=(-0.3, len(axes) - 0.7), yRange=(0, 1), padding=0.04)
    return plot


def _finite(value: float) -> float:
    return float(value) if value is not None and math.isfinite(value) else 0.0


def _short(label: str) -> str:
    label = str(label)
    return label if len(label) <= MAX_LABEL_CHARS + 6 else label[: MAX_LABEL_CHARS + 5] + "…"
