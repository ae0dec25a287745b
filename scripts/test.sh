#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with Node >= 20 and Python 3:
# installs what it needs, then lint, types, build, unit and integration tests
# (the integration tests start real PostgreSQL, PgBouncer, nginx and Python servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
npm ci --no-audit --no-fund
npm test
# dist/ is committed and must match a fresh build of src/.
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- dist; then
  echo "dist/ is not current: run 'npm run build' and commit dist/." >&2
  git diff --stat -- dist >&2
  exit 1
fi
