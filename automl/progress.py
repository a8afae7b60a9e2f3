"""What `automl search` shows while it runs: a live display on a terminal, lines otherwise.

Long single steps (`automl predict` on a large file, `automl export`) show a bar with the
time left, or a spinner with the time spent, on a terminal only (`work_progress`); with
`--progress-json` they print JSON lines instead, for the app (`json_progress`).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from automl.experiment.events import (
    Event,
    SearchEnded,
    SearchStarted,
    TrialEnded,
    TrialFailed,
    TrialStarted,
)
from automl.export.reporting import Report
from automl.search.request import UNBOUNDED_TRIALS

#: The least time between two JSON progress lines of one stage (the last always goes).
JSON_EVERY_S = 0.1


class _Console(Console):
    """Rich's console, except that a closed pipe does not end the program.

    Rich answers EPIPE with `SystemExit(1)`; a search whose reader went away must go on
    (its events and summary still reach the experiment folder).
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True  # nothing more to show: nobody is reading


class ProgressDisplay:
    """Listens to search events and reports them to a person.

    On a terminal a progress bar counts trials; elsewhere (a log file, CI) each trial
    is one plain line, so logs stay readable.
    """

    def __init__(self, stream: IO[str], live: bool):
        self.console = _Console(file=stream, highlight=False, soft_wrap=True)
        self.live = live
        self.progress: Progress | None = None
        self.task_id = None
        self.best: float | None = None
        #: the folds each trial is scored on (None: one split), to tell a trial cut short
        self.folds: int | None = None
        self.direction = "max"
        self.objective = ""
        self.started = time.monotonic()

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self.progress = Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total} trials"),
                TimeElapsedColumn(),
                TextColumn("{task.fields[best]}"),
                console=self.console,
                transient=True,
            )
            self.progress.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.__exit__(*exc)

    def on_event(self, event: Event) -> None:
        if isinstance(event, SearchStarted):
            self.direction, self.objective = event.direction, event.objective
            self.folds = event.folds
            budget = f", budget {event.time_budget_s:.0f}s" if event.time_budget_s else ""
            self.console.print(
                f"searching: {event.task} on {event.target!r}, {event.tuner} tuner, "
                f"objective {event.objective}, {_trials_text(event.max_trials)}{budget}; "
                f"rows {event.rows['train']} train / {event.rows['validation']} validation / "
                f"{event.rows['test']} test"
            )
            if self.progress is not None:
                total = None if event.max_trials >= UNBOUNDED_TRIALS else event.max_trials
                self.task_id = self.progress.add_task("search", total=total, best="")
        elif isinstance(event, TrialStarted):
            self.folds = event.folds or self.folds  # fewer once the budget cut folds
            if self.progress is not None:
                self.progress.update(self.task_id, description=f"trial {event.trial_id}")
        elif isinstance(event, TrialEnded):
            scored = len(event.fold_scores or [])
            cut_short = bool(scored) and bool(self.folds) and scored < self.folds
            better = not cut_short and (
                self.best is None
                or (event.score > self.best if self.direction == "max" else event.score < self.best)
            )
            if better:
                self.best = event.score
            mark = "  * best so far" if better else ""
            # A trial the deadline cut short is ranked by its estimate (the report's), not
            # by the mean of the folds it finished: it is not called the best here.
            folds = f" on {scored} of {self.folds} folds, cut short" if cut_short else ""
            self.console.print(
                f"trial {event.trial_id}: {self.objective} {event.score:.4f}"
                f"{'' if cut_short else _spread_text(event)}{folds} "
                f"(best epoch {event.best_epoch}/{event.epochs}, {event.duration_s:.1f}s){mark}"
            )
            self._advance()
        elif isinstance(event, TrialFailed):
            self.console.print(f"trial {event.trial_id} failed: {event.reason}")
            self._advance()
        elif isinstance(event, SearchEnded):
            # The time after the last trial (averaging fold models, scoring the baselines)
            # is said apart, so that it is not read as the budget overrun.
            choosing = event.choosing_s or 0.0
            self.console.print(
                f"search {event.status}: {event.reason}; {event.trials_completed} trials done, "
                f"{event.trials_failed} failed, {event.duration_s:.0f}s"
                + (f" (the last {choosing:.0f}s choosing the model)" if choosing >= 1 else "")
            )

    def _advance(self) -> None:
        if self.progress is not None:
            best = f"best {self.best:.4f}" if self.best is not None else ""
            self.progress.update(self.task_id, advance=1, best=best)

    def print_result(self, result) -> None:
        summary = result.summary
        if summary.get("plan"):
            self.console.print(summary["plan"])
        if summary.get("stopped_early"):
            self.console.print(f"stopped early: {summary['stopped_early']}")
        for note in result.notes:
            self.console.print(f"note: {note}")
        if result.model_path is None:
            self.console.print(f"no model exported: {summary['reason']}")
            return
        metrics = summary["test_metrics"]
        shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
        which = summary.get("exported") or (
            "refit on train+validation" if summary["refit"] else "best trial"
        )
        self.console.print(f"test ({which}): {shown}")
        for name, scores in summary.get("baselines", {}).items():
            shown = ", ".join(f"{k} {v:.4f}" for k, v in scores.items())
            self.console.print(f"baseline ({name}): {shown}")
        parity = summary["model"]["parity"]
        self.console.print(
            f"exported: {summary['model']['saved_model']} "
            f"(reloaded SavedModel matches: max difference {parity['max_abs_diff']:.1e} "
            f"over {parity['rows_compared']} test rows)"
        )
        self.console.print(f"summary: {result.experiment / 'summary.json'}")


