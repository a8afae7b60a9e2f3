"""The Results and Export pages on a real experiment, with the real CLI in child processes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMessageBox

from desktop.pages.export.model_files import export_folder
from desktop.pages.export_page import PLACEHOLDER, ExportPage
from desktop.pages.results_page import ResultsPage
from desktop.state import StudioState
from tests.conftest import PENGUINS

ENGINE_TIMEOUT_MS = 120_000


@pytest.fixture()
def experiment(penguins_run) -> Path:
    assert penguins_run["returncode"] == 0, penguins_run["stderr"][-2000:]
    return penguins_run["out"]


@pytest.fixture()
def state(experiment) -> StudioState:
    studio = StudioState()
    studio.set_experiment(experiment)
    return studio


@pytest.fixture()
def results_page(qtbot, state) -> ResultsPage:
    page = ResultsPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.show_experiment(state.experiment)
    return page


@pytest.fixture()
def export_page(qtbot, state) -> ExportPage:
    page = ExportPage(state)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    return page


def new_rows(folder: Path, rename: dict[str, str] | None = None) -> Path:
    """Writes 25 penguins without their species (optionally with renamed columns)."""
    frame = pd.read_csv(PENGUINS).drop(columns=["species"]).head(25)
    path = folder / ("renamed.csv" if rename else "new.csv")
    frame.rename(columns=rename or {}).to_csv(path, index=False)
    return path


def error_box(page) -> QMessageBox | None:
    return page.findChild(QMessageBox, "errorDialog")


def column_names(model) -> list[str]:
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]


def test_leaderboard_lists_every_trial_best_first(results_page, penguins_run):
    summary = penguins_run["summary"]
    view = results_page.leaderboard.model()
    assert view.rowCount() == len(summary["leaderboard"]) == 2
    names = column_names(view)
    assert names[:6] == ["trial", "status", "score", "best epoch", "epochs", "duration"]
    assert "learning_rate" in names
    assert results_page.selected_trial() == summary["leaderboard"][0]["trial_id"]
    for column in range(view.columnCount()):
        assert view.headerData(column, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole)


def test_sorting_by_score_orders_the_rows(results_page):
    view = results_page.leaderboard.model()
    score = column_names(view).index("score")

    def scores() -> list[float]:
        return [float(view.index(row, score).data()) for row in range(view.rowCount())]

    results_page.leaderboard.sortByColumn(score, Qt.SortOrder.AscendingOrder)
    assert scores() == sorted(scores())
    results_page.leaderboard.sortByColumn(score, Qt.SortOrder.DescendingOrder)
    assert scores() == sorted(scores(), reverse=True)


def test_confusion_matrix_and_mistakes_come_from_the_test_rows(results_page):
    table = results_page.confusion_table
    labels = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert labels == ["Adelie", "Chinstrap", "Gentoo"]
    assert [table.verticalHeaderItem(r).text() for r in range(table.rowCount())] == labels
    total = sum(int(table.item(r, c).text()) for r in range(3) for c in range(3))
    assert total == results_page.report["rows"]["test"]
    assert "test rows" in results_page.metrics_label.text()
    mistakes = results_page.mistakes_table
    headers = [mistakes.horizontalHeaderItem(c).text() for c in range(mistakes.columnCount())]
    assert headers[:4] == ["row", "actual", "predicted", "confidence"]
    assert mistakes.rowCount() == len(results_page.report["evaluation"]["mistakes"])


def test_selecting_a_trial_shows_its_curves(results_page, penguins_run):
    other = penguins_run["summary"]["leaderboard"][-1]["trial_id"]
    results_page.select_trial(other)
    assert results_page.selected_trial() == other
    assert results_page.trial_box.title().startswith(f"Trial {other}")
    epochs = results_page.report["leaderboard"][-1]["epochs"]
    curves = results_page.curves.loss_plot.getPlotItem().listDataItems()
    assert [len(item.xData) for item in curves] == [epochs, epochs]


def test_plots_are_drawn_on_the_palette_background(results_page):
    image = results_page.curves.loss_plot.grab().toImage()
    corner = image.pixelColor(3, 3)
    assert corner == results_page.palette().color(QPalette.ColorRole.Base)


def test_a_folder_that_is_not_an_experiment_shows_an_error(qtbot, tmp_path):
    page = ResultsPage(StudioState())
    qtbot.addWidget(page)
    assert not page.show_experiment(tmp_path)
    box = error_box(page)
    assert box is not None and box.isVisible()
    assert "not an experiment folder" in box.text()
    box.close()


def test_export_page_without_an_experiment_shows_the_placeholder(qtbot):
    page = ExportPage(StudioState())
    qtbot.addWidget(page)
    assert page.stack.currentWidget().text() == PLACEHOLDER


def test_export_runs_the_cli_and_reports_the_check(qtbot, export_page, experiment, tmp_path):
    assert export_page.parity_label.text().startswith("Reloaded SavedModel matches: max diff")
    assert export_page.parity_label.text().endswith("test rows")
    destination = export_folder(tmp_path, experiment)
    with qtbot.waitSignal(export_page.export_process.finished, timeout=ENGINE_TIMEOUT_MS) as done:
        export_page.export_to(destination)
        assert not export_page.export_button.isEnabled()
        assert not export_page.export_busy.isHidden()
    assert done.args == [0, False], export_page.export_task.stderr[-5:]
    assert (tmp_path / f"{experiment.name}-model/saved_model/1/saved_model.pb").exists()
    assert "reloaded SavedModel matches" in export_page.export_result.text()
    assert export_page.export_button.isEnabled() and export_page.export_busy.isHidden()


def test_export_folder_never_takes_over_a_users_folder(tmp_path):
    experiment = tmp_path / "run"
    (tmp_path / "run-model").mkdir()
    (tmp_path / "run-model" / "notes.txt").write_text("mine")
    assert export_folder(tmp_path, experiment) == tmp_path / "run-model-2"


def test_predicting_a_file_fills_the_table(qtbot, export_page, tmp_path):
    with qtbot.waitSignal(export_page.predictions_shown, timeout=ENGINE_TIMEOUT_MS) as shown:
        export_page.predict_file(new_rows(tmp_path))
    assert shown.args == [25]
    model = export_page.predictions_model
    assert model.rowCount() == 25
    assert column_names(model)[0] == "prediction"
    assert set(model.frame["prediction"]) <= {"Adelie", "Chinstrap", "Gentoo"}
    saved = tmp_path / "saved.csv"
    export_page.save_predictions(saved)
    assert len(pd.read_csv(saved)) == 25


def test_a_missing_column_shows_the_engines_message_and_the_page_recovers(
    qtbot, export_page, tmp_path
):
    bad = new_rows(tmp_path, rename={"island": "islands"})
    with qtbot.waitSignal(export_page.predict_process.finished, timeout=ENGINE_TIMEOUT_MS):
        export_page.predict_file(bad)
    box = error_box(export_page)
    assert box is not None and box.isVisible()
    assert "'island'" in box.text() and "islands" in box.text()
    assert not box.text().startswith("automl:")
    box.close()
    assert export_page.predict_button.isEnabled()
    with qtbot.waitSignal(export_page.predictions_shown, timeout=ENGINE_TIMEOUT_MS):
        export_page.predict_file(new_rows(tmp_path))
    assert "prediction" in column_names(export_page.predictions_model)
