"""A `SearchRequest` written back as the `automl search` command line that asks for it.

The desktop starts its search process with this, so the GUI never spells flags itself.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl.search.request import SearchRequest

#: Request fields given by one `--flag VALUE`, in the order the command line shows them.
_VALUE_FLAGS = {
    "target": "--target",
    "out": "--out",
    "modality": "--modality",
    "task": "--task",
    "test_file": "--test",
    "validation_split": "--validation-split",
    "tuner": "--tuner",
    "metric": "--metric",
    "max_epochs": "--epochs",
    "seed": "--seed",
    "device": "--device",
    "patience": "--patience",
    "keep_checkpoints": "--keep-checkpoints",
    "checkpoint_every_s": "--checkpoint-every",
    "port": "--port",
    "bind": "--bind",
    "sync_wait_s": "--sync-wait",
    "worker_memory_mb": "--worker-memory",
    "precision": "--precision",
    "strategy": "--strategy",
    "ensemble": "--ensemble",
}
#: Request fields given by a bare `--flag` when true.
_SWITCHES = {
    "overwrite": "--overwrite",
    "tensorboard": "--tensorboard",
    "chief": "--chief",
    "jit": "--jit",
}


def request_argv(request: SearchRequest, space_file: Path | None = None) -> list[str]:
    """Returns the words after `automl search` that parse back to `request`.

    Only values that differ from the defaults are written. `test_split` has no flag (the
    command line always splits 20% off), nor does keeping every checkpoint
    (`keep_checkpoints=None`); both are left out. Nor is the token: a command line is
    visible to every user of the machine (`ps`); it travels in `AUTOML_TOKEN`.
    Search-space overrides travel in a JSON file: `space_file` is written with them when
    there are any.

    Raises:
        ValueError: the request has search-space overrides and no `space_file` is given.
    """
    from automl.modalities import registry

    defaults = {f.name: f.default for f in fields(request)}
    data = str(request.data)
    # A file named "-x.csv" would read as an option: "./-x.csv" is the same file.
    argv = [f"./{data}" if data.startswith("-") else data]

    def differs(name: str) -> Any:
        value = getattr(request, name)
        # "" is the command line's own --target when there is none (image folders, .npz).
        return value not in (None, "") and value != defaults[name]

    for name, flag in _VALUE_FLAGS.items():
        if differs(name):
            argv += flag_value(flag, getattr(request, name))
    # A resolved trial cap: 10 without a budget, none with one (both the flag's default):
    # a time budget without --max-trials leaves the trials unbounded, and no flag says so.
    trials_given = not request.trials_unbounded and (
        request.time_budget_s is not None or request.max_trials != 10
    )
    if trials_given:
        argv += ["--max-trials", str(request.max_trials)]
    if request.cv is not None:
        argv += ["--cv", str(request.cv)] if request.cv else ["--no-cv"]
    if request.time_budget_s is not None:
        argv += ["--time-budget", f"{request.time_budget_s}s"]
    for column in request.ignore:
        argv += flag_value("--ignore", column)
    for column, kind in request.column_types.items():
        argv += flag_value("--column-type", f"{column}={kind}")
    if request.refit is not None:
        argv.append("--refit" if request.refit else "--no-refit")
    for extra in request.formats:
        argv += ["--format", extra]
    if request.families:
        argv += flag_value("--families", ",".join(request.families))
    for name, flag in _SWITCHES.items():
        if getattr(request, name):
            argv.append(flag)
    if not request.isolated_by_default and request.workers != (
        1 if request.isolates_by_default else 0
    ):
        argv += ["--workers", str(request.workers)]
    for option in registry.options():
        words = option.to_argv(request.options.get(option.name))
        argv += flag_value(*words) if len(words) == 2 else words
    if request.space:
        if space_file is None:
            raise ValueError("the request has search-space overrides: give a space_file")
        Path(space_file).write_text(json.dumps(request.space), encoding="utf-8")
        argv += ["--space", str(space_file)]
    return argv


def flag_value(flag: str, value: object) -> list[str]:
    """Returns the words giving `flag` its `value`: one `--flag=VALUE` when it starts with "-".

    A column named "-x" chosen in the app would otherwise read as an option of its own.

    Example:
        >>> flag_value("--target", "-x"), flag_value("--target", "y")
        (['--target=-x'], ['--target', 'y'])
    """
    text = str(value)
    return [f"{flag}={text}"] if text.startswith("-") else [flag, text]
