"""The user's column choices on the Data page: target, ignored columns, type overrides."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from automl.data.kinds import ColumnKind
from desktop.state import ProjectSettings

KINDS = tuple(kind.value for kind in ColumnKind)
ROLES = ("feature", "target", "ignore")
#: Kinds the engine leaves out of the model unless the user gives the column another type.
LEFT_OUT_KINDS = frozenset({ColumnKind.ID.value, ColumnKind.DATETIME.value})


@dataclass(frozen=True)
class ColumnChoices:
    """The user's column choices: target, explicitly ignored columns and type overrides."""

    target: str = ""
    ignored: tuple[str, ...] = ()
    column_types: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: ProjectSettings) -> ColumnChoices:
        return cls(settings.target, tuple(settings.ignored), dict(settings.column_types))

    def role(self, name: str, kind: str) -> str:
        """Returns "target", "ignore" or "feature": what the engine will do with column `name`."""
        if name == self.target:
            return "target"
        if name in self.ignored or kind in LEFT_OUT_KINDS:
            return "ignore"
        return "feature"

    def with_role(self, name: str, role: str) -> ColumnChoices:
        """Returns these choices with column `name` given `role`."""
        target = name if role == "target" else ("" if self.target == name else self.target)
        ignored = tuple(c for c in self.ignored if c != name)
        if role == "ignore":
            ignored += (name,)
        return replace(self, target=target, ignored=ignored)

    def with_type(self, name: str, kind: str) -> ColumnChoices:
        """Returns these choices with column `name` read as `kind`."""
        return replace(self, column_types={**self.column_types, name: kind})

    def matches(self, profile: dict | None) -> bool:
        """Returns whether `profile` was made with this target and these types."""
        if profile is None:
            return False
        target = (profile.get("target") or {}).get("name", "")
        kinds = {c["name"]: c["kind"] for c in profile["columns"]}
        return target == self.target and all(
            kinds.get(name, kind) == kind for name, kind in self.column_types.items()
        )
