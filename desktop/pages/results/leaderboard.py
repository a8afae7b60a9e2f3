"""The Results page's leaderboard: one row per trial, sortable by raw values."""

from __future__ import annotations

import math

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import QAbstractItemView

from desktop.pages.results.texts import format_value

_Index = QModelIndex | QPersistentModelIndex

#: The leaderboard's fixed columns: (report key, header, tooltip); hyperparameters follow.
LEADERBOARD_COLUMNS = (
    ("trial_id", "trial", "Keras Tuner's trial number, in the order trials started"),
    ("status", "status", "completed, failed (hover for the reason) or still running"),
    ("score", "score", "the trial's best validation value of the search objective"),
    ("best_epoch", "best epoch", "the epoch that reached the score; its weights were kept"),
    ("epochs", "epochs", "epochs trained; early stopping can end a trial before the cap"),
    ("duration_s", "duration", "wall-clock time the trial took, in seconds"),
)


def make_compact(view: QAbstractItemView) -> None:
    """Makes `view` read-only with rows one line of text high (the default wastes space)."""
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)


class LeaderboardModel(QAbstractTableModel):
    """One row per trial of a report's leaderboard: fixed columns, then every hyperparameter."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.trials: list[dict] = []
        self.hyperparameters: list[str] = []

    def set_trials(self, trials: list[dict]) -> None:
        """Shows `trials` (the report's leaderboard, best first)."""
        self.beginResetModel()
        self.trials = list(trials)
        names: dict[str, None] = {}  # a dict keeps first-seen order, unlike a set
        for trial in self.trials:
            names.update(dict.fromkeys(trial.get("hyperparameters") or {}))
        self.hyperparameters = list(names)
        self.endResetModel()

    def value(self, row: int, column: int) -> object:
        """Returns the raw value of a cell (None when the trial lacks it)."""
        trial = self.trials[row]
        if column < len(LEADERBOARD_COLUMNS):
            return trial.get(LEADERBOARD_COLUMNS[column][0])
        name = self.hyperparameters[column - len(LEADERBOARD_COLUMNS)]
        return (trial.get("hyperparameters") or {}).get(name)

    def sort_key(self, row: int, column: int) -> tuple:
        """Returns a key that orders numbers as numbers and puts missing values last."""
        value = self.value(row, column)
        if column == 0 and isinstance(value, str) and value.isdigit():
            value = int(value)  # trial "10" after trial "9"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return (2, 0.0, "")
        if isinstance(value, (int, float)):
            return (0, float(value), "")
        return (1, 0.0, str(value))

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.trials)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(LEADERBOARD_COLUMNS) + len(self.hyperparameters)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        value = self.value(index.row(), index.column())
        fixed = index.column() < len(LEADERBOARD_COLUMNS)
        key = LEADERBOARD_COLUMNS[index.column()][0] if fixed else ""
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "score" and value is not None:
                return score_text(self.trials[index.row()])
            if key == "duration_s" and self.trials[index.row()].get("status") == "running":
                return ""  # the engine reports 0 s until the trial ends
            if key == "duration_s" and value is not None:
                return f"{value:.1f} s"
            return format_value(value)
        if role == Qt.ItemDataRole.ToolTipRole and key == "score":
            folds = self.trials[index.row()].get("fold_scores")
            if folds:
                return "folds: " + ", ".join(f"{v:.4f}" for v in folds)
        if role == Qt.ItemDataRole.ToolTipRole and key == "status":
            reason = self.trials[index.row()].get("reason")
            return f"{value}: {reason}" if reason else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation != Qt.Orientation.Horizontal:
            return None
        fixed = section < len(LEADERBOARD_COLUMNS)
        name = (
            LEADERBOARD_COLUMNS[section][1]
            if fixed
            else self.hyperparameters[section - len(LEADERBOARD_COLUMNS)]
        )
        if role == Qt.ItemDataRole.DisplayRole:
            return name
        if role == Qt.ItemDataRole.ToolTipRole:
            if fixed:
                return LEADERBOARD_COLUMNS[section][2]
            return f"hyperparameter {name!r} as the tuner chose it (blank: not used by the trial)"
        return None


class LeaderboardProxy(QSortFilterProxyModel):
    """Sorts the leaderboard by raw values, so 10 comes after 9 and blanks stay last."""

    def lessThan(self, left: _Index, right: _Index) -> bool:
        source = self.sourceModel()
        return source.sort_key(left.row(), left.column()) < source.sort_key(
            right.row(), right.column()
        )


def score_text(trial: dict) -> str:
    """Returns a leaderboard row's score: with its folds' spread where there are several,
    and the estimate that ranks it when the deadline cut it short."""
    text = f"{trial['score']:.4f}"
    if trial.get("spread") is not None and len(trial.get("fold_scores") or []) > 1:
        text += f" ± {trial['spread']:.4f}"  # the mean over its folds, and their spread
    if trial.get("estimated_score") is not None:
        text += f" (cut short; est. {trial['estimated_score']:.4f})"
    return text
