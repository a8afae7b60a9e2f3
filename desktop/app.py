"""`automl-studio [PATH]`: opens the window, optionally on a data file or project folder.

The same executable runs the engine when its first argument is `engine`
(`automl-studio engine search ...`): the bundled app starts its own search, worker and
parity-check children that way. `--install-launcher` and `--uninstall-launcher` add the
app to the Linux desktop's menus, or take it out, without opening a window.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from automl.child_command import ENGINE_ARGUMENT, MODULE_OPTION
from desktop.palette import add_palette_option, chosen_scheme, use_palette


def main(argv: list[str] | None = None) -> int:
    """Returns the exit code of the window, of the engine command, or of the launcher step."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == [ENGINE_ARGUMENT]:
        return _run_engine(argv[1:])
    parser = argparse.ArgumentParser(prog="automl-studio", description="AutoML Studio")
    parser.add_argument(
        "path", nargs="?", type=Path, help="a data file, a project folder or an experiment folder"
    )
    add_palette_option(parser)
    launcher = parser.add_mutually_exclusive_group()
    launcher.add_argument(
        "--install-launcher",
        action="store_true",
        help="add AutoML Studio to the desktop's app menu (Linux) and exit",
    )
    launcher.add_argument(
        "--uninstall-launcher",
        action="store_true",
        help="remove AutoML Studio from the desktop's app menu (Linux) and exit",
    )
    launcher.add_argument(
        "--self-check",
        type=Path,
        metavar="FOLDER",
        help="open the penguins sample, search 1 trial and export it in FOLDER, then exit",
    )
    args = parser.parse_args(argv)
    if args.install_launcher or args.uninstall_launcher:
        return _launcher(install=args.install_launcher)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("AutoML Studio")
    from desktop.icon import app_icon
    from desktop.main_window import MainWindow

    app.setWindowIcon(app_icon())
    use_palette(app, chosen_scheme(args.palette))
    if args.self_check is not None:
        from desktop.self_check import run_self_check

        return run_self_check(args.self_check)
    window = MainWindow()
    window.show()
    if args.path is not None:
        window.open_path(args.path)
    return app.exec()


def _launcher(install: bool) -> int:
    """Returns 0 once the launcher files are written (or removed), saying where."""
    from desktop.launcher import install_launcher, uninstall_launcher

    if install:
        for path in install_launcher():
            print(f"wrote {path}")
        return 0
    removed = uninstall_launcher()
    for path in removed:
        print(f"removed {path}")
    if not removed:
        print("no launcher was installed")
    return 0


def _run_engine(argv: list[str]) -> int:
    """Returns the exit code of the engine run `argv` asks for (the words after `engine`).

    `argv` is what `engine_command` put after `engine`: an `automl` command, or
    `--run-module MODULE ARGS`.
    """
    if argv[:1] == [MODULE_OPTION] and len(argv) >= 2:
        import runpy

        sys.argv = [argv[1], *argv[2:]]
        try:
            runpy.run_module(argv[1], run_name="__main__", alter_sys=True)
        except SystemExit as exit_:
            if exit_.code is None or isinstance(exit_.code, int):
                return exit_.code or 0
            print(exit_.code, file=sys.stderr)
            return 1
        return 0
    from automl.cli import main

    # argv=None: the engine owns this process, as it would as `automl`, so it may quiet
    # TensorFlow's start-up lines for the whole run.
    sys.argv = ["automl", *argv]
    return main()


if __name__ == "__main__":
    raise SystemExit(main())
