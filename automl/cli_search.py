"""`automl search` and `automl demo`: run a search with progress, Ctrl-C and a summary."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from importlib import resources
from pathlib import Path

from automl.errors import AutoMLError
from automl.output_streams import survive_closed_output
from automl.progress import ProgressDisplay
from automl.search.budget import parse_duration
from automl.search.parallel.tokens import given_token
from automl.search.request import SearchRequest

#: `automl demo --sample NAME`: (file or folder under assets/samples, target, epochs cap)
SAMPLES = {
    "penguins": ("penguins.csv", "species", 150),
    "digits": ("digits", "", 60),
    "shapes": ("shapes.npz", "", 60),
    "sunspots": ("sunspots.csv", "sunspots", 100),
}
DEMO_BUDGETS = {"penguins": "2m", "digits": "5m", "shapes": "3m", "sunspots": "3m"}
#: Extra request fields per sample: sunspots is a forecast of the next 5 years from 20.
SAMPLE_OPTIONS = {"sunspots": {"lookback": 20, "horizon": 5, "time_column": "year"}}


def sample_path(name: str = "penguins.csv") -> Path:
    """Returns a bundled sample: the Palmer Penguins CSV, or the digits image folder."""
    return Path(str(resources.files("assets") / "samples" / name))


def request_from_args(args) -> SearchRequest:
    """Returns the SearchRequest the command line describes."""
    if args.command == "demo":
        data, target, epochs = SAMPLES[args.sample]
        return SearchRequest(
            data=sample_path(data),
            target=target,
            out=args.out,
            # The budget is the bound, as for any search given one.
            time_budget_s=parse_duration(args.time_budget or DEMO_BUDGETS[args.sample]),
            max_epochs=epochs,
            overwrite=args.overwrite,
            options=SAMPLE_OPTIONS.get(args.sample, {}),
        )
    ignore = tuple(name.strip() for item in args.ignore for name in item.split(",") if name.strip())
    column_types = {}
    for item in args.column_type:
        name, sep, kind = item.rpartition("=")
        if not sep or not name:
            raise AutoMLError(f"--column-type {item}: write NAME=TYPE, e.g. zip=categorical")
        column_types[name] = kind.strip()
    return SearchRequest(
        data=args.data,
        target=args.target,
        out=args.out or default_experiment_folder(args.project, args.data),
        task=args.task,
        ignore=ignore,
        column_types=column_types,
        test_file=args.test,
        validation_split=args.validation_split,
        tuner=args.tuner,
        metric=args.metric,
        max_trials=args.max_trials,
        time_budget_s=parse_duration(args.time_budget) if args.time_budget else None,
        max_epochs=args.epochs,
        seed=args.seed,
        refit=args.refit,
        cv=args.cv,
        overwrite=args.overwrite,
        formats=tuple(args.format),
        space=_read_space(args.space),
        device=args.device,
        patience=args.patience,
        families=tuple(f.strip().lower() for f in (args.families or "").split(",") if f.strip()),
        keep_checkpoints=args.keep_checkpoints,
        checkpoint_every_s=args.checkpoint_every,
        tensorboard=args.tensorboard,
        workers=args.workers,
        chief=args.chief,
        sync_wait_s=args.sync_wait,
        port=args.port,
        bind=args.bind,
        token=given_token(args.token),
        worker_memory_mb=args.worker_memory,
        precision=args.precision,
        jit=args.jit,
        strategy=args.strategy,
        ensemble=args.ensemble,
        modality=args.modality,
        options=kind_values(args),
    )


def kind_values(args) -> dict:
    """Returns the kinds' option values given on the command line, by name."""
    from automl.modalities import options

    return {o.name: getattr(args, o.name) for o in options() if hasattr(args, o.name)}


def default_experiment_folder(project: Path, data: Path) -> Path:
    """Returns PROJECT/experiments/<data name>-<date>-<time>: a new, readable name.

    The folder is created at once (`reserve_folder`), so two searches started in the
    same second never share it.
    """
    from automl.experiment.files import reserve_folder

    name = Path(data).stem or Path(data).name or "experiment"
    return reserve_folder(Path(project) / "experiments", name)


def _read_space(path: Path | None) -> dict:
    """Returns the search-space overrides in a JSON file, or {} without one."""
    if path is None:
        return {}
    from automl.data.loading import check_regular_file

    if not Path(path).exists():
        raise AutoMLError(f"--space {path}: no such file")
    try:
        check_regular_file(Path(path))  # a folder or a device is not read
    except AutoMLError as error:
        raise AutoMLError(f"--space {error}; give a JSON file") from None
    try:
        space = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AutoMLError(f"--space {path}: no such file") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise AutoMLError(f"--space {path}: not valid JSON ({error})") from None
    if not isinstance(space, dict) or not all(isinstance(v, dict) for v in space.values()):
        raise AutoMLError(f'--space {path}: expected {{"dense": {{...}}}}')
    return space


