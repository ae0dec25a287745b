#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine with Node >= 20 and Python 3:
# installs what it needs, then lint, types, build, unit and integration tests
# (the integration tests start real PostgreSQL, PgBouncer, nginx and Python servers).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-deps.sh
# npm ci wipes node_modules and installs it again (20-30 s): only when the lockfile or Node changed
# since the last install here (a fresh clone always installs).
stamp=node_modules/.loadgate-installed
want="$(sha256sum package-lock.json | cut -d' ' -f1) $(node --version)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  npm ci --no-audit --no-fund
  echo "$want" >"$stamp"
fi
npm test
# dist/ is committed and must match a fresh build of src/.
if git rev-parse --git-dir >/dev/null 2>&1 && ! git diff --quiet -- dist; then
  echo "dist/ is not current: run 'npm run build' and commit dist/." >&2
  git diff --stat -- dist >&2
  exit 1
fi
