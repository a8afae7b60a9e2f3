"""The Search page against the real engine: start, live trials, Stop, Kill, bad starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QMessageBox  # noqa: E402

from automl.experiment.events import TrialEnded, TrialStarted  # noqa: E402
from desktop.pages.search_page import SearchPage  # noqa: E402
from desktop.state import StudioState  # noqa: E402
from tests.conftest import PENGUINS  # noqa: E402


@pytest.fixture()
def page(qtbot, tmp_path):
    state = StudioState()
    state.project_dir = tmp_path
    state.settings.data = str(PENGUINS)
    state.settings.target = "species"
    page = SearchPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    yield page
    page.engine.kill()


def _wait_for_event(qtbot, page, kind, timeout=180_000):
    with qtbot.waitSignal(
        page.engine.event, timeout=timeout, check_params_cb=lambda e: isinstance(e, kind)
    ):
        pass


def test_a_search_runs_live_and_sets_the_experiment(qtbot, page):
    page.max_trials_box.setValue(2)
    page.epochs_box.setValue(3)
    page.budget_box.setValue(300)
    with qtbot.waitSignal(page.state.experiment_changed, timeout=240_000):
        page.start_button.click()
        assert not page.start_button.isEnabled() and page.stop_button.isEnabled()
    assert page.trials.rowCount() == 2
    assert {row["status"] for row in page.trials.rows} == {"completed"}
    assert page.running_curve.getData()[0] is not None
    summary = json.loads((page.state.experiment / "summary.json").read_text())
    assert summary["trials"]["completed"] == 2
    assert page.start_button.isEnabled()
    assert "finished" in page.progress.text()
    page.grab().save(str(page.state.project_dir / "search_page.png"))


def test_stop_keeps_the_best_model_so_far(qtbot, page):
    page.max_trials_box.setValue(200)
    page.epochs_box.setValue(1000)
    with qtbot.waitSignal(page.engine.finished, timeout=300_000) as finished:
        page.start_button.click()
        _wait_for_event(qtbot, page, TrialEnded)
        page.stop_button.click()
    assert finished.args[0] == 130
    experiment = page.state.experiment
    assert (experiment / "model" / "saved_model" / "1" / "saved_model.pb").exists()
    assert json.loads((experiment / "summary.json").read_text())["status"] == "stopped"


def test_killing_the_child_leaves_the_page_usable(qtbot, page):
    page.max_trials_box.setValue(200)
    page.epochs_box.setValue(1000)
    with qtbot.waitSignal(page.engine.finished, timeout=300_000) as finished:
        page.start_button.click()
        _wait_for_event(qtbot, page, TrialStarted)
        page.kill_button.click()
    assert finished.args[1] is True  # crashed: killed
    assert "ended unexpectedly" in page.progress.text()
    assert page.start_button.isEnabled() and not page.stop_button.isEnabled()
    assert page.trials.rowCount() >= 1  # what was seen is still shown


def test_starting_without_a_target_shows_a_dialog(qtbot, page):
    page.state.settings.target = ""
    page.start_button.click()
    box = page.findChild(QMessageBox, "errorDialog")
    assert box is not None and "column to predict" in box.text()
    assert not page.engine.running


def test_engine_rejection_is_shown_in_a_dialog(qtbot, page, tmp_path):
    one_class = tmp_path / "one.csv"
    one_class.write_text("x,y\n" + "".join(f"{i},same\n" for i in range(30)))
    page.state.settings.data = str(one_class)
    page.state.settings.target = "y"
    with qtbot.waitSignal(page.engine.finished, timeout=60_000):
        page.start_button.click()
    box = page.findChild(QMessageBox, "errorDialog")
    assert box is not None and "single class" in box.text()
    assert page.start_button.isEnabled()


def test_a_column_named_with_a_dash_reaches_the_engine_as_the_target(qtbot, page, tmp_path):
    # "-label" would read as an unknown option; the engine must see it as --target's value
    # and get as far as judging the column (one class) rather than the command line.
    one_class = tmp_path / "dash.csv"
    one_class.write_text("x,-label\n" + "".join(f"{i},same\n" for i in range(30)))
    page.state.settings.data = str(one_class)
    page.state.settings.target = "-label"
    with qtbot.waitSignal(page.engine.finished, timeout=60_000):
        page.start_button.click()
    box = page.findChild(QMessageBox, "errorDialog")
    assert box is not None and "single class" in box.text() and "-label" in box.text()
    assert page.start_button.isEnabled()


def test_the_window_process_never_imports_tensorflow():
    script = (
        "import sys, time; t = time.perf_counter();"
        "from PySide6.QtWidgets import QApplication; app = QApplication([]);"
        "from desktop.main_window import MainWindow; w = MainWindow(); w.show();"
        "app.processEvents();"
        "print(sorted(m for m in ('tensorflow', 'keras', 'keras_tuner', 'architectures')"
        " if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
