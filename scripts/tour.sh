#!/usr/bin/env bash
# The main job, end to end, with no cluster: install --wait → diff → upgrade --wait → rollback → history of
# charts/lobsters against rudder's sandbox API server, persisted in a fresh directory.
# Each command is printed before it runs. The sandbox state stays in $TOUR_DIR afterwards
# (with a kubeconfig in it, for kubectl).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin rudder
TOUR_DIR="${TOUR_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/rudder-tour.XXXXXX")}"
step() {
    printf '\n\033[1m$ rudder --sandbox %s %s\033[0m\n' "$TOUR_DIR" "$*"
    target/release/rudder --sandbox "$TOUR_DIR" "$@"
}
step install my-site charts/lobsters -n web --create-namespace --wait
step diff upgrade my-site charts/lobsters --set replicaCount=3 -n web
step upgrade my-site charts/lobsters --set replicaCount=3 -n web --wait
step status my-site -n web
step rollback my-site 1 -n web
step history my-site -n web
step list -A
printf '\nSandbox state kept in %s. To look at it with kubectl:\n' "$TOUR_DIR"
printf '  target/release/rudder sandbox serve --state %s --write-kubeconfig %s/kubeconfig &\n' "$TOUR_DIR" "$TOUR_DIR"
printf '  kubectl --kubeconfig %s/kubeconfig get all -n web\n' "$TOUR_DIR"
