"""Projects in the real window: the experiments view, resuming an interrupted search, and the
Search page's parallel workers and mixed precision.

One real tiny search builds a project; a copy of its experiment edited the way a kill
leaves one (no summary, events cut after the first trial, a free search lock) is the
interrupted search.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from automl.experiment.events import TrialEnded, TrialStarted  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.pages.search_page import SearchPage  # noqa: E402
from desktop.project_experiments import resume_question, trials_text  # noqa: E402
from desktop.state import PROJECT_FILE, StudioState  # noqa: E402
from desktop.trial_table import TrialTableModel  # noqa: E402
from tests.conftest import PENGUINS, run_cli  # noqa: E402

WAIT_MS = 30_000
KILLED = "killed"


def make_interrupted(folder: Path) -> None:
    """Leaves `folder` as a search killed after its first trial: no summary.json, the
    events after the first trial_ended gone, and a search lock nobody holds."""
    (folder / "summary.json").unlink()
    lines = (folder / "events.jsonl").read_text().splitlines()
    first_end = next(i for i, line in enumerate(lines) if '"type":"trial_ended"' in line)
    (folder / "events.jsonl").write_text("\n".join(lines[: first_end + 1]) + "\n")
    (folder / "search.lock").touch()  # free: its search process is gone


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """A project from one real 1-trial, 1-epoch search, plus an interrupted copy of it."""
    project = tmp_path_factory.mktemp("built") / "P"
    done = run_cli(
        "search",
        str(PENGUINS),
        "--target",
        "species",
        "--max-trials",
        "1",
        "--epochs",
        "1",
        "--project",
        str(project),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    (finished,) = (project / "experiments").iterdir()
    killed = project / "experiments" / KILLED
    shutil.copytree(finished, killed)
    make_interrupted(killed)
    return project


@pytest.fixture()
def project(built_project, tmp_path) -> Path:
    """A fresh copy of the built project: a test may resume its search."""
    return Path(shutil.copytree(built_project, tmp_path / "P"))


@pytest.fixture()
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1400, 880)
    window.show()
    yield window
    window.search_page.engine.kill()
    window.search_page.engine.process.waitForFinished(10_000)


def resume_box(qtbot, window: MainWindow) -> QMessageBox:
    qtbot.waitUntil(
        lambda: window.findChild(QMessageBox, "resumeQuestion") is not None, timeout=WAIT_MS
    )
    return window.findChild(QMessageBox, "resumeQuestion")


def click(box: QMessageBox, text: str) -> None:
    next(button for button in box.buttons() if button.text() == text).click()


def statuses(window: MainWindow) -> dict[str, str]:
    model = window.experiments_dialog.model
    return {row["name"]: row["status"] for row in model.experiments}


# -- opening a project ------------------------------------------------------------------


def test_opening_a_project_offers_to_resume_and_resume_runs_it(qtbot, window, project):
    killed = (project / "experiments" / KILLED).resolve()
    window.open_path(project)
    box = resume_box(qtbot, window)
    assert f"“{KILLED}” stopped before it ended" in box.text()
    assert "1 of 1 trials done" in box.text()
    assert window.windowTitle() == "AutoML Studio — P"

    page = window.search_page
    with qtbot.waitSignal(window.state.experiment_changed, timeout=240_000):
        click(box, "Resume")
        assert window.stack.currentWidget() is page
        arguments = page.engine.process.arguments()
        assert arguments[arguments.index("automl") + 1 :] == [
            "resume",
            str(killed),
            "--events",
            "-",
            "--control-stdin",
        ]
        assert page.stop_button.isEnabled() and not page.start_button.isEnabled()
        # The trial finished before the kill is shown at once, read from events.jsonl.
        assert [(r["trial"], r["status"]) for r in page.trials.rows] == [("0", "completed")]
        assert page.progress.text().startswith(f"Resuming {KILLED} (1 of 1 trials were done")
    assert window.state.experiment == killed
    assert json.loads((killed / "summary.json").read_text())["status"] == "completed"
    assert "finished" in page.progress.text()
    assert window.stack.currentWidget() is window.results_page
    assert window.results_page.leaderboard.model().rowCount() == 1


def test_not_now_leaves_the_search_alone(qtbot, window, project):
    window.open_path(project)
    click(resume_box(qtbot, window), "Not now")
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "resumeQuestion") is None)
    assert not window.search_page.engine.running
    assert not (project / "experiments" / KILLED / "summary.json").exists()


def test_a_folder_of_experiments_opens_on_the_experiments_view(qtbot, window, project, tmp_path):
    assert not (project / PROJECT_FILE).exists()
    window.open_path(project)
    click(resume_box(qtbot, window), "Not now")
    dialog = window.experiments_dialog
    assert dialog.isVisible()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT_MS)
    finished = next(n for n in statuses(window) if n != KILLED)
    assert statuses(window) == {KILLED: "interrupted", finished: "completed"}
    assert "2 experiments, 1 interrupted" in dialog.heading.text()
    model = dialog.model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers == [
        "name",
        "status",
        "task",
        "tuner",
        "trials",
        "best score",
        "started",
        "duration",
    ]
    row = [model.text(0, c) for c in range(model.columnCount())]
    assert row[2:5] == ["multiclass", "random", "1 of 1"]
    assert row[5].endswith(" accuracy") and row[6].startswith("20")
    dialog.grab().save(str(tmp_path / "experiments.png"))

    dialog.select(KILLED)
    assert dialog.resume_button.isEnabled()
    dialog.select(finished)
    assert not dialog.resume_button.isEnabled()
    dialog.open_button.click()
    assert not dialog.isVisible()
    assert window.state.experiment == (project / "experiments" / finished).resolve()
    assert window.stack.currentWidget() is window.results_page
    assert window.results_page.leaderboard.model().rowCount() == 1


def test_resume_from_the_experiments_view_starts_the_engine(qtbot, window, project, monkeypatch):
    started: list[list[str]] = []
    monkeypatch.setattr(window.search_page.engine, "start", started.append)
    window.state.project_dir = project
    window.show_experiments()
    dialog = window.experiments_dialog
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=WAIT_MS)
    dialog.select(KILLED)
    dialog.resume_button.click()
    killed = (project / "experiments" / KILLED).resolve()
    assert started == [["resume", str(killed), "--events", "-", "--control-stdin"]]
    assert window.stack.currentWidget() is window.search_page
    assert window.findChild(QMessageBox, "resumeQuestion") is None  # no question: asked


def test_a_desktop_project_in_the_same_folder_opens_both(qtbot, window, project, tmp_path):
    state = StudioState()
    state.settings.data, state.settings.target = str(PENGUINS), "species"
    state.save_project(project)  # project.json beside project.db and experiments/
    window.open_path(project)
    box = resume_box(qtbot, window)
    qtbot.waitUntil(lambda: window.state.frame is not None, timeout=WAIT_MS)
    assert window.state.settings.target == "species"
    assert not window.experiments_dialog.isVisible()  # the data page shows the project
    click(box, "Not now")
    window.show_experiments()
    qtbot.waitUntil(lambda: window.experiments_dialog.model.rowCount() == 2, timeout=WAIT_MS)


def test_experiments_without_a_project_says_how_to_open_one(qtbot, window):
    window.show_experiments()
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is not None and "Open a project folder first" in box.text()


def test_the_resume_question_names_several_interrupted_searches():
    rows = [
        {"name": f"run{i}", "heartbeat": 1.8e9, "trials_completed": i, "max_trials": 10}
        for i in range(6)
    ]
    text = resume_question(rows)
    assert text.startswith("6 searches in this project stopped before they ended")
    assert "• run3: last active" in text and "3 of 10 trials done" in text
    assert "run4" not in text and "• and 2 more" in text
    assert "Resume the newest, “run0”" in text
    assert trials_text({"trials_completed": 2, "trials_failed": 1, "max_trials": None}) == (
        "2, 1 failed"
    )


# -- the Search page: workers and precision ------------------------------------------------


@pytest.fixture()
def page(qtbot, tmp_path):
    state = StudioState()
    state.project_dir = tmp_path
    state.settings.data = str(PENGUINS)
    state.settings.target = "species"
    page = SearchPage(state)
    qtbot.addWidget(page)
    yield page
    page.engine.kill()


def test_parallel_workers_reach_the_command(page, tmp_path):
    box = page.workers_box
    assert box.value() == 1 and box.text() == "1 (the default)"
    assert "share of the CPU cores" in box.toolTip() and "one GPU each" in box.toolTip()
    assert "--workers" not in page.search_arguments(tmp_path / "out")
    box.setValue(2)
    arguments = page.search_arguments(tmp_path / "out")
    assert arguments[arguments.index("--workers") + 1] == "2"
    page._save_settings()
    assert page.state.settings.search.workers == 2


def test_mixed_precision_is_offered_only_with_a_gpu(page, tmp_path):
    form, box = page.form, page.precision_box
    page.devices.output.emit(json.dumps([{"id": "cpu", "name": "CPU", "memory_mb": None}]))
    assert not form.isRowVisible(box)
    assert "--precision" not in page.search_arguments(tmp_path / "out")

    gpu = {"id": "gpu:0", "name": "NVIDIA H100", "memory_mb": 80_000}
    page.devices.output.emit(json.dumps([gpu]))
    assert form.isRowVisible(box) and box.isEnabled()
    box.setChecked(True)
    arguments = page.search_arguments(tmp_path / "out")
    assert arguments[arguments.index("--precision") + 1] == "mixed"
    # Pinned to the CPU, mixed precision would only warn: off.
    page.device_box.setCurrentIndex(page.device_box.findData("cpu"))
    assert not box.isEnabled()
    assert "--precision" not in page.search_arguments(tmp_path / "out")


def test_the_trial_table_shows_the_worker_and_resumed_trials_keep_their_row():
    model = TrialTableModel(monitor="val_accuracy")
    model.take(TrialStarted("0", {"units": 32}, worker="tuner0"))
    model.take(TrialStarted("1", {"units": 64}, worker="tuner1"))
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert names[:3] == ["trial", "status", "worker"]
    assert [model.data(model.index(r, 2)) for r in range(2)] == ["tuner0", "tuner1"]
    model.take(TrialEnded("0", 0.9, 1, 1, 2.0, {}, {"units": 32}, worker="tuner0"))
    model.mark_unfinished("interrupted")
    assert [r["status"] for r in model.rows] == ["completed", "interrupted"]
    model.take(TrialStarted("1", {"units": 64}, resumed_from_epoch=3, worker="tuner0"))
    assert model.rowCount() == 2
    assert (model.rows[1]["status"], model.rows[1]["worker"]) == ("running", "tuner0")
