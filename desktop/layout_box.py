"""The Data page's "Data layout" box: how a table file is read, when it is not a plain table.

A CSV can hold one example per row (the default), one series per row, series in long
format (one row per time step), or a column to forecast. The box only collects the choice
and says what went wrong; the page reads the file with the engine and the Search page
turns `StudioState.settings.layout` into command-line flags.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.state import LAYOUTS, DataLayout

#: Wait this long after the last change before reading the file again (typing in a spin box).
SETTLE_MS = 300
KIND_TIPS = {
    "table": "Each row is one example; the columns are its features",
    "series_per_row": "Each row is one series: the step columns in order, and a label column",
    "long": "One row per time step: an id column says which series, a time column the order",
    "forecast": "Predict the next values of a numeric column from its recent past",
}


class LayoutBox(QGroupBox):
    """Choose how the open table is read; emits `layout_chosen` once the choice settles."""

    layout_chosen = Signal(object, str)  # DataLayout, the label or forecast column

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Data layout", parent)
        self.kind = QComboBox(objectName="layoutKind")
        for key, text in LAYOUTS.items():
            self.kind.addItem(text, key)
            self.kind.setItemData(
                self.kind.count() - 1, KIND_TIPS[key], Qt.ItemDataRole.ToolTipRole
            )
        self.kind.setToolTip("How the rows of this file make examples")
        self.column_label = QLabel("Label column")
        self.column = QComboBox(objectName="layoutColumn")
        self.id_label = QLabel("Id column")
        self.id_column = QComboBox(objectName="layoutId")
        self.id_column.setToolTip("The column saying which series a row belongs to")
        self.time_label = QLabel("Time column")
        self.time_column = QComboBox(objectName="layoutTime")
        self.time_column.setToolTip("The column that orders the steps (numbers or dates)")
        self.lookback_label = QLabel("Lookback")
        self.lookback = _window_box("Past steps the model sees for each forecast")
        self.horizon_label = QLabel("Horizon")
        self.horizon = _window_box("Future steps it predicts at once")
        self.message = QLabel(wordWrap=True, objectName="layoutMessage")
        row = QHBoxLayout()
        row.addWidget(QLabel("Read as"))
        for widget in (
            self.kind,
            self.column_label,
            self.column,
            self.time_label,
            self.time_column,
            self.id_label,
            self.id_column,
            self.lookback_label,
            self.lookback,
            self.horizon_label,
            self.horizon,
        ):
            row.addWidget(widget)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(row)
        layout.addWidget(self.message)
        self._settle = QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._settle.timeout.connect(self._emit)
        self._filling = False
        self._hint: tuple[str, str] | None = None
        self._kinds: dict[str, str] = {}
        self.kind.currentIndexChanged.connect(self._kind_changed)
        for combo in (self.column, self.id_column, self.time_column):
            combo.currentIndexChanged.connect(self._changed)
        for box in (self.lookback, self.horizon):
            box.valueChanged.connect(self._changed)
        self._show_rows("table")

    # filled from the state ---------------------------------------------------------------

    def show_state(
        self,
        columns: dict[str, str],
        layout: DataLayout,
        target: str,
        hint: tuple[str, str] | None,
        problem: str = "",
    ) -> None:
        """Shows the state's layout for a table of `columns` (name -> kind).

        `hint` is (label, id) when the table looks like one series per row; `problem`
        says why the layout could not be read.
        """
        self._filling = True
        self._kinds, self._hint = dict(columns), hint
        names = list(columns)
        _fill(self.column, [(name, name) for name in names])
        _fill(self.id_column, [("(none)", ""), *((name, name) for name in names)])
        _fill(self.time_column, [("(file order)", ""), *((name, name) for name in names)])
        per_row = self.kind.model().item(list(LAYOUTS).index("series_per_row"))
        per_row.setEnabled(hint is not None or layout.kind == "series_per_row")
        per_row.setToolTip(
            KIND_TIPS["series_per_row"]
            if per_row.isEnabled()
            else "This table does not look like one series per row: that needs at least 10 "
            "numeric step columns numbered in order (t0, t1, …) besides the label"
        )
        self.kind.setCurrentIndex(list(LAYOUTS).index(layout.kind))
        _select(self.column, target)
        _select(self.id_column, layout.id_column)
        _select(self.time_column, layout.time_column)
        self.lookback.setValue(layout.lookback)
        self.horizon.setValue(layout.horizon)
        self._show_rows(layout.kind)
        self._filling = False
        self._settle.stop()
        if problem:
            self.show_problem(problem)
        else:
            self._show_hint(layout.kind)

    def show_problem(self, text: str) -> None:
        """Says why the chosen layout could not be read (the engine's message)."""
        self.message.setStyleSheet("color: #c0392b")
        self.message.setText(f"Not applied: {text}")
        self.message.show()

    def current(self) -> tuple[DataLayout, str]:
        """Returns the layout and column the widgets show."""
        kind = self.kind.currentData()
        forecast = kind == "forecast"
        return DataLayout(
            kind=kind,
            id_column=(self.id_column.currentData() or "") if kind != "table" else "",
            time_column=(self.time_column.currentData() or "")
            if kind in ("long", "forecast")
            else "",
            lookback=self.lookback.value() if forecast else 0,
            horizon=self.horizon.value() if forecast else 0,
        ), self.column.currentData() or ""

    # user changes ------------------------------------------------------------------------

    def _kind_changed(self) -> None:
        kind = self.kind.currentData()
        self._show_rows(kind)
        if self._filling:
            return
        self._filling = True  # defaults are part of this one change
        if kind == "series_per_row" and self._hint:
            _select(self.column, self._hint[0])
            _select(self.id_column, self._hint[1])
        elif kind == "forecast":
            numeric = [n for n, k in self._kinds.items() if k == "numeric"]
            if self._kinds.get(self.column.currentData()) != "numeric" and numeric:
                _select(self.column, numeric[-1])
            dates = [n for n, k in self._kinds.items() if k == "datetime"]
            if not self.time_column.currentData() and dates:
                _select(self.time_column, dates[0])
            # 0 reads as "auto": the page fills in a window that fits the series.
            self.lookback.setValue(0)
            self.horizon.setValue(0)
        self._filling = False
        self._changed()

    def _changed(self) -> None:
        if not self._filling:
            self.message.setStyleSheet("")
            self.message.setText("Reading…")
            self._settle.start()

    def _emit(self) -> None:
        layout, column = self.current()
        self.layout_chosen.emit(layout, column)

    # views -------------------------------------------------------------------------------

    def _show_rows(self, kind: str) -> None:
        forecast = kind == "forecast"
        self.column_label.setText("Column to forecast" if forecast else "Label column")
        self.column.setToolTip(
            "The numeric column whose future values are predicted"
            if forecast
            else "The column with each series' class or value"
        )
        self.id_label.setText("Series id" if forecast else "Id column")
        # Long format needs both columns; a forecast or one series per row does without.
        self.id_column.setItemText(
            0, {"forecast": "(one series)", "long": "(choose)"}.get(kind, "(none)")
        )
        self.time_column.setItemText(0, "(choose)" if kind == "long" else "(file order)")
        shown = {
            "table": (),
            "series_per_row": ("column", "id"),
            "long": ("column", "id", "time"),
            "forecast": ("column", "time", "id", "window"),
        }[kind]
        for name, widgets in (
            ("column", (self.column_label, self.column)),
            ("id", (self.id_label, self.id_column)),
            ("time", (self.time_label, self.time_column)),
            ("window", (self.lookback_label, self.lookback, self.horizon_label, self.horizon)),
        ):
            for widget in widgets:
                widget.setVisible(name in shown)

    def _show_hint(self, kind: str) -> None:
        self.message.setStyleSheet("")
        text = ""
        if kind == "table" and self._hint:
            text = (
                f"This table looks like one series per row (numbered step columns, labels in "
                f"{self._hint[0]!r}): choose “{LAYOUTS['series_per_row']}” to search "
                "sequence models."
            )
        elif kind == "forecast":
            text = (
                "The last part of the series is the test period, the part before it "
                "validation: no future value is seen in training."
            )
        self.message.setText(text)
        self.message.setVisible(bool(text))


def _window_box(tip: str) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 100_000)
    box.setSpecialValueText("auto")
    box.setSuffix(" steps")
    box.setToolTip(tip + " (auto: chosen to fit the series)")
    return box


def _fill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
    """Replaces `combo`'s items with (text, data) pairs, keeping the current data if present."""
    current = combo.currentData()
    combo.clear()
    for text, data in items:
        combo.addItem(text, data)
    _select(combo, current or "")


def _select(combo: QComboBox, data: str) -> None:
    index = combo.findData(data)
    if index >= 0:
        combo.setCurrentIndex(index)
