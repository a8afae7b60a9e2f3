"""Commands about data and exported models: predict, export, report, devices, propose
and profile: their parsers and what each runs.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl.export.reporting import Report

EXIT_EXPORT_FAILED = 1


def add_predict(commands: Any) -> None:
    """Returns None; adds `automl predict`: an exported model run on a new file."""
    predict = commands.add_parser("predict", help="run an exported model on a new file")
    predict.add_argument("model", type=Path, help="exported model folder (or experiment folder)")
    predict.add_argument("data", type=Path, help="file with the same columns as the training data")
    predict.add_argument(
        "-o", "--output", type=Path, help="CSV or Parquet file to write (default: CSV on stdout)"
    )
    _add_progress_json(predict)


def add_export(commands: Any) -> None:
    """Returns None; adds `automl export`: an experiment's model exported again."""
    export = commands.add_parser("export", help="export an experiment's model again, elsewhere")
    export.add_argument("experiment", type=Path, help="experiment folder")
    export.add_argument("--to", required=True, type=Path, help="folder to write the model to")
    export.add_argument(
        "--format",
        action="append",
        default=[],
        choices=["tflite"],
        help="extra format (SavedModel and .keras are always written)",
    )
    _add_progress_json(export)


def _add_progress_json(command: Any) -> None:
    """Returns None; adds `--progress-json`, for programs that show the progress themselves."""
    command.add_argument(
        "--progress-json",
        action="store_true",
        help='print progress as JSON lines on stdout ({"type": "progress", "done": N, '
        '"total": M, "stage": ...}) instead of a bar on the terminal',
    )


@contextmanager
def _progress(args: Any, description: str, stage: str) -> Iterator[Report]:
    """Yields the reporter `--progress-json` asks for (JSON lines), or the terminal's bar."""
    from automl.progress import json_progress, work_progress

    with (
        json_progress(sys.stdout, stage)
        if args.progress_json
        else work_progress(sys.stderr, description)
    ) as report:
        yield report


@contextmanager
def _interrupted_on_terminate() -> Iterator[None]:
    """Makes SIGTERM (the app's Cancel) stop the command as Ctrl-C does: what was half
    written is removed on the way out, and the command exits 130."""

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set a signal handler; a caller's thread keeps its own
        return
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def add_report(commands: Any) -> None:
    """Returns None; adds `automl report`: an experiment's leaderboard."""
    report = commands.add_parser("report", help="show an experiment's leaderboard and test scores")
    report.add_argument("experiment", type=Path, help="experiment folder")
    report.add_argument("--json", action="store_true", help="print the report as JSON")


def add_devices(commands: Any) -> None:
    """Returns None; adds `automl devices`: what TensorFlow can train on."""
    devices = commands.add_parser("devices", help="list the devices TensorFlow can train on")
    devices.add_argument("--json", action="store_true", help="print the list as JSON")


def add_propose(commands: Any) -> None:
    """Returns None; adds `automl propose`: the families that fit the data."""
    propose = commands.add_parser(
        "propose", help="list the model families that fit your data, with reasons"
    )
    propose.add_argument("data", type=Path, help="any data `automl search` takes")
    propose.add_argument(
        "--target", default="", help="column to predict (not needed for images or .npz)"
    )
    from automl.cli_search_options import add_kind_options

    add_kind_options(propose, proposing=True)


def add_profile(commands: Any) -> None:
    """Returns None; adds `automl profile`: what each column of a table is."""
    profile = commands.add_parser("profile", help="show what each column of a table is")
    profile.add_argument("data", type=Path)
    profile.add_argument("--target", help="also infer the task for this column")
    profile.add_argument("--json", action="store_true", help="print the profile as JSON")


