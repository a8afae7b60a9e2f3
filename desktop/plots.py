"""Small pyqtgraph charts that follow the Qt palette: histograms and labelled bars."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

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


def restyle_plots(root: QWidget) -> int:
    """Returns how many plots under `root` were given the palette's colours again.

    For a palette changed while the window is open (the system switched to dark): plots
    take the palette when made, so the ones already shown are recoloured here.
    """
    apply_palette()
    background, foreground = pg.getConfigOption("background"), pg.getConfigOption("foreground")
    plots = root.findChildren(pg.PlotWidget)
    for plot in plots:
        plot.setBackground(background)
        for name in ("left", "bottom", "right", "top"):
            axis = plot.getAxis(name)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
    return len(plots)


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
    _add_bars(plot, x0=list(edges[:-1]), x1=list(edges[1:]), height=list(counts))
    plot.enableAutoRange()
    return plot


def bar_plot(
    labels: Sequence[str], counts: Sequence[int], plot: pg.PlotWidget | None = None
) -> pg.PlotWidget:
    """Returns `plot` (or a new one) with one bar per label, the labels under the bars."""
    plot = plot if plot is not None else new_plot()
    plot.clear()
    positions = list(range(len(labels)))
    _add_bars(plot, x=positions, height=list(counts), width=0.7)
    ticks = [(i, _short(str(label))) for i, label in zip(positions, labels, strict=True)]
    plot.getAxis("bottom").setTicks([ticks])
    plot.enableAutoRange()
    return plot


def _add_bars(plot: pg.PlotWidget, **geometry) -> None:
    """Adds bars placed by `geometry` (BarGraphItem's x/x0/x1/height/width) to `plot`.

    Every bar chart fills its bars with the accent colour and outlines them a shade darker.
    """
    colour = accent_colour()
    plot.addItem(pg.BarGraphItem(**geometry, brush=colour, pen=pg.mkPen(colour.darker(130))))


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
