"""How the store's sizes, durations and scores read to a person, in every command alike."""

from __future__ import annotations


def format_bytes(size: int | None) -> str:
    """Returns a size as a person reads it: 812 B, 4.0 KiB, 1.3 MiB, 2.1 GiB."""
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def format_duration(seconds: float | None) -> str:
    """Returns a duration as 42s, 3m 05s or 2h 10m; "-" when unknown."""
    if seconds is None:
        return "-"
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def format_score(value: float | None) -> str:
    """Returns a metric with four decimals, the precision the leaderboard uses."""
    return "-" if value is None else f"{value:.4f}"
