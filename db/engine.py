"""Engines and write transactions for SQLite and PostgreSQL.

`DATABASE_URL` selects the store (default: an SQLite file at data/mne.db).

SQLite: WAL so readers never wait for the writer, foreign keys on, a busy timeout, and write
transactions opened with BEGIN IMMEDIATE so two writers queue up instead of failing half way
(SQLite 3.40 here: keep one writer at a time). PostgreSQL: write transactions take one
transaction-scoped advisory lock, so imports from several app servers are serialised too.

PostgreSQL never lets a dead client hold that lock: every session checks that its client is
still there while a statement runs (client_connection_check_interval: a killed client's
UPDATE is cancelled within seconds, not minutes), a transaction left idle is ended
(idle_in_transaction_session_timeout), and a writer waits for the lock at most
MNE_WRITE_LOCK_WAIT_SECONDS (lock_timeout), then gets `StoreBusy`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

DEFAULT_URL = "sqlite:///data/mne.db"
BUSY_TIMEOUT_MS = 30_000
# Any fixed 64-bit number: the key of the advisory lock every PostgreSQL writer takes.
WRITE_LOCK_KEY = 7_220_251_105

# PostgreSQL session limits (seconds; environment variables of the same names override them).
DEFAULT_WRITE_LOCK_WAIT_SECONDS = 60
DEFAULT_CLIENT_CHECK_SECONDS = 2
DEFAULT_IDLE_IN_TRANSACTION_SECONDS = 120
DEFAULT_STATEMENT_SECONDS = 0  # 0: no limit (a 1M-value import runs for minutes)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout

_engines: dict[str, Engine] = {}


class StoreBusy(RuntimeError):
    """Another writer held the store's write lock for longer than the wait allowed."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the store is busy with another write (waited {seconds:g} s)")
        self.seconds = seconds


def _seconds(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


def write_lock_wait_seconds() -> float:
    return _seconds("MNE_WRITE_LOCK_WAIT_SECONDS", DEFAULT_WRITE_LOCK_WAIT_SECONDS)


def _postgres_options() -> str:
    """The session settings every PostgreSQL connection starts with (libpq `options`)."""
    settings = {
        "client_connection_check_interval": _seconds(
            "MNE_CLIENT_CHECK_SECONDS", DEFAULT_CLIENT_CHECK_SECONDS
        ),
        "idle_in_transaction_session_timeout": _seconds(
            "MNE_IDLE_IN_TRANSACTION_SECONDS", DEFAULT_IDLE_IN_TRANSACTION_SECONDS
        ),
        "statement_timeout": _seconds("MNE_STATEMENT_SECONDS", DEFAULT_STATEMENT_SECONDS),
        "lock_timeout": write_lock_wait_seconds(),
    }
    return " ".join(f"-c {name}={int(value * 1000)}" for name, value in settings.items())


def database_url() -> str:
    return os.environ.get("DATABASE_URL", "").strip() or DEFAULT_URL


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | None = None) -> Engine:
    """A new engine for `url` (or DATABASE_URL), with the store's connection settings."""
    url = url or database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
        connect_args={"options": _postgres_options()},
    )


def get_engine(url: str | None = None) -> Engine:
    """One shared engine per URL for the whole process."""
    url = url or database_url()
    if url not in _engines:
        _engines[url] = make_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # 64 MB of page cache (the default is 2 MB): bulk imports touch three indexes.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("write_lock", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


@contextmanager
def writing(engine: Engine, advances_version: bool = True) -> Iterator[Connection]:
    """A write transaction that holds the store's single write lock until it commits.

    Everything inside commits together or not at all; a second writer waits for the first.
    The transaction also advances the store version (see `store_version`), so every write,
    whatever it changed, tells every cache on every server that the store moved on. Only
    sign-in bookkeeping (failed-attempt counters, sign-in and refusal audit rows, which no
    cached read shows) passes advances_version=False, so signing in keeps every cache warm."""
    with engine.connect() as connection:
        connection.execution_options(write_lock=True)
        with connection.begin():
            if not is_sqlite(connection):
                _take_write_lock(connection)
            changes_before = _changes(connection)
            yield connection
            if advances_version and _changed_anything(connection, changes_before):
                _advance_version(connection)


def _take_write_lock(connection: Connection) -> None:
    """The advisory lock, waited for at most write_lock_wait_seconds (StoreBusy after)."""
    wait = write_lock_wait_seconds()
    connection.execute(text(f"SET LOCAL lock_timeout = {int(wait * 1000)}"))
    try:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise StoreBusy(wait) from error
        raise


@contextmanager
def short_write(engine: Engine) -> Iterator[Connection]:
    """A short transaction of a few row writes that no cached read shows (sign-in counters,
    session rows and their audit rows): on PostgreSQL without the store's write lock (the
    rows' own locks suffice), so signing in never waits for an import; on SQLite BEGIN
    IMMEDIATE, held only for those few statements. The store version is not advanced."""
    with engine.connect() as connection:
        connection.execution_options(write_lock=True)
        with connection.begin():
            yield connection


BEST_EFFORT_WAIT_MS = 250


@contextmanager
def best_effort_write(engine: Engine, wait_ms: int = BEST_EFFORT_WAIT_MS) -> Iterator[Connection]:
    """A write nobody should wait for (a session's last activity, brought up to date at most
    once a minute): as short_write, but on SQLite it waits for the write lock at most `wait_ms`
    and then raises StoreBusy, so a page run or a page load during a long import is not held
    up, nor failed after the busy timeout, for a timestamp. The caller skips the write then."""
    with engine.connect() as connection:
        connection.execution_options(write_lock=True)
        raw = connection.connection.dbapi_connection if is_sqlite(connection) else None
        if raw is not None:
            raw.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
        try:
            with connection.begin():
                yield connection
        except OperationalError as error:
            if raw is not None and "locked" in str(error).lower():
                raise StoreBusy(wait_ms / 1000) from error
            raise
        finally:
            if raw is not None:
                raw.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")


def _changes(connection: Connection) -> int:
    """SQLite: the rows this connection has changed so far (0 on PostgreSQL)."""
    if not is_sqlite(connection):
        return 0
    return int(connection.connection.dbapi_connection.total_changes)  # type: ignore[union-attr]


def _changed_anything(connection: Connection, changes_before: int) -> bool:
    """Whether this transaction wrote anything: a write that found nothing to change (an
    upload of values already stored) leaves the version, and so every cache, as it was."""
    if is_sqlite(connection):
        return _changes(connection) > changes_before
    # PostgreSQL assigns a transaction id at the first write, never for reads and locks.
    return connection.execute(text("SELECT txid_current_if_assigned()")).scalar() is not None


# URLs of stores known to have the store_version table (it exists from migration 0003 on).
_versioned: set[str] = set()


def _advance_version(connection: Connection) -> None:
    key = connection.engine.url.render_as_string(hide_password=False)
    if key not in _versioned:
        if not inspect(connection).has_table("store_version"):
            return  # a store being created: the migration that makes the table runs later
        _versioned.add(key)
    connection.execute(text("UPDATE store_version SET version = version + 1 WHERE id = 1"))


def store_version(engine: Engine) -> int:
    """The store's version: one read of a one-row table, cheap enough for every page run.

    0 for a store without the table yet (so a cache keyed on it is dropped once it exists)."""
    try:
        with engine.connect() as conn:
            value = conn.execute(text("SELECT version FROM store_version WHERE id = 1")).scalar()
    except (ProgrammingError, OperationalError):
        if inspect(engine).has_table("store_version"):
            raise  # the store is there but failed: not a missing table
        return 0
    return int(value or 0)
