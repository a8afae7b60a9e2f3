"""The model families a kind's feeds build: one HyperModel, or a choice among several."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automl.search.request import SearchRequest


def combine(names: Sequence[str], build: Callable[[str], Any]) -> Any:
    """Returns one family's HyperModel, or a `FamilyChoice` searching several."""
    if len(names) == 1:
        return build(names[0])
    from architectures.families import FamilyChoice

    return FamilyChoice({name: build(name) for name in names})


def family_class(name: str) -> Any:
    """Returns the HyperModel class of family `name` (loads its module)."""
    from architectures.proposals import load_hypermodel_class

    return load_hypermodel_class(name)


def sequence_family(
    name: str, inputs: Any, task: Any, metrics: list, train_rows: int, request: SearchRequest
) -> Any:
    """Returns sequence family `name`'s HyperModel for `inputs` and `task`.

    The seed and the family's search space come from the request.
    """
    return family_class(name)(
        inputs,
        task,
        metrics=metrics,
        train_rows=train_rows,
        seed=request.seed,
        space=request.space_for(name),
    )
