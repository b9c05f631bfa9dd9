"""Benchmarks: `python -m mne bench ingest [--rows N] [--url URL]`.

Each measured step runs in a fresh process (so its peak memory is its own) against a bench
store in a temporary folder, never the user's (or, with `--url`, in an empty throw-away
database the caller made, on SQLite or PostgreSQL). Each benchmark prints the same-run floor
next to its figures, then one JSON line with all of them.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert, inspect
from sqlalchemy.engine import make_url

from db import models as m
from db.engine import dispose_engines, get_engine, writing
from mne.errors import ErrorKinds, UserError
from mne.i18n import N_, Translator

BENCH_CITIES = 1000
BENCH_INDICATORS = 50
FIRST_YEAR = 2005


def _shape_for(rows: int) -> tuple[int, int, int]:
    """Cities x indicators x years for about `rows` values (1,000 x 50 x 20 at 1M)."""
    years = 20
    indicators = BENCH_INDICATORS
    cities = max(1, round(rows / (years * indicators)))
    return cities, indicators, years


def _prepare_store(url: str, cities: int, indicators: int, with_demo: bool = False) -> None:
    """A fresh store with the catalog (and the demo data, if asked) plus synthetic bench cities
    and indicators."""
    from mne.store import init_store

    engine = get_engine(url)
    init_store(engine, with_demo=with_demo)
    with writing(engine) as conn:
        area = conn.execute(m.table(m.FocusArea).select().limit(1)).first()
        assert area is not None
        conn.execute(
            insert(m.City),
            [
                {
                    "code": f"BX{n:05d}",
                    "name_vi": f"Bench {n}",
                    "name_en": f"Bench {n}",
                    "country_iso2": "VN",
                    "note": "bench",
                }
                for n in range(cities)
            ],
        )
        conn.execute(
            insert(m.Indicator),
            [
                {
                    "code": f"BENCH_{n:02d}",
                    "focus_area_id": area.id,
                    "name_vi": f"Bench {n}",
                    "name_en": f"Bench {n}",
                    "name_id": f"Bench {n}",
                    "unit": "count",
                    "direction": "higher",
                    "decimals": 2,
                    "plausible_min": 0,
                    "plausible_max": 1e9,
                }
                for n in range(indicators)
            ],
        )
        ids = conn.execute(m.table(m.City).select().where(m.City.code.like("BX%"))).all()
        conn.execute(
            insert(m.CityAlias),
            [{"city_id": r.id, "alias": r.code, "alias_key": r.code.lower()} for r in ids],
        )
        ind = conn.execute(
            m.table(m.Indicator).select().where(m.Indicator.code.like("BENCH%"))
        ).all()
        conn.execute(
            insert(m.IndicatorAlias),
            [
                {
                    "indicator_id": r.id,
                    "alias": r.code,
                    "alias_key": r.code.lower().replace("_", " "),
                }
                for r in ind
            ],
        )
    dispose_engines()


def _write_csv(
    path: Path, cities: int, indicators: int, years: int, changed_share: float = 0.0
) -> int:
    rng = np.random.default_rng(7)
    city = np.repeat([f"BX{n:05d}" for n in range(cities)], indicators * years)
    indicator = np.tile(np.repeat([f"BENCH_{n:02d}" for n in range(indicators)], years), cities)
    year = np.tile(np.arange(FIRST_YEAR, FIRST_YEAR + years), cities * indicators)
    # Smooth series (a level per city and indicator, a slow trend, a little noise), as real
    # indicators are; the history checks then warn about few values, as they would.
    level = np.repeat(rng.uniform(10, 1000, cities * indicators), years)
    trend = 1 + 0.01 * (year - FIRST_YEAR)
    value = np.round(level * trend * rng.normal(1, 0.01, len(city)), 2)
    if changed_share:
        changed = rng.random(len(value)) < changed_share
        value[changed] = np.round(value[changed] * 1.02, 2)
    frame = pd.DataFrame({"city": city, "indicator": indicator, "period": year, "value": value})
    frame.to_csv(path, index=False)
    return len(frame)


def _timed(step: Callable[..., Any], *args: Any) -> dict[str, float]:
    """Run `step` in a fresh process; its wall time and peak memory (MB)."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_measure, (step, *args))


