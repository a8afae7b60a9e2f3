"""A Qt table model over a pandas DataFrame that reads cells only when a view asks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

if TYPE_CHECKING:
    import pandas as pd

_Index = QModelIndex | QPersistentModelIndex


class DataFrameModel(QAbstractTableModel):
    """A read-only view of a DataFrame: nothing is copied into widgets.

    A view asks only for the cells on screen, so a million-row frame costs as much as a
    hundred-row one. Each column is turned into a numpy array (and a missing-value mask)
    the first time one of its cells is shown, because `frame.iloc[row]` builds a pandas
    Series per call and makes scrolling stutter.

    Example:
        >>> import pandas as pd
        >>> model = DataFrameModel(pd.DataFrame({"x": [1.5, None]}))
        >>> model.data(model.index(1, 0))
        ''
    """

    def __init__(self, frame: pd.DataFrame | None = None, parent=None) -> None:
        super().__init__(parent)
        # None until a table is shown: pandas is imported only once there is one.
        self._frame = frame
        self._columns: dict[int, tuple[Any, np.ndarray, bool]] = {}

    @property
    def frame(self) -> pd.DataFrame | None:
        return self._frame

    def set_frame(self, frame: pd.DataFrame | None) -> None:
        """Shows `frame` (None: an empty table)."""
        self.beginResetModel()
        self._frame = frame
        self._columns = {}
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() or self._frame is None else len(self._frame)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() or self._frame is None else self._frame.shape[1]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            values, missing, _ = self._column(index.column())
            if missing[index.row()]:
                return "" if role == Qt.ItemDataRole.DisplayRole else "missing"
            return str(values[index.row()])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = self._column(index.column())[2]
            horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if role == Qt.ItemDataRole.DisplayRole else None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(self._frame.columns[section])
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self._frame.columns[section]} ({self._frame.dtypes.iloc[section]})"
        return None

    def _column(self, column: int) -> tuple[Any, np.ndarray, bool]:
        """Returns (values, missing mask, is numeric) for `column`, computed once."""
        if column not in self._columns:
            import pandas as pd

            series = self._frame.iloc[:, column]
            dtype = series.dtype
            # Datetime arrays index to Timestamps, which print as dates, not nanoseconds.
            if pd.api.types.is_datetime64_any_dtype(dtype):
                values = series.array
            else:
                values = series.to_numpy()
            numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
            self._columns[column] = (values, np.asarray(series.isna()), numeric)
        return self._columns[column]
