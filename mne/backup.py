"""Backup and restore of the whole store, on either backend (`python -m mne backup|restore`).

A backup is one SQLite database file: the store's tables at the schema version (the Alembic
revision) of the code that made it, plus a table `mne_backup` of facts about the backup. One
format for both backends, so a backup restores into either (a pilot's SQLite store moves to a
ministry's PostgreSQL, a ministry's backup opens on a laptop), anyone can look inside it with
`sqlite3`, and its schema version is checked before anything in the store is touched.

- SQLite: the file is made by SQLite's online backup API in one step, which reads one
  snapshot of the store; in WAL mode that neither waits for nor blocks a writer, so a backup
  is consistent while the app runs and while an import writes.
- PostgreSQL: every table is copied, ordered by its primary key, inside one REPEATABLE READ
  read-only transaction (one snapshot), into a file made by this code's migrations.

A restore is one write transaction: drop the store's tables, run the migrations, copy every
row of the backup, set PostgreSQL's sequences past the copied ids, advance the store version
past both the store's and the backup's (so every app server's caches refresh) and record the
restore in the audit log. Anything that fails rolls it all back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sqlite3
import uuid
from collections.abc import Iterable
from contextlib import closing
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    bindparam,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from db import models as m
from db.engine import is_sqlite, make_engine, writing
from db.migrate import alembic_config, has_schema, upgrade
from mne import audit
from mne.errors import ErrorKinds, UserError
from mne.i18n import N_

INFO_TABLE = "mne_backup"
CHUNK_ROWS = 10_000
SQLITE_MAGIC = b"SQLite format 3\x00"
# What `python -m mne init` alone puts in a store: a store holding rows of no other table (and
# no user-set target) holds nothing a restore could lose.
CATALOG_TABLES = frozenset(
    {
        "strategic_outcome",
        "focus_area",
        "country",
        "city",
        "city_alias",
        "city_event",
        "city_event_city",
        "indicator",
        "indicator_alias",
        "target",
        "thematic_track",
        "instrument",
        "task_group",
        "store_version",
    }
)

PROBLEMS = {
    "exists": N_(
        "{path} already exists: choose a new file name for the backup, or give --force to "
        "replace it."
    ),
    "no_folder": N_(
        "The folder {folder} does not exist: create it first, or choose another path for the "
        "backup."
    ),
    "is_store": N_("{path} is the store itself: choose another file for the backup."),
    "cannot_write": N_("Cannot write {path}: {error}. Nothing was written."),
    "store_revision": N_(
        "The store is at schema version {found} and this version of the dashboard expects "
        "{needed}: run `python -m mne init` first, then take the backup."
    ),
    "missing": N_(
        "There is no file {path}: give the path of a backup made by `python -m mne backup`."
    ),
    "not_a_file": N_("{path} is a folder, not a backup file."),
    "cannot_read": N_("Cannot read {path}: {error}"),
    "not_a_backup": N_(
        "{path} is not a backup of this dashboard (one made by `python -m mne backup`). "
        "Nothing was restored."
    ),
    "revision": N_(
        "The backup {path} holds schema version {found}; this version of the dashboard needs "
        "{needed}. Restore it with the version of the dashboard that made it (then `python -m "
        "mne init` migrates it), or use a backup made by this version. Nothing was restored."
    ),
    "failed": N_(
        "Restoring {path} failed ({error}): the store is as it was before. Check the file with "
        "`sqlite3 FILE 'PRAGMA integrity_check'`, or restore another backup."
    ),
    "not_empty": N_(
        "The store {url} already holds data ({rows} rows of uploads, accounts, tasks, projects "
        "or the audit log), which a restore would replace. Give --force to replace it, or "
        "restore into an empty database. Nothing was restored."
    ),
}
# Refusals exit 1 (the command understood and said no); the others are bad paths, exit 2.
REFUSALS = frozenset({"exists", "is_store", "store_revision", "revision", "not_empty"})


class BackupProblem(UserError):
    """A backup or restore that cannot go ahead, with a message in the user's language."""

    kinds = ErrorKinds()

    @property
    def exit_code(self) -> int:
        return 1 if self.code in REFUSALS else 2


