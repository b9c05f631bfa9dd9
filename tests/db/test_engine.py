"""The SQLite store runs with WAL, foreign keys and a busy timeout; writers queue up."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import Engine, text

from db.engine import get_engine, store_version, writing


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
