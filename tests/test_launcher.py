"""The app's launcher: `automl-studio --install-launcher` and `--uninstall-launcher`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from automl.child_command import engine_command
from desktop.app import main
from desktop.icon import icon_path
from desktop.launcher import desktop_entry


def _lines(path: Path) -> dict[str, str]:
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_install_writes_entry_and_icon_then_uninstall_removes_both(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    entry = tmp_path / "applications" / "automl-studio.desktop"
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "automl-studio.svg"

    assert main(["--install-launcher"]) == 0

    fields = _lines(entry)
    assert entry.read_text().startswith("[Desktop Entry]\n")
    assert fields["Type"] == "Application"
    assert fields["Name"] == "AutoML Studio"
    program = fields["Exec"].split(" ")[0].strip('"')
    assert Path(program).is_absolute() and Path(program).exists()
    assert fields["Exec"].endswith(" %f")
    assert fields["Icon"] == str(icon)
    assert icon.read_bytes() == icon_path().read_bytes()
    assert "<svg" in icon.read_text()
    assert str(entry) in capsys.readouterr().out

    assert main(["--uninstall-launcher"]) == 0
    assert not entry.exists() and not icon.exists()
    assert main(["--uninstall-launcher"]) == 0
    assert "no launcher was installed" in capsys.readouterr().out


def test_default_data_home_is_local_share(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", "")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["--install-launcher"]) == 0
    assert (tmp_path / ".local/share/applications/automl-studio.desktop").exists()
    assert main(["--uninstall-launcher"]) == 0
    assert not (tmp_path / ".local/share/applications/automl-studio.desktop").exists()


def test_exec_quotes_a_path_with_spaces():
    text = desktop_entry(["/opt/My Apps/automl-studio"], Path("/x/automl-studio.svg"))
    assert 'Exec="/opt/My Apps/automl-studio" %f' in text.splitlines()


def test_install_launcher_opens_no_window(tmp_path):
    """As a command: it exits 0 at once, with no display at all."""
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    env["XDG_DATA_HOME"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "desktop.app", "--install-launcher"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "applications" / "automl-studio.desktop").exists()
    assert "PySide6" not in done.stderr


def test_engine_argument_runs_the_engine_command(tmp_path):
    """`automl-studio engine ...` is the `automl` command (here: a bad input, one line)."""
    done = subprocess.run(
        [sys.executable, "-m", "desktop.app", "engine", "search", str(tmp_path / "none.csv")]
        + ["--target", "y", "--project", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("automl: error:")
    assert len(done.stderr.strip().splitlines()) == 1


def test_frozen_app_starts_children_through_its_own_engine(monkeypatch):
    assert engine_command("search", "a.csv")[1:] == ["-m", "automl", "search", "a.csv"]
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert engine_command("search", "a.csv") == [sys.executable, "engine", "search", "a.csv"]
    assert engine_command("m", "r", module="automl.export.parity") == [
        sys.executable,
        "engine",
        "--run-module",
        "automl.export.parity",
        "m",
        "r",
    ]


def test_engine_runs_a_module_as_main(tmp_path):
    """`automl-studio engine --run-module M ARGS` is `python -m M ARGS` (the parity child)."""
    data = tmp_path / "a.json"
    data.write_text('{"b": 1}')
    done = subprocess.run(
        [sys.executable, "-m", "desktop.app", "engine", "--run-module", "json.tool", str(data)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert '"b": 1' in done.stdout


@pytest.mark.skipif(not shutil.which("desktop-file-validate"), reason="desktop-file-utils")
def test_the_entry_passes_desktop_file_validate(tmp_path):
    entry = tmp_path / "automl-studio.desktop"
    entry.write_text(desktop_entry(["/opt/My Apps/automl-studio"], tmp_path / "icon.svg"))
    done = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout + done.stderr == ""
