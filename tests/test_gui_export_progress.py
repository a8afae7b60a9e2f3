"""The Export page's progress bars: the engine child's progress lines move a bar with the time
left, and Cancel stops the child, leaving nothing half-written and the page usable."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from desktop.pages.export.engine_task import ReportedProgress
from desktop.pages.export.model_files import export_folder
from desktop.pages.export_page import ExportPage
from desktop.state import StudioState
from tests.conftest import PENGUINS, run_cli

ENGINE_TIMEOUT_MS = 120_000


@pytest.fixture(scope="module")
def experiment(tmp_path_factory) -> Path:
    """A 1-trial, 1-epoch penguins search: its experiment folder, with an exported model."""
    out = tmp_path_factory.mktemp("progress") / "penguins"
    done = run_cli(
        "search", str(PENGUINS), "--target", "species", "--out", str(out),
        "--max-trials", "1", "--epochs", "1", "--seed", "1",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.fixture()
def page(qtbot, experiment) -> ExportPage:
    state = StudioState()
    state.set_experiment(experiment)
    export_page = ExportPage(state)
    qtbot.addWidget(export_page)
    export_page.resize(1100, 700)
    export_page.show()
    return export_page


def penguin_rows(folder: Path, copies: int) -> Path:
    """Writes the penguins without their species, `copies` times over: a file to predict."""
    frame = pd.read_csv(PENGUINS).drop(columns=["species"])
    path = folder / f"rows-{copies}.csv"
    pd.concat([frame] * copies).to_csv(path, index=False)
    return path


def test_predict_moves_the_bar_to_the_end_and_shows_the_rows(qtbot, page, tmp_path):
    stages = []
    page.predict_task.stage.connect(stages.append)
    rows = penguin_rows(tmp_path, 1)  # 344 rows
    with qtbot.waitSignal(page.predictions_shown, timeout=ENGINE_TIMEOUT_MS) as shown:
        page.predict_file(rows)
        assert not page.predict_busy.isHidden() and not page.predict_button.isEnabled()
    assert shown.args == [344]
    assert stages == ["starting the engine and loading the model", "predicting"]
    assert page.predict_task.progress.fraction == 1.0  # the child reported 344 of 344 rows
    assert page.predict_busy.isHidden() and page.predict_button.isEnabled()
    assert page.predict_task.stdout == [f"wrote 344 predictions to {page.predictions_path}"]


def test_export_reports_its_stages_and_the_bar_reaches_the_end(qtbot, page, experiment, tmp_path):
    stages = []
    page.export_task.stage.connect(stages.append)
    destination = export_folder(tmp_path, experiment)
    with qtbot.waitSignal(page.export_process.finished, timeout=ENGINE_TIMEOUT_MS) as done:
        page.export_to(destination)
    assert done.args == [0, False], page.export_task.stderr[-5:]
    assert stages == [
        "starting the engine and loading the model",
        "writing the SavedModel",
        "writing model.keras",
        "checking the reloaded SavedModel",
        "writing the model card",
        "exported",
    ]
    assert page.export_task.progress.fraction == 1.0
    assert page.export_busy.text.text() == "Exported"  # the last stage, without an ellipsis
    assert (destination / "model_card.html").exists()
    assert "reloaded SavedModel matches" in page.export_result.text()
    assert page.export_busy.isHidden() and page.export_button.isEnabled()


def test_cancel_during_predict_leaves_no_file_and_the_page_usable(qtbot, page, tmp_path):
    # Cancel as soon as the child starts serving rows (it stops at its next Python line).
    page.predict_task.stage.connect(
        lambda stage: page.predict_busy.cancel.click() if stage == "predicting" else None
    )
    with qtbot.waitSignal(page.predict_task.cancelled, timeout=ENGINE_TIMEOUT_MS):
        page.predict_file(penguin_rows(tmp_path, 200))  # 68,800 rows
    scratch = Path(page._scratch.path())
    assert list(scratch.iterdir()) == []  # neither predictions nor a .partial file
    assert page.predict_result.text() == "Prediction cancelled: no predictions were written."
    assert page.predict_busy.isHidden() and page.predict_button.isEnabled()
    assert not page.save_button.isEnabled()  # nothing was predicted before
    page.predict_task.stage.disconnect()
    with qtbot.waitSignal(page.predictions_shown, timeout=ENGINE_TIMEOUT_MS) as shown:
        page.predict_file(penguin_rows(tmp_path, 1))
    assert shown.args == [344]


def test_cancel_during_the_export_check_leaves_no_folder(qtbot, page, experiment, tmp_path):
    page.export_task.stage.connect(
        lambda stage: (
            page.export_busy.cancel.click() if stage == "checking the reloaded SavedModel" else None
        )
    )
    destination = export_folder(tmp_path, experiment)
    with qtbot.waitSignal(page.export_task.cancelled, timeout=ENGINE_TIMEOUT_MS):
        page.export_to(destination)
    assert list(tmp_path.iterdir()) == []  # no model folder, no .partial-PID staging folder
    assert page.export_result.text() == "Export cancelled: nothing half-written was left behind."
    assert page.export_busy.isHidden() and page.export_button.isEnabled()


def progress_line(done: int, total: int, stage: str) -> str:
    return json.dumps({"type": "progress", "done": done, "total": total, "stage": stage})


def test_progress_lines_show_the_share_and_time_left(qtbot, page, tmp_path):
    """The engine's lines fed in at the edge, on a fake clock: the Data page's words."""
    now = [100.0]
    task, bar = page.predict_task, page.predict_busy
    task.clock = lambda: now[0]
    page.predict_file(penguin_rows(tmp_path, 1))  # a real child; the lines below are fake
    task.process.output.emit(progress_line(0, 1000, "predicting"))
    now[0] += 4.0
    task.process.output.emit(progress_line(400, 1000, "predicting"))
    now[0] += 1.0
    bar.refresh()
    # 4 s for 40%: 6 s left at the report, 5 s a second later.
    assert (bar.text.text(), bar.left.text()) == ("Predicting…", "40% · about 5 s left")
    assert bar.bar.value() == 400 and bar.cancel.isVisible()
    qtbot.wait(50)  # the layout makes room for the new words
    page.grab().save(str(tmp_path / "export-progress.png"))
    task.process.output.emit("not a progress line")
    assert task.stdout == ["not a progress line"]
    with qtbot.waitSignal(task.cancelled, timeout=ENGINE_TIMEOUT_MS):
        bar.cancel.click()
    assert bar.isHidden()


def test_time_left_counts_down_between_reports():
    now = [0.0]
    progress = ReportedProgress(lambda: now[0])
    now[0] = 2.0
    progress.report(0.25)  # 2 s for a quarter: 6 s left
    assert progress.seconds_left() == 6.0
    now[0] = 5.0  # a long stage, no report: the estimate falls instead of growing
    assert progress.seconds_left() == 3.0
    now[0] = 20.0
    assert progress.seconds_left() == 0.0
    progress.report(0.5)  # 20 s for a half: 20 s left
    assert progress.seconds_left() == 20.0
    progress.report(1.0)  # all done: the child is only exiting
    assert progress.seconds_left() is None
