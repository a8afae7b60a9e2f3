"""`automl-studio --install-launcher`: the app's entry in the Linux desktop's menus.

Writes a freedesktop.org desktop entry and the app's icon under `$XDG_DATA_HOME`
(`~/.local/share` by default), where desktops look for a user's own apps; removing
both takes the app out of the menus again. No Qt here: it runs without a window.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from automl.child_command import frozen

#: The desktop entry's file name, and the icon's name in the icon theme.
APP_ID = "automl-studio"


def data_home() -> Path:
    """Returns `$XDG_DATA_HOME`, or `~/.local/share` when it is unset or empty."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if value else Path.home() / ".local" / "share"


def launcher_paths(home: Path | None = None) -> tuple[Path, Path]:
    """Returns where the desktop entry and the icon go under `home` (the data home)."""
    home = data_home() if home is None else home
    return (
        home / "applications" / f"{APP_ID}.desktop",
        home / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg",
    )


def app_command() -> list[str]:
    """Returns the absolute command that starts this app: the bundle's or the installed one."""
    if frozen():
        return [str(Path(sys.executable).resolve())]
    script = shutil.which(APP_ID)
    if script:
        return [str(Path(script).resolve())]
    return [str(Path(sys.executable).resolve()), "-m", "desktop.app"]


def desktop_entry(command: list[str], icon: Path) -> str:
    """Returns the text of the desktop entry that runs `command` with `icon`."""
    # The spec's Exec quoting: double quotes around an argument with reserved characters.
    exec_line = " ".join(_quote(part) for part in command)
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Name=AutoML Studio",
            "GenericName=Neural network trainer",
            "Comment=Train, tune and export a neural network from a data file",
            f"Exec={exec_line} %f",
            f"Icon={icon}",
            "Terminal=false",
            "Categories=Science;ArtificialIntelligence;",
            "MimeType=text/csv;",
            "",
        ]
    )


def install_launcher(home: Path | None = None) -> tuple[Path, Path]:
    """Returns the desktop entry and icon it wrote under `home` (the data home)."""
    from desktop.icon import icon_path

    entry, icon = launcher_paths(home)
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(icon_path(), icon)
    entry.parent.mkdir(parents=True, exist_ok=True)
    entry.write_text(desktop_entry(app_command(), icon), encoding="utf-8")
    return entry, icon


def uninstall_launcher(home: Path | None = None) -> list[Path]:
    """Returns the launcher files it removed from `home` (none if none were there)."""
    removed = []
    for path in launcher_paths(home):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def _quote(argument: str) -> str:
    """Returns `argument` as the desktop entry spec wants it in an Exec line."""
    if argument and not any(c in argument for c in " \t\n\"'\\><~|&;$*?#()`"):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'
