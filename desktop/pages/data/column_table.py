"""The Data page's column table: one row per column with its type and role combos."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from desktop.pages.data.choices import KINDS, LEFT_OUT_KINDS, ROLES, ColumnChoices


class ColumnTable(QTableWidget):
    """One row per column: name, type combo, role combo, missing and distinct counts."""

    type_chosen = Signal(str, str)  # column, kind
    role_chosen = Signal(str, str)  # column, role
    column_selected = Signal(str)

    HEADERS = ("Column", "Type", "Role", "Missing", "Distinct")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
        self.setToolTip(
            "Each column's type and role (feature, target or ignored); select one to see its chart"
        )
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().hide()
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for section in range(1, len(self.HEADERS)):
            header.setSectionResizeMode(section, QHeaderView.ResizeMode.ResizeToContents)
        self._names: list[str] = []
        self.currentCellChanged.connect(self._emit_selected)

    def show_columns(self, columns: list[dict], choices: ColumnChoices) -> None:
        """Shows `columns` (profile dicts) with `choices`; keeps widgets if the names match."""
        names = [c["name"] for c in columns]
        if names != self._names:
            self._build(names)
        for row, column in enumerate(columns):
            self._fill(row, column, choices)

    def select(self, name: str) -> None:
        """Makes column `name` the current row (and so the profiled one)."""
        if name in self._names:
            self.setCurrentCell(self._names.index(name), 0)

    def _build(self, names: list[str]) -> None:
        self.setRowCount(0)  # deletes the old combos
        self._names = names
        self.setRowCount(len(names))
        for row, name in enumerate(names):
            self.setItem(row, 0, QTableWidgetItem(name))
            kinds = QComboBox(objectName=f"type:{name}")
            kinds.addItems(KINDS)
            kinds.setToolTip("How the model reads this column")
            kinds.currentTextChanged.connect(lambda kind, n=name: self.type_chosen.emit(n, kind))
            self.setCellWidget(row, 1, kinds)
            roles = QComboBox(objectName=f"role:{name}")
            roles.addItems(ROLES)
            roles.setToolTip(
                "feature: the model reads it; target: what to predict; ignore: left out"
            )
            roles.currentTextChanged.connect(lambda role, n=name: self.role_chosen.emit(n, role))
            self.setCellWidget(row, 2, roles)
            for section in (3, 4):
                item = QTableWidgetItem()
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.setItem(row, section, item)

    def _fill(self, row: int, column: dict, choices: ColumnChoices) -> None:
        name, kind = column["name"], column["kind"]
        self.item(row, 0).setToolTip(f"{name}: {kind} ({column['reason']})")
        kinds: QComboBox = self.cellWidget(row, 1)
        roles: QComboBox = self.cellWidget(row, 2)
        kinds.setToolTip(
            f"How the model reads this column. The engine chose {kind}: {column['reason']}"
        )
        # Filling in the engine's answer is not a user's choice: no signals.
        for combo, text in ((kinds, kind), (roles, choices.role(name, kind))):
            combo.blockSignals(True)
            combo.setCurrentText(text)
            combo.blockSignals(False)
        feature = roles.model().item(ROLES.index("feature"))
        feature.setEnabled(kind not in LEFT_OUT_KINDS)
        feature.setToolTip(
            "Give the column a model type (numeric, categorical, boolean, text) to use it"
            if kind in LEFT_OUT_KINDS
            else ""
        )
        self.item(row, 3).setText(f"{column['missing']:,}")
        self.item(row, 4).setText(f"{column['distinct']:,}")

    def _emit_selected(self, row: int, *_: int) -> None:
        if 0 <= row < len(self._names):
            self.column_selected.emit(self._names[row])