BackupProblem.define_all(
    PROBLEMS,
    {
        "exists": "The backup file is there already and --force was not given.",
        "no_folder": "The backup's folder does not exist.",
        "is_store": "The backup path is the SQLite store's own file.",
        "cannot_write": "The backup file cannot be written (permissions, a full disk).",
        "store_revision": "The store's schema is not the one this version expects.",
        "missing": "The backup file to restore does not exist.",
        "not_a_file": "The path to back up to or restore from is a folder.",
        "cannot_read": "The backup file cannot be read.",
        "not_a_backup": "The file is not a backup made by `python -m mne backup`.",
        "revision": "The backup holds a schema version this version cannot restore.",
        "failed": "The restore failed part-way; its transaction left the store as it was.",
        "not_empty": "The store to restore into holds data and --force was not given.",
    },
)


@dataclass(frozen=True)
class BackupFacts:
    """What a backup holds and where it came from (its `mne_backup` table)."""

    revision: str
    store_version: int
    taken_at: str
    backend: str
    rows: int
    tables: dict[str, int] = field(default_factory=dict)


def head_revision() -> str:
    """The schema version this code migrates a store to."""
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    head = script.get_current_head()
    assert head is not None
    return head


def _store_revision(conn: Connection) -> str:
    return str(conn.execute(text("SELECT version_num FROM alembic_version")).scalar() or "")


# --- Backup ----------------------------------------------------------------------------------


