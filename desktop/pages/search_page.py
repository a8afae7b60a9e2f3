"""The Search page: budgets, Start / Stop / Kill, live trials, curves and the engine's log."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from automl.errors import AutoMLError, first_line
from automl.experiment.events import Event, SearchEnded, SearchStarted, TrialStarted
from automl.experiment.files import reserve_folder
from automl.experiment.layout import EVENTS
from automl.experiment.reader import read_events
from automl.modalities.registry import traits_of
from automl.search.request import UNBOUNDED_TRIALS, SearchRequest
from desktop.dialogs import show_error
from desktop.engine_process import EngineProcess, last_error_line
from desktop.pages.results.texts import folds_words
from desktop.pages.search.arguments import safe_name
from desktop.pages.search.live_view import LiveSearchView
from desktop.pages.search.progress import budget_left
from desktop.pages.search.settings_box import SearchSettingsBox
from desktop.state import StudioState

EXIT_MEANING = {
    2: "the engine rejected the input",
    3: "no trial succeeded",
}


class SearchPage(QWidget):
    """Starts the engine's search in a child process and follows its event stream."""

    title = "Search"

    def __init__(self, state: StudioState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.engine = EngineProcess(self)
        self.engine.event.connect(self._on_event)
        self.engine.log.connect(self._on_log)
        self.engine.finished.connect(self._on_finished)
        self.out: Path | None = None
        self.budget_s: float | None = 0
        self.max_trials = 0
        self.folds: int | None = None  # cross-validation folds of the running search
        self.stderr: list[str] = []
        self.done_before = 0  # trials an interrupted search had finished before its resume
        self.clock = QElapsedTimer()
        self.ticker = QTimer(self)
        self.ticker.setInterval(500)
        self.ticker.timeout.connect(self._tick)
        self._build()
        state.roles_changed.connect(self._refresh_metrics)
        state.data_changed.connect(self._refresh_metrics)

    # -- layout -------------------------------------------------------------------------

    def _build(self) -> None:
        self.settings_box = SearchSettingsBox(self.state.settings.search)
        box = self.settings_box
        # The boxes by their old names: tests and scripts set them on the page.
        self.tuner, self.form = box.tuner, box.form
        self.max_trials_box, self.budget_box = box.max_trials_box, box.budget_box
        self.epochs_box, self.metric_box = box.epochs_box, box.metric_box
        self.seed_box, self.patience_box = box.seed_box, box.patience_box
        self.device_box, self.workers_box = box.device_box, box.workers_box
        self.precision_box = box.precision_box
        self.devices = EngineProcess(self)
        self.devices.output.connect(self._take_devices)
        self._devices_asked = False

        self.start_button = QPushButton("Start search")
        self.start_button.setToolTip("Run the search in a separate process")
        self.start_button.clicked.connect(self.start)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Finish the current epoch, keep and export the best model")
        self.stop_button.clicked.connect(self.stop)
        self.kill_button = QPushButton("Kill")
        self.kill_button.setToolTip("End the search process now; completed trials stay on disk")
        self.kill_button.clicked.connect(self.engine.kill)
        buttons = QHBoxLayout()
        for button in (self.start_button, self.stop_button, self.kill_button):
            buttons.addWidget(button)
        self.progress = QLabel("Not running")
        self.progress.setWordWrap(True)

        left = QVBoxLayout()
        left.addWidget(self.settings_box)
        left.addLayout(buttons)
        left.addWidget(self.progress)
        left.addStretch(1)
        left_widget = QWidget()
        left_widget.setLayout(left)
        left_widget.setMaximumWidth(380)

        self.live = LiveSearchView()
        self.trials, self.log_view = self.live.trials, self.live.log_view
        self.running_curve, self.best_curve = self.live.running_curve, self.live.best_curve
        layout = QHBoxLayout(self)
        layout.addWidget(left_widget)
        layout.addWidget(self.live, 1)
        self._set_running(False)
        self._refresh_metrics()

    def showEvent(self, event) -> None:
        # Asking TensorFlow costs a few seconds in a child; only when the page is seen.
        if not self._devices_asked:
            self._devices_asked = True
            self.devices.start(["devices", "--json"])
        super().showEvent(event)

    def _take_devices(self, line: str) -> None:
        try:
            found = json.loads(line)
        except ValueError:
            return
        self.settings_box.add_devices(found)

    def _refresh_metrics(self) -> None:
        state = self.state
        if state.sequences is not None:
            task = state.sequences["task"]
        else:
            # An image folder has no profile: always classification (each sub-folder a class).
            task = ((state.profile or {}).get("target") or {}).get("task", "")
        numeric = task in ("regression", "forecast")
        self.settings_box.show_metrics("regression" if numeric else "classification")

    # -- actions --------------------------------------------------------------------------

    def start(self) -> None:
        """Starts a search with the page's settings; problems show as a dialog."""
        if self.engine.running:
            return
        settings = self.state.settings
        if not settings.data:
            show_error(self, "Cannot start", "Open a data file on the Data page first.")
            return
        problem = self.start_problem()
        if problem:
            show_error(self, "Cannot start", problem)
            return
        self._save_settings()
        root = self.state.experiments_root()
        root.mkdir(parents=True, exist_ok=True)
        # Image folders and NumPy files have no target column; the file name says it all.
        name = Path(settings.data).name if self._labels_in_file() else settings.target
        # Created now: two searches started in the same second get their own folders.
        self.out = reserve_folder(root, safe_name(name))
        try:
            arguments = self.search_arguments(self.out)
        except AutoMLError as error:
            show_error(self, "Cannot start", first_line(error))
            return
        self._clear()
        self.budget_s = self.budget_box.value()
        self.max_trials = self.max_trials_box.value()
        self._launch(arguments, "Starting the search process…", f"Search started: {self.out}")

    def resume(self, folder: Path) -> None:
        """Continues the interrupted search in `folder`, shown as a search from this page.

        The trials it finished before appear at once (read from its events.jsonl); the
        rest arrive as it runs, and Stop, Kill and the results work as for a new search.
        """
        if self.engine.running:
            show_error(self, "Cannot resume", "A search is running; stop it first.")
            return
        self.out = Path(folder)
        self._clear()
        try:
            past = read_events(self.out / EVENTS)
        except OSError:
            past = []
        self.max_trials = 0
        for event in past:
            self._on_event(event)
        self.trials.mark_unfinished("interrupted")
        self.done_before = sum(r["status"] != "interrupted" for r in self.trials.rows)
        self.budget_s = budget_left(past)
        self._launch(
            self.resume_arguments(self.out),
            f"Resuming {self.out.name} ({self.done_before} of {self.max_trials} trials were "
            "done when it stopped)…",
            f"Search resumed: {self.out}",
        )

    def resume_arguments(self, folder: Path) -> list[str]:
        """Returns the `automl resume` command line that continues the search in `folder`."""
        return ["resume", str(folder), "--events", "-", "--control-stdin"]

    def _clear(self) -> None:
        self.live.clear()
        self.stderr.clear()
        self.done_before = 0

    def _launch(self, arguments: list[str], progress: str, status: str) -> None:
        self.clock.start()
        self.ticker.start()
        self._set_running(True)
        self.progress.setText(progress)
        self.state.status.emit(status)
        self.engine.start(arguments)

    def _labels_in_file(self) -> bool:
        """Whether the labels come with the data, not from a column: data without a table
        (an image folder, each sub-folder a class, or a NumPy file of series with its `y`)."""
        state = self.state
        return state.frame is None and (state.images is not None or state.sequences is not None)

    def start_problem(self) -> str:
        """Returns why a search cannot start with the current data and choices, or ""."""
        state, settings = self.state, self.state.settings
        if state.layout_problem:
            return f"The data layout cannot be read: {state.layout_problem}"
        if not self._labels_in_file() and not settings.target:
            verb = traits_of(state.kind_name).target_verb
            return f"Choose the column to {verb} on the Data page."
        if self._searched_families() == []:
            return "Check at least one model family on the Model page."
        return ""

    def _searched_families(self) -> list[str] | None:
        """Returns the families to pass with `--families`, or None to leave it out: a
        table or image folder has one family, series and text a choice of several."""
        if traits_of(self.state.kind_name).families_chosen:
            return list(self.state.settings.families)
        return None

    def search_request(self, out: Path) -> SearchRequest:
        """Returns the search the current data and settings ask for.

        An image folder or a NumPy file of series has no target (the labels come with the
        data); a table read as series or a forecast gets its layout's options; column
        choices are for tables only. The Model page's space goes to the families searched
        (a table's one family; none for images, whose family the engine picks).
        """
        state, settings = self.state, self.state.settings
        traits = traits_of(state.kind_name)
        families = self._searched_families()
        searched = families or ([traits.page_family] if traits.page_family else [])
        columns = traits.column_choices
        return SearchRequest(
            data=Path(settings.data),
            target="" if self._labels_in_file() else settings.target,
            out=out,
            ignore=tuple(settings.ignored) if columns else (),
            column_types=dict(settings.column_types) if columns else {},
            families=tuple(families or ()),
            space={f: s for f, s in settings.space.items() if s and f in searched},
            # A layout that could not be read gives no series: the table's options then.
            options=settings.layout.options() if state.sequences is not None else {},
            **self.settings_box.request_fields(),
        )

    def search_arguments(self, out: Path) -> list[str]:
        """Returns the `automl search` command line for the current settings, following
        the search's events on stdout and taking Stop on stdin.

        Raises:
            AutoMLError: the engine refuses the settings.
        """
        space_file = out.parent / f".{out.name}.space.json"
        return [
            "search",
            *self.search_request(out).to_argv(space_file),
            "--events",
            "-",
            "--control-stdin",
        ]

    def stop(self) -> None:
        if self.engine.running:
            self.engine.stop()
            self.progress.setText(
                "Stopping: finishing this epoch, then exporting the best model so far…"
            )
            self.stop_button.setEnabled(False)

    def _save_settings(self) -> None:
        self.settings_box.save_to(self.state.settings.search)

    # -- engine events ----------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        self.live.take(event)
        if isinstance(event, SearchStarted):
            self.max_trials = event.max_trials
            self.folds = event.folds
        elif isinstance(event, TrialStarted) and event.folds:
            self.folds = event.folds  # the budget may have kept only the first folds
        elif isinstance(event, SearchEnded):
            self.progress.setText(
                f"Search {event.status}: {event.reason}. Exporting and checking the best model…"
            )

    def _on_log(self, line: str) -> None:
        self.stderr.append(line)
        self.log_view.appendPlainText(line)

    def _on_finished(self, code: int, crashed: bool) -> None:
        self.ticker.stop()
        self._set_running(False)
        elapsed = self.clock.elapsed() / 1000
        done = sum(r["status"] == "completed" for r in self.trials.rows)
        if code in (0, 130) and not crashed:
            verb = "stopped" if code == 130 else "finished"
            self.progress.setText(
                f"Search {verb} after {elapsed:.0f} s: {done} trials; the "
                "best model is exported (see Results and Export)."
            )
            self.state.set_experiment(self.out)
        elif crashed or code < 0:
            self.progress.setText(
                f"The search process ended unexpectedly after {elapsed:.0f} s; "
                f"{done} completed trials are kept in {self.out}."
            )
            if self.out is not None and (self.out / EVENTS).exists():
                self.state.set_experiment(self.out)
            if not self.engine.stop_requested and not crashed:
                show_error(self, "Search failed", last_error_line(self.stderr))
        else:
            message = last_error_line(self.stderr)
            self.progress.setText(f"Search failed: {EXIT_MEANING.get(code, 'error')}.")
            show_error(self, "Search failed", message)
        self.state.status.emit(self.progress.text())

    def _tick(self) -> None:
        elapsed = self.clock.elapsed() / 1000
        done = sum(r["status"] not in ("running", "interrupted") for r in self.trials.rows)
        # No time budget (a resumed CLI search may have none): only the trials tell.
        left = float("inf") if self.budget_s is None else max(0.0, self.budget_s - elapsed)
        if done > self.done_before:
            by_trials = (self.max_trials - done) * elapsed / (done - self.done_before)
            left = min(left, max(0.0, by_trials))
        if self.engine.stop_requested:
            return
        estimate = f"about {left:.0f} s left" if left != float("inf") else "time left unknown"
        if self.max_trials >= UNBOUNDED_TRIALS:
            trials = f"{done} trials done (as many as the budget allows)"
        else:
            trials = f"{done} of at most {self.max_trials} trials done"
        folds = f"; {folds_words(self.folds)}" if self.folds else ""
        self.progress.setText(f"Running: {elapsed:.0f} s elapsed, {estimate}; {trials}{folds}")

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.stop_button.setEnabled(running)
        self.kill_button.setEnabled(running)
        self.settings_box.set_running(running)
