"""`automl-studio --self-check FOLDER`: the window's whole flow, unattended, in FOLDER.

It opens the penguins sample, picks its target, runs a 1-trial search through the
app's own engine child and exports the best model (whose parity check is one more
engine child), then prints what it found and exits: 0 if the model came out, else 1.
`scripts/build_app.py` runs it in the built bundle, offscreen, to show the bundle needs
nothing outside itself.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication

#: How long the whole flow may take before the check fails (a TensorFlow child starts in ~10 s).
TIMEOUT_S = 1200


def run_self_check(folder: Path) -> int:
    """Returns 0 when the flow ends with an exported model that passed its parity check."""
    from automl.cli_search import sample_path
    from desktop.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    folder.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.state.project_dir = folder / "project"
    window.show()
    started = time.monotonic()
    outcome: dict[str, int] = {}

    def say(line: str) -> None:
        print(f"self-check {time.monotonic() - started:6.1f}s: {line}", flush=True)

    def finish(code: int, line: str) -> None:
        say(line)
        outcome["code"] = code
        window.search_page.engine.kill()
        app.quit()

    def when(ready: Callable[[], bool], then: Callable[[], None]) -> None:
        # A timer, not a busy loop: the window keeps painting and reading its children.
        timer = QTimer(window)

        def poll() -> None:
            if ready():
                timer.stop()
                then()

        timer.timeout.connect(poll)
        timer.start(200)

    def search_ended(code: int, crashed: bool) -> None:
        if code != 0 or crashed:
            finish(1, f"FAILED: the search child ended with code {code}")

    state = window.state
    destination = folder / "exported"

    def search() -> None:
        say(f"data loaded ({len(state.frame)} rows); target species")
        state.set_roles("species", [], {})
        window.show_step(window.search_page)
        window.search_page.max_trials_box.setValue(1)
        window.search_page.epochs_box.setValue(3)
        say("starting a 1-trial search in the engine child")
        state.experiment_changed.connect(export, type=_single_shot())
        window.search_page.engine.finished.connect(search_ended)
        window.search_page.start_button.click()

    def export() -> None:
        say(f"search done: {state.experiment}")
        window.export_page.export_process.finished.connect(exported)
        window.export_page.export_to(destination)

    def exported(code: int, crashed: bool) -> None:
        metadata = destination / "metadata.json"
        if code != 0 or not metadata.exists():
            finish(1, f"FAILED: the export ended with code {code}")
            return
        parity = json.loads(metadata.read_text()).get("parity", {})
        gap = parity.get("max_abs_diff")
        ok = gap is not None and gap < 1e-5
        verdict = "OK" if ok else "FAILED"
        finish(0 if ok else 1, f"exported to {destination}: parity {verdict} (max gap {gap})")

    QTimer.singleShot(0, lambda: say(f"window open {_since_process_start()}"))
    window.open_path(sample_path("penguins.csv"))
    when(lambda: state.frame is not None, search)
    QTimer.singleShot(TIMEOUT_S * 1000, lambda: finish(1, f"FAILED: not done in {TIMEOUT_S} s"))
    app.exec()
    return outcome.get("code", 1)


def _single_shot():
    """Returns the connection type that disconnects a slot after its first call."""
    from PySide6.QtCore import Qt

    return Qt.ConnectionType.SingleShotConnection


def _since_process_start() -> str:
    """Returns "1.23 s after the process started" (Linux), or "" where that is unknown."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return ""
    started = ticks / os.sysconf("SC_CLK_TCK")
    return f"{uptime - started:.2f} s after the process started"
