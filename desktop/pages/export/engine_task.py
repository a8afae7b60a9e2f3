"""One kind of engine command (export, predict) run as a child process, with its outcome."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from desktop.engine_process import EngineProcess, last_error_line


class EngineTask(QObject):
    """One kind of engine command (export, predict) with its busy state and stderr lines."""

    done = Signal(list)  # stdout lines, after exit code 0
    error = Signal(str)  # the engine's one-line error, after a failure

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process = EngineProcess(self)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.process.output.connect(self.stdout.append)
        self.process.log.connect(self.stderr.append)
        self.process.finished.connect(self._finished)

    @property
    def running(self) -> bool:
        return self.process.running

    def start(self, arguments: list[str]) -> None:
        """Runs `python -m automl ARGUMENTS`."""
        self.stdout.clear()
        self.stderr.clear()
        self.process.start(arguments)

    def _finished(self, code: int, crashed: bool) -> None:
        if code == 0 and not crashed:
            self.done.emit(list(self.stdout))
        else:
            self.error.emit(last_error_line(self.stderr))
