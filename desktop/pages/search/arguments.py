"""Pieces of the `automl search` command line the Search page builds."""

from __future__ import annotations

from desktop.state import StudioState


def layout_arguments(state: StudioState) -> list[str]:
    """Returns the `automl search` flags that say how the open table is read.

    Example:
        >>> from desktop.state import DataLayout
        >>> state = StudioState()
        >>> state.settings.layout = DataLayout("forecast", time_column="year", lookback=20,
        ...                                    horizon=5)
        >>> state.sequences = {"modality": "forecast"}
        >>> layout_arguments(state)
        ['--lookback', '20', '--horizon', '5', '--time-column', 'year']
    """
    layout = state.settings.layout
    if state.modality not in ("series", "forecast"):
        return []  # a table's columns, or a NumPy file whose layout is fixed
    arguments: list[str] = []
    if layout.kind == "series_per_row":
        arguments.append("--series-per-row")
    elif layout.kind == "forecast":
        arguments += ["--lookback", str(layout.lookback), "--horizon", str(layout.horizon)]
    if layout.kind in ("long", "forecast") and layout.time_column:
        arguments += ["--time-column", layout.time_column]
    if layout.kind != "table" and layout.id_column:
        arguments += ["--id-column", layout.id_column]
    return arguments


def safe_name(name: str) -> str:
    """Returns `name` with only letters, digits, "-" and "_" (others become "_")."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name) or "target"
