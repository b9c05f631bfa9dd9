"""`python -m mne bench api [--rows N]`: every value of a bench store streamed as CSV through
GET /api/v1/values by a real app server (uvicorn serving server.py's app in its own process)
against the same-run floor: the same rows written by one SQL query to a CSV file, in a fresh
process. Prints both, the ratio, the server's peak memory, then one JSON line.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from db.engine import dispose_engines, get_engine
from mne.bench import _shape_for, filled_store

ROOT = Path(__file__).resolve().parent.parent


def _floor(url: str, out: Path) -> None:
    """One SQL query (the API's own statement) written to a CSV file by the csv module."""
    from mne.exchange import ValueFilter, shown_condition, values_statement

    statement = values_statement(ValueFilter(), shown_condition("approved"))
    statement = statement.with_only_columns(*list(statement.selected_columns)[1:])
    with get_engine(url).connect() as conn, out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["city", "country", "indicator", "period", "value", "status"])
        result = conn.execution_options(stream_results=True, yield_per=20_000).execute(statement)
        for rows in result.partitions(20_000):
            writer.writerows(rows)


def _measured_floor(url: str, out: Path) -> dict[str, float]:
    """The floor's wall time and its own peak memory (VmHWM: ru_maxrss would carry the
    parent's peak across the spawn)."""
    start = time.perf_counter()
    _floor(url, out)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "peak_mb": _peak_mb(os.getpid())}


def _timed_floor(url: str, out: Path) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_measured_floor, (url, out))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _peak_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM), MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0.0


def _token(url: str) -> str:
    from mne import api_tokens
    from mne.access import operator
    from mne.accounts import create_user

    engine = get_engine(url)
    create_user(engine, operator("bench"), "bench.reader", "a long bench password", "viewer")
    _, token = api_tokens.add(engine, operator("bench"), "bench.reader", "bench", "read", 1)
    dispose_engines()
    return token


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "DATABASE_URL": url}
    command = [sys.executable, "-m", "uvicorn", "server:app", "--host", "127.0.0.1"]
    server = subprocess.Popen(
        [*command, "--port", str(port), "--log-level", "warning"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if server.poll() is not None:
            raise RuntimeError(server.stderr.read().decode() if server.stderr else "")
        time.sleep(0.3)
    server.kill()
    raise RuntimeError("the app server did not answer /healthz")


def _download(base: str, token: str, out: Path) -> float:
    start = time.perf_counter()
    headers = {"Authorization": f"Bearer {token}"}
    with (
        httpx.stream(
            "GET", f"{base}/api/v1/values?format=csv", headers=headers, timeout=600
        ) as answer,
        out.open("wb") as f,
    ):
        answer.raise_for_status()
        for chunk in answer.iter_bytes(1 << 20):
            f.write(chunk)
    return time.perf_counter() - start


def _lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def bench_api(rows: int) -> dict[str, Any]:
    cities, indicators, years = _shape_for(rows)
    with tempfile.TemporaryDirectory(prefix="mne-bench-api-") as folder:
        work = Path(folder)
        url, n = filled_store(work, cities, indicators, years)
        dispose_engines()
        token = _token(url)
        floor = _timed_floor(url, work / "floor.csv")
        port = _free_port()
        server = _serve(url, port)
        try:
            base = f"http://127.0.0.1:{port}"
            # One small page first: the first request's one-off start-up is not the stream's.
            warm = httpx.get(
                f"{base}/api/v1/values?limit=1",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            warm.raise_for_status()
            idle_mb = _peak_mb(server.pid)
            seconds = _download(base, token, work / "api.csv")
            peak_mb = _peak_mb(server.pid)
        finally:
            server.terminate()
            server.wait(30)
        api_rows = _lines(work / "api.csv") - 1
        floor_rows = _lines(work / "floor.csv") - 1
        same = (work / "api.csv").read_bytes() == (work / "floor.csv").read_bytes()
    ratio = round(seconds / floor["seconds"], 2) if floor["seconds"] else 0.0
    print(
        f"api benchmark: {n:,} observations ({cities} cities x {indicators} indicators x "
        f"{years} years), SQLite, one uvicorn server process"
    )
    print(f"{'step':<52}{'seconds':>9}{'x floor':>9}{'peak MB':>9}")
    print(
        f"{'floor: one SQL query -> csv.writer -> file':<52}{floor['seconds']:>9.2f}"
        f"{1:>9.2f}{floor['peak_mb']:>9.0f}"
    )
    print(
        f"{'GET /api/v1/values?format=csv (streamed)':<52}{seconds:>9.2f}{ratio:>9.2f}"
        f"{peak_mb:>9.0f}"
    )
    figures = {
        "benchmark": "api",
        "observations": n,
        "rows_streamed": api_rows,
        "rows_floor": floor_rows,
        "same_bytes_as_floor": same,
        "floor_seconds": floor["seconds"],
        "floor_peak_mb": floor["peak_mb"],
        "api_seconds": round(seconds, 2),
        "api_vs_floor": ratio,
        "server_idle_mb": idle_mb,
        "server_peak_mb": peak_mb,
        "within_3x": ratio <= 3,
        "under_500_mb": peak_mb < 500,
    }
    print(json.dumps(figures))
    return figures
