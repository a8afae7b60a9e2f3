"""`automl-studio [PATH]`: opens the window, optionally on a data file or project folder."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from desktop.palette import add_palette_option, chosen_scheme, use_palette


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="automl-studio", description="AutoML Studio")
    parser.add_argument(
        "path", nargs="?", type=Path, help="a data file, a project folder or an experiment folder"
    )
    add_palette_option(parser)
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("AutoML Studio")
    from desktop.main_window import MainWindow

    use_palette(app, chosen_scheme(args.palette))
    window = MainWindow()
    window.show()
    if args.path is not None:
        window.open_path(args.path)
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
