"""The Data page: open a table, an image folder or series; preview, choose roles and layout.

Reading and profiling a file, scanning an image folder and decoding its thumbnails, or
reading series, can take seconds, so they run on a worker thread (`open_data`,
`profile_frame`, `desktop.series_data.read_series`: plain functions with no widgets,
testable alone); the page only decides where they run and what to show when
they finish. A newer request, or Cancel, abandons the result
of the one before: pandas cannot be interrupted, so its answer is simply not used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from automl.data.kinds import ColumnKind
from automl.errors import AutoMLError
from desktop import plots
from desktop.dialogs import show_error
from desktop.layout_box import LayoutBox
from desktop.series_data import LoadedSeries, guess_series_per_row, read_series
from desktop.series_view import SeriesView
from desktop.state import DataLayout, ProjectSettings, StudioState
from desktop.table_model import DataFrameModel
from desktop.thumbnails import (
    ImageGallery,
    ScannedImages,
    scan_with_thumbnails,
    skipped_tooltip,
    summary_text,
)

if TYPE_CHECKING:
    import pandas as pd

FILE_FILTER = (
    "Data (*.csv *.tsv *.txt *.parquet *.xlsx *.xls *.feather *.npz *.npy);;"
    "Tables (*.csv *.tsv *.txt *.parquet *.xlsx *.xls *.feather);;"
    "Series (*.npz *.npy);;All files (*)"
)
#: Widest a preview column starts (pixels); the user can widen it.
MAX_PREVIEW_WIDTH = 220
PLACEHOLDER = (
    "Open a CSV, Parquet or Excel file, series in a NumPy .npz/.npy file,\n"
    "or a folder of images with one sub-folder per class; or drop it here"
)
KINDS = tuple(kind.value for kind in ColumnKind)
ROLES = ("feature", "target", "ignore")
#: Kinds the engine leaves out of the model unless the user gives the column another type.
LEFT_OUT_KINDS = frozenset({ColumnKind.ID.value, ColumnKind.DATETIME.value})


# --- work done off the UI thread (no Qt) -------------------------------------------------


@dataclass(frozen=True)
class LoadedTable:
    """A table read from disk with its profile, ready for `StudioState.set_table`."""

    path: Path
    frame: pd.DataFrame
    profile: dict
    target: str  # the target the profile was made with; "" for none
    layout: DataLayout = field(default_factory=DataLayout)
    series: LoadedSeries | None = None  # what a series or forecast `layout` gave
    layout_problem: str = ""  # why `layout` could not be read
    series_hint: tuple[str, str] | None = None  # (label, id) if it looks like series per row


def profile_frame(frame: pd.DataFrame, column_types: Mapping[str, str], target: str) -> dict:
    """Returns `profile_table(...).to_dict()` for `frame` with the user's types and target.

    Raises:
        AutoMLError: a type override is invalid, or `target` cannot be a target.
    """
    # pandas and the profiler load on the worker thread, so the window opens fast.
    from automl.data.profile import profile_table
    from automl.data.schema import infer_schema

    schema = infer_schema(frame, dict(column_types))
    return profile_table(frame, schema, target or None).to_dict()


def load_table(path: Path, column_types: Mapping[str, str], target: str) -> LoadedTable:
    """Returns the table at `path` and its profile, keeping the choices that fit it.

    Raises:
        AutoMLError: the file cannot be read as a table.
    """
    from automl.data.loading import read_table

    frame = read_table(path)
    names = set(map(str, frame.columns))
    types = {name: kind for name, kind in column_types.items() if name in names}
    target = target if target in names else ""
    try:
        profile = profile_frame(frame, types, target)
    except AutoMLError:
        if not target:
            raise
        # The remembered target does not suit this file (one class, all missing): the
        # file is still worth opening, the user picks another target.
        profile, target = profile_frame(frame, types, ""), ""
    return LoadedTable(Path(path), frame, profile, target)


def open_data(
    path: Path,
    column_types: Mapping[str, str],
    target: str,
    layout: DataLayout | None = None,
) -> LoadedTable | ScannedImages | LoadedSeries:
    """Returns a loaded table, series from a NumPy file, or an image folder's scan.

    A table is also read with `layout` when that is not a plain table; if that fails, the
    table still opens and `layout_problem` says why.

    Raises:
        AutoMLError: the file is not a readable table or series file, or the folder not a
            usable image folder (an empty class folder, a single class, no images).
    """
    from automl.data.images import is_image_folder
    from automl.data.sequences import is_sequence_file

    path = Path(path)
    if path.is_dir():
        if is_image_folder(path):
            return scan_with_thumbnails(path)
        raise AutoMLError(
            f"{path} is a folder without class sub-folders of images; open a table file, or a "
            f"folder with one sub-folder of images per class"
        )
    if is_sequence_file(path):
        return read_series(path)
    table = load_table(path, column_types, target)
    table = replace(table, series_hint=guess_series_per_row(table.frame, target))
    layout = layout or DataLayout()
    if layout.kind == "table":
        return table
    try:
        series = read_series(path, layout, target)
    except AutoMLError as error:
        return replace(table, layout=layout, layout_problem=first_line(error))
    return replace(table, layout=series.layout, series=series)


def first_line(error: BaseException) -> str:
    """Returns the first line of `error`'s message, or its type name when it has none."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