def _trials_text(max_trials: int) -> str:
    """Returns "up to 10 trials", or "trials until the budget ends" when none is capped."""
    if max_trials >= UNBOUNDED_TRIALS:
        return "trials until the budget ends"
    return f"up to {max_trials} trials"


def _spread_text(event: TrialEnded) -> str:
    """Returns " ± 0.0310 over 5 folds" for a cross-validated trial, else ""."""
    if event.spread is None or len(event.fold_scores or []) < 2:
        return ""  # one fold (the budget kept no more) has no spread
    return f" ± {event.spread:.4f} over {len(event.fold_scores)} folds"


@contextmanager
def work_progress(stream: IO[str], description: str) -> Iterator[Report]:
    """Yields `report(done, total, stage="")`, which moves a bar with the time left on a
    terminal (`stage`, when given, is shown in place of the description: as short).

    Until the first report it shows a spinner and the time spent; off a terminal (a pipe,
    a log file) it shows nothing. The bar goes away when the work ends or is interrupted.
    """
    if not stream.isatty():
        yield lambda done, total, stage="": None
        return
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=None)

        def report(done: int, total: int, stage: str = "") -> None:
            progress.update(task, completed=done, total=total, description=stage or description)

        yield report


@contextmanager
def json_progress(stream: IO[str], stage: str) -> Iterator[Report]:
    """Yields `report(done, total, stage="")`, which writes one JSON line per report:
    `{"type": "progress", "done": 300, "total": 1000, "stage": "predicting"}`.

    For a program that reads the command's output (the app's Export page) rather than a
    person. Reports closer than `JSON_EVERY_S` apart are left out, except the first, a new
    stage and the last (done = total), so a fast loop never floods the reader.
    """
    last = {"at": -JSON_EVERY_S, "stage": None}

    def report(done: int, total: int, now_doing: str = "") -> None:
        now, named = time.monotonic(), now_doing or stage
        if now - last["at"] < JSON_EVERY_S and named == last["stage"] and done < total:
            return
        last.update(at=now, stage=named)
        line = {"type": "progress", "done": done, "total": total, "stage": named}
        stream.write(json.dumps(line) + "\n")
        stream.flush()  # the reader shows it now, not when a pipe buffer fills

    yield report
