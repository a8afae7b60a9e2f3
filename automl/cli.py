"""`automl ...`: search, demo, predict, export and profile from the command line.

Exit codes: 0 done, 1 an export failed its check or an unexpected error (one line, with the
path of a crash report holding the traceback), 2 bad input or a full disk, 3 no trial
succeeded, 130 interrupted (the best model so far is still exported).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from typing import Any

from automl.errors import AutoMLError


class _Parser(argparse.ArgumentParser):
    """Reports a usage mistake on one line, like every other bad input, and exits 2."""

    def error(self, message: str):
        self.exit(2, f"automl: error: {message} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    """Returns the `automl` parser: every command, in the order `automl --help` lists them."""
    from automl import cli_data, cli_explain, cli_search_options
    from automl.cli_experiments import add_commands

    parser = _Parser(
        prog="automl",
        description="Train, tune and export neural networks from a data file.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    cli_search_options.add_search(commands)
    cli_search_options.add_demo(commands)
    cli_data.add_predict(commands)
    cli_data.add_export(commands)
    cli_data.add_report(commands)
    cli_data.add_devices(commands)
    cli_data.add_propose(commands)
    cli_search_options.add_resume(commands)
    cli_search_options.add_worker(commands)
    cli_search_options.add_rerun(commands)
    add_commands(commands)
    cli_data.add_profile(commands)
    cli_explain.add_explain(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Returns the exit code of the command `argv` names (see the module's docstring)."""
    owns_process = argv is None  # `automl` itself, not a caller's in-process call
    code = _main(argv, owns_process)
    if owns_process and "tensorflow" in sys.modules:
        _exit_at_once(code)
    return code


def _exit_at_once(code: int) -> None:
    """Ends the process once its output is out, without tearing TensorFlow down.

    Everything is written by now; taking apart the graphs and models of a search took
    4.3 s after a 3-minute search of 35 trials here, time a user waits at the prompt.
    """
    import contextlib
    import logging
    import os

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a reader gone: nothing to say
            stream.flush()
    os._exit(code)


def _main(argv: list[str] | None, owns_process: bool) -> int:
    argv = _join_negative_values(list(sys.argv[1:] if argv is None else argv))
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    if owns_process and args.command not in _OWN_OUTPUT:
        from automl.engine_log import quiet_engine_output

        quiet_engine_output()  # TensorFlow's lines go to engine.log, not the terminal
    try:
        if args.command == "experiments":
            return args.handler(args)
        handler = _handler(args.command)
        if handler is not None:
            return handler(args)
    except AutoMLError as error:
        print(f"automl: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("automl: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the last stop before a bare traceback
        return _report_unexpected(error, args, argv)
    return 2


def _report_unexpected(error: Exception, args: argparse.Namespace, argv: list[str]) -> int:
    """Returns the exit code for an error no check foresaw, after one line on stderr.

    A full disk is the user's to fix (exit 2); nothing written so far is removed, so the
    search can be resumed once there is space. Anything else is a bug: its traceback goes to
    a crash report file whose path the line gives (exit 1).
    """
    from automl.errors import first_line, is_disk_full, write_crash_report

    experiment = getattr(args, "out", None) or getattr(args, "experiment", None)
    if is_disk_full(error):
        where = f" (in {experiment})" if experiment else ""
        print(
            f"automl: error: disk full{where}: free some space; what was written is kept",
            file=sys.stderr,
        )
        return 2
    report = write_crash_report(error, argv, experiment)
    saved = f"; details in {report}" if report else ""
    print(
        f"automl: unexpected error: {type(error).__name__}: {first_line(error)}{saved}",
        file=sys.stderr,
    )
    return 1


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


def _handler(command: str) -> Callable[[Any], int] | None:
    """Returns the function that runs `command` (None: unknown); only its module is imported."""
    module, name = _HANDLERS.get(command, (None, None))
    if module is None:
        return None
    return getattr(importlib.import_module(module), name)


#: Commands whose whole output is for the user: a worker's goes to its log file already.
_OWN_OUTPUT = {"worker", "experiments"}

#: command -> (module, function): commands load what they need, when they run.
_HANDLERS = {
    "search": ("automl.cli_search", "run_search_command"),
    "demo": ("automl.cli_search", "run_search_command"),
    "resume": ("automl.cli_search", "run_search_command"),
    "worker": ("automl.cli_search", "run_worker_command"),
    "rerun": ("automl.cli_search", "run_rerun_command"),
    "predict": ("automl.cli_data", "run_predict"),
    "export": ("automl.cli_data", "run_export"),
    "report": ("automl.cli_data", "run_report"),
    "devices": ("automl.cli_data", "run_devices"),
    "propose": ("automl.cli_data", "run_propose"),
    "profile": ("automl.cli_data", "run_profile"),
    "explain": ("automl.cli_explain", "run_explain"),
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("automl-studio")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
