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
`--only explain` runs small CLI searches on penguins, shapes and digits and shoots the
Results page's Explain tab after `automl explain` (`11-explain.png`) and the Export page's
local explanation of a predicted table row, series and image (`12-`, `13-`, `14-explain-*`).
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
        choices=["series", "experiments", "welcome", "dark", "explain", "model"],
        help="take only these screenshots (series, welcome, model: no search; experiments, "
        "dark, explain: CLI searches)",
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
    if args.only == "model":
        open_penguins(app, window)
        window.show_step(window.model_page)
        shot("2-model")
    if args.only in (None, "series"):
        window.show_step(window.data_page)
        window.open_path(SHAPES)
        wait_until(app, lambda: window.state.modality == "series" and not window.data_page.busy)
        shot("7-series")
    if args.only == "experiments":
        cli_search(work / "project")
    if args.only in (None, "experiments"):
        experiments_view(app, window, work / "project", args.out / "8-experiments.png")
    if args.only in (None, "explain"):
        explain_flow(app, window, work, shot)
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


def cli_search(
    project: Path, data: Path = PENGUINS, target: str | None = "species", *options: str
) -> Path:
    """Returns the experiment of a small search of `data` run into `project` with the CLI,
    as a user's shell would (3 trials of 5 epochs unless `options` say otherwise)."""
    before = set((project / "experiments").glob("*")) if project.exists() else set()
    subprocess.run(
        [sys.executable, "-m", "automl", "search", str(data)]
        + (["--target", target] if target else [])
        + ["--max-trials", "3", "--epochs", "5", "--project", str(project), *options],
        check=True,
        stdout=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    return max(set((project / "experiments").glob("*")) - before, key=lambda p: p.stat().st_mtime)


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


def open_penguins(app, window) -> None:
    """Opens penguins on the Data page with `species` as the target."""
    from PySide6.QtWidgets import QComboBox

    window.open_path(PENGUINS)
    wait_until(app, lambda: window.state.frame is not None and not window.data_page.busy)
    window.data_page.findChild(QComboBox, "role:species").setCurrentText("target")
    wait_until(app, lambda: (window.state.profile or {}).get("target") is not None)


def table_flow(app, window, work: Path, shot) -> None:
    """Penguins from the Data page to a prediction on the Export page: shots 1 to 5."""
    open_penguins(app, window)
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


def explain_flow(app, window, work: Path, shot) -> None:
    """The Explain tab on a penguins search, then one local explanation per kind: 11 to 14."""
    import pandas as pd

    penguins = cli_search(work / "explain", PENGUINS, "species", "--max-trials", "10")
    window.state.set_experiment(penguins)
    results = window.results_page
    window.show_step(results)
    view = results.explain_view
    results.tabs.setCurrentWidget(view)
    view.explain()
    wait_until(app, lambda: not view.task.running and view.importance is not None, 600)
    shot("11-explain")

    # With their species: `automl explain` compares predictions with the true values.
    rows = work / "penguins_rows.csv"
    pd.read_csv(PENGUINS).sample(12, random_state=3).to_csv(rows, index=False)
    digits = work / "digits_new"
    for label in ("3", "7"):
        (digits / label).mkdir(parents=True)
        for image in sorted((ROOT / "assets" / "samples" / "digits" / label).glob("*.png"))[:4]:
            shutil.copy(image, digits / label / image.name)
    shapes = cli_search(work / "explain", SHAPES, None)
    images = cli_search(work / "explain", ROOT / "assets" / "samples" / "digits", None)
    for name, experiment, data in (
        ("12-explain-row-table", penguins, rows),
        ("13-explain-row-series", shapes, SHAPES),
        ("14-explain-row-image", images, digits),
    ):
        window.state.set_experiment(experiment)
        export = window.export_page
        window.show_step(export)
        shown: list[int] = []
        export.predictions_shown.connect(shown.append)
        export.predict_file(data)
        wait_until(app, lambda shown=shown: bool(shown))
        export.predictions_table.selectRow(2)
        local = export.local_explanation
        wait_until(app, lambda local=local: local.shown is not None and local.shown.row == 2, 600)
        shot(name)
        local.shown = None


if __name__ == "__main__":
    main()
