"""How to start the engine as a child process, from a Python install or from the app bundle.

A Python install starts the engine as `python -m automl ...`. The bundled app has no
Python of its own to run: its one executable runs the engine when its first argument
is `engine` (`automl-studio engine search ...`), so a frozen app starts its children
that way and needs nothing outside the bundle.

Example:
    >>> engine_command("search", "penguins.csv", "--target", "species")
    ['/usr/bin/python3', '-m', 'automl', 'search', 'penguins.csv', '--target', 'species']
    >>> engine_command("model", "rows.npz", module="automl.export.parity")[:3]
    ['/usr/bin/python3', '-m', 'automl.export.parity']
"""

from __future__ import annotations

import sys

#: The first argument that makes the app's executable run the engine instead of the window.
ENGINE_ARGUMENT = "engine"
#: After `engine`: run this module as `__main__` instead of the `automl` command.
MODULE_OPTION = "--run-module"


def frozen() -> bool:
    """Returns whether this process runs from a bundle (PyInstaller sets `sys.frozen`)."""
    return bool(getattr(sys, "frozen", False))


def engine_command(*args: str, module: str = "automl") -> list[str]:
    """Returns the command line that runs `python -m MODULE ARGS` in a child process.

    Args:
        args: the arguments of the module (for `automl`, the command and its options).
        module: a module with a `__main__` block; the `automl` command by default.
    """
    if not frozen():
        return [sys.executable, "-m", module, *args]
    if module == "automl":
        return [sys.executable, ENGINE_ARGUMENT, *args]
    return [sys.executable, ENGINE_ARGUMENT, MODULE_OPTION, module, *args]
