#!/usr/bin/env bash
# One app server on PORT against DATABASE_URL (default: the SQLite file data/mne.db), with the
# app's own routes (sign-in, /healthz). No set-up, no demo data: run `python -m mne init` first.
# MNE_COOKIE_SECRET, when set, is Streamlit's cookie secret, the same on every app server.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${1:?usage: scripts/serve.sh PORT [streamlit options]}"
shift
if [[ -n "${MNE_COOKIE_SECRET:-}" ]]; then
  export STREAMLIT_SERVER_COOKIE_SECRET="$MNE_COOKIE_SECRET"
fi
export MNE_SERVER_NAME="${MNE_SERVER_NAME:-$(hostname):$PORT}"
exec "${MNE_PYTHON:-.venv/bin/python}" -m streamlit run server.py \
  --server.port "$PORT" --server.address "${MNE_ADDRESS:-0.0.0.0}" "$@"