def _measure(step: Callable[..., Any], *args: Any) -> dict[str, float]:
    start = time.perf_counter()
    step(*args)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "peak_mb": round(peak_mb)}


def _floor(csv_path: Path, db_path: Path) -> None:
    """pandas.read_csv + sqlite3.executemany into a bare table with the same key."""
    frame = pd.read_csv(csv_path)
    connection = sqlite3.connect(db_path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute(
        "CREATE TABLE obs (city TEXT, indicator TEXT, period TEXT, value REAL, "
        "UNIQUE (city, indicator, period))"
    )
    with connection:
        connection.executemany(
            "INSERT INTO obs VALUES (?, ?, ?, ?)",
            frame.astype({"period": str}).itertuples(index=False, name=None),
        )
    connection.close()


def _postgres_floor(csv_path: Path, url: str) -> None:
    """pandas.read_csv + psycopg COPY into a bare table with the same key (dropped after)."""
    frame = pd.read_csv(csv_path).astype({"period": str})
    engine = get_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE bench_floor (city TEXT, indicator TEXT, period TEXT, value REAL, "
            "UNIQUE (city, indicator, period))"
        )
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy("COPY bench_floor (city, indicator, period, value) FROM STDIN") as copy:
            for row in frame.itertuples(index=False, name=None):
                copy.write_row(row)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE bench_floor")
    dispose_engines()


def _import(url: str, csv_path: Path, dry_run: bool) -> None:
    from mne import intake
    from mne.access import operator

    engine = get_engine(url)
    preview = intake.check(engine, csv_path.read_bytes(), csv_path.name, Translator("en"))
    assert preview.errors.empty, preview.errors.head()
    if not dry_run:
        result = intake.commit_preview(engine, preview, operator("bench"))
        assert result["status"] == "committed", result["status"]


def _revert(url: str, batch_id: int) -> None:
    from mne.access import operator
    from mne.intake import revert

    counts = revert.revert(get_engine(url), batch_id, operator("bench"))
    assert counts["restored"] + counts["removed"] > 0, counts


CHANGES_SHOWN = 1000  # as many as the History page shows


def _read_batch(url: str, batch_id: int) -> dict[str, float]:
    """The History page's reads of one batch: its first 1,000 changes with the values they
    replaced, then how many values it set."""
    from mne.intake import batches

    engine = get_engine(url)
    # Warm, as a running app server is: connected, the statements compiled (on a batch that
    # does not exist, so no value of the measured batch is read before it is timed).
    batches.batch_changes(engine, 0, CHANGES_SHOWN)
    batches.batch_value_count(engine, 0)
    start = time.perf_counter()
    changes = batches.batch_changes(engine, batch_id, CHANGES_SHOWN)
    middle = time.perf_counter()
    total = batches.batch_value_count(engine, batch_id)
    end = time.perf_counter()
    assert len(changes) == min(CHANGES_SHOWN, total), (len(changes), total)
    return {"seconds": round(middle - start, 3), "count_seconds": round(end - middle, 3)}


def _timed_read(url: str, batch_id: int) -> dict[str, float]:
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        return pool.apply(_read_batch, (url, batch_id))


class StoreNotEmpty(UserError):
    """The bench refuses a database with tables (it would write into it)."""

    kinds = ErrorKinds()

    def __init__(self, url: str) -> None:
        super().__init__("store_not_empty", url=url)
        self.url = url


NOT_EMPTY = StoreNotEmpty.define(
    "store_not_empty",
    N_(
        "The bench needs an empty throw-away database, and {url} has tables. Make one, for "
        "example `createdb mne_bench`, and pass its URL."
    ),
    "`python -m mne bench` given a database that has tables.",
)


def _refuse_a_store_with_tables(url: str) -> None:
    engine = get_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise StoreNotEmpty(make_url(url).render_as_string(hide_password=True))
    finally:
        dispose_engines()


def bench_ingest(rows: int, url: str | None = None) -> dict[str, Any]:
    """Import, re-import with 10 % changed, read a batch's first changes as History does, and
    revert both batches (the re-import first), each in a fresh process, against the same run's
    floor. `url`: an empty database to use (SQLite or PostgreSQL) instead of a temporary
    SQLite file; it is left holding the bench store."""
    if url:
        _refuse_a_store_with_tables(url)
    cities, indicators, years = _shape_for(rows)
    with tempfile.TemporaryDirectory(prefix="mne-bench-") as folder:
        work = Path(folder)
        store_url = url or f"sqlite:///{work / 'bench.db'}"
        backend = make_url(store_url).get_backend_name()
        csv_path, changed_path = work / "values.csv", work / "values-10pc-changed.csv"
        n = _write_csv(csv_path, cities, indicators, years)
        _write_csv(changed_path, cities, indicators, years, changed_share=0.10)
        _prepare_store(store_url, cities, indicators)
        if backend == "postgresql":
            floor_label = "floor: read_csv + psycopg COPY"
            floor = _timed(_postgres_floor, csv_path, store_url)
        else:
            floor_label = "floor: read_csv + sqlite3.executemany"
            floor = _timed(_floor, csv_path, work / "floor.db")
        dry = _timed(_import, store_url, csv_path, True)
        commit = _timed(_import, store_url, csv_path, False)
        reimport = _timed(_import, store_url, changed_path, False)
        read_first = _timed_read(store_url, 1)
        read_reimport = _timed_read(store_url, 2)
        revert_reimport = _timed(_revert, store_url, 2)
        revert_first = _timed(_revert, store_url, 1)
    steps = [
        (floor_label, floor),
        ("dry run (read + check + diff)", dry),
        ("import into an empty store", commit),
        ("re-import, 10% of values changed", reimport),
        ("revert the re-import", revert_reimport),
        ("revert the first import", revert_first),
    ]
    figures = {
        "benchmark": "ingest",
        "backend": backend,
        "rows": n,
        "cities": cities,
        "indicators": indicators,
        "years": years,
        "floor": floor_label.removeprefix("floor: "),
        "floor_seconds": floor["seconds"],
        "dry_run_seconds": dry["seconds"],
        "commit_seconds": commit["seconds"],
        "reimport_10pct_seconds": reimport["seconds"],
        "revert_reimport_seconds": revert_reimport["seconds"],
        "revert_first_seconds": revert_first["seconds"],
        "commit_vs_floor": _ratio(commit, floor),
        "reimport_vs_floor": _ratio(reimport, floor),
        "revert_reimport_vs_floor": _ratio(revert_reimport, floor),
        "revert_first_vs_floor": _ratio(revert_first, floor),
        "revert_reimport_vs_reimport": _ratio(revert_reimport, reimport),
        "revert_first_vs_commit": _ratio(revert_first, commit),
        "batch_changes_first_seconds": read_first["seconds"],
        "batch_count_first_seconds": read_first["count_seconds"],
        "batch_changes_reimport_seconds": read_reimport["seconds"],
        "batch_count_reimport_seconds": read_reimport["count_seconds"],
        "peak_mb": max(s["peak_mb"] for _, s in steps[1:]),
        "floor_peak_mb": floor["peak_mb"],
    }
    _print_table(figures, steps, floor["seconds"])
    print(
        f"History page, first {CHANGES_SHOWN:,} changes of a batch at {n:,} observations "
        f"(and the count of its values):"
    )
    for label, read in (
        ("the first import", read_first),
        ("the re-import (with replaced values)", read_reimport),
    ):
        print(f"  {label:<40}{read['seconds']:>8.3f} s  (count {read['count_seconds']:.3f} s)")
    print(json.dumps(figures))
    return figures


def _ratio(step: dict[str, float], base: dict[str, float]) -> float:
    return round(step["seconds"] / base["seconds"], 2)


def _print_table(
    figures: dict[str, Any], steps: list[tuple[str, dict[str, float]]], floor: float
) -> None:
    print(
        f"ingest benchmark on {figures['backend']}: {figures['rows']:,} values "
        f"({figures['cities']} cities x {figures['indicators']} indicators x "
        f"{figures['years']} years)"
    )
    print(f"{'step':<42}{'seconds':>9}{'x floor':>9}{'peak MB':>9}")
    for label, result in steps:
        print(
            f"{label:<42}{result['seconds']:>9.2f}{result['seconds'] / floor:>9.2f}"
            f"{result['peak_mb']:>9.0f}"
        )


DASHBOARD_PAGES = [
    "overview.py",
    "city.py",
    "explorer.py",
    "compare.py",
    "tasks.py",
    "projects.py",
    "coverage.py",
    "catalog.py",
    "methodology.py",
    "history.py",
    "upload.py",
]
PAGE_RUNNER = Path(__file__).resolve().parent.parent / "scripts" / "bench_page.py"


def _aggregate_floor(db_path: Path) -> float:
    """The floor: one SQL aggregate over every observation."""
    connection = sqlite3.connect(db_path)
    start = time.perf_counter()
    connection.execute(
        "SELECT indicator_id, COUNT(*), AVG(value) FROM observation GROUP BY indicator_id"
    ).fetchall()
    seconds = time.perf_counter() - start
    connection.close()
    return round(seconds, 3)


VERSION_READS = 200


def version_read_ms(url: str) -> float:
    """The median cost of the store-version read each page run makes (mne.store.version), in
    milliseconds, over VERSION_READS reads through the app's pooled engine."""
    from mne import store

    engine = get_engine(url)
    store.version(engine)  # connect once: the app's pool is warm too
    times = []
    for _ in range(VERSION_READS):
        start = time.perf_counter()
        store.version(engine)
        times.append(time.perf_counter() - start)
    dispose_engines()
    return round(1000 * statistics.median(times), 3)


def bench_version(url: str) -> dict[str, Any]:
    """`bench version --url URL`: the version read on an existing store (any backend)."""
    ms = version_read_ms(url)
    print(f"store version read: {ms:.3f} ms (median of {VERSION_READS})")
    figures = {"benchmark": "version", "version_read_ms": ms}
    print(json.dumps(figures))
    return figures


def _page(url: str, page: str) -> dict[str, Any]:
    """One page run cold then warm in a fresh process (scripts/bench_page.py, which uses
    Streamlit's AppTest; mne itself never imports Streamlit)."""
    import os
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, str(PAGE_RUNNER), page],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def _add_demo_tasks_and_projects(url: str) -> None:
    """The demo's tasks and SCAP projects, so the task and project pages have work to do."""
    from mne import demo

    with writing(get_engine(url)) as conn:
        demo.load_tasks(conn)
        demo.load_projects(conn)
    dispose_engines()


