"""A Qt table model of the trials of a running search, fed by its events."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from automl.experiment.events import TrialStarted
from automl.experiment.fold import TrialFold, TrialRecord

COLUMNS = ("trial", "status", "best", "epochs", "duration", "hyperparameters")
#: Columns shown only once a trial carries them (several families searched, a parallel
#: search): {column: the column it follows}.
OPTIONAL_COLUMNS = {"worker": "status", "family": "status", "folds": "best"}
TOOLTIPS = {
    "trial": "Keras Tuner's trial number",
    "worker": "the worker process that trained this trial (a parallel search, --workers N)",
    "family": "the model family this trial built (the tuner chooses it like a hyperparameter)",
    "status": "running, completed, failed, or interrupted (its search died before it ended)",
    "best": "best validation value of the objective so far in this trial (cross-validated: "
    "the mean over its folds)",
    "folds": "cross-validated trials: the spread (standard deviation) of the folds' scores, "
    "and the fold training now",
    "epochs": "epochs trained (early stopping may end a trial before the cap)",
    "duration": "wall-clock seconds the trial took",
    "hyperparameters": "the configuration this trial tried",
}


class TrialTableModel(QAbstractTableModel):
    """One row per trial, updated in place as events arrive."""

    def __init__(self, monitor: str = "", direction: str = "max", parent=None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []
        self._index: dict[str, int] = {}
        self.fold = TrialFold()
        self.monitor = monitor
        self.direction = direction
        self.columns = COLUMNS

    def reset(self, monitor: str, direction: str) -> None:
        self.beginResetModel()
        self.rows, self._index = [], {}
        self.fold = TrialFold()
        self.monitor, self.direction = monitor, direction
        self.columns = COLUMNS
        self.endResetModel()

    def take(self, event) -> None:
        """Updates the table from one engine event (folded as the engine folds them)."""
        trial = self.fold.take(event)
        if trial is None:
            return
        if getattr(event, "fold", None) is not None or getattr(event, "fold_scores", None):
            self._show_column("folds")  # a cross-validated search
        if isinstance(event, TrialStarted):
            # The first trial of a search over several families shows the family; the
            # first of a parallel search the worker.
            if "family" in event.hyperparameters:
                self._show_column("family")
            if event.worker:
                self._show_column("worker")
            if event.trial_id not in self._index:
                self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows))
                self._index[event.trial_id] = len(self.rows)
                self.rows.append(self._row(trial))
                self.endInsertRows()
                return
        elif trial.trial_id not in self._index:
            return  # a row appears with its trial's start
        # A resumed search starts its interrupted trial again: same row, running.
        self.rows[self._index[trial.trial_id]] = self._row(trial)
        self._changed(trial.trial_id)

    def _row(self, trial: TrialRecord) -> dict:
        """Returns the table's row for a trial: best so far while it runs, its score after."""
        best = trial.score if trial.status == "completed" else None
        if trial.status != "completed":
            for value in (epoch.get(self.monitor) for epoch in trial.history):
                if value is not None and (best is None or self._better(value, best)):
                    best = value
        status = f"failed: {trial.reason}" if trial.status == "failed" else trial.status
        return {
            "trial": trial.trial_id,
            "status": status,
            "worker": trial.worker or "",
            "best": best,
            "folds": _folds_text(trial),
            "epochs": trial.epochs,
            "duration": trial.duration_s if trial.status == "completed" else None,
            "hyperparameters": trial.hyperparameters,
        }

    def mark_unfinished(self, status: str) -> None:
        """Gives every trial still shown as running `status` (its search is gone)."""
        for row in self.rows:
            if row["status"] == "running":
                row["status"] = status
                self._changed(row["trial"])

    def _show_column(self, name: str) -> None:
        if name in self.columns:
            return
        columns = list(self.columns)
        columns.insert(columns.index(OPTIONAL_COLUMNS[name]) + 1, name)
        self.beginResetModel()
        self.columns = tuple(columns)
        self.endResetModel()

    def best_trial(self) -> str | None:
        done = [r for r in self.rows if r["status"] == "completed" and r["best"] is not None]
        if not done:
            return None
        pick = max if self.direction == "max" else min
        return pick(done, key=lambda r: r["best"])["trial"]

    def _better(self, value: float, than: float) -> bool:
        return value > than if self.direction == "max" else value < than

    def _changed(self, trial_id: str) -> None:
        row = self._index[trial_id]
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if column == "family":
            value = row["hyperparameters"].get("family", "")
            return str(value) if role == Qt.ItemDataRole.DisplayRole else None
        value = row[column]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "best":
                return "" if value is None else f"{value:.4f}"
            if column == "duration":
                return "" if value is None else f"{value:.1f} s"
            if column == "hyperparameters":
                shown = _without_family(value) if "family" in self.columns else value.items()
                return ", ".join(f"{k}={_short(v)}" for k, v in shown)
            return str(value)
        if role == Qt.ItemDataRole.ToolTipRole and column in ("hyperparameters", "status"):
            return str(value)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TOOLTIPS[self.columns[section]]
        return None


def _without_family(hyperparameters: dict) -> list[tuple[str, object]]:
    """Returns the hyperparameters but the family (it has its own column)."""
    return [(k, v) for k, v in hyperparameters.items() if k != "family"]


def _short(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _folds_text(trial: TrialRecord) -> str:
    """Returns "± 0.0310 (5 folds)" for a scored cross-validated trial, "fold 2" while running."""
    if len(trial.fold_scores) > 1:
        return f"± {trial.spread or 0.0:.4f} ({len(trial.fold_scores)} folds)"
    if trial.fold_scores:
        return "1 fold"
    return f"fold {trial.fold + 1}" if trial.status == "running" else ""
