"""Closing the window during a search: ask, hide at once, quit when the engine has ended.

A fake engine child (a few lines of Python on the real `EngineProcess`) stands in for the
search: it ends with exit code 130 shortly after it reads `stop`, as `automl search
--control-stdin` does once it has exported the best model.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

import desktop.main_window  # noqa: E402
from desktop.main_window import MainWindow  # noqa: E402

WAIT_MS = 20_000
#: Stops 0.5 s after `stop` (the last epoch and the export), exit code 130 as the CLI's.
STOPS = (
    "import sys, time\n"
    "for line in sys.stdin:\n"
    "    if line.strip() == 'stop':\n"
    "        time.sleep(0.5)\n"
    "        sys.exit(130)\n"
)
#: Never stops on its own: only a kill ends it.
IGNORES_STOP = "import time\ntime.sleep(120)\n"


@pytest.fixture()
def window(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.search_page.engine.kill()
    window.search_page.engine.process.waitForFinished(10_000)


@pytest.fixture()
def seen(window, monkeypatch) -> list[str]:
    """What happened, in order: "finished" (the engine) and "quit" (the app was asked)."""
    events: list[str] = []
    monkeypatch.setattr(QApplication, "quit", lambda: events.append("quit"))
    window.search_page.engine.finished.connect(lambda *_: events.append("finished"))
    return events


def start_fake_search(qtbot, window, script: str, tmp_path) -> None:
    page = window.search_page
    page.out = tmp_path / "experiment"  # where the page looks once the search has ended
    page.engine.process.start(sys.executable, ["-c", script])
    qtbot.waitUntil(lambda: page.engine.process.processId() > 0, timeout=WAIT_MS)


def answer(monkeypatch, button: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(parent, title, text, *args):
        asked.append(text)
        return button

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def test_closing_hides_at_once_and_quits_only_after_finished(
    qtbot, window, seen, monkeypatch, tmp_path
):
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    start_fake_search(qtbot, window, STOPS, tmp_path)
    window.close()
    assert asked == ["Stop the search and close? The best model so far is kept."]
    assert window.isHidden()  # at once: nothing waited for the child
    assert window.search_page.engine.running and window.search_page.engine.stop_requested
    assert seen == []  # no quit before the engine has ended
    qtbot.waitUntil(lambda: "quit" in seen, timeout=WAIT_MS)
    assert seen == ["finished", "quit"]


def test_no_keeps_the_window_and_the_search(qtbot, window, seen, monkeypatch, tmp_path):
    answer(monkeypatch, QMessageBox.StandardButton.No)
    start_fake_search(qtbot, window, STOPS, tmp_path)
    window.close()
    assert window.isVisible()
    assert window.search_page.engine.running and not window.search_page.engine.stop_requested
    qtbot.wait(300)
    assert seen == []


def test_a_search_that_does_not_stop_is_killed_after_the_grace(
    qtbot, window, seen, monkeypatch, tmp_path
):
    monkeypatch.setattr(desktop.main_window, "CLOSE_GRACE_MS", 300)
    answer(monkeypatch, QMessageBox.StandardButton.Yes)
    start_fake_search(qtbot, window, IGNORES_STOP, tmp_path)
    with qtbot.waitSignal(window.search_page.engine.finished, timeout=WAIT_MS) as finished:
        window.close()
        assert window.isHidden() and seen == []
    assert finished.args[1] is True  # crashed: killed
    qtbot.waitUntil(lambda: "quit" in seen, timeout=WAIT_MS)
    assert seen[:2] == ["finished", "quit"]


def test_closing_without_a_search_closes_without_asking(qtbot, window, seen, monkeypatch):
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    window.close()
    assert asked == [] and window.isHidden() and seen == []
