"""Fast bulk reads and writes of frames through the database driver itself.

SQLAlchemy builds a Row or binds a dict per row; for a million rows that costs more than the
database work. These helpers hand plain tuples to the driver: executemany or COPY (PostgreSQL)
for writes, fetchall for reads. Columns left out of an insert get their server defaults.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import CompoundSelect, Connection, Select, Table


def _tuples(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain Python values (None for missing), as drivers want them."""
    plain = frame.astype(object).where(frame.notna(), None)
    return list(plain.itertuples(index=False, name=None))


def _marks(conn: Connection, count: int) -> list[str]:
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return [mark] * count


def insert_frame(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
    """Insert every row of `frame` (its columns named as the table's) into `table`."""
    if frame.empty:
        return
    columns = list(frame.columns)
    rows = _tuples(frame)
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(_marks(conn, len(columns)))
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({names}) VALUES ({marks})", rows)


def update_by_id(
    conn: Connection, table: Table, frame: pd.DataFrame, fixed: dict[str, Any] | None = None
) -> None:
    """UPDATE table SET <frame's other columns, and `fixed` values> WHERE id = frame.id."""
    if frame.empty:
        return
    fixed = fixed or {}
    columns = [c for c in frame.columns if c != "id"]
    marks = _marks(conn, len(columns) + len(fixed))
    assignments = [f"{c} = {mark}" for c, mark in zip([*columns, *fixed], marks, strict=True)]
    assignments.append("updated_at = CURRENT_TIMESTAMP")
    sql = f"UPDATE {table.name} SET {', '.join(assignments)} WHERE id = {_marks(conn, 1)[0]}"
    values = frame[columns].assign(**fixed)
    rows = _tuples(values.assign(id=frame["id"]))
    conn.exec_driver_sql(sql, rows)


def read_frame(conn: Connection, statement: Select[Any] | CompoundSelect[Any]) -> pd.DataFrame:
    """The rows of a SELECT as a frame, fetched by the driver in one go."""
    compiled = statement.compile(conn, compile_kwargs={"literal_binds": True})
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return pd.DataFrame.from_records(rows, columns=[c.name for c in statement.selected_columns])
