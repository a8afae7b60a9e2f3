"""Keeps TensorFlow's own lines off the user's terminal: they go to the experiment's engine.log.

TensorFlow and absl print C++ lines (`I0000 ... cuInit`, "oneDNN custom operations are
on", "All log messages before absl::InitializeLog() ...") on file descriptor 2 while
TensorFlow loads and at any time after, even with `TF_CPP_MIN_LOG_LEVEL=3`; Keras and
TensorFlow add Python warnings and log records (`tf.function retracing`). None of it is
for the analyst at the terminal or in the app's log view, so for the whole run of an
engine command:

- file descriptor 2 points at a log file: first a scratch file, then, once the search
  has recorded its folder, the folder's `engine.log` (with the scratch lines copied in);
- Python's `sys.stderr` writes to a copy of the original descriptor 2, so the engine's
  own one-line errors and rich progress still reach the user;
- warnings issued from TensorFlow, Keras and the model families, and every `logging`
  record (TensorFlow's logger included), go to the log.

Example:
    >>> engine_output = quiet_engine_output()     # `automl` does this for its commands
    >>> run_search(request, listeners=log_listeners())
    >>> (request.out / "engine.log").read_text()[:40]
    'WARNING: All log messages before absl::'
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import IO

from automl.experiment.layout import ENGINE_LOG, MARKER
from automl.experiment.listener import FolderListener

#: Packages whose Python warnings go to the log (a Keras warning about a layer may name
#: the model family's line that built it, hence `architectures`).
LIBRARIES = frozenset(
    {"tensorflow", "keras", "keras_tuner", "tf_keras", "absl", "tensorboard", "architectures"}
)


class EngineOutput:
    """The redirection of one process's TensorFlow output; see the module's docstring."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.terminal: IO[str] | None = None
        self._scratch: Path | None = None
        self._log: IO[str] | None = None
        self._showwarning = warnings.showwarning

    def start(self) -> EngineOutput:
        """Returns itself once fd 2 points at a scratch log and `sys.stderr` at the terminal."""
        sys.stderr.flush()
        terminal_fd = os.dup(2)
        scratch_fd, scratch = tempfile.mkstemp(prefix="automl-engine-", suffix=".log")
        os.dup2(scratch_fd, 2)
        os.close(scratch_fd)
        self._scratch = Path(scratch)
        self.terminal = os.fdopen(
            terminal_fd,
            "w",
            buffering=1,
            encoding=getattr(sys.stderr, "encoding", None) or "utf-8",
            errors="backslashreplace",
        )
        sys.stderr = self.terminal
        # Writes to whatever fd 2 is at the time: the scratch file, later engine.log.
        self._log = open(2, "w", buffering=1, closefd=False, errors="backslashreplace")  # noqa: SIM115
        warnings.showwarning = self._show_warning
        handler = logging.StreamHandler(self._log)
        handler.setFormatter(logging.Formatter("%(levelname)s:%(name)s:%(message)s"))
        # A handler on the root logger also stops TensorFlow adding its own, on stderr.
        logging.getLogger().addHandler(handler)
        atexit.register(self.close)
        return self

    def attach(self, folder: Path) -> None:
        """Moves the log into `folder`'s engine.log: what was printed so far, then the rest."""
        folder = Path(folder)
        if self._log is None or folder == self.folder:
            return
        self._log.flush()
        log_fd = os.open(folder / ENGINE_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        if self._scratch is not None:
            with open(self._scratch, "rb") as scratch:
                os.write(log_fd, scratch.read())
            # `--events -` pointed fd 1 at fd 2's file; the scratch file is going away.
            scratch_id = (os.fstat(2).st_dev, os.fstat(2).st_ino)
            for fd in (1, 2):
                if (os.fstat(fd).st_dev, os.fstat(fd).st_ino) == scratch_id:
                    os.dup2(log_fd, fd)
            self._scratch.unlink(missing_ok=True)
            self._scratch = None
        else:
            os.dup2(log_fd, 2)
        os.close(log_fd)
        self.folder = folder

    def listener(self) -> FolderListener:
        """Returns a search listener that attaches the log once the folder is recorded."""
        return _AttachOnOpen(self)

    def close(self) -> None:
        """Flushes the log and removes the scratch file (an attached log stays)."""
        if self._log is not None:
            self._log.flush()
        if self._scratch is not None:
            self._scratch.unlink(missing_ok=True)
            self._scratch = None

    def _show_warning(self, message, category, filename, lineno, file=None, line=None) -> None:
        if file is None and LIBRARIES.intersection(Path(filename).parts):
            file = self._log
        self._showwarning(message, category, filename, lineno, file, line)


class _AttachOnOpen(FolderListener):
    """Attaches the engine's log to the experiment folder once the search has claimed it."""

    def __init__(self, output: EngineOutput) -> None:
        self.output = output

    def opened(self, folder: Path) -> None:
        self.output.attach(folder)


#: The process's redirection, once an engine command started it: fd 2 is process-wide.
_current: EngineOutput | None = None


def quiet_engine_output() -> EngineOutput:
    """Returns the process's redirection of TensorFlow's output, started on first call."""
    global _current
    if _current is None:
        _current = EngineOutput().start()
    return _current


def log_listeners() -> tuple[FolderListener, ...]:
    """Returns the listener that moves the log into a search's folder; none when not quiet."""
    return () if _current is None else (_current.listener(),)


def attach_engine_log(experiment: Path) -> None:
    """Moves the log into `experiment`'s engine.log when quiet and it is an experiment folder.

    `automl export` reloads TensorFlow: its lines join the search's.
    """
    if _current is not None and (Path(experiment) / MARKER).is_file():
        _current.attach(Path(experiment))
