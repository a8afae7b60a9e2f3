"""The first screen, the step list, keyboard steps, what the window remembers, the palette,
and that every control has a tooltip and takes the keyboard focus."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QKeySequence  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
)

from desktop.main_window import MainWindow  # noqa: E402
from desktop.settings import app_settings, last_folder, recent  # noqa: E402
from desktop.steps import DONE, READY, WAITING  # noqa: E402
from tests.conftest import PENGUINS  # noqa: E402

WAIT_MS = 60_000
SAMPLES = PENGUINS.parent


def make_window(qtbot) -> MainWindow:
    """Returns a shown window on the test's own settings (see conftest's `own_settings`)."""
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    return window


def open_sample(qtbot, window: MainWindow, name: str) -> None:
    window.welcome_page.sample_buttons[name].click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.model_page, timeout=WAIT_MS)


def test_the_window_opens_on_the_welcome_page_with_the_samples(qtbot):
    window = make_window(qtbot)
    assert window.stack.currentWidget() is window.welcome_page
    assert set(window.welcome_page.sample_buttons) == {"penguins", "digits", "shapes", "sunspots"}
    assert window.welcome_page.no_recent.isVisibleTo(window)  # nothing opened yet
    steps = window.steps
    assert [steps.status_of(t) for t in steps.titles] == [
        READY,
        READY,
        WAITING,
        WAITING,
        WAITING,
        WAITING,
    ]
    assert "open data on the Welcome or Data page" in steps.item(3).toolTip()


@pytest.mark.parametrize(
    ("name", "modality", "target", "layout"),
    [
        ("penguins", "table", "species", "table"),
        ("sunspots", "forecast", "sunspots", "forecast"),
        ("shapes", "series", "", "table"),
        ("digits", "image", "", "table"),
    ],
)
def test_a_sample_opens_in_one_click_ready_for_the_model_page(
    qtbot, name, modality, target, layout
):
    window = make_window(qtbot)
    open_sample(qtbot, window, name)
    state = window.state
    assert state.modality == modality
    assert state.settings.target == target
    assert state.settings.layout.kind == layout
    assert window.search_page.start_problem() == ""  # a search could start now
    assert window.steps.status_of("Data") == DONE
    assert window.steps.status_of("Search") == READY
    if name == "sunspots":
        chosen = state.settings.layout
        assert (chosen.lookback, chosen.horizon, chosen.time_column) == (20, 5, "year")


def test_steps_say_what_they_wait_on_and_follow_the_state(qtbot, tmp_path):
    window = make_window(qtbot)
    window.open_path(PENGUINS)  # a table without a target yet
    qtbot.waitUntil(lambda: window.state.frame is not None, timeout=WAIT_MS)
    steps = window.steps
    assert steps.status_of("Data") == READY
    assert steps.status_of("Search") == WAITING
    assert steps.item(3).toolTip() == (
        "Search (waiting): choose the column to predict on the Data page"
    )
    window.state.set_roles("species", [], {})
    assert steps.status_of("Search") == READY
    assert steps.status_of("Results") == WAITING
    experiment = tmp_path / "experiment"
    experiment.mkdir()
    window.state.set_experiment(experiment)
    assert steps.status_of("Results") == DONE
    assert steps.status_of("Export") == READY
    assert "experiment experiment" in steps.item(4).text()


def test_keyboard_shortcuts_move_between_steps(qtbot):
    window = make_window(qtbot)
    with qtbot.waitActive(window):  # shortcuts reach the active window only
        window.activateWindow()
    pages = window.pages
    QTest.keySequence(window, QKeySequence("Ctrl+3"))
    assert window.stack.currentWidget() is pages[2]
    QTest.keySequence(window, QKeySequence("Ctrl+PgDown"))
    assert window.stack.currentWidget() is pages[3]
    QTest.keySequence(window, QKeySequence("Ctrl+PgUp"))
    QTest.keySequence(window, QKeySequence("Ctrl+PgUp"))
    assert window.stack.currentWidget() is pages[1]
    QTest.keySequence(window, QKeySequence("Ctrl+6"))
    assert window.stack.currentWidget() is window.export_page


def test_the_window_remembers_its_size_folder_recent_and_search_settings(qtbot, own_settings):
    window = make_window(qtbot)
    window.resize(1100, 760)
    window.search_page.max_trials_box.setValue(7)
    window.search_page.budget_box.setValue(444)
    open_sample(qtbot, window, "penguins")
    window.show_step(window.data_page)
    splitter = window.data_page.table_view  # the preview beside the charts
    splitter.setSizes([150, 850])
    sizes = splitter.sizes()
    assert sizes[0] / sum(sizes) < 0.2  # not the default share
    size = (window.width(), window.height())
    assert size != (1280, 820)  # not the size a new window starts with
    window.close()

    settings = app_settings()
    assert Path(settings.fileName()).is_relative_to(own_settings)  # not the user's
    assert recent(settings)[0] == str(PENGUINS)
    assert last_folder(settings) == str(SAMPLES)

    again = make_window(qtbot)
    # The height as it was; the width too, where the screen is wide enough (the offscreen
    # test screen is 800 pixels wide, narrower than the window can be).
    assert again.height() == size[1] != 820
    screen = again.screen().availableGeometry().width()
    assert again.width() == (size[0] if size[0] <= screen else again.minimumSizeHint().width())
    again.show_step(again.data_page)
    restored = again.data_page.table_view.sizes()  # in a narrower window here: the shares
    assert restored[0] / sum(restored) == pytest.approx(sizes[0] / sum(sizes), abs=0.02)
    assert again.search_page.max_trials_box.value() == 7
    assert again.search_page.budget_box.value() == 444
    assert again.data_page._start_folder() == SAMPLES
    recent_list = again.welcome_page.recent
    assert recent_list.count() == 1 and recent_list.item(0).text().startswith("penguins.csv")
    recent_list.itemClicked.emit(recent_list.item(0))  # one click opens it again
    qtbot.waitUntil(lambda: again.state.data_path == PENGUINS, timeout=WAIT_MS)


def test_a_recent_file_that_is_gone_shows_a_dialog_and_the_window_stays(qtbot, tmp_path):
    gone = tmp_path / "gone.csv"
    gone.write_text("a,b\n1,2\n")
    window = make_window(qtbot)
    window.file_menu.remember(gone)
    gone.unlink()
    window.file_menu.fill_recent()
    item = window.welcome_page.recent.item(0)
    assert "no longer there" in item.toolTip()
    window.welcome_page.recent.itemClicked.emit(item)
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "errorDialog") is not None)
    window.findChild(QMessageBox, "errorDialog").close()
    open_sample(qtbot, window, "penguins")  # still usable
    assert window.state.data_path == PENGUINS


def test_the_dark_palette_colours_the_window_and_the_plots(qtbot):
    import pyqtgraph as pg

    from desktop.palette import chosen_scheme, is_dark, use_palette

    app = QApplication.instance()
    style, palette = app.style().name(), app.palette()
    try:
        window = make_window(qtbot)
        open_sample(qtbot, window, "penguins")
        use_palette(app, "dark")
        assert is_dark(app.palette())
        assert pg.mkColor(pg.getConfigOption("background")).lightness() < 64
        plots = window.findChildren(pg.PlotWidget)
        assert plots
        # The plots already shown take the dark background too.
        qtbot.waitUntil(lambda: all(p.backgroundBrush().color().lightness() < 64 for p in plots))
        assert chosen_scheme("light") == "light" and chosen_scheme("pink") == "system"
    finally:
        app.setStyle(style)
        app.setPalette(palette)
        use_palette(app, "system")


def controls(window: MainWindow) -> list:
    """Returns every control a user works with on the window's pages (not Qt's own parts:
    headers, a table's corner button, a combo box's list, a spin box's line)."""
    found = []
    for page in window.pages:
        for kind in (
            QAbstractButton,
            QComboBox,
            QAbstractSpinBox,
            QLineEdit,
            QAbstractItemView,
            QPlainTextEdit,
            QTextEdit,
        ):
            for widget in page.findChildren(kind):
                inside = widget.parent()
                qt_part = (
                    isinstance(widget, QHeaderView)
                    or widget.objectName().startswith("qt_")
                    or isinstance(inside, (QAbstractSpinBox, QTabBar, QAbstractItemView))
                    or _inside_combo_box(widget)
                )
                if not qt_part:
                    found.append((page.title, widget))
    return found


