#!/usr/bin/env bash
# Regenerates index/, our static chart repository: every chart of charts/ packaged with
# `rudder package`, plus the index.yaml of `rudder repo index` (relative URLs, so the directory
# can be served from anywhere). Reproducible: the same charts/ always give the same bytes, and
# tests/repo_index.rs fails when index/ is stale.
set -euo pipefail
cd "$(dirname "$0")/.."

# The time written into every archive and into index.yaml (2026-01-01T00:00:00Z). Fixed, so a
# regeneration changes only what changed in charts/. The freshness test reads it from here.
SOURCE_DATE_EPOCH=1767225600
export SOURCE_DATE_EPOCH

cargo build --quiet --bin rudder
rudder="${CARGO_TARGET_DIR:-target}/debug/rudder"

staging="$(mktemp -d "${TMPDIR:-/tmp}/rudder-index.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
charts=()
for chart in charts/*/; do
  [ -f "${chart}Chart.yaml" ] && charts+=("${chart%/}")
done
"$rudder" package "${charts[@]}" -d "$staging" >/dev/null
"$rudder" repo index "$staging"

mkdir -p index
rm -f index/*.tgz index/index.yaml
cp "$staging"/*.tgz "$staging"/index.yaml index/
echo "index/: ${#charts[@]} charts and index.yaml regenerated"
