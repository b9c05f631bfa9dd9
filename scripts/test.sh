#!/usr/bin/env bash
# Set up and run the whole test suite: requirements, Debian's Chromium and nginx, a local
# PostgreSQL server, then pytest on SQLite and PostgreSQL (including the browser tests and the
# deployment test: nginx in front of two app servers).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ] || ! command -v pdftoppm >/dev/null || [ ! -x /usr/sbin/nginx ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    chromium fonts-dejavu-core poppler-utils nginx >/dev/null
fi
bash scripts/setup.sh --dev

# PostgreSQL 15 is installed but not running: start it, and make a test role.
if command -v pg_ctlcluster >/dev/null; then
  pg_ctlcluster 15 main start 2>/dev/null || true
  for _ in $(seq 30); do pg_isready -q -h localhost && break; sleep 1; done
  su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='mne'\"" | grep -q 1 ||
    su postgres -c "psql -qc \"CREATE ROLE mne LOGIN SUPERUSER PASSWORD 'mne'\""
  export TEST_POSTGRES_URL="${TEST_POSTGRES_URL:-postgresql+psycopg://mne:mne@localhost/postgres}"
fi

.venv/bin/python -m ruff check .
.venv/bin/python -m mypy
# Two workers (pytest-xdist), one per core of the CI machine: each test has its own store.
# Line coverage of mne/, db/ and pages/ in the test processes (pyproject's [tool.coverage]):
# the files below 100 %, then the total.
.venv/bin/python -m pytest -n 2 --cov --cov-report=term:skip-covered "$@"
