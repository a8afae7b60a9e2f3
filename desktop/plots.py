"""Small pyqtgraph charts that follow the Qt palette: histograms and labelled bars."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

#: Bar labels longer than this are cut so neighbours do not overlap.
MAX_LABEL_CHARS = 12


def apply_palette() -> None:
    """Sets pyqtgraph's colours from the application palette (light or dark theme).

    pyqtgraph draws on black by default, which looks broken in a light theme; call this
    before creating plots (the helpers below do).
    """
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    pg.setConfigOptions(
        background=palette.color(QPalette.ColorRole.Base),
        foreground=palette.color(QPalette.ColorRole.Text),
        antialias=True,
    )


def accent_colour() -> QColor:
    """Returns the palette's highlight colour, used to fill bars."""
    app = QApplication.instance()
    palette = app.palette() if isinstance(app, QApplication) else QPalette()
    return palette.color(QPalette.ColorRole.Highlight)


def new_plot(parent=None) -> pg.PlotWidget:
    """Returns an empty, static PlotWidget in the palette's colours."""
    apply_palette()
    plot = pg.PlotWidget(parent)
    plot.setMouseEnabled(x=False, y=False)
    plot.setMenuEnabled(False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.2)
    return plot


def histogram_plot(
    edges: Sequence[float], counts: Sequence[int], plot: pg.PlotWidget | None = None
) -> pg.PlotWidget:
    """Returns `plot` (or a new one) showing one bar per bin between consecutive `edges`."""
    plot = plot if plot is not None else new_plot()
    plot.clear()
    plot.getAxis("bottom").setTicks(None)
    colour = accent_colour()
    bars = pg.BarGraphItem(
        x0=list(edges[:-1]),
        x1=list(edges[1:]),
        height=list(counts),
        brush=colour,
        pen=pg.mkPen(colour.darker(130)),
    )
    plot.addItem(bars)
    plot.enableAutoRange()
    return plot


def bar_plot(
    labels: Sequence[str], counts: Sequence[int], plot: pg.PlotWidget | None = None
) -> pg.PlotWidget:
    """Returns `plot` (or a new one) with one bar per label, the labels under the bars."""
    plot = plot if plot is not None else new_plot()
    plot.clear()
    colour = accent_colour()
    positions = list(range(len(labels)))
    bars = pg.BarGraphItem(
        x=positions,
        height=list(counts),
        width=0.7,
        brush=colour,
        pen=pg.mkPen(colour.darker(130)),
    )
    plot.addItem(bars)
    ticks = [(i, _short(str(label))) for i, label in zip(positions, labels, strict=True)]
    plot.getAxis("bottom").setTicks([ticks])
    plot.enableAutoRange()
    return plot


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
