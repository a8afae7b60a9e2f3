"""The Data page's view of series (labelled, or a column to forecast): example curves per
class beside the numbers that matter.

An analyst looks here to see whether the classes differ at all (if the curves of two
classes look alike, no model will tell them apart) and what the search will be given:
how many series, how long, padded or not, how many dropped.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from automl.modalities.registry import traits_of
from desktop import plots
from desktop.series_data import EXAMPLES_PER_CLASS, SeriesGroup
from desktop.state import StudioState

#: One colour per class (matplotlib's tab10): distinct on light and dark backgrounds.
CLASS_COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)


class SeriesView(QSplitter):
    """Example series, one small chart per class (or the series of a forecast), and their
    summary.

    One chart per class, on shared axes, rather than every class in one chart: a class is
    a shape, and twenty overlaid noisy curves hide shapes.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        plots.apply_palette()
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumHeight(240)
        self.caption = QLabel(wordWrap=True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.feature = QComboBox()
        self.feature.setToolTip("Which feature of each step to draw")
        self.feature.currentIndexChanged.connect(self._draw)
        self.feature_row = QWidget()
        row = QHBoxLayout(self.feature_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Feature"))
        row.addWidget(self.feature)
        row.addStretch(1)
        self.plot_box = QGroupBox("Examples per class")
        plot_layout = QVBoxLayout(self.plot_box)
        plot_layout.addWidget(self.caption)
        plot_layout.addWidget(self.feature_row)
        plot_layout.addWidget(self.canvas, 1)

        self.facts = QLabel(wordWrap=True)
        self.facts.setObjectName("seriesSummary")
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.facts.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.balance = plots.new_plot()
        self.balance.setMinimumHeight(160)
        self.balance_box = QGroupBox("Series per class")
        balance_layout = QVBoxLayout(self.balance_box)
        balance_layout.addWidget(self.balance)
        facts_box = QGroupBox("Summary")
        facts_layout = QVBoxLayout(facts_box)
        facts_layout.addWidget(self.facts)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(facts_box)
        column.addWidget(self.balance_box, 1)
        column.addStretch(0)

        self.addWidget(self.plot_box)
        self.addWidget(right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 1)
        # The charts need the width; the summary reads well at ~400 px.
        self.setSizes([850, 400])
        self.groups: tuple[SeriesGroup, ...] = ()
        #: One chart per class; a forecast's series share one chart.
        self.panels: list[pg.PlotItem] = []
        #: class (or series) name -> its curves, for tests and highlighting.
        self.curve_groups: dict[str, list[pg.PlotDataItem]] = {}
        self._forecast = False
        self._x_label = "step"

    def show_series(self, summary: dict, groups: tuple[SeriesGroup, ...]) -> None:
        """Shows labelled series or a forecast's series (`desktop.series_data` output)."""
        self.groups = groups
        self._forecast = traits_of(summary["modality"]).forecasts
        names = [str(n) for n in summary.get("feature_names") or []]
        self.feature.blockSignals(True)
        self.feature.clear()
        self.feature.addItems(names[:1] if self._forecast else names)
        self.feature.blockSignals(False)
        self.feature_row.setVisible(not self._forecast and len(names) > 1)
        if self._forecast:
            self._show_forecast(summary)
        else:
            self._show_labelled(summary)
        self._draw()

    def show_data(self, state: StudioState) -> tuple[str, str]:
        """Returns the Data page's header line and tooltip for the open series (the curves
        come with `show_series`, when they are read)."""
        path = state.data_path
        return f"<b>{path.name}</b> — {series_status(state.sequences)}", str(path)

    def _show_labelled(self, summary: dict) -> None:
        counts = summary.get("class_counts") or {}
        shown = len(self.groups)
        self.plot_box.setTitle("Examples per class" if counts else "Examples")
        self._x_label = "step"
        more = f" ({shown} largest of {len(counts)} classes)" if len(counts) > shown else ""
        self.caption.setText(
            f"The first {EXAMPLES_PER_CLASS} series of each class{more}, on the same axes: "
            "classes whose curves look alike will be hard for a model to tell apart."
            if counts
            else "The first series; their labels are numbers, so the task is regression."
        )
        self.facts.setText(labelled_facts(summary))
        self.balance_box.setVisible(bool(counts))
        if counts:
            plots.bar_plot(list(counts), list(counts.values()), self.balance)

    def _show_forecast(self, summary: dict) -> None:
        self.plot_box.setTitle(f"{summary['target']} over time")
        self._x_label = (
            f"row (in {summary['time_column']} order)" if summary.get("time_column") else "row"
        )
        series = summary["series"]
        shown = len(self.groups)
        more = f"; the first {shown} of {series} series" if series > shown else ""
        when = " to ".join(summary.get("time_range") or [])
        self.caption.setText(f"{summary['target']!r} from {when}{more}, in time order.")
        self.facts.setText(forecast_facts(summary))
        self.balance_box.setVisible(False)

    def _draw(self) -> None:
        self.canvas.clear()
        self.panels, self.curve_groups = [], {}
        feature = max(0, self.feature.currentIndex())
        count = len(self.groups)
        columns = 1 if self._forecast or count <= 3 else 2 if count <= 8 else 3
        shared = self._panel(0, 0) if self._forecast else None
        if shared is not None:
            shared.addLegend(offset=(-10, 10))
        for index, group in enumerate(self.groups):
            colour = CLASS_COLOURS[index % len(CLASS_COLOURS)]
            label = f"{group.name} ({group.count:,})"
            panel = shared or self._panel(index // columns, index % columns)
            if shared is None:
                panel.setTitle(f"<span style='color:{colour}'>━</span> {label}")
            pen = pg.mkPen(colour, width=2 if self._forecast else 1.2)
            self.curve_groups[group.name] = [
                panel.plot(
                    list(range(len(curve))),
                    curve[:, min(feature, curve.shape[1] - 1)].tolist(),
                    pen=pen,
                    connect="finite",  # a missing value leaves a gap, not a line to 0
                    name=label if shared is not None else None,
                )
                for curve in group.curves
            ]
        self._share_axes(feature)

    def _share_axes(self, feature: int) -> None:
        """Gives every chart the range of all the curves, so heights compare across classes."""
        values = [
            curve[:, min(feature, curve.shape[1] - 1)]
            for group in self.groups
            for curve in group.curves
        ]
        finite = [v[np.isfinite(v)] for v in values]
        finite = [v for v in finite if len(v)]
        if not finite:
            return
        low = min(float(v.min()) for v in finite)
        high = max(float(v.max()) for v in finite)
        longest = max(len(v) for v in values)
        last_row = max(self.canvas.ci.layout.rowCount() - 1, 0)
        for number, panel in enumerate(self.panels):
            panel.setXRange(0, max(longest - 1, 1), padding=0.02)
            panel.setYRange(low, high if high > low else low + 1, padding=0.05)
            if number < len(self.panels) and panel not in self._row(last_row):
                panel.setLabel("bottom", "")

    def _row(self, row: int) -> list[pg.PlotItem]:
        layout = self.canvas.ci.layout
        items = (layout.itemAt(row, column) for column in range(layout.columnCount()))
        return [item for item in items if item is not None]

    def _panel(self, row: int, column: int) -> pg.PlotItem:
        """Returns a new static chart in the grid."""
        panel = self.canvas.addPlot(row=row, col=column)
        panel.setMouseEnabled(x=False, y=False)
        panel.setMenuEnabled(False)
        panel.hideButtons()
        panel.showGrid(x=False, y=True, alpha=0.2)
        panel.setLabel("bottom", self._x_label)
        self.panels.append(panel)
        return panel


def series_status(summary: dict) -> str:
    """Returns one line about series: how many, how long, how many classes (or the window).

    Example:
        >>> series_status({"modality": "series", "samples": 600, "min_length": 60,
        ...                "max_length": 80, "features": 1, "classes": 4})
        '600 series · 60–80 steps · 1 feature · 4 classes'
    """
    if traits_of(summary["modality"]).forecasts:
        return (
            f"{summary['series']:,} series to forecast · {summary['target']!r} "
            f"{summary['horizon']} steps ahead from {summary['lookback']} · "
            f"{summary['samples']:,} windows"
        )
    low, high = summary["min_length"], summary["max_length"]
    steps = f"{high:,} steps" if low == high else f"{low:,}–{high:,} steps"
    features = f"{summary['features']} feature{'s' if summary['features'] != 1 else ''}"
    what = f"{summary['classes']} classes" if summary["classes"] else "numeric labels"
    return f"{summary['samples']:,} series · {steps} · {features} · {what}"


def labelled_facts(summary: dict) -> str:
    """Returns the summary of labelled series as rich text, one fact per line."""
    steps, low, high = summary["steps"], summary["min_length"], summary["max_length"]
    length = f"{steps:,} steps" if low == high else f"{low:,} to {high:,} steps"
    padded = summary["padded"]
    names = summary.get("feature_names") or []
    counts = summary.get("class_counts") or {}
    lines = [
        f"<b>{summary['samples']:,}</b> series of {length}",
        f"<b>{summary['features']}</b> feature{'s' if summary['features'] != 1 else ''} per "
        f"step: {', '.join(map(str, names[:8]))}{'…' if len(names) > 8 else ''}",
    ]
    if counts:
        listed = ", ".join(f"{name} {count:,}" for name, count in list(counts.items())[:12])
        lines.append(f"<b>{len(counts)}</b> classes ({summary['task']}): {listed}")
    elif summary.get("label_range"):
        low_label, high_label = summary["label_range"]
        lines.append(f"Labels are numbers from {low_label:.4g} to {high_label:.4g}: regression")
    lines.append(
        f"{padded:,} series shorter than {steps:,} steps, padded at the end with NaN"
        if padded
        else "Every series has the same length: no padding"
    )
    if summary.get("missing_values"):
        lines.append(f"{summary['missing_values']:,} missing values inside series")
    lines.append(
        f"<b>{summary['dropped']:,}</b> series dropped: no label"
        if summary.get("dropped")
        else "No series dropped"
    )
    return "<br>".join(lines)


def forecast_facts(summary: dict) -> str:
    """Returns the summary of a forecast as rich text: series, window, periods, covariates."""
    lengths = summary["lengths"]
    rows = f"{lengths[0]:,}" if len(set(lengths)) == 1 else f"{min(lengths):,} to {max(lengths):,}"
    windows = summary["windows"]
    lines = [
        f"<b>{summary['series']:,}</b> series of {rows} rows"
        + (f", one per {summary['id_column']!r}" if summary.get("id_column") else ""),
        f"Forecast the next <b>{summary['horizon']}</b> values of {summary['target']!r} "
        f"from the last <b>{summary['lookback']}</b>",
        f"Windows: {windows['train']:,} train, {windows['validation']:,} validation, "
        f"{windows['test']:,} test (cut in time: the test period comes last)",
        "Covariates: " + (", ".join(summary["covariates"]) or "none"),
    ]
    for name, why in (summary.get("ignored") or {}).items():
        lines.append(f"Left out {name!r}: {why}")
    filled = summary.get("interpolated") or {}
    if filled:
        lines.append(
            "Gaps filled by interpolation: "
            + ", ".join(f"{name} {count:,}" for name, count in filled.items())
        )
    if summary.get("dropped_rows"):
        lines.append(f"{summary['dropped_rows']:,} rows without a value at the ends dropped")
    return "<br>".join(lines)


#: The Data page's preview of labelled series.
PREVIEW = SeriesView
