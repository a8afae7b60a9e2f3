"""The model families a kind's feeds build: one HyperModel, or a choice among several."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


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
