"""`automl experiments ...`: list, show, compare and export past searches; rebuild the index.

`automl/cli.py` registers these with `add_commands(commands)`; each sub-command sets a
`handler(args) -> int`. Bad input raises AutoMLError, which the CLI prints on one line
before exiting 2. `python -m automl.cli_experiments experiments ls` runs them alone.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from pathlib import Path

from automl.errors import AutoMLError

#: Trials `show` prints; `export-trials` writes them all.
SHOWN_TRIALS = 20


def add_commands(commands) -> None:
    """Adds `experiments` and its sub-commands to the `automl` sub-parsers `commands`."""
    experiments = commands.add_parser(
        "experiments", help="list, show, compare and export past searches"
    )
    actions = experiments.add_subparsers(
        dest="experiments_command", required=True, metavar="ACTION"
    )

    ls = actions.add_parser("ls", help="list the project's experiments, newest first")
    _add_project(ls)
    ls.set_defaults(handler=run_ls)

    show = actions.add_parser("show", help="one experiment: settings, leaderboard, disk used")
    show.add_argument("experiment", help="experiment folder, or its name within --project")
    _add_project(show)
    show.set_defaults(handler=run_show)

    compare = actions.add_parser("compare", help="two experiments side by side")
    compare.add_argument("a", metavar="A", help="experiment folder or name")
    compare.add_argument("b", metavar="B", help="experiment folder or name")
    _add_project(compare)
    compare.set_defaults(handler=run_compare)

    export = actions.add_parser("export-trials", help="write every trial to a CSV file")
    export.add_argument("experiment", help="experiment folder, or its name within --project")
    export.add_argument("-o", "--output", required=True, type=Path, help="CSV file to write")
    _add_project(export)
    export.set_defaults(handler=run_export_trials)

    reindex = actions.add_parser("reindex", help="rebuild project.db from the experiment folders")
    _add_project(reindex)
    reindex.set_defaults(handler=run_reindex)


def _add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        metavar="P",
        help="project folder (default: the current folder)",
    )


def _warnings_on_stderr(handler: Callable[[argparse.Namespace], int]):
    """Prints the store's warnings (skipped event lines, unreadable folders) as one line
    each on stderr, instead of Python's two-line format with a source location."""

    @wraps(handler)
    def run(args: argparse.Namespace) -> int:
        caught: list[warnings.WarningMessage] = []
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                return handler(args)
        finally:
            for warning in caught:
                if issubclass(warning.category, UserWarning):
                    print(f"warning: {warning.message}", file=sys.stderr)
                else:  # a ResourceWarning, a DeprecationWarning: Python's usual handling
                    warnings.warn_explicit(
                        warning.message, warning.category, warning.filename, warning.lineno
                    )

    return run


@_warnings_on_stderr
def run_ls(args: argparse.Namespace) -> int:
    from automl.store import find_project, list_experiments
    from automl.store.project import linked_experiments, project_of
    from automl.store.text import format_duration, format_score

    project = find_project(args.project, walk_up=args.project == Path("."))
    experiments = list_experiments(project)
    for link in linked_experiments(project):
        warnings.warn(
            f"{link.relative_to(project)} is a link to {link.resolve()}: not listed here "
            f"(a project lists only its own folders; see it with --project "
            f"{project_of(link.resolve())})",
            stacklevel=2,
        )
    if not experiments:
        _console().print(f"{project}: no experiments yet")
        return 0
    count = f"{len(experiments)} experiment{'s' if len(experiments) > 1 else ''}"
    table = _table(title=_escape(f"{project} ({count})"))
    for heading in ("name", "status", "task", "tuner", "trials", "best", "started", "took"):
        table.add_column(heading, no_wrap=heading != "task", overflow="fold", min_width=4)
    for e in experiments:
        trials = f"{e['trials_completed']}/{e['max_trials'] or '?'}"
        if e["trials_failed"]:
            trials += f" ({e['trials_failed']} failed)"
        best = f"{e['metric']} {format_score(e['best_score'])}" if e["metric"] else "-"
        task = f"{e['task']} ({e['target']})" if e["task"] else "-"
        table.add_row(
            *map(
                _escape,
                (
                    e["name"],
                    e["status"],
                    task,
                    e["tuner"] or "-",
                    trials,
                    best,
                    _local_time(e["started"]),
                    format_duration(e["duration_s"]),
                ),
            )
        )
    _console().print(table)
    return 0


