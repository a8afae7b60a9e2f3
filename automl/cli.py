"""`automl ...`: search, demo, predict, export and profile from the command line.

Exit codes: 0 done, 1 an export failed its check, 2 bad input, 3 no trial succeeded,
130 interrupted (the best model so far is still exported).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from automl.errors import AutoMLError

EXIT_EXPORT_FAILED = 1


class _Parser(argparse.ArgumentParser):
    """Reports a usage mistake on one line, like every other bad input, and exits 2."""

    def error(self, message: str):
        self.exit(2, f"automl: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="automl",
        description="Train, tune and export neural networks from a data file.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    search = commands.add_parser("search", help="search for the best model for your data")
    search.add_argument(
        "data",
        type=Path,
        help="CSV/TSV, Parquet, Excel or Feather file; a folder of class sub-folders of "
        "images; or series: .npz with arrays X and y, or X.npy beside y.npy",
    )
    search.add_argument(
        "--target",
        default="",
        help="column to predict, or to forecast with --lookback (not needed for an image "
        "folder or .npz)",
    )
    search.add_argument(
        "--out",
        type=Path,
        help="experiment folder to write (default: PROJECT/experiments/<data>-<time>)",
    )
    search.add_argument(
        "--project",
        type=Path,
        default=Path("."),
        help="project folder that indexes its experiments (default: the current folder)",
    )
    _add_search_options(search)

    demo = commands.add_parser("demo", help="run a complete search on a bundled sample")
    demo.add_argument(
        "--out",
        type=Path,
        default=Path("automl-demo"),
        help="experiment folder (default: ./automl-demo)",
    )
    demo.add_argument(
        "--sample",
        choices=["penguins", "digits", "shapes", "sunspots"],
        default="penguins",
        help="penguins: a table (species); digits: 8x8 images in class folders; shapes: "
        "series classification (.npz); sunspots: yearly forecasting",
    )
    demo.add_argument(
        "--time-budget",
        help="wall-clock budget (default: 2m for penguins, 5m for digits, 3m for the series)",
    )
    demo.add_argument("--overwrite", action="store_true", help="replace an earlier demo")
    demo.add_argument("--events", choices=["-"], help="also write events as JSON lines to stdout")

    predict = commands.add_parser("predict", help="run an exported model on a new file")
    predict.add_argument("model", type=Path, help="exported model folder (or experiment folder)")
    predict.add_argument("data", type=Path, help="file with the same columns as the training data")
    predict.add_argument(
        "-o", "--output", type=Path, help="CSV or Parquet file to write (default: CSV on stdout)"
    )

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

    report = commands.add_parser("report", help="show an experiment's leaderboard and test scores")
    report.add_argument("experiment", type=Path, help="experiment folder")
    report.add_argument("--json", action="store_true", help="print the report as JSON")

    devices = commands.add_parser("devices", help="list the devices TensorFlow can train on")
    devices.add_argument("--json", action="store_true", help="print the list as JSON")

    propose = commands.add_parser(
        "propose", help="list the model families that fit your data, with reasons"
    )
    propose.add_argument("data", type=Path, help="any data `automl search` takes")
    propose.add_argument(
        "--target", default="", help="column to predict (not needed for images or .npz)"
    )
    _add_kind_options(propose, proposing=True)

    resume = commands.add_parser("resume", help="continue an interrupted search where it stopped")
    resume.add_argument("experiment", help="experiment folder, or its name in --project")
    resume.add_argument("--project", type=Path, default=Path("."), help="default: this folder")
    resume.add_argument(
        "--force", action="store_true", help="resume even if the data file has changed"
    )
    resume.add_argument("--events", choices=["-"], help="also write events to stdout")
    resume.add_argument("--control-stdin", action="store_true", help="as for `automl search`")

    worker = commands.add_parser(
        "worker", help="train trials for a search whose chief runs elsewhere (--chief)"
    )
    worker.add_argument("--oracle", required=True, metavar="HOST:PORT", help="the chief")
    worker.add_argument(
        "--experiment",
        required=True,
        type=Path,
        help="the experiment folder: on storage shared with the chief, or a copy of it "
        "synced back to the chief's when the worker is done",
    )
    worker.add_argument("--tuner-id", help="this worker's name (default: tuner-HOST-PID)")
    worker.add_argument(
        "--data", type=Path, help="where the data file is on this machine (default: as recorded)"
    )
    worker.add_argument("--threads", type=int, help="CPU threads for training")
    worker.add_argument(
        "--wait",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="how long to wait for the chief to answer (default 30)",
    )
    worker.add_argument("--memory-limit", type=float, metavar="MIB", help=argparse.SUPPRESS)
    # Started by a local search: its stdin is the search's pipe, and its end the search's.
    worker.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    worker.add_argument("--force", action="store_true", help="join even if the data file differs")

    rerun = commands.add_parser(
        "rerun", help="retrain one trial exactly and compare its score with the original"
    )
    rerun.add_argument("experiment", help="experiment folder, or its name in --project")
    rerun.add_argument("--trial", required=True, metavar="N", help="the trial's id")
    rerun.add_argument("--project", type=Path, default=Path("."), help="default: this folder")
    rerun.add_argument(
        "--force", action="store_true", help="rerun even if the data file has changed"
    )

    from automl.cli_experiments import add_commands

    add_commands(commands)

    profile = commands.add_parser("profile", help="show what each column of a table is")
    profile.add_argument("data", type=Path)
    profile.add_argument("--target", help="also infer the task for this column")
    profile.add_argument("--json", action="store_true", help="print the profile as JSON")
    return parser


def _add_kind_options(parser: argparse.ArgumentParser | Any, proposing: bool = False) -> None:
    """Adds `--modality` and every kind's own options (from the registry)."""
    from automl.modalities import names, options

    parser.add_argument(
        "--modality",
        choices=names(),
        help="the kind of data, where more than one could read the file (default: told by "
        "the file and the options)",
    )
    for option in options():
        if option.propose or not proposing:
            option.add_to(parser)


