"""`python -m mne bench load`, small: a real app server, sessions signing in through the form
and opening pages over Streamlit's WebSocket, quiet and during an import, on both stores. Not
timed (the figures at 50 sessions are in the README); every session must get its pages and
no sign-in or page may fail."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_load_every_session_gets_its_pages(store_url: str) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mne",
            "bench",
            "load",
            "--url",
            store_url,
            "--sessions",
            "5",
            "--seconds",
            "10",
            "--rows",
            "20000",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["backend"] == store_url.split(":")[0].split("+")[0]
    assert figures["sessions"] == 5 and figures["import_rows"] == 20000
    quiet, busy = figures["phases"]
    for phase in (quiet, busy):
        assert phase["errors"] == 0, phase["first_errors"]
        assert phase["sessions_without_pages"] == 0
        assert phase["pages_per_session"]["min"] >= 1
        assert phase["sign_in"]["count"] >= 5 and phase["page"]["count"] >= 5
    assert busy["import_exit"] == 0
    assert busy["sign_in_during_import"]["count"] >= 1
    assert "sign-in while importing" in result.stdout
