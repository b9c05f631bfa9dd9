"""Fast bulk reads and writes of frames through the database driver itself.

SQLAlchemy builds a Row or binds a dict per row; for a million rows that costs more than the
database work. These helpers hand plain values to the driver: a frame becomes one list of
native Python values per column (numpy's `tolist`, never a Python call per cell), then rows.

Inserts on SQLite write many rows per INSERT statement, so each statement's set-up (the
ephemeral table SQLite builds for the status CHECK's IN list, the bindings of the constant
columns) is made once per ROWS_PER_INSERT rows instead of once per row; on PostgreSQL they
COPY. Updates (and the history rows they make)
go through a staging table: the frame is copied into a temporary table with no constraint or
index (executemany or COPY), then one set-based statement (INSERT ... SELECT, UPDATE ...
FROM) joins it to the real table on its primary key. Columns left out of an insert get their
server defaults.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import CompoundSelect, Connection, Select, Table

_stages = itertools.count(1)
ROWS_PER_INSERT = 100  # SQLite: rows of one multi-row INSERT (its parameters stay < 999)


def _column(values: pd.Series) -> list[Any]:
    """One column as native Python values (int, float, str, ...), None where missing."""
    missing = values.isna().to_numpy()
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        plain: list[Any] = values.to_numpy().tolist()
    else:
        plain = values.to_numpy(dtype=object).tolist()
        if dtype.kind in "biuf":  # a nullable extension dtype: numpy scalars to Python ones
            plain = [v.item() if isinstance(v, np.generic) else v for v in plain]
    if missing.any():
        for position in np.flatnonzero(missing).tolist():
            plain[position] = None
    return plain


def _rows(frame: pd.DataFrame) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples of plain Python values (None for missing), as drivers want them."""
    return zip(*(_column(frame[c]) for c in frame.columns), strict=True)


def _mark(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def _cursor(conn: Connection) -> Any:
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


def _write_rows(conn: Connection, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    """The frame's rows into `table` (its `columns`): COPY on PostgreSQL, else executemany."""
    names = ", ".join(columns)
    cursor = _cursor(conn)
    try:
        if conn.dialect.name == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in _rows(frame):
                    copy.write_row(row)
        else:
            marks = ", ".join([_mark(conn)] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", _rows(frame))
    finally:
        cursor.close()


_PG_TYPES = {"b": "boolean", "i": "bigint", "u": "bigint", "f": "double precision"}


@contextmanager
def staged(conn: Connection, frame: pd.DataFrame) -> Iterator[str]:
    """The frame in a temporary table of the connection (its columns, plus `seq`, the row's
    position, 1 first), for set-based statements; the table's name is yielded, and it is
    dropped after (on PostgreSQL at the commit at the latest). Make it inside a transaction."""
    name = f"bulk_stage_{next(_stages)}"
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        types = [_PG_TYPES.get(frame[c].dtype.kind, "text") for c in columns]
        definition = ", ".join(f"{c} {t}" for c, t in zip(columns, types, strict=True))
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {name} (seq bigint, {definition}) ON COMMIT DROP"
        )
    else:
        conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {name} (seq INTEGER, {', '.join(columns)})")
    numbered = frame.reset_index(drop=True)
    numbered.insert(0, "seq", np.arange(1, len(frame) + 1, dtype="int64"))
    _write_rows(conn, name, ["seq", *columns], numbered)
    yield name
    # Not on an error: the caller's transaction is then rolled back, and the table made in it
    # with it (a statement now would fail again on PostgreSQL's aborted transaction, hiding
    # the first error).
    conn.exec_driver_sql(f"DROP TABLE {name}")


def insert_frame(
    conn: Connection, table: Table, frame: pd.DataFrame, fixed: dict[str, Any] | None = None
) -> None:
    """Insert every row of `frame` (its columns named as the table's) into `table`, in the
    frame's order, with the `fixed` values in every row."""
    if frame.empty:
        return
    fixed = fixed or {}
    columns = list(frame.columns)
    if conn.dialect.name == "postgresql":
        # COPY straight into the table is already set-based on PostgreSQL.
        _write_rows(conn, table.name, [*columns, *fixed], frame.assign(**fixed))
        return
    # SQLite: many rows per INSERT, so each statement's set-up (the IN list of the CHECK) is
    # made once per ROWS_PER_INSERT rows, not once per row.
    names = ", ".join([*columns, *fixed])
    one = "(" + ", ".join(["?"] * (len(columns) + len(fixed))) + ")"
    values = [_column(frame[c]) for c in columns] + [[v] * len(frame) for v in fixed.values()]
    rows = zip(*values, strict=True)
    whole, rest = divmod(len(frame), ROWS_PER_INSERT)
    if whole:
        chunks = [
            tuple(itertools.chain.from_iterable(itertools.islice(rows, ROWS_PER_INSERT)))
            for _ in range(whole)
        ]
        many = f"INSERT INTO {table.name} ({names}) VALUES {', '.join([one] * ROWS_PER_INSERT)}"
        conn.exec_driver_sql(many, chunks)
    if rest:
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES {one}", list(rows))


REBUILD_AT_ROWS = 50_000  # a batch this large into an empty table: indexes built after


@contextmanager
def filling_empty(conn: Connection, table: Table, rows: int) -> Iterator[None]:
    """Around a bulk insert of `rows` rows: when the table is empty and the batch large, its
    secondary indexes (and on PostgreSQL its foreign keys) are dropped first and made again
    after, inside the caller's transaction, from their own definitions as the database holds
    them (sqlite_master, pg_get_indexdef / pg_get_constraintdef), so they come back exactly.
    Building an index once over sorted rows beats growing it row by row, and PostgreSQL then
    checks each foreign key with one join instead of one trigger query per row and key.

    The primary key and unique constraints stay (they check every row as it comes). On
    PostgreSQL this holds the table's exclusive lock until the commit: readers of the (empty)
    table wait for the import instead of reading nothing; on SQLite they read as before."""
    if rows < REBUILD_AT_ROWS or _has_rows(conn, table):
        yield
        return
    if conn.dialect.name == "postgresql":
        definitions = conn.exec_driver_sql(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary "
            "ORDER BY c.relname",
            (table.name,),
        ).all()
        keys = conn.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            (table.name,),
        ).all()
        for name, _ in keys:
            conn.exec_driver_sql(f'ALTER TABLE {table.name} DROP CONSTRAINT "{name}"')
        for name, _ in definitions:
            conn.exec_driver_sql(f'DROP INDEX "{name}"')
        yield
        for _, definition in definitions:
            conn.exec_driver_sql(definition)
        for name, definition in keys:
            conn.exec_driver_sql(f'ALTER TABLE {table.name} ADD CONSTRAINT "{name}" {definition}')
        return
    definitions = conn.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master "
        "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
        (table.name,),
    ).all()
    for name, _ in definitions:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, definition in definitions:
        conn.exec_driver_sql(definition)


