#!/usr/bin/env bash
# Installs the system packages loadgate's stacks and tests use, with apt-get, when any is missing.
# Needs root or passwordless sudo. Safe to run again: it installs nothing when all are there.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
command -v pgbouncer >/dev/null 2>&1 || [ -x /usr/sbin/pgbouncer ] || need+=(pgbouncer)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v valgrind >/dev/null 2>&1 && command -v vgdb >/dev/null 2>&1 || need+=(valgrind)
command -v python3 >/dev/null 2>&1 || need+=(python3)
# uWSGI and meinheld (two study rows) build from source on their first install.
command -v gcc >/dev/null 2>&1 || need+=(gcc)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
# The HTML report's test opens it in a real browser (playwright-core drives Debian's Chromium; a
# Chromium or Chrome already there, as on GitHub's Ubuntu runners, does too).
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 ||
  command -v google-chrome >/dev/null 2>&1 || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if sudo -n true 2>/dev/null; then sudo="sudo -n"; else
    echo "Missing system packages: ${need[*]}. Install them as root:" >&2
    echo "  apt-get update && apt-get install -y ${need[*]}" >&2
    exit 2
  fi
fi
echo "Installing ${need[*]} with apt-get" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
