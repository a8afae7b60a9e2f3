"""The Export page's local explanation: what drove the prediction of the selected row.

Selecting a predicted row (or image, series, text) runs `automl explain MODEL DATA --out
DIR --rows N` in the engine's child process, then shows what it wrote for that row: a
row's column contributions or a series' per-step attributions as bars (from the CSV), an
image's overlay (PNG), a text's highlighted words (HTML). A row explained before is shown
from its folder without running the engine again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QLabel,
    QProgressBar,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.dialogs import show_error
from desktop.jobs import BackgroundJobs, LatestJob
from desktop.pages.export.engine_task import EngineTask
from desktop.pages.results.explain_folder import LocalView, read_local
from desktop.pages.results.explain_plots import bars_plot, explain_plot, steps_plot

HINT = "Select a predicted row to see what drove its prediction."


def row_folder(explain_dir: Path, data: Path, row: int) -> Path:
    """Returns where the explanation of `row` of the file `data` is written."""
    return Path(explain_dir) / "rows" / Path(data).stem / str(row)


class LocalExplanationView(QWidget):
    """One example's explanation: bars, an overlay picture or highlighted text."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._jobs = BackgroundJobs(self)  # first child: destroyed (waited for) first
        self._reading = LatestJob(self._jobs)
        self.task = EngineTask(self)
        self.shown: LocalView | None = None
        self._asked: tuple[Path, int] | None = None  # (folder, row) being explained
        self._queued: tuple[list[str], Path, int] | None = None

        self.title = QLabel(HINT)
        self.title.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(True)
        self.busy.setFormat("Explaining the row…")
        self.busy.hide()
        self.bars = explain_plot()
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QTextBrowser()
        self.text.setToolTip("The text's words, marked by how much each pushed the prediction")
        self.empty = QLabel()
        self.stack = QStackedWidget()
        for widget in (self.empty, self.bars, self.picture, self.text):
            self.stack.addWidget(widget)
        self.method = QLabel()
        self.method.setWordWrap(True)
        self.method.setObjectName("muted")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.busy)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.method)

        self.task.process.log.connect(lambda line: self.busy.setFormat(line.strip()[:70]))
        self.task.done.connect(self._explained)
        self.task.error.connect(self._failed)

    def explain_row(self, model_dir: Path, data: Path, row: int, explain_dir: Path) -> None:
        """Shows the explanation of `row` of `data`: read if there, else computed."""
        folder = row_folder(explain_dir, data, row)
        self._asked = (folder, row)
        arguments = ["explain", str(model_dir), str(data), "--out", str(folder)]
        arguments += ["--rows", str(row)]
        self.title.setText(f"Row {row}: explaining…")
        self._reading.run(
            lambda: read_local(folder, row),
            lambda view: self._found(view, arguments, folder, row),
            lambda error: self._failed(str(error)),
        )

    def _found(self, view: LocalView | None, arguments: list[str], folder: Path, row: int) -> None:
        if self._asked != (folder, row):
            return  # another row was selected meanwhile
        if view is not None:
            self._show(view)
            return
        if self.task.running:
            # The engine explains one row at a time: the latest selection goes next.
            self._queued = (arguments, folder, row)
            self.task.process.kill()
            return
        self._start(arguments)

    def _start(self, arguments: list[str]) -> None:
        self.busy.setFormat("Explaining the row…")
        self.busy.show()
        self.task.start(arguments)

    def _explained(self, _lines: list[str]) -> None:
        self.busy.hide()
        if self._asked is not None:
            folder, row = self._asked
            self._reading.run(
                lambda: read_local(folder, row),
                lambda view: self._show(view) if view else self._failed("nothing was written"),
                lambda error: self._failed(str(error)),
            )

    def _failed(self, message: str) -> None:
        self.busy.hide()
        if self._queued is not None:
            arguments, folder, row = self._queued
            self._queued = None
            if self._asked == (folder, row):
                self._start(arguments)
                return
        row = self._asked[1] if self._asked else None
        self.title.setText(f"Row {row}: could not be explained")
        self.stack.setCurrentWidget(self.empty)
        show_error(self, "Cannot explain the row", message)

    def _show(self, view: LocalView) -> None:
        self.shown = view
        self.title.setText(f"Row {view.row}: predicted {view.prediction}")
        self.method.setText(f"Method: {view.method}" if view.method else "")
        if view.images:
            pixmap = QPixmap(str(view.images[0]))
            self.picture.setPixmap(
                pixmap.scaled(
                    320,
                    320,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
            self.stack.setCurrentWidget(self.picture)
        elif view.pages:
            self.text.setHtml(view.pages[0].read_text(encoding="utf-8", errors="replace"))
            self.stack.setCurrentWidget(self.text)
        elif view.bars and all(label.isdigit() for label, _ in view.bars):
            # A series: its steps in time order, as a strip.
            steps_plot(
                f"Why {view.prediction}: {view.bars_of} per step",
                [int(label) for label, _ in view.bars],
                [value for _, value in view.bars],
                plot=self.bars,
                value_label=view.bars_of,
            )
            self.stack.setCurrentWidget(self.bars)
        elif view.bars:
            ordered = sorted(view.bars, key=lambda bar: -abs(bar[1]))  # the strongest first
            bars_plot(
                f"Why {view.prediction}",
                [label for label, _ in ordered],
                [value for _, value in ordered],
                plot=self.bars,
                value_label=view.bars_of,
            )
            self.stack.setCurrentWidget(self.bars)
        else:
            self.stack.setCurrentWidget(self.empty)
