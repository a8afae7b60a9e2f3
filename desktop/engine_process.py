"""Runs an engine command (`automl ...`) in a child process; its output becomes Qt signals.

The search child writes one JSON event per line on stdout (`--events -`); this class
reads them as they arrive (`readyReadStandardOutput`, no polling) and emits each as an
engine `Event`. The engine's own lines arrive on stderr and are passed on as log lines
(TensorFlow's go to the experiment's engine.log: `automl.engine_log`).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from automl.child_command import engine_command
from automl.experiment.reader import parse_event

#: How long a stopped search may take to finish its epoch and export before it is killed.
STOP_GRACE_MS = 120_000


class EngineProcess(QObject):
    """One engine command in a child process.

    Signals:
        event: an `automl.experiment.events.Event` read from stdout.
        output: a line of stdout that is not an event.
        log: a line of stderr.
        finished: (exit code, crashed) once the child is gone.
    """

    event = Signal(object)
    output = Signal(str)
    log = Signal(str)
    finished = Signal(int, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process = QProcess(self)
        environment = QProcessEnvironment.systemEnvironment()
        environment.insert("PYTHONUNBUFFERED", "1")
        environment.insert("TF_CPP_MIN_LOG_LEVEL", "2")
        self.process.setProcessEnvironment(environment)
        self.process.readyReadStandardOutput.connect(self._read_stdout)
        self.process.readyReadStandardError.connect(self._read_stderr)
        self.process.finished.connect(self._finished)
        self.process.errorOccurred.connect(self._error)
        self._stdout_tail = b""
        self._stderr_tail = b""
        self._grace = QTimer(self)
        self._grace.setSingleShot(True)
        self._grace.timeout.connect(self.kill)
        self.stop_requested = False

    @property
    def running(self) -> bool:
        return self.process.state() != QProcess.ProcessState.NotRunning

    def start(self, arguments: list[str], working_dir: str | None = None) -> None:
        """Starts `python -m automl ARGUMENTS` (in the bundled app, its own engine)."""
        self.stop_requested = False
        if working_dir:
            self.process.setWorkingDirectory(working_dir)
        program, *rest = engine_command(*arguments)
        self.process.start(program, rest)

    def stop(self) -> None:
        """Asks a search started with `--control-stdin` to stop after this epoch."""
        if not self.running:
            return
        self.stop_requested = True
        self.process.write(b"stop\n")
        self._grace.start(STOP_GRACE_MS)

    def kill(self) -> None:
        """Ends the child now; whatever it finished writing stays on disk."""
        if self.running:
            self.process.kill()

    def _read_stdout(self) -> None:
        data = self._stdout_tail + bytes(self.process.readAllStandardOutput())
        *lines, self._stdout_tail = data.split(b"\n")
        for raw in lines:
            self._take_stdout_line(raw.decode("utf-8", errors="replace"))

    def _take_stdout_line(self, line: str) -> None:
        if not line.strip():
            return
        event = parse_event(line) if line.startswith("{") else None
        if event is not None:
            self.event.emit(event)
            return
        self.output.emit(line)

    def _read_stderr(self) -> None:
        data = self._stderr_tail + bytes(self.process.readAllStandardError())
        *lines, self._stderr_tail = data.split(b"\n")
        for raw in lines:
            if raw.strip():
                self.log.emit(raw.decode("utf-8", errors="replace"))

    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self._grace.stop()
        if self._stdout_tail:
            self._take_stdout_line(self._stdout_tail.decode("utf-8", errors="replace"))
            self._stdout_tail = b""
        if self._stderr_tail.strip():
            self.log.emit(self._stderr_tail.decode("utf-8", errors="replace"))
            self._stderr_tail = b""
        self.finished.emit(code, status == QProcess.ExitStatus.CrashExit)

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self.log.emit(f"could not start the engine: {self.process.errorString()}")
            self.finished.emit(-1, True)


def last_error_line(lines: list[str]) -> str:
    """Returns the engine's one-line error (`automl: error: ...`) from its stderr lines."""
    for line in reversed(lines):
        if line.startswith("automl: "):
            return line.split(": ", 2)[-1] if line.startswith("automl: error: ") else line
    return lines[-1] if lines else "the engine stopped without a message"