def _add_search_options(search: argparse.ArgumentParser) -> None:
    series = search.add_argument_group("model families, images, series and forecasting")
    series.add_argument(
        "--families",
        metavar="NAMES",
        help="model families to search, comma-separated: dense, cnn, rnn, lstm, conv1d "
        "(default: the proposed ones; several make the family a hyperparameter)",
    )
    _add_kind_options(series)
    search.add_argument(
        "--task", choices=["binary", "multiclass", "regression"], help="override the inferred task"
    )
    search.add_argument(
        "--ignore",
        action="append",
        default=[],
        metavar="COL",
        help="leave a column out (repeatable, or comma-separated)",
    )
    search.add_argument(
        "--column-type",
        action="append",
        default=[],
        metavar="NAME=TYPE",
        help="override a column's type: numeric, categorical, boolean, text, datetime, id",
    )
    search.add_argument(
        "--test",
        type=Path,
        metavar="FILE",
        help="held-out test file (instead of splitting one off)",
    )
    search.add_argument(
        "--validation-split",
        type=float,
        default=0.2,
        metavar="F",
        help="fraction of training rows used for validation (default 0.2)",
    )
    search.add_argument("--tuner", choices=["random", "bayesian", "hyperband"], default="random")
    search.add_argument(
        "--metric",
        help="objective: accuracy, balanced_accuracy, auc, f1, "
        "log_loss (classification); mae, rmse (regression)",
    )
    search.add_argument(
        "--max-trials",
        type=int,
        default=None,
        metavar="N",
        help="most trials; default: none with --time-budget (the budget is the bound), else 10",
    )
    search.add_argument(
        "--time-budget",
        metavar="DURATION",
        help="wall-clock budget for search and refit, e.g. 90s, 10m, 1h",
    )
    search.add_argument(
        "--epochs",
        type=int,
        default=100,
        metavar="N",
        help="most epochs per trial (early stopping may end sooner)",
    )
    search.add_argument("--seed", type=int, default=0)
    refit = search.add_mutually_exclusive_group()
    refit.add_argument(
        "--refit",
        dest="refit",
        action="store_true",
        default=None,
        help="retrain the best configuration on train+validation "
        "(default: when under 10,000 training rows)",
    )
    refit.add_argument("--no-refit", dest="refit", action="store_false")
    search.add_argument(
        "--format", action="append", default=[], choices=["tflite"], help="extra export format"
    )
    search.add_argument(
        "--overwrite", action="store_true", help="replace an existing experiment folder"
    )
    search.add_argument(
        "--events", choices=["-"], help="'-' writes every event as a JSON line to stdout"
    )
    search.add_argument(
        "--patience",
        type=int,
        metavar="N",
        help="epochs without improvement before a trial stops early (default: scales with "
        "--epochs, 5 to 20)",
    )
    search.add_argument(
        "--device",
        metavar="DEVICE",
        help="cpu or gpu:N (see `automl devices`); default: the first GPU if any, else CPU",
    )
    search.add_argument(
        "--space",
        type=Path,
        metavar="FILE",
        help='JSON search-space overrides, e.g. {"dense": {"max_layers": 2, "units": [64, 128]}}',
    )
    parallel = search.add_argument_group("parallel and distributed search")
    parallel.add_argument(
        "--workers",
        type=int,
        default=None,
        metavar="N",
        help="train trials in N worker processes on this machine (Keras Tuner's "
        "chief/worker mode over loopback; one GPU each when there are several); "
        "0 trains in this process. Default: 1 for searches of 10 minutes or more "
        "(or 20+ trials without a budget), so memory TensorFlow keeps is given back; "
        "0 for shorter ones",
    )
    parallel.add_argument(
        "--chief",
        action="store_true",
        help="also serve the oracle to workers on other machines: "
        "`automl worker --oracle HOST:PORT --experiment PATH` (see --port)",
    )
    parallel.add_argument("--port", type=int, metavar="P", help="the oracle's port")
    parallel.add_argument(
        "--sync-wait",
        type=float,
        default=3600.0,
        metavar="SECONDS",
        help="with --chief: how long to wait at the end for the best trial's weights from "
        "a worker whose experiment folder is synced back rather than shared (default 3600)",
    )
    parallel.add_argument(
        "--worker-memory",
        type=float,
        metavar="MIB",
        help="replace a worker between trials once its resident memory passes this",
    )
    parallel.add_argument(
        "--precision",
        choices=["float32", "mixed"],
        default="float32",
        help="mixed: float16 compute with float32 outputs and loss scaling (GPUs; "
        "on a CPU it warns and trains in float32)",
    )
    parallel.add_argument("--jit", action="store_true", help="compile trials with XLA")
    parallel.add_argument(
        "--strategy",
        choices=["mirrored"],
        help="mirrored: train each trial across all GPUs (tf.distribute.MirroredStrategy)",
    )
    search.add_argument(
        "--ensemble",
        type=int,
        default=1,
        metavar="K",
        help="average the top K trials inside the exported model when that beats the best "
        "trial alone on validation (default 1: no ensemble)",
    )
    search.add_argument(
        "--keep-checkpoints",
        type=int,
        default=3,
        metavar="K",
        help="keep only the best K trials' weights on disk (default 3); "
        "failed and dominated trials' weights are deleted as the search goes",
    )
    search.add_argument(
        "--checkpoint-every",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="a running trial saves a resume point at most this often (default 30; "
        "0: every epoch), so `automl resume` goes on from there after a crash",
    )
    search.add_argument(
        "--tensorboard",
        action="store_true",
        help="write TensorBoard logs per trial (with HParams) to EXPERIMENT/tensorboard",
    )
    search.add_argument(
        "--control-stdin",
        action="store_true",
        help="read commands on stdin: a line 'stop' ends the search after this epoch, "
        "keeping the best model; end of input is ignored",
    )


