#!/usr/bin/env bash
# The demo: both built-in stacks of "Async Python is not faster", short trials, the study's table.
# Installs what it needs (system packages with apt-get, the apps' pinned requirements with pip).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
[ -d node_modules ] || npm ci --no-audit --no-fund
node dist/cli.js run stacks/gunicorn-flask stacks/uvicorn-starlette \
  --install --warmup 5 --duration 5 --trials 3 --json loadgate-demo.json "$@"
