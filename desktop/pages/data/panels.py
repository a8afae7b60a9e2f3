"""Small Data page widgets: the busy bar, a titled chart panel, the warnings list."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop import plots
from desktop.pages.data.progress import WorkProgress, progress_text

#: How often the busy bar reads the work's progress (the worker never signals it).
POLL_MS = 250


class BusyBar(QWidget):
    """A progress bar with a line of text, the time left and a Cancel button.

    Busy (no share known) until the work reports one; then the share done and the time
    left at the pace so far, read from its `WorkProgress` a few times a second.
    """

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.left = QLabel()
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop reading or profiling; the data shown now stays")
        self.cancel.clicked.connect(self.cancelled)
        self._progress: WorkProgress | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.refresh)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addWidget(self.left)
        layout.addWidget(self.cancel)
        self.hide()

    def start(self, text: str, progress: WorkProgress | None = None) -> None:
        """Shows `text` and follows `progress` (busy until it reports a share)."""
        self.text.setText(text)
        self._progress = progress
        self.refresh()
        self._timer.start()
        self.show()

    def refresh(self) -> None:
        """Shows the share done and the time left, as last reported."""
        progress = self._progress
        if progress is None or progress.fraction <= 0:
            self.bar.setRange(0, 0)  # busy: nothing reported yet
            self.left.clear()
            return
        self.bar.setRange(0, 1000)
        self.bar.setValue(round(progress.fraction * 1000))
        self.left.setText(progress_text(progress))

    def stop(self) -> None:
        self._timer.stop()
        self._progress = None
        self.hide()


class PlotPanel(QGroupBox):
    """A titled box with a caption and either a chart or a line saying why there is none."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.caption = QLabel(wordWrap=True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.plot = plots.new_plot()
        self.plot.setMinimumHeight(150)
        self.empty = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.empty.setEnabled(False)  # greyed: it is a hint, not data
        self.stack = QStackedWidget()
        self.stack.addWidget(self.plot)
        self.stack.addWidget(self.empty)
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)

    def show_histogram(self, caption: str, histogram: dict) -> None:
        self.caption.setText(caption)
        plots.histogram_plot(histogram["edges"], histogram["counts"], self.plot)
        self.stack.setCurrentWidget(self.plot)

    def show_bars(self, caption: str, labels: list[str], counts: list[int]) -> None:
        self.caption.setText(caption)
        plots.bar_plot(labels, counts, self.plot)
        self.stack.setCurrentWidget(self.plot)

    def show_nothing(self, caption: str, why: str) -> None:
        self.caption.setText(caption)
        self.empty.setText(why)
        self.stack.setCurrentWidget(self.empty)

    def show_column(self, column: dict) -> None:
        """Shows a profile column: its histogram or top values, and its numbers."""
        caption = column_caption(column)
        if column.get("histogram"):
            self.show_histogram(caption, column["histogram"])
        elif column.get("top_values"):
            labels, counts = zip(*column["top_values"], strict=True)
            self.show_bars(caption, list(labels), list(counts))
        else:
            self.show_nothing(caption, "No values to plot")

    def show_target(self, target: dict | None, column: dict | None) -> None:
        """Shows the target's class balance, or its histogram for regression."""
        if target is None:
            self.show_nothing("", "Choose a target: set a column's role to “target”")
            return
        caption = f"<b>{target['name']}</b>: {target['task']} ({target['reason']})"
        counts = target.get("class_counts") or {}
        if counts:
            self.show_bars(caption, list(counts), list(counts.values()))
        elif column is not None and column.get("histogram"):
            self.show_histogram(caption, column["histogram"])
        else:
            self.show_nothing(caption, "No classes to count")


def column_caption(column: dict) -> str:
    """Returns a rich-text summary of a profile column: kind, reason, counts and stats."""
    lines = [
        f"<b>{column['name']}</b>: {column['kind']} ({column['reason']})",
        f"missing {column['missing']:,} · distinct {column['distinct']:,}",
    ]
    if column.get("stats"):
        lines.append(" · ".join(f"{key} {value:.4g}" for key, value in column["stats"].items()))
    return "<br>".join(lines)


class WarningsList(QListWidget):
    """The profile's warnings with icons; activating one selects its column."""

    column_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.itemActivated.connect(self._emit_column)
        self.setToolTip("What to check in the data; press Enter on one to select its column")

    def show_warnings(self, warnings: list[dict]) -> None:
        self.clear()
        style = self.style()
        if not warnings:
            icon = style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton)
            self.addItem(QListWidgetItem(icon, "No warnings"))
            return
        icon = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for warning in warnings:
            item = QListWidgetItem(icon, warning["message"])
            item.setToolTip(f"{warning['kind']}: {warning['message']}")
            item.setData(Qt.ItemDataRole.UserRole, warning["column"])
            self.addItem(item)

    def _emit_column(self, item: QListWidgetItem) -> None:
        if item.data(Qt.ItemDataRole.UserRole):
            self.column_activated.emit(item.data(Qt.ItemDataRole.UserRole))


def boxed(title: str, widget: QWidget) -> QGroupBox:
    """Returns `widget` inside a titled group box."""
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    return box
