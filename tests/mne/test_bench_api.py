"""`python -m mne bench api` end to end at a small size (not timed): a real app server
(uvicorn on server.py's app) streams every value as CSV through /api/v1/values, the same
bytes as the floor's one SQL query, and the figures come as the last line's JSON."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_api_streams_every_value_through_the_served_app() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mne", "bench", "api", "--rows", "3000"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode in (0, 1), result.stderr  # 1: slower than 3x (not judged here)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["benchmark"] == "api" and figures["observations"] == 3000
    assert figures["rows_streamed"] == figures["rows_floor"] == 3000
    assert figures["same_bytes_as_floor"] is True
    assert figures["floor_seconds"] > 0 and figures["api_seconds"] > 0
    assert figures["server_peak_mb"] > 0 and "floor: one SQL query" in result.stdout
