"""Loading, schema inference, task inference and splits for tabular data.

Nothing here imports TensorFlow: the GUI and `automl profile` use it to show a dataset.
"""

from automl.data.dataset import Dataset, load_dataset
from automl.data.loading import read_table
from automl.data.schema import ColumnKind, ColumnSchema, Schema, infer_schema
from automl.data.task import Task, TaskKind, infer_task

__all__ = [
    "ColumnKind",
    "ColumnSchema",
    "Dataset",
    "Schema",
    "Task",
    "TaskKind",
    "infer_schema",
    "infer_task",
    "load_dataset",
    "read_table",
]
