"""The experiment store: a project folder of experiment folders, indexed in `project.db`.

The folders are the truth; `project.db` (SQLite, WAL mode, versioned schema) is a fast
index rebuilt from them at will. Nothing here imports TensorFlow, so the GUI and the
`automl experiments` commands open a project instantly.

Example:
    >>> from automl.store import list_experiments, show
    >>> for experiment in list_experiments(Path(".")):
    ...     print(experiment["name"], experiment["status"], experiment["best_score"])
"""

from __future__ import annotations

from automl.store.compare import compare
from automl.store.db import SCHEMA_VERSION, open_db
from automl.store.index import index_experiment, refresh, reindex
from automl.store.listener import ProjectIndexer
from automl.store.project import (
    find_project,
    is_experiment,
    is_project,
    project_of,
    resolve_experiment,
)
from automl.store.queries import export_trials, list_experiments, show

__all__ = [
    "SCHEMA_VERSION",
    "ProjectIndexer",
    "compare",
    "export_trials",
    "find_project",
    "index_experiment",
    "is_experiment",
    "is_project",
    "list_experiments",
    "open_db",
    "project_of",
    "refresh",
    "reindex",
    "resolve_experiment",
    "show",
]
