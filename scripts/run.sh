#!/usr/bin/env bash
# Set up and serve the dashboard on the embedded SQLite store with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m mne init --demo-if-new
exec bash scripts/serve.sh "${PORT:-8501}" "$@"