def backup(engine: Engine, path: Path, user_name: str, force: bool = False) -> BackupFacts:
    """Write the whole store to `path` (see the module's docstring), audited.

    The file appears complete or not at all: it is written next to `path` under a temporary
    name and renamed when done."""
    _check_backup_path(engine, path, force)
    part = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        # Readable by its owner only (it holds password hashes); a folder the user may not
        # write to is said before any work.
        os.close(os.open(part, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        if is_sqlite(engine):
            _copy_sqlite_store(engine, part)
        else:
            _copy_tables_into_dump(engine, part)
        facts = _finish_dump(part, "sqlite" if is_sqlite(engine) else "postgresql")
        os.replace(part, path)
    except OSError as error:
        raise BackupProblem("cannot_write", path=path, error=error.strerror or error) from error
    except sqlite3.Error as error:  # the backup file's side: a full disk
        raise BackupProblem("cannot_write", path=path, error=error) from error
    except SQLAlchemyError as error:
        cause = getattr(error, "orig", None)
        if not isinstance(cause, sqlite3.Error) or is_sqlite(engine):
            raise  # the store's side: said by the command line as any store error
        raise BackupProblem("cannot_write", path=path, error=cause) from error
    finally:
        for leftover in (part, Path(f"{part}-wal"), Path(f"{part}-shm"), Path(f"{part}-journal")):
            leftover.unlink(missing_ok=True)
    audit.record_alone(
        engine,
        None,
        user_name,
        "store.backup",
        "store",
        path.name,
        after={"file": str(path.resolve()), "sha256": file_sha256(path), **asdict(facts)},
    )
    return facts


def _check_backup_path(engine: Engine, path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise BackupProblem("no_folder", folder=path.parent)
    if path.is_dir():
        raise BackupProblem("not_a_file", path=path)
    database = make_url(engine.url).database if is_sqlite(engine) else None
    if database and path.resolve() == Path(database).resolve():
        raise BackupProblem("is_store", path=path)
    if path.exists() and not force:
        raise BackupProblem("exists", path=path)


def _copy_sqlite_store(engine: Engine, part: Path) -> None:
    """SQLite's online backup API, all pages in one step: one read snapshot of the store."""
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        target = sqlite3.connect(part)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        raw.close()


def _copy_tables_into_dump(engine: Engine, part: Path) -> None:
    """PostgreSQL: every table, in one read-only snapshot, into a file made by the migrations."""
    dump = make_engine(f"sqlite:///{part}")
    try:
        snapshot = engine.connect().execution_options(
            isolation_level="REPEATABLE READ", postgresql_readonly=True
        )
        with snapshot, snapshot.begin():
            snapshot.execute(text("SET LOCAL TIME ZONE 'UTC'"))
            found, needed = _store_revision(snapshot), head_revision()
            if found != needed:
                raise BackupProblem("store_revision", found=found or "-", needed=needed)
            with dump.begin() as target:
                upgrade(target)
                _empty_tables(target)
                copy_rows(snapshot, target, m.Base.metadata.sorted_tables)
    finally:
        dump.dispose()


def _finish_dump(part: Path, backend: str) -> BackupFacts:
    """Count the dump's rows, write its facts table and make it one self-contained file."""
    with closing(sqlite3.connect(part)) as dump, dump:
        dump.execute("PRAGMA journal_mode=DELETE")
        tables = {
            table.name: int(dump.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0])
            for table in m.Base.metadata.sorted_tables
        }
        facts = BackupFacts(
            revision=str(dump.execute("SELECT version_num FROM alembic_version").fetchone()[0]),
            store_version=int(dump.execute("SELECT version FROM store_version").fetchone()[0]),
            taken_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            backend=backend,
            rows=sum(tables.values()),
            tables=tables,
        )
        dump.execute(f"DROP TABLE IF EXISTS {INFO_TABLE}")
        dump.execute(f"CREATE TABLE {INFO_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        dump.executemany(
            f"INSERT INTO {INFO_TABLE} VALUES (?, ?)",
            [(k, str(v)) for k, v in asdict(facts).items() if k != "tables"],
        )
    return facts


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- Copying rows ------------------------------------------------------------------------------


def copy_rows(source: Connection, target: Connection, tables: Iterable[Table]) -> dict[str, int]:
    """Every row of `tables` (in dependency order), ids included, chunk by chunk."""
    return {table.name: _copy_table(source, target, table) for table in tables}


def _copy_table(source: Connection, target: Connection, table: Table) -> int:
    # A column referring to its own table (city.replaced_by_id) is filled in once every row is
    # there, so a row may name one that comes after it.
    own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    keys = [c.name for c in table.primary_key.columns]
    ordered = select(table).order_by(*table.primary_key.columns)
    result = source.execution_options(yield_per=CHUNK_ROWS).execute(ordered)
    later: list[dict[str, Any]] = []
    copied = 0
    for chunk in result.mappings().partitions(CHUNK_ROWS):
        rows = [dict(row) for row in chunk]
        for row in rows:
            if any(row[c] is not None for c in own):
                later.append({**{f"k_{k}": row[k] for k in keys}, **{c: row[c] for c in own}})
                row.update(dict.fromkeys(own))
        _insert(target, table, rows)
        copied += len(rows)
    if later:
        condition = [table.c[k] == bindparam(f"k_{k}") for k in keys]
        target.execute(update(table).where(*condition), later)
    return copied


def _insert(target: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """SQLite: executemany through SQLAlchemy (its types write SQLite's formats). PostgreSQL:
    COPY through the driver, in the write transaction (a restore twice as fast as with
    SQLAlchemy's batched INSERTs)."""
    if is_sqlite(target):
        target.execute(insert(table), rows)
        return
    names = [column.name for column in table.columns]
    quoted = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    driver_error = target.dialect.loaded_dbapi.Error
    cursor = target.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([row[name] for name in names])
    except driver_error as error:  # said as SQLAlchemy would say it (IntegrityError...)
        raise DBAPIError.instance(statement, None, error, driver_error) from error


def _empty_tables(conn: Connection) -> None:
    """Delete what the migrations themselves insert (the store_version row)."""
    for table in reversed(m.Base.metadata.sorted_tables):
        conn.execute(delete(table))


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: each serial id continues after the largest id copied."""
    if is_sqlite(conn):
        return
    for table in m.Base.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1:
            continue
        sequence = conn.execute(
            text("SELECT pg_get_serial_sequence(:table, :column)"),
            {"table": table.name, "column": keys[0].name},
        ).scalar()
        if sequence:
            largest = conn.execute(select(func.max(keys[0]))).scalar()
            conn.execute(
                text("SELECT setval(:sequence, :value, :called)"),
                {"sequence": sequence, "value": largest or 1, "called": largest is not None},
            )


# --- Restore ---------------------------------------------------------------------------------


def read_backup(path: Path) -> BackupFacts:
    """The facts of the backup at `path`, refusing what is not one of this code's version."""
    if not path.exists():
        raise BackupProblem("missing", path=path)
    if path.is_dir():
        raise BackupProblem("not_a_file", path=path)
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupProblem("cannot_read", path=path, error=error.strerror or error) from error
    if magic != SQLITE_MAGIC:
        raise BackupProblem("not_a_backup", path=path)
    needed = head_revision()
    dump = _read_only(path)
    try:
        revision = _dump_revision(dump)
        if revision is None:
            raise BackupProblem("not_a_backup", path=path)
        if revision != needed:
            raise BackupProblem("revision", path=path, found=revision, needed=needed)
        info = _info(dump)
        version = dump.execute("SELECT MAX(version) FROM store_version").fetchone()[0]
        tables = {
            table.name: int(dump.execute(f'SELECT COUNT(*) FROM "{table.name}"').fetchone()[0])
            for table in m.Base.metadata.sorted_tables
        }
    except sqlite3.DatabaseError as error:
        raise BackupProblem("not_a_backup", path=path) from error
    finally:
        dump.close()
    return BackupFacts(
        revision=revision,
        store_version=int(version or 0),
        taken_at=info.get("taken_at", ""),
        backend=info.get("backend", "sqlite"),
        rows=sum(tables.values()),
        tables=tables,
    )


def _read_only(path: Path) -> sqlite3.Connection:
    """The backup file opened read-only: a restore never changes it."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _dump_revision(dump: sqlite3.Connection) -> str | None:
    try:
        row = dump.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.OperationalError:  # no such table: an SQLite file, not a store
        return None
    return str(row[0]) if row else None


def _info(dump: sqlite3.Connection) -> dict[str, str]:
    """The `mne_backup` facts; a copy of an SQLite store made otherwise has none."""
    exists = dump.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (INFO_TABLE,)
    ).fetchone()
    if not exists:
        return {}
    return dict(dump.execute(f"SELECT key, value FROM {INFO_TABLE}").fetchall())


def data_rows(conn: Connection) -> int:
    """Rows a restore would lose: every row outside the catalog, and user-set targets."""
    if not has_schema(conn):
        return 0
    present = set(inspect(conn).get_table_names())
    total = 0
    for table in m.Base.metadata.sorted_tables:
        if table.name in present and table.name not in CATALOG_TABLES:
            total += int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)
    target = m.table(m.Target)
    user_set = select(func.count()).where(target.c.kind == "user_set")
    return total + int(conn.execute(user_set).scalar() or 0)


def restore(engine: Engine, path: Path, user_name: str, force: bool = False) -> BackupFacts:
    """Replace the whole store by the backup at `path`, in one transaction, audited.

    Refused (BackupProblem, nothing changed, the refusal audited when the store has an audit
    log) for a file that is not a backup of this schema version, and for a store holding
    data unless `force`."""
    try:
        facts = read_backup(path)
    except BackupProblem as problem:
        _audit_refusal(engine, user_name, path, problem)
        raise
    dump = create_engine("sqlite://", creator=lambda: _read_only(path))
    try:
        with writing(engine) as conn:
            if not is_sqlite(conn):
                conn.execute(text("SET LOCAL TIME ZONE 'UTC'"))
            held = data_rows(conn)
            if held and not force:
                raise BackupProblem(
                    "not_empty", url=engine.url.render_as_string(hide_password=True), rows=held
                )
            before = _version_of(conn)
            _drop_store(conn)
            upgrade(conn)
            _empty_tables(conn)
            with dump.connect() as source:
                copy_rows(source, conn, m.Base.metadata.sorted_tables)
            _reset_sequences(conn)
            # Past both versions: no server may take the restored store for one it cached.
            version = max(before, facts.store_version) + 1
            conn.execute(update(m.table(m.StoreVersion)).values(version=version))
            audit.record(
                conn,
                None,
                user_name,
                "store.restore",
                "store",
                path.name,
                before={"store_version": before, "rows_replaced": held},
                after={"file": str(path.resolve()), "sha256": file_sha256(path), **asdict(facts)},
            )
    except BackupProblem as problem:
        _audit_refusal(engine, user_name, path, problem)
        raise
    except SQLAlchemyError as error:
        failed = BackupProblem("failed", path=path, error=_short(error))
        _audit_refusal(engine, user_name, path, failed)
        raise failed from error
    finally:
        dump.dispose()
    return facts


def _short(error: SQLAlchemyError) -> str:
    """The database's own words, first line: which constraint or table failed."""
    detail = str(getattr(error, "orig", None) or error).strip().splitlines()
    return f"{type(error).__name__}: {detail[0][:200]}" if detail else type(error).__name__


def _version_of(conn: Connection) -> int:
    if not inspect(conn).has_table("store_version"):
        return 0
    return int(conn.execute(text("SELECT MAX(version) FROM store_version")).scalar() or 0)


def _drop_store(conn: Connection) -> None:
    """Every table of the schema, its version and the audit log's append-only guard."""
    m.Base.metadata.drop_all(conn)
    conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    if not is_sqlite(conn):
        for guard in ("audit_log_append_only", "audit_log_no_truncate"):
            conn.execute(text(f"DROP FUNCTION IF EXISTS {guard}()"))


def _audit_refusal(engine: Engine, user_name: str, path: Path, problem: BackupProblem) -> None:
    """A refused restore is recorded, in a transaction of its own, in a store that has a log."""
    if not (has_schema(engine) and inspect(engine).has_table("audit_log")):
        return
    audit.record_alone(
        engine,
        None,
        user_name,
        "store.restore_refused",
        "store",
        path.name,
        after={"file": str(path), "reason": problem.code, **problem.values},
    )
