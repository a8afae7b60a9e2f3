"""Keras Tuner's private API is used in one module only: automl/search/kt_compat.py."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Names that reach into Keras Tuner's internals (its `src` package, underscored members,
#: or monkeypatched methods).
PRIVATE = (
    "keras_tuner.src",
    "tuner_utils",
    "oracle._lock",
    "_retry_queue",
    "_get_checkpoint_fname",
    "_deepcopy_callbacks",
    "_configure_tensorboard_dir",
    "_build_hypermodel",
    "_build_and_fit_model",
    "_try_build",
    "_save_model",
    "populate_space =",
    "hypermodel.fit =",
)


@pytest.mark.parametrize("name", PRIVATE)
def test_private_keras_tuner_names_appear_only_in_kt_compat(name):
    users = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "automl").rglob("*.py"))
        if name in path.read_text(encoding="utf-8") and path.name != "kt_compat.py"
    ]
    assert users == [], f"{name} is used outside automl/search/kt_compat.py: {users}"


def test_each_private_use_in_kt_compat_names_the_version_it_was_checked_against():
    from importlib.metadata import version

    text = (ROOT / "automl" / "search" / "kt_compat.py").read_text(encoding="utf-8")
    installed = version("keras-tuner")
    assert f'CHECKED_VERSION = "{installed}"' in text
    lines = text.splitlines()
    code_starts = lines.index("from __future__ import annotations")  # past the docstring
    uses = 0
    for i, line in enumerate(lines[code_starts:], start=code_starts):
        if line.strip().startswith("#") or not any(name in line for name in PRIVATE):
            continue
        uses += 1
        # A comment naming the checked version sits beside each use.
        nearby = "\n".join(lines[max(0, i - 6) : i + 3])
        assert f"keras-tuner {installed}" in nearby, f"line {i + 1}: {line.strip()}"
    assert uses >= 8