def filled_store(work: Path, cities: int, indicators: int, years: int) -> tuple[str, int]:
    """A SQLite bench store in `work` holding cities x indicators x years values, imported as
    a file is: its URL and the number of values (for the dashboard, API and browser benches)."""
    url = f"sqlite:///{work / 'bench.db'}"
    csv_path = work / "values.csv"
    n = _write_csv(csv_path, cities, indicators, years)
    _prepare_store(url, cities, indicators)
    _import(url, csv_path, dry_run=False)
    return url, n


def bench_dashboard(rows: int) -> dict[str, Any]:
    cities, indicators, years = _shape_for(rows)
    with tempfile.TemporaryDirectory(prefix="mne-bench-") as folder:
        work = Path(folder)
        db_path = work / "bench.db"
        url, n = filled_store(work, cities, indicators, years)
        _add_demo_tasks_and_projects(url)
        floor = _aggregate_floor(db_path)
        version_ms = version_read_ms(url)
        pages = [_page(url, page) for page in DASHBOARD_PAGES]
    print(
        f"dashboard benchmark: {n:,} observations ({cities} cities x {indicators} indicators "
        f"x {years} years); floor, one SQL aggregate over all observations: {floor:.3f} s"
    )
    print(f"store version read, once per page run: {version_ms:.3f} ms (median)")
    print(f"{'page':<18}{'cold s':>9}{'warm s':>9}{'payload KB':>12}")
    for p in pages:
        print(
            f"{p['page']:<18}{p['cold_seconds']:>9.2f}{p['warm_seconds']:>9.3f}"
            f"{p['payload_kb']:>12.1f}{'  ERROR' if p['errors'] else ''}"
        )
    figures = {
        "benchmark": "dashboard",
        "observations": n,
        "floor_seconds": floor,
        "version_read_ms": version_ms,
        "pages": pages,
    }
    print(json.dumps(figures))
    return figures
