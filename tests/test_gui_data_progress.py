"""Loading a table shows the share done and the time left, and Cancel stops the work."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.data.loading import read_table
from automl.data.profile import profile_table
from automl.data.schema import infer_schema
from desktop.pages.data.progress import Cancelled, WorkProgress, progress_text
from tests.conftest import PENGUINS


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def write_csv(path, rows: int) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"x{i}": rng.normal(size=rows).round(4) for i in range(6)})
    frame["kind"] = rng.choice(["a", "b", "c"], rows)
    frame.to_csv(path, index=False)


def test_the_time_left_follows_the_pace_so_far():
    clock = FakeClock()
    progress = WorkProgress(clock)
    assert progress.seconds_left() is None and progress_text(progress) == "0%"
    clock.now += 10
    progress.report(0.25)
    assert progress.seconds_left() == pytest.approx(30.0)
    assert progress_text(progress) == "25% · about 30 s left"
    clock.now += 20
    progress.stage(0.5, 1.0)(0.0)  # the second half starts
    assert progress.fraction == 0.5
    assert progress_text(progress) == "50% · about 30 s left"
    progress.report(0.1)  # a share never goes back
    assert progress.fraction == 0.5
    clock.now += 300
    assert progress_text(progress) == "50% · about 6 min left"  # 330 s


def test_cancel_makes_the_next_report_raise():
    progress = WorkProgress()
    progress.report(0.3)
    progress.cancel()
    with pytest.raises(Cancelled):
        progress.report(0.4)


def test_reading_a_csv_reports_the_share_read_and_stops_when_cancelled(tmp_path):
    path = tmp_path / "rows.csv"
    write_csv(path, 60_000)
    shares: list[float] = []
    frame = read_table(path, shares.append)
    assert frame.shape == (60_000, 7)
    assert len(shares) > 5 and shares == sorted(shares) and shares[-1] == 1.0

    progress = WorkProgress()
    heard: list[float] = []

    def cancel_at_a_third(share: float) -> None:
        heard.append(share)
        if share > 1 / 3:
            progress.cancel()
        progress.report(share)

    with pytest.raises(Cancelled):
        read_table(path, cancel_at_a_third)
    # It stopped at the first report past a third, with most of the file unread.
    assert [share > 1 / 3 for share in heard].index(True) == len(heard) - 1
    assert heard[-1] < 0.6 and progress.fraction <= 1 / 3


def test_profiling_reports_each_column_up_to_the_whole():
    frame = read_table(PENGUINS)
    shares: list[float] = []
    profile_table(frame, infer_schema(frame), "species", shares.append)
    # 8 columns, each profiled then checked for leakage, and the end.
    assert len(shares) == 17 and shares == sorted(shares) and shares[-1] == 1.0
    assert shares[7] == pytest.approx(0.5)


def test_the_busy_bar_shows_the_share_and_the_time_left(qtbot):
    pytest.importorskip("PySide6")
    from desktop.pages.data.panels import BusyBar

    bar = BusyBar()
    qtbot.addWidget(bar)
    clock = FakeClock()
    progress = WorkProgress(clock)
    bar.start("Loading rows.csv…", progress)
    assert bar.bar.maximum() == 0  # busy until a share is known
    clock.now += 6
    progress.report(0.4)
    bar.refresh()
    assert (bar.bar.maximum(), bar.bar.value()) == (1000, 400)
    assert bar.left.text() == "40% · about 9 s left"
    bar.stop()
    assert bar.isHidden()


def test_cancel_on_the_data_page_stops_a_large_load(qtbot, tmp_path):
    pytest.importorskip("PySide6")
    from desktop.pages.data_page import DataPage
    from desktop.state import StudioState

    path = tmp_path / "large.csv"
    write_csv(path, 300_000)
    page = DataPage(StudioState())
    qtbot.addWidget(page)
    page.open_path(path)
    assert page.busy_bar.isVisibleTo(page)
    qtbot.waitUntil(lambda: page._progress.fraction > 0, timeout=30_000)
    page.busy_bar.cancel.click()
    assert page.busy_bar.isHidden() and not page.busy
    assert page._job._jobs.wait(30_000)  # the worker stopped
    assert page.state.data_path is None  # nothing half-loaded is shown
    assert page._progress.cancelled and page._progress.fraction < 1.0
