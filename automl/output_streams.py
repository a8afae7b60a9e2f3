"""Output that outlives its reader: a search goes on when the pipe it prints to closes.

The desktop app reads a search's stdout and stderr through pipes. When the app crashes,
both pipes lose their reader; the next write fails with EPIPE (`BrokenPipeError`; Python
ignores SIGPIPE) and, unhandled, would end an unattended search that still has every
reason to finish: its events, summary and model go to the experiment folder regardless.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from typing import IO, Any

#: Errors a write raises once nobody reads the other end (or the stream was closed);
#: EIO: the terminal itself is gone (its window closed; the hang-up is ignored).
_GONE_ERRNOS = {errno.EPIPE, errno.ECONNRESET, errno.EBADF, errno.EIO}


def reader_gone(error: BaseException) -> bool:
    """Returns whether `error` from a write means the reader went away."""
    if isinstance(error, ValueError):  # "I/O operation on closed file"
        return True
    return isinstance(error, OSError) and error.errno in _GONE_ERRNOS


def silence_fds(fds: tuple[int, ...]) -> None:
    """Returns None; points each file descriptor in `fds` at /dev/null.

    TensorFlow's C++ logging writes to descriptors 1 and 2 directly, and a Python stream's
    pending buffer flushes into its descriptor: after this both succeed, unread.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in fds:
            with contextlib.suppress(OSError):  # already closed: nothing writes there
                os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class SurvivingStream:
    """A text stream whose writes never fail once its reader is gone: they are dropped.

    The first failing write points the stream's descriptors at /dev/null, so later
    writes from Python and from C++ (TensorFlow's logging) succeed without a reader.
    """

    def __init__(self, stream: IO[str], fds: tuple[int, ...]):
        self._stream = stream
        self._fds = fds
        #: true once the reader went away and output is dropped
        self.gone = False

    def write(self, text: str) -> int:
        """Returns the characters taken: all of them, written or (reader gone) dropped."""
        if not self.gone:
            try:
                return self._stream.write(text)
            except (OSError, ValueError) as error:
                if not reader_gone(error):
                    raise
                self._switch_off()
        return len(text)

    def flush(self) -> None:
        if self.gone:
            return
        try:
            self._stream.flush()
        except (OSError, ValueError) as error:
            if not reader_gone(error):
                raise
            self._switch_off()

    def _switch_off(self) -> None:
        self.gone = True
        silence_fds(self._fds)
        with contextlib.suppress(OSError, ValueError):
            self._stream.flush()  # the pending text now goes to /dev/null

    def __getattr__(self, name: str) -> Any:
        # isatty, fileno, encoding, ...: the wrapped stream answers.
        return getattr(self._stream, name)


def survive_closed_output() -> None:
    """Returns None; makes `sys.stdout` and `sys.stderr` drop output once unread.

    When stdout already writes to stderr (`--events -` moves it there), both share one
    wrapper that silences descriptors 1 and 2 together.
    """
    if isinstance(sys.stderr, SurvivingStream):
        return
    shared = sys.stdout is sys.stderr
    sys.stderr = SurvivingStream(sys.stderr, (1, 2) if shared else (2,))
    sys.stdout = sys.stderr if shared else SurvivingStream(sys.stdout, (1,))
