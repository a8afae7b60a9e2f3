"""Loading, schema inference, task inference and splits for tables and image folders.

Nothing here imports TensorFlow. The names below load on first use (PEP 562), so
importing one light module of this package (`automl.data.kinds`) does not pull in pandas.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ColumnKind": "automl.data.kinds",
    "ColumnSchema": "automl.data.schema",
    "Dataset": "automl.data.dataset",
    "Schema": "automl.data.schema",
    "Task": "automl.data.task",
    "TaskKind": "automl.data.task",
    "infer_schema": "automl.data.schema",
    "infer_task": "automl.data.task",
    "load_dataset": "automl.data.dataset",
    "read_table": "automl.data.loading",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name not in _EXPORTS:
        raise AttributeError(f"module 'automl.data' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
