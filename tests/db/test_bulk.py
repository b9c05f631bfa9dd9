"""db.bulk: staged writes, an empty table filled with its indexes (and PostgreSQL's foreign
keys) made after, and reads with bound parameters, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import IntegrityError

from db import bulk
from db import models as m
from db.engine import writing
from mne.access import operator
from mne.i18n import Translator
from mne.intake import batches, check, commit_preview, revert

TESTER = operator("tester")
FILE = "city,indicator,period,value,note\n" + "".join(
    f"{city},{indicator},{year},{year - 1990}.5,n{year}\n"
    for city in ("VNHAN", "VNSGN", "VNDAD")
    for indicator in ("QE_PM25", "CS_INTERNET_HH")
    for year in range(2000, 2025)
)


def _definitions(conn: Connection) -> list[tuple[Any, ...]]:
    """Every index and constraint of the observation table as the database defines it."""
    if conn.dialect.name == "postgresql":
        indexes = conn.exec_driver_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'observation'"
        ).all()
        constraints = conn.exec_driver_sql(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'observation'::regclass"
        ).all()
        return sorted(tuple(r) for r in [*indexes, *constraints])
    rows = conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'observation'"
    ).all()
    keys = conn.exec_driver_sql("PRAGMA foreign_key_list(observation)").all()
    return sorted(tuple(map(str, r)) for r in [*rows, *keys])


def _values(engine: Engine) -> list[tuple[Any, ...]]:
    o = m.table(m.Observation)
    columns = [c for c in o.c if c.name != "updated_at"]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(*columns).order_by(o.c.id))]


def _import(engine: Engine) -> dict[str, Any]:
    preview = check(engine, FILE.encode(), "values.csv", Translator("en"))
    return commit_preview(engine, preview, TESTER)


def test_an_empty_table_filled_in_bulk_gets_back_every_index_and_key_exactly(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with engine.connect() as conn:
        before = _definitions(conn)
    rebuilt: list[bool] = []
    has_rows = bulk._has_rows

    def spy(conn: Connection, table: Any) -> bool:
        found = has_rows(conn, table)
        rebuilt.append(not found)
        return found

    monkeypatch.setattr(bulk, "REBUILD_AT_ROWS", 10)
    monkeypatch.setattr(bulk, "_has_rows", spy)
    assert _import(engine)["inserted"] == 150
    assert rebuilt == [True]  # the empty table was filled with its indexes dropped
    with engine.connect() as conn:
        assert _definitions(conn) == before
    values = batches.values_frame(engine)
    assert len(values) == 150 and values["value"].min() == 10.5
    # The second file finds rows stored: the indexes stay while it is written.
    changed = FILE.replace(".5,", ".25,")
    preview = check(engine, changed.encode(), "again.csv", Translator("en"))
    assert commit_preview(engine, preview, TESTER)["updated"] == 150
    assert rebuilt == [True]  # it inserts nothing new: no look at the table either


def test_a_bulk_fill_stores_what_a_row_by_row_fill_stores(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bulk, "REBUILD_AT_ROWS", 10)
    result = _import(engine)
    rebuilt = _values(engine)
    revert.revert(engine, result["batch_id"], TESTER)
    monkeypatch.setattr(bulk, "REBUILD_AT_ROWS", 10**9)
    again = _import(engine)
    assert [r[1:] for r in _values(engine)] == [
        (*r[1:7], again["batch_id"], *r[8:]) for r in rebuilt
    ]


def test_a_failed_bulk_fill_leaves_the_indexes_and_keys(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The drop and the rebuild are in the caller's transaction: rolled back with it."""
    monkeypatch.setattr(bulk, "REBUILD_AT_ROWS", 1)
    with engine.connect() as conn:
        before = _definitions(conn)
    with (
        pytest.raises(RuntimeError),
        writing(engine) as conn,
        bulk.filling_empty(conn, m.table(m.Observation), 5),
    ):
        raise RuntimeError("killed half way")
    with engine.connect() as conn:
        assert _definitions(conn) == before


def test_a_bulk_fill_still_refuses_a_value_of_no_city(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The foreign keys made again after the fill check every row it stored."""
    monkeypatch.setattr(bulk, "REBUILD_AT_ROWS", 1)
    with engine.connect() as conn:
        indicator = conn.execute(select(m.Indicator.id).limit(1)).scalar_one()
    rows = pd.DataFrame(
        {"city_id": [999_999], "indicator_id": [indicator], "period": ["2024"], "year": [2024]}
    ).assign(value=1.0, note="", source="", status="approved")
    with pytest.raises(IntegrityError), writing(engine) as conn:
        batch = conn.execute(
            m.table(m.UploadBatch)
            .insert()
            .values(
                file_name="x", sha256="x", format="csv", user_name="t", rows=1, state="committed"
            )
            .returning(m.UploadBatch.id)
        ).scalar_one()
        table = m.table(m.Observation)
        with bulk.filling_empty(conn, table, len(rows)):
            bulk.insert_frame(conn, table, rows, {"batch_id": batch})
    assert _values(engine) == []


def test_read_frame_binds_its_values(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """No value reaches the SQL text (issue 18): each is a bound parameter, an IN list one
    parameter per value."""
    executed: list[tuple[str, Any]] = []
    cursor_of = bulk._cursor

    class Recording:
        def __init__(self, cursor: Any) -> None:
            self.cursor = cursor

        def execute(self, sql: str, parameters: Any) -> Any:
            executed.append((sql, parameters))
            return self.cursor.execute(sql, parameters)

        def __getattr__(self, name: str) -> Any:
            return getattr(self.cursor, name)

    monkeypatch.setattr(bulk, "_cursor", lambda conn: Recording(cursor_of(conn)))
    c = m.table(m.City)
    hostile = "VN' OR '1'='1"
    with engine.connect() as conn:
        frame = bulk.read_frame(
            conn, select(c.c.code).where(c.c.code.in_(["VNHAN", hostile, "VNSGN"]))
        )
    assert sorted(frame["code"]) == ["VNHAN", "VNSGN"]
    [(sql, parameters)] = executed
    assert "VNHAN" not in sql and "1'='1" not in sql
    values = list(parameters.values() if isinstance(parameters, dict) else parameters)
    assert sorted(values) == sorted(["VNHAN", hostile, "VNSGN"])


def test_a_staged_update_refused_by_the_store_says_why(engine: Engine) -> None:
    """A staged write the store refuses (here the status CHECK) raises the store's own error,
    and leaves the values as they were."""
    _import(engine)
    before = _values(engine)
    o = m.table(m.Observation)
    with engine.connect() as conn:
        ids = conn.execute(select(o.c.id).limit(3)).scalars().all()
    rows = pd.DataFrame({"id": ids, "value": [1.0, 2.0, 3.0]})
    with pytest.raises(IntegrityError, match=r"(?i)check"), writing(engine) as conn:
        bulk.update_by_id(conn, o, rows, {"status": "bogus"})
    assert _values(engine) == before
