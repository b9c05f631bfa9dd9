#!/usr/bin/env bash
# Re-extract the messages marked in the code and merge them into the vi/en/id catalogs.
# New messages arrive with an empty msgstr: fill them in (tests/mne/test_i18n.py checks).
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pybabel extract -F babel.cfg -k tr -k N_ --no-location --sort-output --omit-header \
    -o mne/locales/messages.pot app.py pages mne
.venv/bin/pybabel update -i mne/locales/messages.pot -d mne/locales -D messages \
    --no-fuzzy-matching --ignore-obsolete
