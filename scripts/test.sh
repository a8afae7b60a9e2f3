#!/usr/bin/env bash
# The test command: lint, import rules, then the test suite (offscreen Qt, tiny data).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2
ruff check .
lint-imports
# Two processes, one test file each at a time: most of a test is TensorFlow start-up and a
# child process's single-threaded work, so two run side by side on two cores.
python -m pytest -q -n 2 --dist loadfile "$@"