def run_predict(args: Any) -> int:
    """Returns 0; writes the model's predictions for a file (CSV on stdout, or a file).

    Raises:
        AutoMLError: `--progress-json` without `-o` (the lines would mix with the CSV).
    """
    from automl.errors import AutoMLError
    from automl.export.predict import predict_file, write_table
    from automl.export.reporting import reporting_progress

    if args.progress_json and args.output is None:
        raise AutoMLError(
            "--progress-json prints on stdout, where the predictions would go: add -o FILE"
        )
    with _interrupted_on_terminate():
        # The bar ends before anything is printed: rich would take over stdout while it runs.
        with _progress(args, "predicting", "predicting") as report, reporting_progress(report):
            result = predict_file(args.model, args.data)
        for note in result.notes:
            print(f"note: {note}", file=sys.stderr)
        if args.output is None:
            result.frame.to_csv(sys.stdout, index=False)
        else:
            write_table(result.frame, args.output)
    if args.output is not None:
        print(f"wrote {len(result.frame)} predictions to {args.output}")
    return 0


def run_export(args: Any) -> int:
    """Returns 0, or 1 when the new export fails its check; exports an experiment again."""
    from automl.engine_log import attach_engine_log
    from automl.export.parity import ExportCheckFailed
    from automl.export.reexport import reexport
    from automl.export.reporting import reporting_progress

    attach_engine_log(args.experiment)  # TensorFlow's lines join the search's
    try:
        with (
            _interrupted_on_terminate(),
            _progress(args, "exporting and checking the model", "exporting") as report,
            reporting_progress(report),
        ):
            result = reexport(args.experiment, args.to, tuple(args.format))
    except ExportCheckFailed as error:
        print(f"automl: export failed: {error}", file=sys.stderr)
        return EXIT_EXPORT_FAILED
    for note in result.notes:
        print(note)
    print(f"exported to {result.path} ({result.parity.describe()})")
    return 0


def run_devices(args: Any) -> int:
    """Returns 0; prints the devices TensorFlow can train on."""
    import json

    from automl.devices import list_devices

    found = list_devices()
    if args.json:
        print(json.dumps(found))
        return 0
    for device in found:
        memory = f", {device['memory_mb']} MiB" if device["memory_mb"] else ""
        print(f"{device['id']}: {device['name']}{memory}")
    return 0


def run_propose(args: Any) -> int:
    """Returns 0; prints the families that fit the data, best first, with reasons."""
    from automl.cli_search import kind_values
    from automl.propose import proposals_for
    from automl.search.request import SearchRequest
    from automl.search.run import prepare

    request = SearchRequest(
        data=args.data,
        target=args.target,
        out=Path("."),  # nothing is written
        modality=args.modality,
        options=kind_values(args),
    )
    for rank, proposal in enumerate(proposals_for(prepare(request)), start=1):
        budget = proposal.get("budget") or {}
        suggested = ""
        if budget:
            minutes = round(budget["time_budget_s"] / 60)
            # The budget is the bound: as many trials as fit (about max_trials at this size).
            suggested = (
                f"\n   suggested: --time-budget {minutes}m --epochs {budget['max_epochs']} "
                f"(about {budget['max_trials']} trials)"
            )
        print(f"{rank}. {proposal['reason']}{suggested}")
    return 0


def run_report(args: Any) -> int:
    """Returns 0; prints an experiment's report (text or JSON)."""
    import json

    from automl.report import format_report, load_report

    report = load_report(args.experiment)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def run_profile(args: Any) -> int:
    """Returns 0; prints what each column of a table is (and the task, with --target)."""
    import json

    from automl.data import infer_schema, infer_task, read_table
    from automl.modalities.image_data import refuse_image_folder

    refuse_image_folder(args.data)
    frame = read_table(args.data)
    schema = infer_schema(frame)
    task = None
    if args.target:
        from automl.data.dataset import require_column

        require_column(frame, args.target, "target")
        task = infer_task(frame[args.target])
    from automl.data.profile import profile_table

    profile = profile_table(frame, schema, args.target)
    if args.json:
        print(json.dumps(profile.to_dict(), indent=2))
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{args.data} ({schema.rows} rows)")
    for heading in ("column", "type", "missing", "distinct", "why"):
        table.add_column(heading)
    for column in schema.columns:
        table.add_row(
            column.name, column.kind.value, str(column.missing), str(column.distinct), column.reason
        )
    console = Console()
    console.print(table)
    for warning in profile.warnings:
        console.print(f"warning: {warning.message}")
    if task:
        classes = f" ({', '.join(task.class_names)})" if task.class_names else ""
        console.print(f"task: {task.kind.value}{classes}: {task.reason}")
    return 0
