"""The ingest benchmark runs end to end and prints its figures with the same-run floor."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_ingest_prints_figures_and_floor() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mne", "bench", "ingest", "--rows", "4000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    lines = result.stdout.strip().splitlines()
    assert "floor: read_csv + sqlite3.executemany" in result.stdout
    figures = json.loads(lines[-1])
    assert figures["rows"] == 4000
    for key in ("floor_seconds", "dry_run_seconds", "commit_seconds", "reimport_10pct_seconds"):
        assert figures[key] > 0
    assert figures["peak_mb"] > 0