def main(argv: list[str] | None = None) -> int:
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        if args.command == "rerun":
            return _rerun(args)
        if args.command == "worker":
            return _worker(args)
        if args.command in {"search", "demo", "resume"}:
            from automl.cli_search import run_search_command

            return run_search_command(args)
        if args.command == "predict":
            return _predict(args)
        if args.command == "export":
            return _export(args)
        if args.command == "profile":
            return _profile(args)
        if args.command == "report":
            return _report(args)
        if args.command == "propose":
            return _propose(args)
        if args.command == "devices":
            return _devices(args)
        if args.command == "experiments":
            return args.handler(args)
    except AutoMLError as error:
        print(f"automl: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("automl: interrupted", file=sys.stderr)
        return 130
    return 2


def _join_negative_values(argv: list[str]) -> list[str]:
    """Returns argv with `--time-budget -5m` as `--time-budget=-5m`.

    argparse would read `-5m` as an unknown option; joined, it reaches the budget check,
    which says what is wrong with it.
    """
    from automl.modalities import options

    value_options = _VALUE_OPTIONS | {o.flag for o in options() if o.type in ("int", "float")}
    joined: list[str] = []
    for item in argv:
        if joined and joined[-1] in value_options and item.startswith("-") and len(item) > 1:
            joined[-1] = f"{joined[-1]}={item}"
        else:
            joined.append(item)
    return joined


_VALUE_OPTIONS = {
    "--time-budget",
    "--max-trials",
    "--epochs",
    "--seed",
    "--validation-split",
    "--workers",
    "--keep-checkpoints",
    "--port",
    "--sync-wait",
}


def _predict(args) -> int:
    from automl.export.predict import predict_file, write_table

    result = predict_file(args.model, args.data)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.output is None:
        result.frame.to_csv(sys.stdout, index=False)
    else:
        write_table(result.frame, args.output)
        print(f"wrote {len(result.frame)} predictions to {args.output}")
    return 0


def _worker(args) -> int:
    import os
    import socket

    from automl.search.parallel.worker import run_worker

    tuner_id = args.tuner_id or f"tuner-{socket.gethostname()}-{os.getpid()}"
    return run_worker(
        args.experiment,
        args.oracle,
        tuner_id,
        threads=args.threads,
        memory_limit_mb=args.memory_limit,
        data=args.data,
        force=args.force,
        wait_s=args.wait,
        supervised=args.supervised,
    )


def _rerun(args) -> int:
    from automl.search.resume import rerun_trial
    from automl.store import resolve_experiment

    folder = resolve_experiment(args.project, str(args.experiment))
    result = rerun_trial(folder, str(args.trial), force=args.force)
    print(
        f"trial {result['trial_id']}: {result['metric']} was {result['original']:.4f} "
        f"(best epoch {result['original_best_epoch']}), rerun {result['rerun']:.4f} "
        f"(best epoch {result['rerun_best_epoch']}): difference {result['difference']:+.4f}"
    )
    for name, change in result.get("versions_changed", {}).items():
        print(f"note: {name} changed since the search ({change})")
    print(f"saved: {folder / 'reruns' / ('trial_' + result['trial_id'] + '.json')}")
    return 0


def _export(args) -> int:
    from automl.export.parity import ExportCheckFailed
    from automl.export.reexport import reexport

    try:
        result = reexport(args.experiment, args.to, tuple(args.format))
    except ExportCheckFailed as error:
        print(f"automl: export failed: {error}", file=sys.stderr)
        return EXIT_EXPORT_FAILED
    for note in result.notes:
        print(note)
    print(f"exported to {result.path} ({result.parity.describe()})")
    return 0


def _devices(args) -> int:
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


def _propose(args) -> int:
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
            suggested = (
                f"\n   suggested: --time-budget {minutes}m --max-trials {budget['max_trials']} "
                f"--epochs {budget['max_epochs']}"
            )
        print(f"{rank}. {proposal['reason']}{suggested}")
    return 0


def _report(args) -> int:
    import json

    from automl.report import format_report, load_report

    report = load_report(args.experiment)
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def _profile(args) -> int:
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


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("automl-studio")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
