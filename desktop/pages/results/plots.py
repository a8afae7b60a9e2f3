"""The Results page's plots: a trial's learning curves and regression residuals."""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from desktop.plots import new_plot

#: Line colours of training (solid) and validation (dashed) curves; readable on light and dark.
TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#ff7f0e"


class CurvesView(QWidget):
    """A trial's learning curves: loss beside the search objective, training and validation."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.loss_plot = new_plot()
        self.metric_plot = new_plot()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.loss_plot)
        layout.addWidget(self.metric_plot)
        for plot in (self.loss_plot, self.metric_plot):
            plot.setLabel("bottom", "epoch")
            # Without this a loss of 300000 is drawn as "3" with the scale only in a label.
            plot.getAxis("left").enableAutoSIPrefix(False)

    def show_curves(self, curves: dict[str, list[float]], metric: str) -> None:
        """Draws `loss`/`val_loss` and `metric`/`val_metric` from one trial's curves."""
        self._draw(self.loss_plot, "loss", curves)
        if metric not in curves:
            # The objective may be named differently in the curves; fall back to any metric.
            metric = next((k for k in curves if k != "loss" and not k.startswith("val_")), "")
        self._draw(self.metric_plot, metric, curves)

    @staticmethod
    def _draw(plot: pg.PlotWidget, name: str, curves: dict[str, list[float]]) -> None:
        plot.clear()
        series = (
            (name, TRAIN_COLOUR, Qt.PenStyle.SolidLine, "━ training"),
            (f"val_{name}", VALIDATION_COLOUR, Qt.PenStyle.DashLine, "╍ validation"),
        )
        # The key sits in the title: a legend inside the plot would hide the curves.
        key_text = "&nbsp;&nbsp;".join(
            f"<span style='color:{colour}'>{mark}</span>"
            for key, colour, _, mark in series
            if curves.get(key)
        )
        plot.setTitle(f"{name or 'no metric recorded'}&nbsp;&nbsp;{key_text}")
        for key, colour, style, _ in series:
            values = [v if v is not None else math.nan for v in curves.get(key, [])]
            if values:
                epochs = list(range(1, len(values) + 1))
                plot.plot(
                    epochs,
                    values,
                    pen=pg.mkPen(colour, width=2, style=style),
                    symbol="o",
                    symbolSize=5,
                    symbolBrush=colour,
                    symbolPen=None,
                )
        plot.enableAutoRange()


class ResidualsPlot(QWidget):
    """Regression residuals: actual minus predicted against predicted, with the zero line."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.plot = new_plot()
        self.plot.setTitle("residuals on the test rows")
        self.plot.setLabel("bottom", "predicted")
        self.plot.setLabel("left", "actual − predicted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def show_residuals(
        self, actual: list[float], predicted: list[float], title: str = "residuals on the test rows"
    ) -> None:
        """Draws one point per test row (per step ahead of each window, for a forecast)."""
        self.plot.setTitle(title)
        self.plot.clear()
        residuals = [a - p for a, p in zip(actual, predicted, strict=True)]
        self.plot.addItem(pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#888", width=1)))
        self.plot.addItem(
            pg.ScatterPlotItem(
                predicted, residuals, size=6, brush=pg.mkBrush(TRAIN_COLOUR), pen=None
            )
        )
        self.plot.enableAutoRange()
