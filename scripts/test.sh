#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: prepares the Helm oracle (.venv), then cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-helm-venv.sh
export RUDDER_HELM_PYTHON="${RUDDER_HELM_PYTHON:-$PWD/.venv/bin/python}"
cargo test --all-targets "$@"
