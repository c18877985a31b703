#!/usr/bin/env bash
# Makes .venv/ at the repository root with the real Helm v4 engine (PyPI `helm-python-sdk`,
# module `helm_python`), the oracle of our differential tests. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if .venv/bin/python -c 'import helm_python' 2>/dev/null; then
  exit 0
fi
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check --no-deps --ignore-requires-python 'helm-python-sdk==0.2.2'
.venv/bin/python -c 'import helm_python as h; print("helm oracle:", h.helm_sdk_version())'
