"""The Results page's test evaluation tables: the confusion matrix and the worst mistakes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem

from automl.modalities.base import Traits
from desktop.pages.results.leaderboard import make_compact
from desktop.pages.results.texts import format_value


class ConfusionMatrixTable(QTableWidget):
    """A confusion matrix (rows: actual, columns: predicted), cells shaded by row share."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        make_compact(self)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.setToolTip("Rows: actual class. Columns: predicted class. Shade: share of the row.")

    def show_matrix(self, labels: list[str], matrix: list[list[int]]) -> None:
        """Fills the table; a darker cell holds more of its actual class's test rows."""
        self.clear()
        self.setRowCount(len(labels))
        self.setColumnCount(len(labels))
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        accent = palette.color(QPalette.ColorRole.Highlight)
        for i, label in enumerate(labels):
            total = sum(matrix[i])
            row_header = QTableWidgetItem(f"{label}")
            row_header.setToolTip(f"actual {label}: {total} test rows")
            self.setVerticalHeaderItem(i, row_header)
            column_header = QTableWidgetItem(label)
            column_header.setToolTip(
                f"predicted {label}: {sum(row[i] for row in matrix)} test rows"
            )
            self.setHorizontalHeaderItem(i, column_header)
            for j, count in enumerate(matrix[i]):
                share = count / total if total else 0.0
                item = QTableWidgetItem(str(count))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setBackground(_blend(base, accent, share))
                if share > 0.5:
                    item.setForeground(palette.color(QPalette.ColorRole.HighlightedText))
                item.setToolTip(f"actual {label}, predicted {labels[j]}: {count} ({share:.0%})")
                self.setItem(i, j, item)


class MistakesTable(QTableWidget):
    """The test rows the exported model got most wrong, with the row's own values."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        make_compact(self)
        self.setToolTip("The test rows the model got most wrong, with their values")
        self.verticalHeader().hide()  # the "row" column already numbers the data file's rows
        self.horizontalHeader().setStretchLastSection(True)

    def show_mistakes(
        self, mistakes: list[dict], target: str, traits: Traits | None = None
    ) -> None:
        """Fills one line per mistake: row, actual, predicted, confidence or error, values.

        `traits` are the data kind's (`automl.modalities.traits_of`): a forecast's actual
        and predicted values are lists, one per step ahead.
        """
        traits = traits or Traits()  # rows, no forecast
        self.clear()
        regression = any("error" in m for m in mistakes)
        score_name = "error" if regression else "confidence"
        value_names: dict[str, None] = {}
        for mistake in mistakes:
            value_names.update(dict.fromkeys(mistake.get("values") or {}))
        value_names.pop(target, None)  # already shown as "actual"
        headers = [
            ROW_HEADERS.get(traits.samples, ROW_HEADERS["rows"]),
            (
                "actual",
                f"the true next values of {target!r}, one per step ahead"
                if traits.forecasts
                else f"the true {target!r} of the row",
            ),
            ("predicted", "what the exported model predicted"),
            (
                score_name,
                "how far the prediction is from the actual value (absolute; for a forecast, "
                "the mean over the steps ahead)"
                if regression
                else "the model's probability for its (wrong) prediction",
            ),
            *(
                (name, VALUE_TIPS.get(name, f"the row's {name!r} as written in the data file"))
                for name in value_names
            ),
        ]
        self.setColumnCount(len(headers))
        self.setRowCount(len(mistakes))
        for column, (name, tip) in enumerate(headers):
            item = QTableWidgetItem(name)
            item.setToolTip(tip)
            self.setHorizontalHeaderItem(column, item)
        for row, mistake in enumerate(mistakes):
            cells = [
                mistake.get("row"),
                mistake.get("actual"),
                mistake.get("predicted"),
                mistake.get(score_name),
                *((mistake.get("values") or {}).get(name, "") for name in value_names),
            ]
            for column, value in enumerate(cells):
                self.setItem(row, column, QTableWidgetItem(format_value(value)))
        self.resizeColumnsToContents()


#: The first column of the mistakes table: what a test example is, by what the kind calls
#: its samples (`Traits.samples`).
ROW_HEADERS = {
    "rows": ("row", "the row's position in the data file (0 = first data row)"),
    "series": ("series", "the series' position in the data (0 = first)"),
    "windows": ("window", "the test window's number; 'origin' is its last observed time"),
}
#: Tooltips of the values the engine keeps beside a series' or a window's mistake.
VALUE_TIPS = {
    "origin": "the time of the window's last observed step: the forecast starts after it",
    "series": "which series the example comes from",
    "length": "the series' length in steps (without padding)",
}


def _blend(low: QColor, high: QColor, share: float) -> QColor:
    """Returns the colour `share` of the way from `low` to `high`."""
    share = min(max(share, 0.0), 1.0)
    return QColor(
        round(low.red() + (high.red() - low.red()) * share),
        round(low.green() + (high.green() - low.green()) * share),
        round(low.blue() + (high.blue() - low.blue()) * share),
    )