def _inside_combo_box(widget) -> bool:
    """Whether `widget` is part of a combo box (its pop-up list)."""
    parent = widget.parent()
    while parent is not None:
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return False


def test_every_control_has_a_tooltip_and_takes_the_keyboard_focus(qtbot):
    window = make_window(qtbot)
    for sample in ("penguins", "sunspots"):  # the table and the forecast controls
        open_sample(qtbot, window, sample)
        found = controls(window)
        assert len(found) > 60
        untipped = [
            f"{title}: {type(w).__name__} {getattr(w, 'text', lambda: '')()!r}"
            for title, w in found
            if not w.toolTip().strip()
        ]
        unfocusable = [
            f"{title}: {type(w).__name__}"
            for title, w in found
            if w.focusPolicy() == Qt.FocusPolicy.NoFocus
        ]
        assert untipped == []
        assert unfocusable == []


def test_tests_never_touch_the_users_settings(own_settings):
    assert Path(app_settings().fileName()).is_relative_to(own_settings)
    assert Path(QSettings().fileName()).is_relative_to(own_settings)


def test_the_palette_option_and_its_environment_variable(monkeypatch, capsys):
    from desktop.app import main
    from desktop.palette import ENVIRONMENT, chosen_scheme

    with pytest.raises(SystemExit) as exit_info:
        main(["--palette", "pink"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'pink'" in capsys.readouterr().err
    monkeypatch.setenv(ENVIRONMENT, "Dark")
    assert chosen_scheme(None) == "dark"
    assert chosen_scheme("light") == "light"  # the option wins
    monkeypatch.setenv(ENVIRONMENT, "sepia")
    assert chosen_scheme(None) == "system"
