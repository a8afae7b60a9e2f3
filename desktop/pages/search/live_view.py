"""The Search page's live view: the trials table, the running and best curves, the log."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QPlainTextEdit, QSplitter, QTableView, QWidget

from automl.experiment.events import EpochEnded, Event, SearchStarted, TrialEnded
from desktop.trial_table import TrialTableModel


class LiveSearchView(QSplitter):
    """What a running search shows: its trials, the running trial's curve beside the best
    one's, and the engine's standard error."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.trials = TrialTableModel(parent=self)
        self.curves: dict[str, list[float]] = {}
        #: cross-validated searches: the fold each trial's curve belongs to
        self.folds: dict[str, int | None] = {}
        self.monitor = ""
        self.table = QTableView()
        self.table.setToolTip("The trials so far: their settings, score and status")
        self.table.setModel(self.trials)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().hide()
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.addLegend(offset=(-10, 10))
        self.plot.setLabel("bottom", "epoch")
        self.running_curve = self.plot.plot(
            [], [], pen=pg.mkPen("#1f77b4", width=2), name="running trial"
        )
        self.best_curve = self.plot.plot(
            [], [], pen=pg.mkPen("#ff7f0e", width=2, style=Qt.PenStyle.DashLine), name="best so far"
        )
        self.log_view = QPlainTextEdit()
        self.log_view.setToolTip("The search's own messages, as the engine writes them")
        self.log_view.setReadOnly(True)
        self.log_view.setMaximumBlockCount(2000)
        self.log_view.setPlaceholderText("The search process's messages (standard error)")
        for widget in (self.table, self.plot, self.log_view):
            self.addWidget(widget)
        self.setSizes([300, 260, 140])

    def clear(self) -> None:
        """Empties the view for a new search."""
        self.trials.reset("", "max")
        self.curves.clear()
        self.folds.clear()
        self.log_view.clear()
        self.running_curve.setData([], [])
        self.best_curve.setData([], [])

    def take(self, event: Event) -> None:
        """Shows one engine event: a trial's row, an epoch's point, the best curve."""
        self.trials.take(event)
        if isinstance(event, SearchStarted):
            self.monitor = "val_loss" if event.objective == "log_loss" else f"val_{event.objective}"
            self.trials.monitor, self.trials.direction = self.monitor, event.direction
            self.plot.setLabel("left", self.monitor)
        elif isinstance(event, EpochEnded):
            value = event.metrics.get(self.monitor)
            if event.fold and self.folds.get(event.trial_id) != event.fold:
                # A cross-validated trial's next fold: its curve starts again at epoch 1.
                self.curves[event.trial_id] = []
            self.folds[event.trial_id] = event.fold
            self.curves.setdefault(event.trial_id, []).append(
                float("nan") if value is None else value
            )
            values = self.curves[event.trial_id]
            self.running_curve.setData(list(range(1, len(values) + 1)), values)
        elif isinstance(event, TrialEnded):
            best = self.trials.best_trial()
            if best in self.curves:
                values = self.curves[best]
                self.best_curve.setData(list(range(1, len(values) + 1)), values)