@dataclass(frozen=True)
class ColumnChoices:
    """The user's column choices: target, explicitly ignored columns and type overrides."""

    target: str = ""
    ignored: tuple[str, ...] = ()
    column_types: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: ProjectSettings) -> ColumnChoices:
        return cls(settings.target, tuple(settings.ignored), dict(settings.column_types))

    def role(self, name: str, kind: str) -> str:
        """Returns "target", "ignore" or "feature": what the engine will do with column `name`."""
        if name == self.target:
            return "target"
        if name in self.ignored or kind in LEFT_OUT_KINDS:
            return "ignore"
        return "feature"

    def with_role(self, name: str, role: str) -> ColumnChoices:
        """Returns these choices with column `name` given `role`."""
        target = name if role == "target" else ("" if self.target == name else self.target)
        ignored = tuple(c for c in self.ignored if c != name)
        if role == "ignore":
            ignored += (name,)
        return replace(self, target=target, ignored=ignored)

    def with_type(self, name: str, kind: str) -> ColumnChoices:
        """Returns these choices with column `name` read as `kind`."""
        return replace(self, column_types={**self.column_types, name: kind})

    def matches(self, profile: dict | None) -> bool:
        """Returns whether `profile` was made with this target and these types."""
        if profile is None:
            return False
        target = (profile.get("target") or {}).get("name", "")
        kinds = {c["name"]: c["kind"] for c in profile["columns"]}
        return target == self.target and all(
            kinds.get(name, kind) == kind for name, kind in self.column_types.items()
        )


# --- running that work on a thread ---------------------------------------------------------


class _JobSignals(QObject):
    """Carries a job's outcome back to the UI thread (queued across threads)."""

    succeeded = Signal(int, object)
    failed = Signal(int, str)


class _Job(QRunnable):
    """Runs `work()` on a pool thread and reports through `signals` under `job_id`."""

    def __init__(self, job_id: int, work: Callable[[], object], signals: _JobSignals) -> None:
        super().__init__()
        self._job_id, self._work, self._signals = job_id, work, signals

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as error:  # any failure is the user's to see, first line only
            self._signals.failed.emit(self._job_id, first_line(error))
        else:
            self._signals.succeeded.emit(self._job_id, result)


@dataclass(frozen=True)
class _Pending:
    job_id: int
    on_success: Callable[[object], None]
    error_title: str
    on_failure: Callable[[str], None] | None = None  # instead of the error dialog


# --- widgets -------------------------------------------------------------------------------


