"""Builds the AutoML Studio app: one folder with one executable, a tarball and install.sh.

    pip install -e ".[gui,bundle]"
    python scripts/build_app.py            # dist/automl-studio/ + dist/automl-studio-*.tar.gz

PyInstaller in one-folder mode bundles Python, TensorFlow, Keras, Keras Tuner, PySide6 and
the project into `dist/automl-studio/`. Its one executable `automl-studio` opens the window,
and runs the engine when its first argument is `engine` (`automl-studio engine search ...`),
which is how the app starts its own search, worker and parity-check children. The
self-check (on by default) runs the built app offscreen: it opens penguins, searches one
trial through its own engine child and exports the model, whose parity check must pass.
It prints the build time, the bundle's size and the self-check's lines.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "automl-studio"

#: Modules loaded by name at run time (importlib, lazy imports) that PyInstaller cannot see.
COLLECT_SUBMODULES = [
    "automl",
    "architectures",  # the registered custom layers must load to read a saved model
    "desktop",
    "keras_tuner",
    "tensorboard.plugins.hparams",  # Keras Tuner imports it in every trial
]
HIDDEN_IMPORTS = ["openpyxl", "pyarrow", "pyqtgraph", "sklearn.model_selection", "PIL.Image"]
#: Large packages the app never uses; some are found through optional imports.
EXCLUDES = [
    "tkinter",
    "IPython",
    "jupyter_client",
    "notebook",
    "pytest",
    "matplotlib",
    "botocore",
    "boto3",
]

INSTALL_SH = """#!/bin/sh
# Adds AutoML Studio to your desktop's app menu; run it from anywhere.
# Remove it again with: ./automl-studio --uninstall-launcher
cd "$(dirname "$0")" && exec ./automl-studio --install-launcher
"""


def main(argv: list[str] | None = None) -> int:
    """Returns 0 when the bundle is built (and, unless skipped, passes its self-check)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="where the app goes")
    parser.add_argument("--work", type=Path, default=ROOT / "build", help="PyInstaller's work")
    parser.add_argument("--no-self-check", dest="self_check", action="store_false")
    parser.add_argument(
        "--check-only", action="store_true", help="self-check an existing bundle, build nothing"
    )
    args = parser.parse_args(argv)
    bundle = args.dist / NAME
    if not args.check_only:
        started = time.monotonic()
        build(args.dist, args.work)
        (bundle / "install.sh").write_text(INSTALL_SH)
        (bundle / "install.sh").chmod(0o755)
        built_s = time.monotonic() - started
        print(f"built {bundle} in {built_s / 60:.1f} min")
        print(f"bundle size: {_size(bundle) / 2**30:.2f} GiB ({_count(bundle)} files)")
        started = time.monotonic()
        tarball = make_tarball(bundle, args.dist)
        print(
            f"tarball: {tarball} {tarball.stat().st_size / 2**30:.2f} GiB "
            f"({time.monotonic() - started:.0f} s)"
        )
    if args.self_check:
        return self_check(bundle)
    return 0


def build(dist: Path, work: Path) -> None:
    """Runs PyInstaller: `dist/automl-studio/automl-studio` and its `_internal` folder."""
    import PyInstaller.__main__

    with tempfile.TemporaryDirectory() as scratch:
        entry = Path(scratch, f"{NAME}.py")
        entry.write_text("from desktop.app import main\n\nraise SystemExit(main())\n")
        options = [
            str(entry),
            f"--name={NAME}",
            "--onedir",
            "--noconfirm",
            "--log-level=WARN",
            f"--distpath={dist}",
            f"--workpath={work}",
            f"--specpath={work}",
            f"--paths={ROOT}",
            "--collect-data=assets",  # the samples and the icon
        ]
        options += [f"--collect-submodules={name}" for name in COLLECT_SUBMODULES]
        options += [f"--hidden-import={name}" for name in HIDDEN_IMPORTS]
        options += [f"--exclude-module={name}" for name in EXCLUDES]
        PyInstaller.__main__.run(options)


def make_tarball(bundle: Path, dist: Path) -> Path:
    """Returns the gzipped tarball of the bundle folder it wrote beside it."""
    from importlib.metadata import version

    tarball = dist / f"{NAME}-{version(NAME)}-linux-{os.uname().machine}.tar.gz"
    if shutil.which("tar") and shutil.which("gzip"):
        # gzip -1: a few percent larger than the default, and several times faster.
        subprocess.run(
            ["tar", "-C", str(bundle.parent), "-I", "gzip -1", "-cf", str(tarball), NAME],
            check=True,
        )
    else:
        with tarfile.open(tarball, "w:gz", compresslevel=1) as archive:
            archive.add(bundle, arcname=NAME)
    return tarball


def self_check(bundle: Path) -> int:
    """Returns the exit code of the built app's self-check, run offscreen in a scratch folder."""
    executable = bundle / NAME
    # Nothing of this checkout may leak in: the bundle must find everything inside itself.
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")
    }
    env["QT_QPA_PLATFORM"] = "offscreen"
    with tempfile.TemporaryDirectory(prefix="automl-self-check-") as scratch:
        started = time.monotonic()
        version = subprocess.run(
            [str(executable), "engine", "--version"], capture_output=True, text=True, env=env
        )
        print(
            f"self-check: `{NAME} engine --version` -> {version.stdout.strip()!r} "
            f"(exit {version.returncode}, {time.monotonic() - started:.1f} s)"
        )
        started = time.monotonic()
        done = subprocess.run(
            [str(executable), "--self-check", str(Path(scratch, "check"))],
            env=env,
            cwd=scratch,
            stdin=subprocess.DEVNULL,
        )
        print(f"self-check: exit {done.returncode} after {time.monotonic() - started:.0f} s")
    return done.returncode


def _size(folder: Path) -> int:
    """Returns the bytes of the files under `folder` (links not followed)."""
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def _count(folder: Path) -> int:
    """Returns how many files lie under `folder`."""
    return sum(1 for p in folder.rglob("*") if p.is_file())


if __name__ == "__main__":
    sys.exit(main())
