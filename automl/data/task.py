"""Infers the learning task from the target column: binary, multiclass or regression."""

from __future__ import annotations

import enum
from dataclasses import dataclass

import pandas as pd

from automl.errors import AutoMLError

#: An integer target with at most this many distinct values is read as classes.
MAX_INTEGER_CLASSES = 20


class TaskKind(enum.StrEnum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def is_classification(self) -> bool:
        return self is not TaskKind.REGRESSION


@dataclass(frozen=True)
class Task:
    """What to predict: the target column, the task kind, its classes, and why."""

    target: str
    kind: TaskKind
    reason: str
    class_names: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {
            "target": self.target,
            "kind": self.kind.value,
            "reason": self.reason,
            "class_names": list(self.class_names),
        }

    @classmethod
    def from_dict(cls, data: dict) -> Task:
        return cls(
            target=data["target"],
            kind=TaskKind(data["kind"]),
            reason=data["reason"],
            class_names=tuple(data.get("class_names", ())),
        )


def infer_task(target: pd.Series, kind: str | None = None) -> Task:
    """Returns the task for predicting `target`, inferred unless `kind` forces it.

    Raises:
        AutoMLError: the target is all missing, has a single class, or cannot be the
            forced kind (text values for regression).

    Example:
        >>> infer_task(pd.Series(["a", "b", "a"], name="y")).kind.value
        'binary'
    """
    name = str(target.name)
    values = target.dropna()
    if values.empty:
        raise AutoMLError(f"target column {name!r} has no values (all missing)")
    distinct = values.nunique()
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)

    if kind is not None:
        forced = _parse_kind(kind)
        if forced is TaskKind.REGRESSION:
            if not numeric:
                raise AutoMLError(
                    f"--task regression needs a numeric target, but {name!r} holds text "
                    f"such as {str(values.iloc[0])!r}"
                )
            return Task(name, forced, "set by the user")
        return _classification(name, values, distinct, "set by the user", forced)

    if numeric:
        integral = bool((values == values.round()).all())
        if integral and distinct <= MAX_INTEGER_CLASSES and distinct < 0.5 * len(values):
            reason = f"whole numbers with {distinct} distinct values: read as classes"
            return _classification(name, values, distinct, reason)
        return Task(name, TaskKind.REGRESSION, f"numbers with {distinct} distinct values")
    return _classification(name, values, distinct, f"{distinct} distinct labels")


def _classification(
    name: str, values: pd.Series, distinct: int, reason: str, forced: TaskKind | None = None
) -> Task:
    if distinct < 2:
        raise AutoMLError(
            f"target column {name!r} has a single class ({values.iloc[0]!s}); "
            "a classifier needs at least two"
        )
    kind = forced or (TaskKind.BINARY if distinct == 2 else TaskKind.MULTICLASS)
    if kind is TaskKind.BINARY and distinct != 2:
        raise AutoMLError(f"--task binary needs two classes, but {name!r} has {distinct}")
    classes = tuple(sorted({class_name(v) for v in values}))
    if kind is TaskKind.MULTICLASS and distinct == 2 and forced is None:
        kind = TaskKind.BINARY
    return Task(name, kind, reason, classes)


def class_name(value: object) -> str:
    """Returns the label a class is known by: `1.0` and `1` both read as `1`."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _parse_kind(kind: str) -> TaskKind:
    try:
        return TaskKind(kind)
    except ValueError:
        choices = ", ".join(k.value for k in TaskKind)
        raise AutoMLError(f"--task {kind}: unknown task; choose one of {choices}") from None