def run_search_command(args) -> int:
    """`automl search`, `automl demo` and `automl resume`: a search with live progress."""
    from automl.engine_log import log_listeners
    from automl.export.parity import ExportCheckFailed
    from automl.store import ProjectIndexer

    if args.command == "resume":
        from automl.search.resume import resume_search
        from automl.store import resolve_experiment

        folder = resolve_experiment(args.project, str(args.experiment))

        def run_search(_, **kwargs):
            return resume_search(
                folder, force=args.force, bind=args.bind, token=given_token(args.token), **kwargs
            )

        request = None
    else:
        from automl.search.run import run_search

        request = request_from_args(args)
    events_stream = None
    if args.events == "-":
        events_stream = _claim_stdout_for_events()
    # A parent that dies (the app crashed) closes our pipes: the search goes on unread.
    survive_closed_output()
    report = sys.stdout if events_stream is None else sys.stderr
    display = ProgressDisplay(report, live=events_stream is None and report.isatty())
    interrupted = _InterruptHandler(report)
    try:
        with display:
            result = run_search(
                request,
                events_stream=events_stream,
                on_start=_on_start(interrupted, getattr(args, "control_stdin", False)),
                # The project index follows the folder: after each trial and at the end.
                listeners=(display.on_event, ProjectIndexer(), *log_listeners()),
            )
    except ExportCheckFailed as error:
        print(f"automl: export failed: {error}", file=sys.stderr)
        return 1
    finally:
        interrupted.restore()
    display.print_result(result)
    if interrupted.fired and result.exit_code == 0:
        return 130
    return result.exit_code


def _on_start(interrupted: _InterruptHandler, control_stdin: bool):
    def attach(state) -> None:
        interrupted.attach(state)
        if control_stdin:
            threading.Thread(target=_follow_commands, args=(state,), daemon=True).start()

    return attach


def _follow_commands(state) -> None:
    """Reads commands from stdin: `stop` asks for a graceful stop. End of input is ignored.

    A parent that dies closes the pipe; that must not stop an unattended search, so only
    an explicit command does.
    """
    for line in sys.stdin:
        command = line.strip().lower()
        if command == "stop":
            print(
                "stop requested: finishing this epoch, then exporting the best model",
                file=sys.stderr,
                flush=True,
            )
            state.request_stop()
        elif command == "kill":
            state.request_stop(hard=True)
        elif command:
            print(
                f"automl: unknown command on stdin: {command!r} (use 'stop')",
                file=sys.stderr,
                flush=True,
            )


def _claim_stdout_for_events():
    """Returns a stream on the real stdout; everything else printed goes to stderr.

    TensorFlow and Keras write to file descriptor 1 from C++ and Python; pointing fd 1 at
    stderr keeps the event stream clean for the program reading it.
    """
    sys.stdout.flush()
    events_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return os.fdopen(events_fd, "w", buffering=1, encoding="utf-8")


class _InterruptHandler:
    """Ctrl-C, SIGTERM and a hang-up while a search runs.

    First Ctrl-C: stop after this batch and export the best so far; second: quit now.
    SIGTERM (a service manager, `kill`) is the app's Stop: finish this epoch, export.
    SIGHUP (the terminal or parent went away) is ignored: the search goes on unattended.
    """

    def __init__(self, report):
        self.report = report
        self.fired = False
        self.state = None
        self.previous = {
            signum: signal.getsignal(signum)
            for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
        }

    def attach(self, state) -> None:
        self.state = state
        signal.signal(signal.SIGINT, self._handle)
        signal.signal(signal.SIGTERM, self._terminate)
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    def _handle(self, signum, frame) -> None:
        self.fired = True
        signal.signal(signal.SIGINT, signal.default_int_handler)
        print(
            "\nstopping: ending this trial and exporting the best model so far "
            "(Ctrl-C again to quit at once)",
            file=self.report,
            flush=True,
        )
        self.state.request_stop(hard=True)

    def _terminate(self, signum, frame) -> None:
        print(
            "terminated: finishing this epoch, then exporting the best model",
            file=self.report,
            flush=True,
        )
        self.state.request_stop()

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)


def run_worker_command(args) -> int:
    """Returns the worker's exit code; trains trials for a chief until it says stop."""
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
        token=given_token(args.token),
    )


def run_rerun_command(args) -> int:
    """Returns 0; retrains one trial and prints its score beside the original's."""
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
