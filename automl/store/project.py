"""Where experiments live: a project folder, its experiment folders, and names for them.

The project rule: a project is a folder holding `project.db` and experiment folders, either
as `PROJECT/experiments/<name>/` (what `automl search --project P` writes) or directly as
`PROJECT/<name>/` (what `--out DIR` writes: the folder containing DIR is its project). So
the project of an experiment folder is its parent's parent when the parent is named
`experiments`, and its parent otherwise. An experiment folder is any folder holding
`experiment.json`.

Example:
    >>> project_of(Path("work/experiments/penguins"))
    PosixPath('work')
    >>> resolve_experiment(Path("work"), "penguins")
    PosixPath('work/experiments/penguins')
"""

from __future__ import annotations

from pathlib import Path

from automl.errors import AutoMLError
from automl.experiment.layout import MARKER
from automl.store.db import DB_NAME

#: The sub-folder `--project P` puts experiments in.
EXPERIMENTS_DIR = "experiments"


def is_experiment(path: Path) -> bool:
    """Returns whether `path` is an experiment folder (it holds experiment.json)."""
    return (Path(path) / MARKER).is_file()


def project_of(folder: Path) -> Path:
    """Returns the project an experiment folder belongs to, by the project rule above."""
    folder = Path(folder).resolve()
    parent = folder.parent
    return parent.parent if parent.name == EXPERIMENTS_DIR else parent


def experiment_folders(project: Path) -> list[Path]:
    """Returns the project's experiment folders, `experiments/*` first, each sorted by name.

    A symbolic link is never one (see `linked_experiments`): followed, it would lead the
    index, retention and deletion into a folder of another project, or list one twice.
    """
    return [p for p in _candidates(project) if not p.is_symlink()]


def linked_experiments(project: Path) -> list[Path]:
    """Returns the links in the project's places that point at experiment folders."""
    return [p for p in _candidates(project) if p.is_symlink()]


def _candidates(project: Path) -> list[Path]:
    project = Path(project)
    found: list[Path] = []
    for place in (project / EXPERIMENTS_DIR, project):
        if place.is_dir():
            found += sorted(p for p in place.iterdir() if p.is_dir() and is_experiment(p))
    return found


def is_project(path: Path) -> bool:
    """Returns whether `path` is a project: it has a project.db or experiment folders."""
    path = Path(path)
    if not path.is_dir() or is_experiment(path):
        return False
    return (path / DB_NAME).is_file() or bool(experiment_folders(path))


def find_project(path: Path, walk_up: bool = True) -> Path:
    """Returns the project at `path`, or (with `walk_up`) the one above it with a project.db.

    Walking up lets `automl experiments ls` work from inside an experiment folder, as git
    does; only a folder with a project.db counts there, so an unrelated folder that merely
    contains something is never taken for the project. A folder the user named with
    `--project` is taken as given (`walk_up=False`).

    Raises:
        AutoMLError: neither `path` nor any folder above it is a project.
    """
    path = Path(path).resolve()
    if not path.exists():
        raise AutoMLError(f"project folder {path} does not exist")
    if is_experiment(path):
        return project_of(path)
    if is_project(path):
        return path
    for above in path.parents if walk_up else ():
        if (above / DB_NAME).is_file():
            return above
    raise AutoMLError(
        f"{path} is not an AutoML Studio project (no {DB_NAME} and no experiment folders); "
        "pass --project with the folder your searches wrote to, or an experiment folder's path"
    )


def resolve_experiment(project: Path, name_or_path: str | Path) -> Path:
    """Returns the experiment folder an EXPERIMENT argument names.

    The argument is an experiment folder's path (absolute, relative to the current folder
    or to the project) or its name within the project.

    Raises:
        AutoMLError: no such experiment; the message lists the names the project knows.
    """
    given = Path(name_or_path)
    for candidate in (given, Path(project) / given):
        if is_experiment(candidate):
            return candidate.resolve()
    if given.is_dir():
        raise AutoMLError(f"{given} is a folder but not an experiment (no {MARKER} in it)")
    project = find_project(project)
    folders = experiment_folders(project)
    matches = [f for f in folders if f.name == str(name_or_path)]
    if len(matches) == 1:
        return matches[0].resolve()
    if matches:
        places = ", ".join(str(f.relative_to(project)) for f in matches)
        raise AutoMLError(
            f"several experiments in {project} are named {name_or_path!r} ({places}); "
            "give the folder's path instead"
        )
    known = ", ".join(sorted({f.name for f in folders})) or "none yet"
    raise AutoMLError(f"no experiment named {name_or_path!r} in {project}; known: {known}")
