"""The Data page's view of a table: preview and columns beside the profile's charts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QSplitter, QTableView, QWidget

from desktop.pages.data.choices import ColumnChoices
from desktop.pages.data.column_table import ColumnTable
from desktop.pages.data.panels import PlotPanel, WarningsList, boxed
from desktop.table_model import DataFrameModel

if TYPE_CHECKING:
    import pandas as pd

    from desktop.state import StudioState

#: Widest a preview column starts (pixels); the user can widen it.
MAX_PREVIEW_WIDTH = 220


class TableProfileView(QSplitter):
    """The preview and the column table beside the selected column, the target and the
    warnings. It only shows: the page reacts to `columns`' signals."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.model = DataFrameModel(parent=self)
        self.preview = QTableView()
        self.preview.setToolTip("The first rows of the table as read")
        self.preview.setModel(self.model)
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectColumns)
        self.preview.horizontalHeader().sectionClicked.connect(self._on_preview_column_clicked)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        self.columns = ColumnTable()
        self.column_panel = PlotPanel("Selected column")
        self.target_panel = PlotPanel("Target")
        self.warnings = WarningsList()
        self.warnings.column_activated.connect(self.columns.select)

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(boxed("Preview", self.preview))
        left.addWidget(boxed("Columns", self.columns))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.column_panel)
        right.addWidget(self.target_panel)
        right.addWidget(boxed("Warnings", self.warnings))
        right.setSizes([300, 280, 220])
        self.addWidget(left)
        self.addWidget(right)
        self.setStretchFactor(0, 3)
        self.setStretchFactor(1, 2)
        # The preview needs the width; the charts read well at ~450 px.
        self.setSizes([700, 460])

    def show_frame(self, frame: pd.DataFrame | None) -> None:
        """Shows `frame`'s rows in the preview (None: empties it)."""
        self.model.set_frame(frame)
        # Qt measures only the first rows (resizeContentsPrecision), so this is cheap even
        # for a million rows; the cap keeps one long text column from taking the view.
        self.preview.resizeColumnsToContents()
        header = self.preview.horizontalHeader()
        for section in range(header.count()):
            header.resizeSection(section, min(header.sectionSize(section), MAX_PREVIEW_WIDTH))

    def show_data(self, state: StudioState) -> tuple[str, str]:
        """Shows the open table's rows; returns the Data page's header line and tooltip.

        The profile, column choices and charts follow from the page (`show_profile`),
        which owns the selected column."""
        frame, path = state.frame, state.data_path
        self.show_frame(frame)
        rows, columns = frame.shape
        return f"<b>{path.name}</b> — {rows:,} rows × {columns} columns", str(path)

    def show_choices(self, profile: dict | None, choices: ColumnChoices) -> None:
        """Shows `choices` in the column table for `profile`'s columns."""
        self.columns.show_columns(profile["columns"] if profile else [], choices)

    def show_profile(self, profile: dict, selected: str) -> None:
        """Shows `profile`'s warnings and target, and column `selected`'s chart."""
        self.warnings.show_warnings(profile["warnings"])
        target = profile.get("target")
        by_name = {c["name"]: c for c in profile["columns"]}
        self.target_panel.show_target(target, by_name.get(target["name"]) if target else None)
        self.columns.select(selected)
        self.show_column(profile, selected)

    def show_column(self, profile: dict | None, name: str) -> None:
        """Shows column `name` of `profile` in the "Selected column" panel."""
        column = next((c for c in (profile or {}).get("columns", []) if c["name"] == name), None)
        if column is None:
            self.column_panel.show_nothing("", "Select a column to see its values")
        else:
            self.column_panel.show_column(column)

    def _on_preview_column_clicked(self, section: int) -> None:
        self.columns.select(str(self.model.frame.columns[section]))


#: The Data page's preview of a table.
PREVIEW = TableProfileView
