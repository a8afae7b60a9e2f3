"""A benchmark's own report owns stdout: what the engine and TensorFlow print goes to stderr."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Yields while everything written to stdout, by Python or native code, goes to stderr.

    Native code (TensorFlow's C++ logging) writes to file descriptor 1 directly, so the
    descriptor is swapped as well as `sys.stdout`.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 1)
        os.close(saved)
