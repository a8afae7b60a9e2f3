"""Reading data for the Data page: plain functions with no widgets, run on a worker thread.

Reading and profiling a file, scanning an image folder and decoding its thumbnails, or
reading series can take seconds; these functions do it and are testable alone. The page
only decides where they run (`desktop.jobs`) and what to show when they finish.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from automl.errors import AutoMLError, first_line
from desktop.pages.data.progress import READ_END, TYPES_SHARE, WorkProgress
from desktop.series_data import LoadedSeries, guess_series_per_row, read_series
from desktop.state import DataLayout
from desktop.thumbnails import ScannedImages, scan_with_thumbnails

if TYPE_CHECKING:
    import pandas as pd


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


def profile_frame(
    frame: pd.DataFrame,
    column_types: Mapping[str, str],
    target: str,
    progress: WorkProgress | None = None,
    start: float = 0.0,
) -> dict:
    """Returns `profile_table(...).to_dict()` for `frame` with the user's types and target.

    `progress` hears how far it is, from `start` (what came before) to 1.

    Raises:
        AutoMLError: a type override is invalid, or `target` cannot be a target.
    """
    # pandas and the profiler load on the worker thread, so the window opens fast.
    from automl.data.profile import profile_table
    from automl.data.schema import infer_schema

    progress = progress or WorkProgress()
    progress.report(start)
    schema = infer_schema(frame, dict(column_types))
    profiled = start + (1.0 - start) * TYPES_SHARE
    reporter = progress.stage(profiled, 1.0)
    return profile_table(frame, schema, target or None, reporter).to_dict()


def load_table(
    path: Path,
    column_types: Mapping[str, str],
    target: str,
    progress: WorkProgress | None = None,
) -> LoadedTable:
    """Returns the table at `path` and its profile, keeping the choices that fit it.

    `progress` hears the share read and profiled; its `cancel` stops the work.

    Raises:
        AutoMLError: the file cannot be read as a table.
    """
    from automl.data.loading import read_table

    progress = progress or WorkProgress()
    frame = read_table(path, progress.stage(0.0, READ_END))
    names = set(map(str, frame.columns))
    types = {name: kind for name, kind in column_types.items() if name in names}
    target = target if target in names else ""
    try:
        profile = profile_frame(frame, types, target, progress, READ_END)
    except AutoMLError:
        if not target:
            raise
        # The remembered target does not suit this file (one class, all missing): the
        # file is still worth opening, the user picks another target.
        profile, target = profile_frame(frame, types, "", progress, READ_END), ""
    return LoadedTable(Path(path), frame, profile, target)


def open_data(
    path: Path,
    column_types: Mapping[str, str],
    target: str,
    layout: DataLayout | None = None,
    progress: WorkProgress | None = None,
) -> LoadedTable | ScannedImages | LoadedSeries:
    """Returns a loaded table, series from a NumPy file, or an image folder's scan.

    `progress` hears how far a table is read and profiled (folders and series files say
    nothing: they are quick to scan, or read in one call).

    A table is also read with `layout` when that is not a plain table; if that fails, the
    table still opens and `layout_problem` says why.

    Raises:
        AutoMLError: the file is not a readable table or series file, or the folder not a
            usable image folder (an empty class folder, a single class, no images).
    """
    from automl.modalities.image_data import is_image_folder
    from automl.modalities.series_data import is_sequence_file

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
    table = load_table(path, column_types, target, progress)
    table = replace(table, series_hint=guess_series_per_row(table.frame, target))
    layout = layout or DataLayout()
    if layout.kind == "table":
        return table
    try:
        series = read_series(path, layout, target)
    except AutoMLError as error:
        return replace(table, layout=layout, layout_problem=first_line(error))
    return replace(table, layout=series.layout, series=series)
