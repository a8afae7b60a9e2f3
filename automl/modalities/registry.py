"""Finds the kinds of data: the built-in ones and those named in `AUTOML_MODALITIES`.

A kind is a module with a module-level `MODALITY` object following
`automl.modalities.base.Modality`. The built-in kinds live in this package; any other
module (`AUTOML_MODALITIES=my_package.audio,other.kind`) adds its own. Detection asks them
in order of `priority` (lowest first), never in import order.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

from automl.errors import AutoMLError
from automl.modalities.base import Modality, Option, Traits

if TYPE_CHECKING:
    from automl.modalities.base import Prepared
    from automl.search.request import SearchRequest

#: Environment variable: comma-separated module names, each defining `MODALITY`.
ENVIRONMENT_VARIABLE = "AUTOML_MODALITIES"

_BUILT_IN = ("image", "series", "forecast", "text", "table")

#: The kind of a table whose data no other kind recognises.
DEFAULT_MODALITY = "table"


def module_names() -> list[str]:
    """Returns the modules that define kinds: this package's, then the environment's."""
    extra = os.environ.get(ENVIRONMENT_VARIABLE, "")
    named = [name.strip() for name in extra.split(",") if name.strip()]
    return [f"automl.modalities.{name}" for name in _BUILT_IN] + named


def modalities() -> list[Modality]:
    """Returns every kind, in detection order (by priority, then name)."""
    found: dict[str, Modality] = {}
    for module_name in module_names():
        try:
            module = importlib.import_module(module_name)
        except ImportError as error:
            raise AutoMLError(
                f"{ENVIRONMENT_VARIABLE} names {module_name!r}, which cannot be imported ({error})"
            ) from None
        kind = getattr(module, "MODALITY", None)
        if not isinstance(kind, Modality):
            raise AutoMLError(f"{module_name} defines no MODALITY (an automl Modality)")
        found.setdefault(kind.name, kind)
    return sorted(found.values(), key=lambda kind: (kind.priority, kind.name))


def names() -> list[str]:
    """Returns the kinds' names, in detection order."""
    return [kind.name for kind in modalities()]


def modality_named(name: str | None) -> Modality:
    """Returns the kind called `name` (None: a table, as exports before kinds recorded)."""
    for kind in modalities():
        if kind.name == (name or DEFAULT_MODALITY):
            return kind
    raise AutoMLError(f"unknown kind of data {name!r}; known: {', '.join(names())}")


def modality_of(prepared: Prepared) -> Modality:
    """Returns the kind that prepared `prepared`."""
    return modality_named(prepared.modality)


def traits_of(name: str | None) -> Traits:
    """Returns what the kind called `name` is like (None: a table); a kind unknown here
    (an export made with a kind not installed) or without `traits` gets the defaults."""
    found = next((kind for kind in modalities() if kind.name == (name or DEFAULT_MODALITY)), None)
    return getattr(found, "traits", None) or Traits()


def modality_for(request: SearchRequest) -> Modality:
    """Returns the kind that reads the request's data: `--modality`, else the first that
    recognises it."""
    if request.modality:
        return modality_named(request.modality)
    for kind in modalities():
        if kind.recognises(request):
            return kind
    return modality_named(DEFAULT_MODALITY)


def options() -> list[Option]:
    """Returns every kind's options once each (kinds may share one), in detection order."""
    seen: dict[str, Option] = {}
    for kind in modalities():
        for option in kind.options:
            seen.setdefault(option.name, option)
    return list(seen.values())


def option_names() -> set[str]:
    """Returns the request keys the kinds' options use."""
    return {option.name for option in options()}


def check_request(request: SearchRequest) -> None:
    """Raises AutoMLError for an option value no kind accepts (e.g. `--lookback 0`)."""
    values = request.options
    for option in options():
        option.check(values.get(option.name))
    for kind in modalities():
        kind.check_request(request)