class BusyBar(QWidget):
    """An indeterminate progress bar with a line of text and a Cancel button."""

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: pandas gives no progress to report
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop waiting; the data shown now stays")
        self.cancel.clicked.connect(self.cancelled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.text)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel)
        self.hide()

    def start(self, text: str) -> None:
        self.text.setText(text)
        self.show()

    def stop(self) -> None:
        self.hide()


class ColumnTable(QTableWidget):
    """One row per column: name, type combo, role combo, missing and distinct counts."""

    type_chosen = Signal(str, str)  # column, kind
    role_chosen = Signal(str, str)  # column, role
    column_selected = Signal(str)

    HEADERS = ("Column", "Type", "Role", "Missing", "Distinct")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.HEADERS), parent)
        self.setHorizontalHeaderLabels(self.HEADERS)
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


# --- the page ------------------------------------------------------------------------------


class DataPage(QWidget):
    """The Data step: open a table, preview it, set column types and roles, read the profile.

    Writes to `StudioState` through `set_table` (a table was loaded) and `set_roles` (the
    user changed the target, an ignored column or a type); refreshes itself from the
    state's `data_changed` and `roles_changed`, so other pages may change them too.
    """

    title = "Data"

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        # Created before the job signals so that, as the first child, the pool is
        # destroyed (waiting for its threads) before anything a thread reports through.
        self._pool = QThreadPool(self)
        self._signals = _JobSignals(self)
        self._signals.succeeded.connect(self._on_job_succeeded)
        self._signals.failed.connect(self._on_job_failed)
        self._next_job_id = 0
        self._pending: _Pending | None = None
        self._choices = ColumnChoices()
        self._selected = ""
        self._series_hint: tuple[str, str] | None = None  # the open table's, if any
        self._dialog: QFileDialog | None = None
        self.setAcceptDrops(True)
        self._build()
        state.data_changed.connect(self._on_data_changed)
        state.roles_changed.connect(self._on_roles_changed)
        if state.frame is not None:
            self._on_data_changed()

    # public API -------------------------------------------------------------------------

    def open_path(self, path: Path) -> None:
        """Starts loading a table, series file or image folder in the background; errors
        show a dialog."""
        path = Path(path)
        self.state.status.emit(f"Loading {path.name}…")
        choices = ColumnChoices.from_settings(self.state.settings)
        # The same file again (a project, a recent file) is read the way it was; a new
        # file starts as a plain table.
        same = self.state.data_path is not None and Path(self.state.data_path) == path
        layout = self.state.settings.layout if same else DataLayout()
        self._start(
            f"Loading {path.name}…",
            lambda: open_data(path, choices.column_types, choices.target, layout),
            self._commit_loaded,
            "Cannot open data",
        )

    def apply_layout(self, layout: DataLayout, column: str) -> None:
        """Reads the open table with `layout` in the background; a problem shows beside
        the layout choice, and the data shown so far stays."""
        path = self.state.data_path
        if path is None or self.state.frame is None:
            return
        if layout.kind == "table":
            self.state.set_layout(layout, self.state.settings.target, None)
            choices = ColumnChoices.from_settings(self.state.settings)
            if not choices.matches(self.state.profile):
                self._reprofile(choices)  # the series' label column is now the target
            return
        self._start(
            f"Reading as {LAYOUT_WORDS[layout.kind]}…",
            lambda: read_series(path, layout, column),
            self._commit_layout,
            "Cannot read this layout",
            on_failure=self._layout_failed,
        )

    def choose_folder(self) -> None:
        """Shows a non-blocking folder dialog; the chosen image folder is opened."""
        folder = self.state.data_path.parent if self.state.data_path else Path.cwd()
        self._dialog = QFileDialog(self, "Open image folder", str(folder))
        self._dialog.setFileMode(QFileDialog.FileMode.Directory)
        self._dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self._dialog.fileSelected.connect(lambda name: self.open_path(Path(name)))
        self._dialog.open()

    def choose_file(self) -> None:
        """Shows a non-blocking file dialog; the chosen file is opened."""
        folder = self.state.data_path.parent if self.state.data_path else Path.cwd()
        self._dialog = QFileDialog(self, "Open data", str(folder), FILE_FILTER)
        self._dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self._dialog.fileSelected.connect(lambda name: self.open_path(Path(name)))
        self._dialog.open()

    @property
    def busy(self) -> bool:
        """Whether a load or profile is running."""
        return self._pending is not None

    # layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.open_button = QPushButton("&Open data…")
        self.open_button.setToolTip(
            "Open a CSV, TSV, Parquet, Excel or Feather file, or series in a NumPy .npz/.npy"
        )
        self.open_button.clicked.connect(self.choose_file)
        self.folder_button = QPushButton("Open &image folder…")
        self.folder_button.setToolTip(
            "Open a folder with one sub-folder of images (JPEG, PNG, BMP, GIF) per class"
        )
        self.folder_button.clicked.connect(self.choose_folder)
        self.file_label = QLabel()
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # Cut rather than widen the window when the busy bar shares the row.
        self.file_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.layout_box = LayoutBox()
        self.layout_box.layout_chosen.connect(self.apply_layout)
        self.layout_box.hide()
        self.busy_bar = BusyBar()
        self.busy_bar.cancelled.connect(self._cancel)
        top = QHBoxLayout()
        top.addWidget(self.open_button)
        top.addWidget(self.folder_button)
        top.addWidget(self.file_label, 1)
        top.addWidget(self.busy_bar)

        self.placeholder = QLabel(PLACEHOLDER, alignment=Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = self.placeholder.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.placeholder.setFont(font)
        self.model = DataFrameModel(parent=self)
        self.preview = QTableView()
        self.preview.setModel(self.model)
        self.preview.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectColumns)
        self.preview.horizontalHeader().sectionClicked.connect(self._on_preview_column_clicked)
        self.preview.verticalHeader().setDefaultSectionSize(22)
        self.columns = ColumnTable()
        self.columns.type_chosen.connect(self._on_type_chosen)
        self.columns.role_chosen.connect(self._on_role_chosen)
        self.columns.column_selected.connect(self._on_column_selected)
        self.column_panel = PlotPanel("Selected column")
        self.target_panel = PlotPanel("Target")
        self.warnings = WarningsList()
        self.warnings.column_activated.connect(self.columns.select)

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(_boxed("Preview", self.preview))
        left.addWidget(_boxed("Columns", self.columns))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.column_panel)
        right.addWidget(self.target_panel)
        right.addWidget(_boxed("Warnings", self.warnings))
        right.setSizes([300, 280, 220])
        content = QSplitter(Qt.Orientation.Horizontal)
        content.addWidget(left)
        content.addWidget(right)
        content.setStretchFactor(0, 3)
        content.setStretchFactor(1, 2)
        # The preview needs the width; the charts read well at ~450 px.
        content.setSizes([700, 460])
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        self.stack.addWidget(content)
        self.stack.addWidget(self._build_image_view())
        self.series_view = SeriesView()
        self.stack.addWidget(self.series_view)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.layout_box)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.open_button, self.preview)
        self.setTabOrder(self.preview, self.columns)
        self.setTabOrder(self.columns, self.warnings)

    def _build_image_view(self) -> QWidget:
        """Returns the view for an image folder: thumbnails per class beside the balance."""
        self.gallery = ImageGallery()
        self.balance_panel = PlotPanel("Class balance")
        self.image_notes = QLabel(wordWrap=True)
        self.image_notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.image_notes.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.balance_panel, 1)  # the chart takes the spare height
        column.addWidget(_boxed("How the search reads it", self.image_notes))
        view = QSplitter(Qt.Orientation.Horizontal)
        view.addWidget(_boxed("Classes (a sample of each)", self.gallery))
        view.addWidget(right)
        view.setStretchFactor(0, 3)
        view.setStretchFactor(1, 1)
        # Twelve thumbnails per class need ~760 px; the balance chart reads well at ~380.
        view.setSizes([850, 380])
        return view

    # background jobs ----------------------------------------------------------------------

    def _start(
        self,
        text: str,
        work: Callable[[], object],
        on_success: Callable[[object], None],
        error_title: str,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        """Runs `work` on the pool; a job started earlier is abandoned.

        A failure shows an error dialog titled `error_title`, or goes to `on_failure`.
        """
        self._next_job_id += 1
        self._pending = _Pending(self._next_job_id, on_success, error_title, on_failure)
        self.busy_bar.start(text)
        self._pool.start(_Job(self._next_job_id, work, self._signals))

    def _finish(self, job_id: int) -> _Pending | None:
        """Returns the pending job if `job_id` is it (and clears it), else None."""
        pending = self._pending
        if pending is None or pending.job_id != job_id:
            return None  # cancelled or superseded: its result is not wanted
        self._pending = None
        self.busy_bar.stop()
        return pending

    def _on_job_succeeded(self, job_id: int, result: object) -> None:
        pending = self._finish(job_id)
        if pending is not None:
            pending.on_success(result)

    def _on_job_failed(self, job_id: int, message: str) -> None:
        pending = self._finish(job_id)
        if pending is None:
            return
        self.state.status.emit(f"{pending.error_title}: {message}")
        if pending.on_failure is not None:
            pending.on_failure(message)
            return
        show_error(self, pending.error_title, message)
        self._refresh_columns()  # a rejected choice reverts

    def _cancel(self) -> None:
        self._pending = None
        self.busy_bar.stop()
        self.state.status.emit("Cancelled")
        self._refresh_columns()

    def _commit_loaded(self, loaded: LoadedTable | ScannedImages | LoadedSeries) -> None:
        if isinstance(loaded, ScannedImages):
            self._commit_images(loaded)
        elif isinstance(loaded, LoadedSeries):
            self._commit_series(loaded)
        else:
            self._commit_table(loaded)

    def _commit_series(self, loaded: LoadedSeries) -> None:
        # The example curves live in the page, not the state: they are for this view only.
        self.series_view.show_series(loaded.summary, loaded.groups)
        self.state.set_sequences(loaded.path, loaded.summary)
        self.state.status.emit(f"Loaded {series_status(loaded.summary)}")

    def _commit_layout(self, loaded: LoadedSeries) -> None:
        self.series_view.show_series(loaded.summary, loaded.groups)
        self.state.set_layout(loaded.layout, loaded.target, loaded.summary)
        self.state.status.emit(f"Read {series_status(loaded.summary)}")

    def _layout_failed(self, message: str) -> None:
        # The view keeps the data read before; the Search page will not start until the
        # layout reads (or the user goes back to a table).
        self.state.layout_problem = message
        self.layout_box.show_problem(message)

    def _commit_images(self, scanned: ScannedImages) -> None:
        summary = scanned.summary
        # The thumbnails live in the page, not the state: they are pixels for this view only.
        self.gallery.show_classes(scanned.classes, summary["files"])
        self.state.set_images(scanned.path, summary)
        self.state.status.emit(
            f"Loaded {summary['files']:,} images in {len(summary['class_names'])} classes"
        )

    def _commit_table(self, loaded: LoadedTable) -> None:
        self._series_hint = loaded.series_hint
        series = loaded.series
        if series is not None:
            self.series_view.show_series(series.summary, series.groups)
        self.state.set_table(
            loaded.path,
            loaded.frame,
            loaded.profile,
            layout=loaded.layout,
            sequences=series.summary if series else None,
            layout_problem=loaded.layout_problem,
        )
        settings = self.state.settings
        # A series or forecast layout keeps its own column as the target.
        if loaded.layout.kind == "table" and settings.target != loaded.target:
            self.state.set_roles(loaded.target, settings.ignored, settings.column_types)
        rows, columns = loaded.frame.shape
        read = f"; read as {series_status(series.summary)}" if series else ""
        self.state.status.emit(f"Loaded {rows:,} rows × {columns} columns{read}")

    def _commit_roles(self, choices: ColumnChoices, profile: dict) -> None:
        # The profile first: roles_changed listeners read it.
        self.state.profile = profile
        self.state.set_roles(choices.target, list(choices.ignored), dict(choices.column_types))
        self.state.status.emit("Profile updated")

    def _reprofile(self, choices: ColumnChoices) -> None:
        frame = self.state.frame
        if frame is None:
            return
        self._choices = choices
        what = f"target {choices.target}" if choices.target else "no target"
        self.state.status.emit(f"Profiling with {what}…")
        self._start(
            f"Profiling with {what}…",
            lambda: profile_frame(frame, choices.column_types, choices.target),
            lambda profile: self._commit_roles(choices, profile),
            "Cannot use this choice",
        )

    # slots: user choices --------------------------------------------------------------------

    def _on_role_chosen(self, name: str, role: str) -> None:
        self._reprofile(self._choices.with_role(name, role))

    def _on_type_chosen(self, name: str, kind: str) -> None:
        self._reprofile(self._choices.with_type(name, kind))

    def _on_column_selected(self, name: str) -> None:
        self._selected = name
        self._show_selected_column()

    def _on_preview_column_clicked(self, section: int) -> None:
        self.columns.select(str(self.model.frame.columns[section]))

    # slots: state changes -------------------------------------------------------------------

    def _on_data_changed(self) -> None:
        self._show_layout()
        if self.state.modality == "image":
            self._show_images()
            return
        if self.state.modality in ("series", "forecast"):
            self._show_series()
            return
        frame, profile = self.state.frame, self.state.profile
        self.model.set_frame(frame)
        # Qt measures only the first rows (resizeContentsPrecision), so this is cheap even
        # for a million rows; the cap keeps one long text column from taking the view.
        self.preview.resizeColumnsToContents()
        header = self.preview.horizontalHeader()
        for section in range(header.count()):
            header.resizeSection(section, min(header.sectionSize(section), MAX_PREVIEW_WIDTH))
        self.stack.setCurrentIndex(0 if frame is None else 1)
        path = self.state.data_path
        if frame is None or path is None:
            self.file_label.clear()
            return
        self.file_label.setText(
            f"<b>{path.name}</b> — {frame.shape[0]:,} rows × {frame.shape[1]} columns"
        )
        self.file_label.setToolTip(str(path))
        names = [c["name"] for c in profile["columns"]] if profile else []
        if self._selected not in names:
            self._selected = _first_numeric(profile) if profile else ""
        self._refresh_profile()

    def _show_layout(self) -> None:
        """Shows the layout choice for a table file (not for NumPy files nor images)."""
        state = self.state
        self.layout_box.setVisible(state.frame is not None)
        if state.frame is None or state.profile is None:
            return
        kinds = {c["name"]: c["kind"] for c in state.profile["columns"]}
        self.layout_box.show_state(
            kinds,
            state.settings.layout,
            state.settings.target,
            self._series_hint,
            state.layout_problem,
        )

    def _show_series(self) -> None:
        """Shows series (from a NumPy file or the table read as series): curves and summary."""
        summary, path = self.state.sequences, self.state.data_path
        if self.state.frame is None:
            self.model.set_frame(None)  # the table views keep no stale rows behind the scenes
        self.stack.setCurrentWidget(self.series_view)
        self.file_label.setText(f"<b>{path.name}</b> — {series_status(summary)}")
        self.file_label.setToolTip(str(path))

    def _show_images(self) -> None:
        """Shows the open image folder: summary line, class balance and how it is used."""
        summary, path = self.state.images, self.state.data_path
        self.model.set_frame(None)  # the table views keep no stale rows behind the scenes
        self.stack.setCurrentIndex(2)
        self.file_label.setText(f"<b>{path.name}</b> — {summary_text(summary)}")
        self.file_label.setToolTip("\n\n".join(filter(None, (str(path), skipped_tooltip(summary)))))
        counts = summary["counts"]
        self.balance_panel.show_bars(
            f"Images per class: {min(counts.values()):,} to {max(counts.values()):,}",
            list(counts),
            list(counts.values()),
        )
        height, width = summary["image_size"]
        self.image_notes.setText(
            "Each sub-folder is a class, so there is no target column to choose. "
            f"The search trains convolutional networks on images resized to {height}×{width} "
            f"with {summary['channels']} channel{'s' if summary['channels'] > 1 else ''}; "
            "the exported model decodes and resizes any image itself."
            + (
                f"<br><br><b>{summary['skipped']:,} files skipped</b> (not images); "
                "hover the file name above for the reasons."
                if summary["skipped"]
                else ""
            )
        )

    def _on_roles_changed(self) -> None:
        self._show_layout()  # the target is also a series' label or the forecast column
        choices = ColumnChoices.from_settings(self.state.settings)
        if self.state.frame is not None and not choices.matches(self.state.profile):
            self._reprofile(choices)  # changed elsewhere (a project was opened)
        else:
            self._refresh_profile()

    # views ----------------------------------------------------------------------------------

    def _refresh_profile(self) -> None:
        profile = self.state.profile
        self._refresh_columns()
        if profile is None:
            return
        self.warnings.show_warnings(profile["warnings"])
        target = profile.get("target")
        by_name = {c["name"]: c for c in profile["columns"]}
        self.target_panel.show_target(target, by_name.get(target["name"]) if target else None)
        self.columns.select(self._selected)
        self._show_selected_column()

    def _refresh_columns(self) -> None:
        """Shows the state's choices in the column table (undoing unsaved ones)."""
        self._choices = ColumnChoices.from_settings(self.state.settings)
        profile = self.state.profile
        self.columns.show_columns(profile["columns"] if profile else [], self._choices)

    def _show_selected_column(self) -> None:
        profile = self.state.profile
        column = next(
            (c for c in (profile or {}).get("columns", []) if c["name"] == self._selected), None
        )
        if column is None:
            self.column_panel.show_nothing("", "Select a column to see its values")
        else:
            self.column_panel.show_column(column)

    # drag and drop -------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        event.acceptProposedAction()
        if len(paths) != 1:
            show_error(
                self, "Cannot open data", "Drop a single data file or image folder (not several)"
            )
        else:
            self.open_path(paths[0])  # a folder that is not an image folder is refused there


#: How the busy bar names each layout ("Reading data.csv as …").
LAYOUT_WORDS = {
    "series_per_row": "one series per row",
    "long": "series in long format",
    "forecast": "a series to forecast",
}


def series_status(summary: dict) -> str:
    """Returns one line about series: how many, how long, how many classes (or the window).

    Example:
        >>> series_status({"modality": "series", "samples": 600, "min_length": 60,
        ...                "max_length": 80, "features": 1, "classes": 4})
        '600 series · 60–80 steps · 1 feature · 4 classes'
    """
    if summary["modality"] == "forecast":
        return (
            f"{summary['series']:,} series to forecast · {summary['target']!r} "
            f"{summary['horizon']} steps ahead from {summary['lookback']} · "
            f"{summary['samples']:,} windows"
        )
    low, high = summary["min_length"], summary["max_length"]
    steps = f"{high:,} steps" if low == high else f"{low:,}–{high:,} steps"
    features = f"{summary['features']} feature{'s' if summary['features'] != 1 else ''}"
    what = f"{summary['classes']} classes" if summary["classes"] else "numeric labels"
    return f"{summary['samples']:,} series · {steps} · {features} · {what}"


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    """Returns `widget` inside a titled group box."""
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    layout.addWidget(widget)
    return box


def _first_numeric(profile: dict) -> str:
    """Returns the first numeric column of `profile` (its histogram is the most telling)."""
    columns = profile["columns"]
    numeric = [c["name"] for c in columns if c["kind"] == ColumnKind.NUMERIC.value]
    return numeric[0] if numeric else (columns[0]["name"] if columns else "")