def _has_rows(conn: Connection, table: Table) -> bool:
    return conn.exec_driver_sql(f"SELECT 1 FROM {table.name} LIMIT 1").first() is not None


def update_by_id(
    conn: Connection, table: Table, frame: pd.DataFrame, fixed: dict[str, Any] | None = None
) -> None:
    """UPDATE table SET <frame's other columns, and `fixed` values> WHERE id = frame.id."""
    if frame.empty:
        return
    with staged(conn, frame) as stage:
        update_from_stage(conn, table, stage, [c for c in frame.columns if c != "id"], fixed)


def update_from_stage(
    conn: Connection,
    table: Table,
    stage: str,
    columns: list[str],
    fixed: dict[str, Any] | None = None,
    key: str = "id",
) -> None:
    """One UPDATE ... FROM: each row of `table` whose id is a staged row's `key` takes that
    row's `columns` (and the `fixed` values), and updated_at now."""
    fixed = fixed or {}
    assignments = [f"{c} = {stage}.{c}" for c in columns]
    assignments += [f"{c} = {_mark(conn)}" for c in fixed]
    assignments.append("updated_at = CURRENT_TIMESTAMP")
    conn.exec_driver_sql(
        f"UPDATE {table.name} SET {', '.join(assignments)} "
        f"FROM {stage} WHERE {table.name}.id = {stage}.{key}",
        tuple(fixed.values()),
    )


def read_frame(conn: Connection, statement: Select[Any] | CompoundSelect[Any]) -> pd.DataFrame:
    """The rows of a SELECT as a frame, fetched by the driver in one go. Values are bound
    parameters (each IN list expanded to one parameter per value), never SQL text."""
    compiled = statement.compile(dialect=conn.dialect)
    expanded = compiled.construct_expanded_state()
    values = {
        name: expanded.processors[name](value) if name in expanded.processors else value
        for name, value in expanded.parameters.items()
    }
    parameters: tuple[Any, ...] | dict[str, Any] = (
        tuple(values[name] for name in expanded.positiontup)
        if expanded.positiontup is not None
        else values
    )
    cursor = _cursor(conn)
    try:
        cursor.execute(expanded.statement, parameters)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=[c.name for c in statement.selected_columns])
