"""The SQLite store runs with WAL, foreign keys and a busy timeout; writers queue up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from db.engine import StoreBusy, get_engine, store_version, writing
from tests.conftest import ROOT


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = get_engine(f"sqlite:///{tmp_path / 'nested' / 'store.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
    assert (tmp_path / "nested" / "store.db").exists()


def test_two_writers_are_serialised(store_url: str) -> None:
    """The second writer waits for the first to commit instead of interleaving with it."""
    engine = get_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    order: list[str] = []
    first_has_lock = threading.Event()

    def first() -> None:
        with writing(engine) as conn:
            first_has_lock.set()
            n = conn.execute(text("SELECT n FROM counter")).scalar_one()
            time.sleep(0.5)
            conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            order.append("first")

    def second() -> None:
        first_has_lock.wait()
        with writing(engine) as conn:
            n = conn.execute(text("SELECT n FROM counter")).scalar_one()
            conn.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})
            order.append("second")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert order == ["first", "second"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar_one() == 2


def test_every_write_transaction_advances_the_store_version_and_only_writes_do(
    engine: Engine,
) -> None:
    start = store_version(engine)
    with writing(engine) as conn:
        conn.execute(text("UPDATE city SET population = population WHERE code = 'VNHAN'"))
    assert store_version(engine) == start + 1
    with writing(engine) as conn:  # found nothing to change
        conn.execute(text("SELECT COUNT(*) FROM city")).scalar()
    assert store_version(engine) == start + 1
    try:
        with writing(engine) as conn:
            conn.execute(text("UPDATE city SET population = 1 WHERE code = 'VNHAN'"))
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    assert store_version(engine) == start + 1
    with writing(engine, advances_version=False) as conn:  # sign-in bookkeeping
        conn.execute(text("UPDATE city SET population = population WHERE code = 'VNHAN'"))
    assert store_version(engine) == start + 1


HOLDER = """
import sys
from sqlalchemy import text
from db.engine import get_engine, writing

with writing(get_engine(sys.argv[1])) as conn:
    conn.execute(text("UPDATE counter SET n = n + 1"))
    print("holding", flush=True)
    conn.execute(text("SELECT pg_sleep(600)"))  # a long write, then the client is killed
"""


def _postgres_only(store_url: str) -> None:
    if not store_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's session limits (SQLite's writer is this process)")


def test_a_client_killed_mid_write_frees_the_write_lock_within_the_wait(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 of a client inside a write: its backend notices the client is gone
    (client_connection_check_interval) and rolls back, so the next writer gets the lock
    well within the configured wait, and the killed write left nothing behind."""
    _postgres_only(store_url)
    wait = 15
    monkeypatch.setenv("MNE_WRITE_LOCK_WAIT_SECONDS", str(wait))
    monkeypatch.setenv("MNE_CLIENT_CHECK_SECONDS", "1")
    engine = get_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (0)"))
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, store_url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "MNE_CLIENT_CHECK_SECONDS": "1"},
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    time.sleep(0.5)  # inside pg_sleep, holding the advisory lock
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    start = time.perf_counter()
    with writing(engine) as conn:
        conn.execute(text("UPDATE counter SET n = n + 10"))
    waited = time.perf_counter() - start
    assert waited < wait
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 10


def test_a_writer_waits_for_a_live_holder_at_most_the_configured_wait(
    store_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postgres_only(store_url)
    monkeypatch.setenv("MNE_WRITE_LOCK_WAIT_SECONDS", "2")
    engine = get_engine(store_url)
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with writing(engine) as conn:
            conn.execute(text("SELECT 1"))
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert holding.wait(10)
        start = time.perf_counter()
        with pytest.raises(StoreBusy), writing(engine) as conn:
            conn.execute(text("SELECT 1"))
        assert 1.5 < time.perf_counter() - start < 6
    finally:
        release.set()
        writer.join()
    with writing(engine) as conn:  # once the holder commits, writing goes on
        conn.execute(text("SELECT 1"))


def test_postgresql_sessions_start_with_the_limits(store_url: str) -> None:
    _postgres_only(store_url)
    with get_engine(store_url).connect() as conn:
        assert conn.execute(text("SHOW client_connection_check_interval")).scalar() != "0"
        assert conn.execute(text("SHOW idle_in_transaction_session_timeout")).scalar() != "0"
        assert conn.execute(text("SHOW lock_timeout")).scalar() != "0"
