"""Series and forecasts in the real window: NumPy files, CSV layouts, proposals, search flags,
and the baselines on the Results page of a real tiny search."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtWidgets import QMessageBox  # noqa: E402

from automl.experiment.events import TrialStarted  # noqa: E402
from automl.modalities.forecast import default_window  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402
from desktop.pages.results.texts import format_value  # noqa: E402
from desktop.pages.results_page import ResultsPage  # noqa: E402
from desktop.series_data import EXAMPLES_PER_CLASS  # noqa: E402
from desktop.state import PROJECT_FILE, DataLayout, ProjectSettings, StudioState  # noqa: E402
from desktop.trial_table import TrialTableModel  # noqa: E402
from tests.conftest import run_cli  # noqa: E402

WAIT_MS = 30_000
CLASSES = ("down", "flat", "up")


def write_npz(path: Path, per_class: int = 12, steps: int = 30) -> Path:
    """Writes labelled series whose classes differ in slope; every 4th one is shorter."""
    rng = np.random.default_rng(0)
    labels = np.array([name for name in CLASSES for _ in range(per_class)])
    slope = {"down": -1.0, "flat": 0.0, "up": 1.0}
    ramp = np.linspace(0, 1, steps)
    X = np.stack([slope[c] * ramp + 0.05 * rng.standard_normal(steps) for c in labels])
    X = X[:, :, None].astype(np.float32)
    X[::4, steps - 6 :] = np.nan  # padding at the end
    np.savez(path, X=X, y=labels)
    return path


def write_forecast_csv(path: Path, rows: int = 160) -> Path:
    t = np.arange(rows)
    frame = pd.DataFrame({"t": t, "value": 10 + 5 * np.sin(t / 6) + 0.1 * t})
    frame.to_csv(path, index=False)
    return path


def write_wide_csv(path: Path, series: int = 24, steps: int = 14) -> Path:
    rng = np.random.default_rng(1)
    rows = []
    for i in range(series):
        kind = CLASSES[i % 3]
        values = {"down": -1, "flat": 0, "up": 1}[kind] * np.linspace(0, 1, steps)
        rows.append([f"s{i}", *(values + 0.05 * rng.standard_normal(steps)).round(3), kind])
    columns = ["id", *(f"t{i}" for i in range(steps)), "kind"]
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


def write_long_csv(path: Path, series: int = 18, steps: int = 12) -> Path:
    rows = []
    for i in range(series):
        kind = CLASSES[i % 3]
        slope = {"down": -1, "flat": 0, "up": 1}[kind]
        for step in reversed(range(steps)):  # out of order: the time column orders them
            rows.append({"sensor": f"s{i}", "tick": step, "reading": slope * step, "kind": kind})
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture()
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.state.project_dir = tmp_path / "project"
    window.resize(1400, 880)
    window.show()
    yield window
    window.search_page.engine.kill()


def wait_loaded(qtbot, window: MainWindow, modality: str) -> None:
    page = window.data_page
    qtbot.waitUntil(
        lambda: (
            window.state.modality == modality
            and not page.busy
            and not page.layout_box._settle.isActive()
        ),
        timeout=WAIT_MS,
    )


def expect_error(qtbot, window: MainWindow) -> str:
    """Waits for the error dialog, closes it and returns its text."""
    qtbot.waitUntil(
        lambda: window.findChild(QMessageBox, "errorDialog") is not None, timeout=WAIT_MS
    )
    box = window.findChild(QMessageBox, "errorDialog")
    text = box.text()
    box.setObjectName("")  # deleted later; the next wait must not find it
    box.close()
    return text


def choose_layout(window: MainWindow, kind: str, **columns: str) -> None:
    """Picks a layout in the Data layout box as a user would, then its columns."""
    box = window.data_page.layout_box
    box.kind.setCurrentIndex(box.kind.findData(kind))
    for name, value in columns.items():
        combo = getattr(box, name)
        combo.setCurrentIndex(combo.findData(value))


# -- NumPy files ------------------------------------------------------------------------


def test_an_npz_shows_its_summary_and_one_curve_group_per_class(qtbot, window, tmp_path):
    data = write_npz(tmp_path / "slopes.npz")
    window.open_path(data)
    wait_loaded(qtbot, window, "series")
    page, summary = window.data_page, window.state.sequences
    view = page.series_view
    assert page.stack.currentWidget() is view
    assert not page.layout_box.isVisible()  # a NumPy file's layout is fixed
    assert summary["samples"] == 36 and summary["classes"] == 3
    assert summary["class_counts"] == {"down": 12, "flat": 12, "up": 12}
    assert (summary["min_length"], summary["max_length"], summary["padded"]) == (24, 30, 9)
    assert "36 series · 24–30 steps · 1 feature · 3 classes" in page.file_label.text()
    facts = view.facts.text()
    assert "<b>36</b> series of 24 to 30 steps" in facts
    assert "down 12, flat 12, up 12" in facts
    assert "9 series shorter than 30 steps" in facts and "No series dropped" in facts
    # One chart and one group of curves per class, each class in its own colour.
    assert sorted(view.curve_groups) == list(CLASSES)
    assert len(view.panels) == 3
    for curves in view.curve_groups.values():
        assert len(curves) == EXAMPLES_PER_CLASS
    colours = {curves[0].opts["pen"].color().name() for curves in view.curve_groups.values()}
    assert len(colours) == 3
    # A padded series is drawn without its padding.
    assert len(view.curve_groups["down"][0].getData()[0]) == 24
    assert window.statusBar().currentMessage().startswith("Loaded 36 series")

    # The Model page proposes the sequence families, all checked; the search gets them.
    model = window.model_page
    # A small series set starts from random convolutions.
    assert list(model.cards) == ["rocket", "conv1d", "lstm", "rnn"]
    assert all(card.isChecked() for card in model.cards.values())
    assert model.spaces.count() == 4
    arguments = window.search_page.search_arguments(tmp_path / "out")
    assert arguments[:2] == ["search", str(data)] and "--target" not in arguments
    assert arguments[arguments.index("--families") + 1] == "rocket,conv1d,lstm,rnn"
    metrics = window.search_page.metric_box
    assert "accuracy" in [metrics.itemText(i) for i in range(metrics.count())]


def test_unticking_a_family_and_narrowing_its_space_reach_the_command(qtbot, window, tmp_path):
    window.open_path(write_npz(tmp_path / "slopes.npz"))
    wait_loaded(qtbot, window, "series")
    model = window.model_page
    model.cards["rnn"].setChecked(False)
    assert not model.spaces.isTabEnabled(3)
    form = model.forms["lstm"]
    form.checks["units"][128].setChecked(False)
    assert model.problem.text() == ""
    arguments = window.search_page.search_arguments(tmp_path / "out")
    assert arguments[arguments.index("--families") + 1] == "rocket,conv1d,lstm"
    space = json.loads(Path(arguments[arguments.index("--space") + 1]).read_text())
    assert list(space) == ["lstm"] and space["lstm"]["units"] == [32, 64]
    assert "embedding_dims" in space["lstm"]  # hidden for series, still complete

    form.checks["units"][32].setChecked(False)
    form.checks["units"][64].setChecked(False)
    assert "units must be positive" in model.problem.text()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"this is not a zip archive", "cannot read it as a NumPy .npz file"),
        (None, "no array named 'y'"),
    ],
    ids=["corrupt", "no-labels"],
)
def test_a_bad_npz_shows_the_error_and_keeps_the_data(qtbot, window, tmp_path, content, words):
    good = write_npz(tmp_path / "good.npz")
    window.open_path(good)
    wait_loaded(qtbot, window, "series")
    before = window.state.sequences
    bad = tmp_path / "bad.npz"
    if content is None:
        np.savez(bad, X=np.zeros((4, 5, 1), np.float32))
    else:
        bad.write_bytes(content)
    window.open_path(bad)
    message = expect_error(qtbot, window)
    assert words in message and "\n" not in message
    assert window.state.sequences is before
    assert window.state.data_path == good
    assert sorted(window.data_page.series_view.curve_groups) == list(CLASSES)
    # Still usable: another file opens.
    window.open_path(write_npz(tmp_path / "again.npz", per_class=6))
    qtbot.waitUntil(lambda: window.state.sequences["samples"] == 18, timeout=WAIT_MS)


# -- CSV layouts ------------------------------------------------------------------------


def test_forecast_a_column_gives_the_search_its_flags(qtbot, window, tmp_path):
    data = write_forecast_csv(tmp_path / "demand.csv")
    window.open_path(data)
    wait_loaded(qtbot, window, "table")
    box = window.data_page.layout_box
    assert box.isVisible() and box.kind.currentData() == "table"

    choose_layout(window, "forecast", column="value", time_column="t")
    wait_loaded(qtbot, window, "forecast")
    state = window.state
    lookback, horizon = default_window(160)
    assert (lookback, horizon) == (12, 3)
    assert state.settings.layout == DataLayout("forecast", "", "t", lookback, horizon)
    assert state.settings.target == "value"
    assert (box.lookback.value(), box.horizon.value()) == (lookback, horizon)
    summary = state.sequences
    assert summary["horizon"] == 3 and sum(summary["windows"].values()) == summary["samples"]
    assert "value over time" in window.data_page.series_view.plot_box.title()

    arguments = window.search_page.search_arguments(tmp_path / "out")
    flags = arguments[arguments.index("--families") : arguments.index("--events")]
    assert arguments[2:4] == ["--target", "value"]
    assert flags == [
        "--families",
        "conv1d,lstm,rnn",
        "--lookback",
        "12",
        "--horizon",
        "3",
        "--time-column",
        "t",
    ]
    metrics = window.search_page.metric_box
    assert [metrics.itemText(i) for i in range(metrics.count())] == ["default", "rmse", "mae"]

    # A window longer than the series: the engine's message beside the spin boxes, the
    # data shown stays, and the search will not start.
    box.lookback.setValue(150)
    qtbot.waitUntil(lambda: bool(state.layout_problem), timeout=WAIT_MS)
    assert "needs at least" in box.message.text() and box.message.text().startswith("Not")
    assert state.sequences is summary
    window.search_page.start()
    assert "data layout cannot be read" in expect_error(qtbot, window)
    assert not window.search_page.engine.running

    box.lookback.setValue(20)
    qtbot.waitUntil(
        lambda: not state.layout_problem and state.settings.layout.lookback == 20, timeout=WAIT_MS
    )
    assert "--lookback" in window.search_page.search_arguments(tmp_path / "out")


def test_series_per_row_is_offered_when_the_table_looks_like_it(qtbot, window, tmp_path):
    data = write_wide_csv(tmp_path / "wide.csv")
    window.open_path(data)
    wait_loaded(qtbot, window, "table")
    box = window.data_page.layout_box
    per_row = box.kind.model().item(box.kind.findData("series_per_row"))
    assert per_row.isEnabled()
    assert "looks like one series per row" in box.message.text()

    choose_layout(window, "series_per_row")  # the hint fills in the label and id columns
    wait_loaded(qtbot, window, "series")
    assert window.state.sequences["class_counts"] == {"down": 8, "flat": 8, "up": 8}
    assert window.data_page.stack.currentWidget() is window.data_page.series_view
    arguments = window.search_page.search_arguments(tmp_path / "out")
    assert arguments[2:4] == ["--target", "kind"]
    assert "--series-per-row" in arguments
    assert arguments[arguments.index("--id-column") + 1] == "id"
    assert "--ignore" not in arguments and "--column-type" not in arguments

    # Back to a table: the table view and the column choices return.
    choose_layout(window, "table")
    wait_loaded(qtbot, window, "table")
    assert window.data_page.stack.currentIndex() == 1
    assert "--series-per-row" not in window.search_page.search_arguments(tmp_path / "out")


def test_a_plain_table_does_not_offer_series_per_row(qtbot, window, tmp_path):
    window.open_path(write_forecast_csv(tmp_path / "plain.csv"))
    wait_loaded(qtbot, window, "table")
    box = window.data_page.layout_box
    assert not box.kind.model().item(box.kind.findData("series_per_row")).isEnabled()


def test_long_format_needs_id_and_time_then_searches_with_them(qtbot, window, tmp_path):
    data = write_long_csv(tmp_path / "long.csv")
    window.open_path(data)
    wait_loaded(qtbot, window, "table")
    box = window.data_page.layout_box
    choose_layout(window, "long", column="kind")
    qtbot.waitUntil(lambda: bool(window.state.layout_problem), timeout=WAIT_MS)
    assert "id column" in box.message.text()

    choose_layout(window, "long", id_column="sensor", time_column="tick")
    wait_loaded(qtbot, window, "series")
    summary = window.state.sequences
    assert (summary["samples"], summary["steps"], summary["classes"]) == (18, 12, 3)
    # Ordered by the time column: an "up" series rises.
    up = window.data_page.series_view.groups[2]
    assert up.name == "up" and list(up.curves[0][:3, 0]) == [0.0, 1.0, 2.0]
    arguments = window.search_page.search_arguments(tmp_path / "out")
    tail = arguments[arguments.index("--families") + 2 : arguments.index("--events")]
    assert tail == ["--id-column", "sensor", "--time-column", "tick"]


def test_a_project_remembers_the_layout(qtbot, window, tmp_path):
    data = write_forecast_csv(tmp_path / "demand.csv")
    window.open_path(data)
    wait_loaded(qtbot, window, "table")
    choose_layout(window, "forecast", column="value", time_column="t")
    wait_loaded(qtbot, window, "forecast")
    window.state.save_project(tmp_path / "proj")
    saved = json.loads((tmp_path / "proj" / PROJECT_FILE).read_text())
    assert saved["layout"]["kind"] == "forecast"
    assert ProjectSettings.from_dict(saved).layout == window.state.settings.layout

    again = MainWindow(QSettings(str(tmp_path / "other.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(again)
    again.open_path(tmp_path / "proj")
    wait_loaded(qtbot, again, "forecast")
    assert again.state.settings.layout.lookback == 12
    assert again.data_page.layout_box.kind.currentData() == "forecast"


# -- the trial table and the Results page -----------------------------------------------


def test_the_trial_table_shows_the_family_when_several_are_searched():
    model = TrialTableModel()
    model.take(TrialStarted("0", {"units": 32}))
    assert model.columnCount() == 6
    model.reset("val_accuracy", "max")
    model.take(TrialStarted("0", {"family": "lstm", "lstm/units": 64}))
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert names[:3] == ["trial", "status", "family"]
    assert model.data(model.index(0, 2)) == "lstm"
    assert model.data(model.index(0, names.index("hyperparameters"))) == "lstm/units=64"


def test_list_values_read_as_lists():
    assert format_value([38.0, 141.69999694824219, 1234.5]) == "[38, 141.7, 1234]"


@pytest.fixture(scope="module")
def series_experiment(tmp_path_factory) -> Path:
    """A real one-trial, one-epoch search on a tiny npz."""
    folder = tmp_path_factory.mktemp("series")
    out = folder / "experiment"
    done = run_cli(
        "search",
        str(write_npz(folder / "slopes.npz")),
        "--out",
        str(out),
        "--families",
        "conv1d",
        "--max-trials",
        "1",
        "--epochs",
        "1",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out


@pytest.fixture(scope="module")
def forecast_experiment(tmp_path_factory) -> Path:
    """A real one-trial, one-epoch forecast search on a tiny CSV."""
    folder = tmp_path_factory.mktemp("forecast")
    out = folder / "experiment"
    done = run_cli(
        "search",
        str(write_forecast_csv(folder / "demand.csv")),
        "--target",
        "value",
        "--time-column",
        "t",
        "--lookback",
        "12",
        "--horizon",
        "3",
        "--families",
        "rnn",
        "--out",
        str(out),
        "--max-trials",
        "1",
        "--epochs",
        "1",
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return out


def results_page(qtbot, experiment: Path) -> ResultsPage:
    page = ResultsPage(StudioState())
    qtbot.addWidget(page)
    page.resize(1250, 850)
    page.show()
    assert page.show_experiment(experiment)
    return page


def test_results_show_the_nearest_neighbour_baseline(qtbot, series_experiment, tmp_path):
    summary = json.loads((series_experiment / "summary.json").read_text())
    ours = summary["test_metrics"]["accuracy"]
    theirs = summary["baselines"]["1-nearest neighbour"]["accuracy"]
    page = results_page(qtbot, series_experiment)
    text = page.baseline_label.text()
    assert page.baseline_label.isVisible()
    assert text.startswith(f"Baseline — 1-nearest neighbour: accuracy {theirs:.4f}")
    assert f"this model: accuracy {ours:.4f}" in text
    assert page.evaluation_stack.currentWidget() is page.confusion_table
    page.grab().save(str(tmp_path / "results_series.png"))


def test_results_show_the_naive_forecast_and_list_mistakes(qtbot, forecast_experiment, tmp_path):
    summary = json.loads((forecast_experiment / "summary.json").read_text())
    naive = summary["baselines"]["naive last value"]["mae"]
    page = results_page(qtbot, forecast_experiment)
    text = page.baseline_label.text()
    shown = f"{naive:.4f}" if naive < 10 else f"{naive:.4g}"
    assert text.startswith(f"Baseline — naive last value: MAE {shown} — this model: MAE ")
    assert page.evaluation_stack.currentWidget() is page.residuals
    assert "every step ahead" in page.residuals.plot.plotItem.titleLabel.text
    table = page.mistakes_table
    assert table.horizontalHeaderItem(0).text() == "window"
    actual = table.item(0, 1).text()
    assert actual.startswith("[") and actual.count(",") == 2  # three steps ahead
    assert page.mistakes_label.text().startswith("Worst test windows")
    page.grab().save(str(tmp_path / "results_forecast.png"))


def test_a_table_of_free_text_gets_the_text_families(qtbot, window, tmp_path):
    phrases = ["great, works well", "broke after a day", "really love it", "waste of money"]
    data = tmp_path / "reviews.csv"
    pd.DataFrame(
        {"review": [f"{phrases[i % 4]} (item {i})" for i in range(40)], "label": ["+", "-"] * 20}
    ).to_csv(data, index=False)
    window.open_path(data)
    wait_loaded(qtbot, window, "table")
    window.state.set_roles("label", [], {})
    qtbot.waitUntil(
        lambda: "conv1d" in window.model_page.cards and not window.data_page.busy,
        timeout=WAIT_MS,
    )
    assert window.state.text_feature() == "review"
    assert sorted(window.model_page.cards) == ["conv1d", "dense", "lstm"]
    assert "from the text in 'review'" in window.model_page.summary.text()
    arguments = window.search_page.search_arguments(tmp_path / "out")
    assert sorted(arguments[arguments.index("--families") + 1].split(",")) == [
        "conv1d",
        "dense",
        "lstm",
    ]
