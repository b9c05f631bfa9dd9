#!/usr/bin/env bash
# Create .venv and install the dashboard's requirements (and, with --dev, the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -r requirements.txt
if [ "${1:-}" = "--dev" ]; then
  .venv/bin/pip install --quiet -r requirements-dev.txt
fi
