"""The Experiments view: a project's experiments, to open on the Results page or resume.

The rows come from `automl.store.list_experiments` (read off the GUI thread by
`desktop.project_experiments.ExperimentLister`); the dialog only shows them and says what
the user asked for through its signals. The window decides what happens.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from automl.store.text import format_duration
from desktop.project_experiments import (
    score_text,
    started_at,
    stopped_at,
    trials_text,
)

_Index = QModelIndex | QPersistentModelIndex

#: (header, tooltip) of each column.
COLUMNS = (
    ("name", "the experiment's folder name"),
    (
        "status",
        "completed, stopped, deadline, failed, running, or interrupted (its search "
        "process died: Resume continues it)",
    ),
    ("task", "what the search predicts: binary, multiclass, regression, forecast"),
    ("tuner", "the Keras Tuner algorithm"),
    ("trials", "completed trials of the planned maximum (and failed ones)"),
    ("best score", "the best trial's validation value of the objective"),
    ("started", "when the search started (local time)"),
    (
        "duration",
        "how long it ran, export included; for an unfinished one, until its last sign of life",
    ),
)
#: A colour that reads on light and dark backgrounds, for searches that need attention.
INTERRUPTED_COLOUR = "#d35400"


class ExperimentsModel(QAbstractTableModel):
    """One row per experiment, newest first, as `automl.store.list_experiments` gives them."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.experiments: list[dict[str, Any]] = []

    def set_experiments(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.experiments = list(rows)
        self.endResetModel()

    def text(self, row: int, column: int) -> str:
        """Returns what a cell shows."""
        experiment = self.experiments[row]
        name = COLUMNS[column][0]
        if name == "trials":
            return trials_text(experiment)
        if name == "best score":
            return score_text(experiment)
        if name == "started":
            return started_at(experiment)
        if name == "duration":
            return format_duration(experiment.get("duration_s"))
        return str(experiment.get(name) or "")

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.experiments)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        experiment = self.experiments[index.row()]
        interrupted = experiment.get("status") == "interrupted"
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(index.row(), index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            if interrupted:
                return (
                    f"The search stopped before it ended (last active {stopped_at(experiment)}); "
                    "select it and press Resume to continue it"
                )
            if experiment.get("reason"):
                return f"{experiment['status']}: {experiment['reason']}"
            return str(experiment.get("path", ""))
        if role == Qt.ItemDataRole.ForegroundRole and interrupted and index.column() == 1:
            return QColor(INTERRUPTED_COLOUR)
        if role == Qt.ItemDataRole.FontRole and interrupted and index.column() == 1:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section][1]
        return None


class ExperimentsDialog(QDialog):
    """Lists a project's experiments; Open results shows one, Resume continues one.

    Signals:
        open_requested: an experiment folder to show on the Results page.
        resume_requested: an interrupted experiment folder to resume.
        refresh_requested: the user wants the list read again.
    """

    open_requested = Signal(object)
    resume_requested = Signal(object)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("experimentsDialog")
        self.setWindowTitle("Experiments")
        self.resize(980, 340)
        self.project: Path | None = None
        self.model = ExperimentsModel(self)
        self.heading = QLabel("No project open")
        self.heading.setWordWrap(True)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(lambda _: self._open())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._refresh_buttons())

        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the project's experiments again")
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.refresh_button.setAutoDefault(False)
        self.open_button = QPushButton("Open results")
        self.open_button.setToolTip("Show the selected experiment on the Results page")
        self.open_button.clicked.connect(self._open)
        self.open_button.setDefault(True)
        self.resume_button = QPushButton("Resume")
        self.resume_button.setToolTip(
            "Continue the selected interrupted search from the Search page: completed trials "
            "are kept, the running trial goes on from its last checkpoint"
        )
        self.resume_button.clicked.connect(self._resume)
        close_button = QPushButton("Close")
        close_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        for button in (self.open_button, self.resume_button, close_button):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self._refresh_buttons()

    def show_experiments(self, project: Path, rows: list[dict[str, Any]]) -> None:
        """Shows `project`'s experiments, keeping the selected one selected."""
        previous = self.selected()
        self.project = Path(project)
        self.model.set_experiments(rows)
        waiting = sum(row.get("status") == "interrupted" for row in rows)
        count = f"{len(rows)} experiment{'s' if len(rows) != 1 else ''}"
        if waiting:
            count += f", {waiting} interrupted (select one and press Resume)"
        if not rows:
            count = "no experiments yet: run a search from the Search page"
        self.heading.setText(f"<b>{self.project}</b>: {count}")
        self.setWindowTitle(f"Experiments — {self.project.name}")
        self.table.resizeColumnsToContents()
        names = [row["name"] for row in rows]
        if previous is not None and previous["name"] in names:
            self.select(previous["name"])
        elif rows:
            self.select(rows[0]["name"])
        self._refresh_buttons()

    def show_problem(self, project: Path, message: str) -> None:
        """Says why the project's experiments could not be listed."""
        self.project = Path(project)
        self.model.set_experiments([])
        self.heading.setText(f"<b>{self.project}</b>: cannot list the experiments: {message}")
        self._refresh_buttons()

    def select(self, name: str) -> None:
        """Selects the experiment called `name`."""
        for row, experiment in enumerate(self.model.experiments):
            if experiment["name"] == name:
                self.table.selectRow(row)
                return

    def selected(self) -> dict[str, Any] | None:
        """Returns the selected experiment's row, or None."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.experiments[rows[0].row()] if rows else None

    def _refresh_buttons(self) -> None:
        experiment = self.selected()
        self.open_button.setEnabled(experiment is not None)
        self.resume_button.setEnabled(
            experiment is not None and experiment.get("status") == "interrupted"
        )

    def _open(self) -> None:
        experiment = self.selected()
        if experiment is not None:
            self.accept()
            self.open_requested.emit(Path(experiment["path"]))

    def _resume(self) -> None:
        experiment = self.selected()
        if experiment is not None and experiment.get("status") == "interrupted":
            self.accept()
            self.resume_requested.emit(Path(experiment["path"]))
