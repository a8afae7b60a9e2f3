#!/usr/bin/env bash
# The test command: lint, import rules, then the test suite (offscreen Qt, tiny data).
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen TF_CPP_MIN_LOG_LEVEL=2
ruff check .
lint-imports
python -m pytest -q "$@"
