"""The whole flow in the real window: open data, pick the target, search, export, predict."""

from __future__ import annotations

import json

import pandas as pd
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QComboBox  # noqa: E402

from desktop.main_window import MainWindow  # noqa: E402
from tests.conftest import PENGUINS  # noqa: E402


@pytest.fixture()
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.state.project_dir = tmp_path / "project"
    window.show()
    yield window
    window.search_page.engine.kill()


def test_open_search_export_predict(qtbot, window, tmp_path):
    state = window.state
    window.open_path(PENGUINS)
    qtbot.waitUntil(lambda: state.frame is not None, timeout=30_000)

    role = window.data_page.findChild(QComboBox, "role:species")
    role.setCurrentText("target")
    qtbot.waitUntil(lambda: (state.profile or {}).get("target") is not None, timeout=30_000)
    assert state.settings.target == "species"
    assert window.model_page.cards["dense"].isChecked()  # the proposal is accepted

    window.show_step(window.search_page)
    window.search_page.max_trials_box.setValue(1)
    window.search_page.epochs_box.setValue(5)
    with qtbot.waitSignal(state.experiment_changed, timeout=240_000):
        window.search_page.start_button.click()
    assert window.stack.currentWidget() is window.results_page
    assert window.results_page.leaderboard.model().rowCount() == 1

    export = window.export_page
    with qtbot.waitSignal(export.export_process.finished, timeout=180_000) as done:
        export.export_to(tmp_path / "shipped")
    assert done.args[0] == 0
    metadata = json.loads((tmp_path / "shipped" / "metadata.json").read_text())
    assert metadata["parity"]["max_abs_diff"] < 1e-5

    rows = tmp_path / "new.csv"
    pd.read_csv(PENGUINS).drop(columns=["species"]).head(12).to_csv(rows, index=False)
    with qtbot.waitSignal(export.predictions_shown, timeout=120_000) as shown:
        export.predict_file(rows)
    assert shown.args[0] == 12


def test_a_project_remembers_the_data_and_choices(qtbot, window, tmp_path):
    state = window.state
    window.open_path(PENGUINS)
    qtbot.waitUntil(lambda: state.frame is not None, timeout=30_000)
    state.set_roles("species", ["year"], {"island": "categorical"})
    state.save_project(tmp_path / "proj")

    again = MainWindow(QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    again.open_path(tmp_path / "proj")
    qtbot.waitUntil(lambda: again.state.frame is not None, timeout=30_000)
    assert again.state.settings.target == "species"
    assert again.state.settings.ignored == ["year"]
    assert again.state.data_path == PENGUINS
