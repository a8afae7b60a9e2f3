"""Screenshots of every page of the desktop app with real content, for the README.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--out docs/screenshots]
        [--only series|experiments|welcome|dark] [--palette system|light|dark]

Opens the bundled penguins table, picks `species` as the target, runs a real small
search from the Search page (captured while it runs), then shows Results and Export
with a prediction, saving one PNG per page. Then opens the bundled shapes series
(`7-series.png`), and the project's Experiments view with an interrupted copy of the
search beside it (`8-experiments.png`). `--only series` takes just the series (no search,
seconds); `--only experiments` the Experiments view over a small search run by the CLI.
`--only welcome` takes the Welcome page (`0-welcome.png`) and the step list once penguins
is open without a target (`9-steps.png`); `--only dark` the Results page of a small CLI
search in the dark palette (`10-results-dark.png`), as the full run does at its end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from desktop.palette import SCHEMES

ROOT = Path(__file__).resolve().parents[1]
PENGUINS = ROOT / "assets" / "samples" / "penguins.csv"
SHAPES = ROOT / "assets" / "samples" / "shapes.npz"
SUNSPOTS = ROOT / "assets" / "samples" / "sunspots.csv"


def wait_until(app, predicate, timeout_s: float = 300) -> None:
    """Runs the event loop until `predicate()` holds (no busy loop on the GUI thread)."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    timer = QTimer()
    timer.setInterval(50)
    timer.timeout.connect(lambda: loop.quit() if predicate() else None)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    timer.start()
    deadline.start(int(timeout_s * 1000))
    loop.exec()
    if not predicate():
        raise TimeoutError("the app did not reach the expected state in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--only",
        choices=["series", "experiments", "welcome", "dark"],
        help="take only these screenshots (series, welcome: no search; experiments, dark: "
        "a CLI search)",
    )
    parser.add_argument("--palette", choices=SCHEMES, default="light", help="the colours")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    from desktop.main_window import MainWindow
    from desktop.palette import use_palette

    use_palette(app, args.palette)
    work = Path(tempfile.mkdtemp(prefix="automl-shots-"))
    settings = QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat)
    if args.only in (None, "welcome"):
        from desktop.settings import remember_recent

        # What a returning user sees: a project and files opened before.
        for path in (SUNSPOTS, ROOT / "assets" / "samples" / "digits", PENGUINS):
            remember_recent(settings, path)
    window = MainWindow(settings)
    window.resize(1400, 880)
    window.state.project_dir = work / "project"
    window.show()
    args.out.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        app.processEvents()
        path = args.out / f"{name}.png"
        window.grab().save(str(path))
        print(f"wrote {path}")

    shot.out = args.out

    if args.only in (None, "welcome"):
        welcome(app, window, shot)
    if args.only is None:
        table_flow(app, window, work, shot)
    if args.only in (None, "series"):
        window.show_step(window.data_page)
        window.open_path(SHAPES)
        wait_until(app, lambda: window.state.modality == "series" and not window.data_page.busy)
        shot("7-series")
    if args.only == "experiments":
        cli_search(work / "project")
    if args.only in (None, "experiments"):
        experiments_view(app, window, work / "project", args.out / "8-experiments.png")
    if args.only == "dark":
        cli_search(work / "project")
        window.state.set_experiment(sorted((work / "project" / "experiments").iterdir())[-1])
    if args.only in (None, "dark"):
        use_palette(app, "dark")
        window.show_step(window.results_page)
        wait_until(app, lambda: window.results_page.leaderboard.model().rowCount() > 0)
        shot("10-results-dark")


def welcome(app, window, shot) -> None:
    """The first screen with recent files, then the step list once a table is open without
    a target yet: what is done, what is ready, and what each waiting step waits on."""
    from PySide6.QtCore import QRect

    window.show_step(window.welcome_page)
    shot("0-welcome")
    window.open_path(PENGUINS)
    wait_until(app, lambda: window.state.frame is not None and not window.data_page.busy)
    steps = window.steps
    app.processEvents()
    bottom = steps.visualItemRect(steps.item(steps.count() - 1)).bottom()
    path = shot.out / "9-steps.png"  # the list alone: its marks and notes
    steps.grab(QRect(0, 0, steps.width(), bottom + 12)).save(str(path))
    print(f"wrote {path}")


def cli_search(project: Path) -> None:
    """Runs a small penguins search into `project` with the CLI, as a user's shell would."""
    subprocess.run(
        [sys.executable, "-m", "automl", "search", str(PENGUINS), "--target", "species"]
        + ["--max-trials", "3", "--epochs", "5", "--project", str(project)],
        check=True,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def experiments_view(app, window, project: Path, path: Path) -> None:
    """Opens `project` beside an interrupted copy of its search; shoots the Experiments view."""
    from PySide6.QtWidgets import QMessageBox

    finished = sorted((project / "experiments").iterdir())[-1]
    killed = finished.with_name(f"{finished.name}-killed")
    shutil.copytree(finished, killed)
    # What a kill leaves: no summary, events up to the first finished trial, a free lock.
    (killed / "summary.json").unlink()
    lines = (killed / "events.jsonl").read_text().splitlines()
    first_end = next(i for i, line in enumerate(lines) if '"type":"trial_ended"' in line)
    (killed / "events.jsonl").write_text("\n".join(lines[: first_end + 1]) + "\n")
    (killed / "search.lock").touch()

    window.open_path(project)
    wait_until(app, lambda: window.findChild(QMessageBox, "resumeQuestion") is not None)
    question = window.findChild(QMessageBox, "resumeQuestion")
    next(b for b in question.buttons() if b.text() == "Not now").click()
    dialog = window.experiments_dialog
    wait_until(app, lambda: dialog.isVisible() and dialog.model.rowCount() >= 2)
    dialog.select(killed.name)
    app.processEvents()
    dialog.grab().save(str(path))
    print(f"wrote {path}")


def table_flow(app, window, work: Path, shot) -> None:
    """Penguins from the Data page to a prediction on the Export page: shots 1 to 5."""
    from PySide6.QtWidgets import QComboBox

    window.open_path(PENGUINS)
    wait_until(app, lambda: window.state.frame is not None and not window.data_page.busy)
    window.data_page.findChild(QComboBox, "role:species").setCurrentText("target")
    wait_until(app, lambda: (window.state.profile or {}).get("target") is not None)
    shot("1-data")
    window.show_step(window.model_page)
    shot("2-model")

    search = window.search_page
    window.show_step(search)
    search.max_trials_box.setValue(4)
    search.epochs_box.setValue(60)
    search.budget_box.setValue(120)
    search.start()
    # Generous: each small-data trial trains once per cross-validation fold.
    wait_until(
        app,
        lambda: (
            sum(r["status"] == "completed" for r in search.trials.rows) >= 2
            and search.trials.rows[-1]["epochs"] >= 5
        ),
        timeout_s=900,
    )
    shot("3-search")
    wait_until(app, lambda: not search.engine.running, timeout_s=900)
    wait_until(app, lambda: window.state.experiment is not None)
    window.show_step(window.results_page)
    shot("4-results")

    rows = work / "new_penguins.csv"
    import pandas as pd

    pd.read_csv(PENGUINS).drop(columns=["species"]).sample(30, random_state=1).to_csv(
        rows, index=False
    )
    export = window.export_page
    window.show_step(export)
    shown = []
    export.predictions_shown.connect(shown.append)
    export.predict_file(rows)
    wait_until(app, lambda: bool(shown))
    shot("5-export")


if __name__ == "__main__":
    main()
