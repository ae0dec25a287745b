#!/usr/bin/env bash
# The demo: every built-in stack of "Async Python is not faster" (loadgate study), short trials,
# the study's published table beside the one measured here.
# Installs what it needs (system packages with apt-get, the apps' pinned requirements with pip).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
node dist/cli.js study --install --json loadgate-demo.json --markdown loadgate-demo.md "$@"
