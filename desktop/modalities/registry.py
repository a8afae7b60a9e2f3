"""Finds the Data page's preview widget for a kind of data, by the engine's kind name.

A built-in kind's widget is `PREVIEW` in `desktop.modalities.<name>`; a kind without one
(say one named in `AUTOML_MODALITIES`) is shown by `PlainPreview`.
"""

from __future__ import annotations

import importlib

from PySide6.QtWidgets import QWidget

from desktop.modalities.base import PlainPreview

#: The kinds with a widget here, in the order the Data page stacks them.
BUILT_IN = ("table", "image", "series", "forecast", "text")


def preview_class(name: str | None) -> type[QWidget]:
    """Returns the widget class that previews kind `name` (PlainPreview without one)."""
    if name not in BUILT_IN:
        return PlainPreview
    module = importlib.import_module(f"desktop.modalities.{name}")
    return module.PREVIEW


def preview_classes() -> list[type[QWidget]]:
    """Returns the built-in kinds' widget classes once each (kinds may share one), in order."""
    return list(dict.fromkeys(preview_class(name) for name in BUILT_IN))
