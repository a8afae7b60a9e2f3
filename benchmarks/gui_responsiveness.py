"""How responsive the desktop app stays while a real search runs, and how fast it opens.

Run (offscreen works; a real screen too):

    QT_QPA_PLATFORM=offscreen python benchmarks/gui_responsiveness.py [--budget 60]
        [--launch-only]

It prints the time from process start to the window being shown (measured in a fresh
process, so the imports count), then starts a real search on the bundled penguins sample
from the Search page and samples the event loop's latency: a 10 ms timer's lateness,
reported as p50 / p99 / max in milliseconds, with the number of events received.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"
TICK_MS = 10

LAUNCH_SCRIPT = """
import time
started = time.perf_counter()
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.main_window import MainWindow
window = MainWindow()
window.show()
app.processEvents()
print(f"{time.perf_counter() - started:.3f}")
"""


def launch_seconds() -> float:
    """Returns seconds from a fresh interpreter's start to the window shown."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", LAUNCH_SCRIPT], capture_output=True, text=True, cwd=ROOT, check=True
    )
    total = time.perf_counter() - started
    inside = float(done.stdout.strip().splitlines()[-1])
    print(
        f"launch: window shown {total:.2f} s after the process started "
        f"({inside:.2f} s of imports and set-up inside Python)"
    )
    return total


def sample_latency(budget_s: int) -> list[float]:
    """Runs a search from the Search page and returns the timer lateness samples (ms)."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from desktop.main_window import MainWindow

    window = MainWindow()
    window.resize(1280, 820)
    window.show()
    state = window.state
    state.project_dir = Path(tempfile.mkdtemp(prefix="automl-gui-bench-"))
    state.settings.data = str(PENGUINS)
    state.settings.target = "species"
    page = window.search_page
    page.max_trials_box.setValue(100)
    page.budget_box.setValue(budget_s)
    window.show_step(page)

    lateness: list[float] = []
    events = 0
    clock = QElapsedTimer()
    clock.start()
    expected = [TICK_MS]

    def tick() -> None:
        now = clock.elapsed()
        lateness.append(max(0.0, now - expected[0]))
        expected[0] = now + TICK_MS

    def count(_event) -> None:
        nonlocal events
        events += 1

    timer = QTimer()
    timer.setInterval(TICK_MS)
    timer.timeout.connect(tick)
    page.engine.event.connect(count)
    page.engine.finished.connect(lambda *_: app.quit())
    timer.start()
    page.start()
    app.exec()
    timer.stop()
    print(
        f"search: {events} events received from the child; "
        f"{sum(r['status'] == 'completed' for r in page.trials.rows)} trials completed"
    )
    return lateness


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=int, default=60, help="search budget in seconds")
    parser.add_argument(
        "--launch-only", action="store_true", help="time the window's opening, not a search"
    )
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    launch_seconds()
    if args.launch_only:
        return
    lateness = sample_latency(args.budget)
    print(
        f"event-loop latency while searching ({len(lateness)} samples of a {TICK_MS} ms "
        f"timer): p50 {percentile(lateness, 0.5):.1f} ms, p99 {percentile(lateness, 0.99):.1f} "
        f"ms, max {max(lateness):.1f} ms"
    )


if __name__ == "__main__":
    main()