@_warnings_on_stderr
def run_show(args: argparse.Namespace) -> int:
    from rich.table import Table

    from automl.store import show
    from automl.store.compare import compare_rows
    from automl.store.text import format_bytes, format_duration, format_score

    e = show(args.project, args.experiment)
    console = _console()
    console.print(_escape(f"experiment {e['name']}: {e['status']}" + _reason(e)))
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold")
    facts.add_column()
    disk = e["disk"]
    parts = ", ".join(f"{part} {format_bytes(disk[part])}" for part in disk if part != "total")
    test = ", ".join(f"{k} {format_score(v)}" for k, v in e["test_metrics"].items())
    for label, value in (
        ("folder", str(e["path"])),
        *[(label, text) for label, text, _ in compare_rows(e, e) if label in _SHOW_ROWS],
        ("test", test or "-"),
        ("started", f"{_local_time(e['started'])}, took {format_duration(e['duration_s'])}"),
        ("disk used", f"{format_bytes(disk['total'])} ({parts})"),
    ):
        facts.add_row(label, _escape(value))
    console.print(facts)

    trials = e["trials"]
    table = _table(title="leaderboard (best first)")
    for heading in ("trial", "status", e["metric"] or "score", "best/epochs", "took"):
        table.add_column(heading, no_wrap=True)
    table.add_column("hyperparameters", overflow="fold")
    for trial in trials[:SHOWN_TRIALS]:
        settings = ", ".join(f"{k}={_short(v)}" for k, v in trial["hyperparameters"].items())
        if trial["status"] == "failed" and trial["reason"]:
            settings = f"{trial['reason']}; {settings}"
        epochs = f"{trial['best_epoch'] or '-'}/{trial['epochs']}"
        table.add_row(
            *map(
                _escape,
                (
                    trial["trial_id"],
                    trial["status"],
                    format_score(trial["score"]),
                    epochs,
                    format_duration(trial["duration_s"]),
                    settings,
                ),
            )
        )
    console.print(table)
    if len(trials) > SHOWN_TRIALS:
        console.print(
            f"... {len(trials) - SHOWN_TRIALS} more trials: `automl experiments export-trials "
            f"{e['name']} -o trials.csv` writes them all"
        )
    return 0


@_warnings_on_stderr
def run_compare(args: argparse.Namespace) -> int:
    from automl.store import compare

    rows = compare(args.project, args.a, args.b)
    table = _table(caption="bold: the two differ")
    table.add_column("", no_wrap=True)
    table.add_column(_escape(rows[0][1]), overflow="fold")
    table.add_column(_escape(rows[0][2]), overflow="fold")
    for label, a, b in rows[1:]:
        differ = a != b and label not in {"folder", "started"}
        if label == "started":
            a, b = _local_time(a), _local_time(b)
        table.add_row(_escape(label), _escape(a), _escape(b), style="bold" if differ else None)
    _console().print(table)
    return 0


@_warnings_on_stderr
def run_export_trials(args: argparse.Namespace) -> int:
    from automl.store import export_trials, resolve_experiment

    count = export_trials(args.project, args.experiment, args.output)
    name = resolve_experiment(args.project, args.experiment).name
    print(f"wrote {count} trials of {name} to {args.output}")
    return 0


@_warnings_on_stderr
def run_reindex(args: argparse.Namespace) -> int:
    from automl.store import find_project, reindex
    from automl.store.db import db_path

    project = find_project(args.project, walk_up=args.project == Path("."))
    count = reindex(project)
    print(f"indexed {count} experiment{'s' if count != 1 else ''} in {db_path(project)}")
    return 0


#: The rows of `compare` that `show` prints for one experiment.
_SHOW_ROWS = (
    "data file",
    "data sha256",
    "task",
    "modality",
    "families",
    "tuner",
    "search space",
    "max trials",
    "time budget",
    "max epochs",
    "objective",
    "best trial",
    "best score",
    "trials",
)


def _reason(experiment: dict) -> str:
    return f" ({experiment['reason']})" if experiment["reason"] else ""


def _table(**options):
    """Returns a rich Table with light rules, so more of a narrow terminal holds text."""
    from rich import box
    from rich.table import Table

    return Table(box=box.SIMPLE_HEAD, pad_edge=False, **options)


def _console():
    from rich.console import Console

    # A pipe or a file has no width: fold nothing there (rich would assume 80 columns).
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(str(text))


def _local_time(iso: str | None) -> str:
    """Returns an ISO time from the index in the reader's time zone, to the minute."""
    if not iso:
        return "-"
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


class _Parser(argparse.ArgumentParser):
    """`automl.cli`'s parser behaviour (a usage mistake is one line, exit 2), without
    importing `automl.cli`, whose other commands reach TensorFlow."""

    def error(self, message: str):
        self.exit(2, f"automl: error: {message} (see `{self.prog} --help`)\n")


def main(argv: list[str] | None = None) -> int:
    """Runs `automl experiments ...` alone, as `automl` itself would."""
    parser = _Parser(prog="automl")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    add_commands(commands)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.handler(args)
    except AutoMLError as error:
        print(f"automl: error: {error}", file=sys.stderr)
        return error.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
