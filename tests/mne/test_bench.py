"""The ingest benchmark runs end to end, on SQLite and PostgreSQL, and prints its figures with
the same-run floor: imports, reverts and the History page's read of a batch."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from sqlalchemy import Engine, inspect

from tests.conftest import ROOT

STEPS = (
    "floor_seconds",
    "dry_run_seconds",
    "commit_seconds",
    "reimport_10pct_seconds",
    "revert_reimport_seconds",
    "revert_first_seconds",
    "batch_changes_first_seconds",
    "batch_changes_reimport_seconds",
)


def _bench(*options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mne", "bench", "ingest", "--rows", "4000", *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bench_ingest_prints_figures_and_floor() -> None:
    result = _bench()
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert "floor: read_csv + sqlite3.executemany" in result.stdout
    assert "revert the re-import" in result.stdout and "revert the first import" in result.stdout
    figures = json.loads(lines[-1])
    assert figures["rows"] == 4000 and figures["backend"] == "sqlite"
    for key in STEPS:
        assert figures[key] > 0, key
    assert figures["revert_first_vs_commit"] == round(
        figures["revert_first_seconds"] / figures["commit_seconds"], 2
    )
    assert figures["peak_mb"] > 0


def test_bench_ingest_runs_in_the_database_given(store_url: str) -> None:
    """--url: an empty throw-away database on either store; PostgreSQL gets a COPY floor."""
    result = _bench("--url", store_url)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    backend = "postgresql" if store_url.startswith("postgresql") else "sqlite"
    assert figures["backend"] == backend
    if backend == "postgresql":
        assert figures["floor"] == "read_csv + psycopg COPY"
    for key in STEPS:
        assert figures[key] > 0, key


def test_bench_ingest_refuses_a_database_with_tables(engine: Engine) -> None:
    """Never the user's store: a database that has tables is left alone."""
    before = inspect(engine).get_table_names()
    result = _bench("--url", engine.url.render_as_string(hide_password=False))
    assert result.returncode == 2
    assert "empty throw-away database" in result.stderr and result.stdout == ""
    assert inspect(engine).get_table_names() == before


def test_bench_hostile_prints_a_table_and_a_json_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A smoke test on small files (the figures themselves are the bench's, not timed here)."""
    from mne.bench_hostile import Case, bench_hostile, repeated_rows, trailing_commas

    figures = bench_hostile(
        [
            Case("repeats", lambda: repeated_rows(300)),
            Case("commas", lambda: trailing_commas(5_000)),
        ]
    )
    out = capsys.readouterr().out.strip().splitlines()
    assert out[1].split()[:2] == ["case", "KB"]
    assert json.loads(out[-1]) == figures
    repeats, commas = figures["cases"]
    assert repeats["refused"] is None and repeats["warnings"] == 1
    assert repeats["well_formed_seconds"] > 0 and repeats["peak_mb"] > 0
    assert commas["refused"].startswith("Line 2 has 5,004 cells")
