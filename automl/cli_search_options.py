"""Parsers of the search-run commands: search, demo, resume, worker and rerun.

`automl search`'s options live here, with every kind's own options (from the registry).
What the commands run is in `automl.cli_search`.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_search(commands: Any) -> None:
    """Returns None; adds `automl search`: the data, its target, where to write, and options."""
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
    add_search_options(search)


def add_demo(commands: Any) -> None:
    """Returns None; adds `automl demo`: a complete search on a bundled sample."""
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


def add_resume(commands: Any) -> None:
    """Returns None; adds `automl resume`: an interrupted search goes on."""
    resume = commands.add_parser("resume", help="continue an interrupted search where it stopped")
    resume.add_argument("experiment", help="experiment folder, or its name in --project")
    resume.add_argument("--project", type=Path, default=Path("."), help="default: this folder")
    resume.add_argument(
        "--force", action="store_true", help="resume even if the data file has changed"
    )
    resume.add_argument("--events", choices=["-"], help="also write events to stdout")
    resume.add_argument("--control-stdin", action="store_true", help="as for `automl search`")
    add_network_options(resume)


def add_worker(commands: Any) -> None:
    """Returns None; adds `automl worker`: trials trained for a chief elsewhere."""
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
    worker.add_argument("--token", help=TOKEN_HELP)
    worker.add_argument("--memory-limit", type=float, metavar="MIB", help=argparse.SUPPRESS)
    # Started by a local search: its stdin is the search's pipe, and its end the search's.
    worker.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    worker.add_argument("--force", action="store_true", help="join even if the data file differs")


#: `--token` of a chief and of its workers.
TOKEN_HELP = (
    "the secret workers present to the chief (default: $AUTOML_TOKEN; a chief without one "
    "makes a random one and prints it). Prefer AUTOML_TOKEN: a command line is visible to "
    "every user of the machine"
)


def add_network_options(parser: Any) -> None:
    """Returns None; adds --bind and --token, the chief's address and its workers' secret."""
    parser.add_argument(
        "--bind",
        metavar="HOST",
        help="with --chief: the address the oracle listens on (default 127.0.0.1, this "
        "machine only; 0.0.0.0 for workers on other machines). A resumed search listens "
        "beyond this machine only when given --bind again",
    )
    parser.add_argument("--token", help=TOKEN_HELP)


def add_rerun(commands: Any) -> None:
    """Returns None; adds `automl rerun`: one trial retrained and compared."""
    rerun = commands.add_parser(
        "rerun", help="retrain one trial exactly and compare its score with the original"
    )
    rerun.add_argument("experiment", help="experiment folder, or its name in --project")
    rerun.add_argument("--trial", required=True, metavar="N", help="the trial's id")
    rerun.add_argument("--project", type=Path, default=Path("."), help="default: this folder")
    rerun.add_argument(
        "--force", action="store_true", help="rerun even if the data file has changed"
    )


def add_kind_options(parser: argparse.ArgumentParser | Any, proposing: bool = False) -> None:
    """Returns None; adds `--modality` and every kind's own options (from the registry)."""
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


def add_search_options(search: argparse.ArgumentParser) -> None:
    """Returns None; adds the search's options, grouped as `automl search --help` shows them."""
    series = search.add_argument_group("model families, images, series and forecasting")
    series.add_argument(
        "--families",
        metavar="NAMES",
        help="model families to search, comma-separated: dense, cnn, rnn, lstm, conv1d "
        "(default: the proposed ones; several make the family a hyperparameter)",
    )
    add_kind_options(series)
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
    folds = search.add_mutually_exclusive_group()
    folds.add_argument(
        "--cv",
        type=int,
        metavar="K",
        default=None,
        help="score every trial by K-fold cross-validation (default with --time-budget: "
        "5 folds under 1,000 training examples, 3 under 2,000, else none)",
    )
    folds.add_argument(
        "--no-cv", dest="cv", action="store_const", const=0, help="one validation split always"
    )
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
    add_network_options(parallel)
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
        "trial alone on validation (default 1: no ensemble); a cross-validated search "
        "weighs up to K trials' fold models on their out-of-fold rows (default: up to 5 of "
        "the kept trials, when that helps)",
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
