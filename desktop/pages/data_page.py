"""The Data page: open a table, an image folder or series; preview, choose roles and layout.

The page is the shell that wires the views (`desktop.pages.data.*`) to `StudioState`.
Reading and profiling run as background jobs (`desktop.jobs`) of the plain functions in
`desktop.pages.data.loading`, which report their progress (`desktop.pages.data.progress`);
a newer request, or Cancel, stops the one before at its next report (work that reports
none, such as scanning an image folder, runs to its end and its answer is not used).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QPalette
from PySide6.QtWidgets import (
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from automl.errors import first_line
from desktop.dialogs import show_error
from desktop.jobs import BackgroundJobs, LatestJob
from desktop.layout_box import LayoutBox
from desktop.modalities.image import ImageFolderView
from desktop.modalities.registry import preview_class, preview_classes
from desktop.modalities.series import SeriesView, series_status
from desktop.modalities.table import TableProfileView
from desktop.pages.data.choices import ColumnChoices
from desktop.pages.data.header import DataHeader
from desktop.pages.data.loading import LoadedTable, open_data, profile_frame
from desktop.pages.data.progress import WorkProgress
from desktop.pages.data.summaries import LAYOUT_WORDS, first_numeric
from desktop.series_data import LoadedSeries, read_series
from desktop.state import DataLayout, StudioState
from desktop.thumbnails import ScannedImages

PLACEHOLDER = (
    "Open a CSV, Parquet or Excel file, series in a NumPy .npz/.npy file,\n"
    "or a folder of images with one sub-folder per class; or drop it here"
)


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
        # The first child, so it is destroyed (waiting for its threads) before anything
        # a job's answer would reach.
        self._job = LatestJob(BackgroundJobs(self))
        self._choices = ColumnChoices()
        self._selected = ""
        self._series_hint: tuple[str, str] | None = None  # the open table's, if any
        self.first_folder = ""  # where the open dialogs start before any data is open
        self._progress = WorkProgress()  # the running job's: Cancel stops it
        self.setAcceptDrops(True)
        self._build()
        state.data_changed.connect(self._on_data_changed)
        state.roles_changed.connect(self._on_roles_changed)
        if state.frame is not None:
            self._on_data_changed()

    # public API -------------------------------------------------------------------------

    def open_path(
        self, path: Path, target: str | None = None, layout: DataLayout | None = None
    ) -> None:
        """Starts loading a table, series file or image folder in the background; errors
        show a dialog. A `target` and `layout` given (a bundled sample) are used as chosen;
        otherwise the same file is read as before, and a new one as a plain table."""
        path = Path(path)
        self.state.status.emit(f"Loading {path.name}…")
        choices = ColumnChoices.from_settings(self.state.settings)
        target = choices.target if target is None else target
        same = self.state.data_path is not None and Path(self.state.data_path) == path
        if layout is None:
            layout = self.state.settings.layout if same else DataLayout()
        self._start(
            f"Loading {path.name}…",
            lambda progress: open_data(path, choices.column_types, target, layout, progress),
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
            lambda _progress: read_series(path, layout, column),
            self._commit_layout,
            "Cannot read this layout",
            on_failure=self._layout_failed,
        )

    @property
    def busy(self) -> bool:
        """Whether a load or profile is running."""
        return self._job.busy

    # layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.header = DataHeader(self._start_folder)
        self.header.path_chosen.connect(self.open_path)
        self.busy_bar, self.file_label = self.header.busy_bar, self.header.file_label
        self.busy_bar.cancelled.connect(self._cancel)
        self.layout_box = LayoutBox()
        self.layout_box.layout_chosen.connect(self.apply_layout)
        self.layout_box.hide()

        self.placeholder = QLabel(PLACEHOLDER, alignment=Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        font = self.placeholder.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        self.placeholder.setFont(font)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.placeholder)
        # One preview per widget class, asked of the registry by the engine's kind names.
        self._previews: dict[type[QWidget], QWidget] = {}
        for preview in preview_classes():
            self._preview(preview)
        self.table_view = self._preview(TableProfileView)
        # The views' parts the page wires (and tests read) by their old names.
        self.model, self.preview = self.table_view.model, self.table_view.preview
        self.columns = self.table_view.columns
        self.column_panel = self.table_view.column_panel
        self.target_panel = self.table_view.target_panel
        self.warnings = self.table_view.warnings
        self.columns.type_chosen.connect(self._on_type_chosen)
        self.columns.role_chosen.connect(self._on_role_chosen)
        self.columns.column_selected.connect(self._on_column_selected)
        self.image_view = self._preview(ImageFolderView)
        self.gallery, self.balance_panel = self.image_view.gallery, self.image_view.balance_panel
        self.image_notes = self.image_view.image_notes
        self.series_view = self._preview(SeriesView)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.layout_box)
        layout.addWidget(self.stack, 1)
        self.setTabOrder(self.header.open_button, self.preview)
        self.setTabOrder(self.preview, self.columns)
        self.setTabOrder(self.columns, self.warnings)

    def _preview(self, preview: type[QWidget]) -> QWidget:
        """Returns the page's one widget of class `preview`, made (and stacked) when first
        asked for."""
        if preview not in self._previews:
            self._previews[preview] = preview()
            self.stack.addWidget(self._previews[preview])
        return self._previews[preview]

    # background jobs ----------------------------------------------------------------------

    def _start(
        self,
        text: str,
        work: Callable[[WorkProgress], object],
        on_success: Callable[[object], None],
        error_title: str,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        """Runs `work(progress)` as a background job; a job started earlier is stopped at
        its next progress report (or, if it reports none, its answer is dropped).

        A failure shows an error dialog titled `error_title`, or goes to `on_failure`.
        """
        self._progress.cancel()
        progress = self._progress = WorkProgress()
        self.busy_bar.start(text, progress)
        self._job.run(
            lambda: work(progress),
            lambda result: self._job_done(on_success, result),
            lambda error: self._job_failed(error_title, on_failure, first_line(error)),
        )

    def _job_done(self, on_success: Callable[[object], None], result: object) -> None:
        self.busy_bar.stop()
        on_success(result)

    def _job_failed(
        self, error_title: str, on_failure: Callable[[str], None] | None, message: str
    ) -> None:
        self.busy_bar.stop()
        self.state.status.emit(f"{error_title}: {message}")
        if on_failure is not None:
            on_failure(message)
            return
        show_error(self, error_title, message)
        self._refresh_columns()  # a rejected choice reverts

    def _cancel(self) -> None:
        self._progress.cancel()
        self._job.cancel()
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
        # A series or forecast layout that read keeps its own column as the target.
        target = series.target if series is not None else loaded.target
        if settings.target != target and (loaded.layout.kind == "table" or series is not None):
            self.state.set_roles(target, settings.ignored, settings.column_types)
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
            lambda progress: profile_frame(frame, choices.column_types, choices.target, progress),
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

    # slots: state changes -------------------------------------------------------------------

    def _on_data_changed(self) -> None:
        self._show_layout()
        state = self.state
        if state.frame is None:
            self.model.set_frame(None)  # the table views keep no stale rows behind the scenes
        path, kind = state.data_path, state.kind_name
        if kind is None or path is None:
            self.stack.setCurrentWidget(self.placeholder)
            self.file_label.clear()
            return
        view = self._preview(preview_class(kind))
        self.stack.setCurrentWidget(view)
        self.header.show_file(*view.show_data(state))
        profile = state.profile
        if profile is None or view is not self.table_view:
            return  # the profile's charts and column choices are the table view's
        names = [c["name"] for c in profile["columns"]]
        if self._selected not in names:
            self._selected = first_numeric(profile)
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
        if profile is not None:
            self.table_view.show_profile(profile, self._selected)

    def _refresh_columns(self) -> None:
        """Shows the state's choices in the column table (undoing unsaved ones)."""
        self._choices = ColumnChoices.from_settings(self.state.settings)
        self.table_view.show_choices(self.state.profile, self._choices)

    def _show_selected_column(self) -> None:
        self.table_view.show_column(self.state.profile, self._selected)

    def _start_folder(self) -> Path:
        """Returns where the open dialogs start: the open data's folder, else the last
        folder the app remembers, else the cwd."""
        if self.state.data_path:
            return self.state.data_path.parent
        return Path(self.first_folder) if self.first_folder else Path.cwd()

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
