"""Diff against the store and commit as one batch (reverting a batch is mne.intake.revert, the
reads of values and batches mne.intake.batches).

A commit runs in one transaction under the store's write lock: the diff is taken again inside
it, so two imports at once never mix, and a commit killed half way leaves nothing behind.
Replaced values move to observation_history, so reverting a batch restores exactly what was
there before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    func,
    insert,
    select,
)

from db import models as m
from db.bulk import filling_empty, insert_frame, read_frame, staged, update_from_stage
from db.engine import writing
from mne import access, audit
from mne.access import Actor
from mne.i18n import N_

KEY = ["city_id", "indicator_id", "period"]
# Two values closer than this (relative) are the same value: floats from text round-trip.
SAME_VALUE_TOLERANCE = 1e-9


def _nothing() -> None:
    return None


# Called inside the open write transaction of an import or a revert, after its last write and
# before its commit. Nothing in the app; the tests of killed and concurrent writes replace it
# in the process they start (tests/mne/test_intake_store.py `paused_cli`) to stop there.
before_commit: Callable[[], None] = _nothing


@dataclass
class Diff:
    new: pd.DataFrame  # rows to insert
    changed: pd.DataFrame  # rows to update, with old_* columns and observation id
    unchanged: pd.DataFrame


def existing_values(bind: Engine | Connection, rows: pd.DataFrame) -> pd.DataFrame:
    """Stored observations for the cities and indicators present in `rows`."""
    o = m.table(m.Observation)
    cities = [int(c) for c in rows["city_id"].unique()]
    indicators = [int(i) for i in rows["indicator_id"].unique()]
    if not cities or not indicators:
        columns = ["id", *KEY, "year", "value", "note", "status"]
        return pd.DataFrame(columns=columns)
    statement = select(
        o.c.id,
        o.c.city_id,
        o.c.indicator_id,
        o.c.period,
        o.c.year,
        o.c.value,
        o.c.note,
        o.c.status,
    ).where(o.c.city_id.in_(cities), o.c.indicator_id.in_(indicators))
    if isinstance(bind, Connection):
        return read_frame(bind, statement)
    with bind.connect() as conn:
        return read_frame(conn, statement)


def diff(rows: pd.DataFrame, existing: pd.DataFrame) -> Diff:
    """Split `rows` (city_id, indicator_id, period, value, ...) into new, changed, unchanged."""
    existing = existing.drop(columns="year")
    old = existing.rename(columns={c: f"old_{c}" for c in existing.columns if c not in KEY})
    joined = rows.merge(old, on=KEY, how="left", indicator=True)
    is_new = joined["_merge"] == "left_only"
    if is_new.all():  # nothing stored yet for these keys: no value to compare
        joined = joined.drop(columns="_merge")
        return Diff(joined[is_new], joined[~is_new], joined[~is_new])
    scale = joined[["value", "old_value"]].abs().max(axis=1).clip(lower=1)
    same = (joined["value"] - joined["old_value"]).abs() <= SAME_VALUE_TOLERANCE * scale
    same &= joined["note"].fillna("").eq(joined["old_note"].fillna("")) | joined["note"].fillna(
        ""
    ).eq("")
    joined = joined.drop(columns="_merge")
    return Diff(joined[is_new], joined[~is_new & ~same], joined[~is_new & same])


@dataclass
class Checked:
    """A diff and the store version it was taken at."""

    diff: Diff
    version: tuple[Any, ...]


def store_version(bind: Engine | Connection) -> tuple[Any, ...]:
    """Changes whenever observation values or their approval may have changed: every such
    write (import, revert, approval, demo load or removal) adds, reverts, reviews or deletes
    an upload batch."""
    b = m.table(m.UploadBatch)
    statement = select(
        func.count(), func.max(b.c.id), func.max(b.c.reverted_at), func.max(b.c.reviewed_at)
    )
    if isinstance(bind, Connection):
        return tuple(bind.execute(statement).one())
    with bind.connect() as conn:
        return tuple(conn.execute(statement).one())


@dataclass
class CommitResult:
    status: str  # committed / unchanged
    batch_id: int | None
    inserted: int
    updated: int
    unchanged: int
    same_as_batch: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def commit(
    engine: Engine,
    rows: pd.DataFrame,
    *,
    file_name: str,
    sha256: str,
    file_format: str,
    actor: Actor,
    rejected: int = 0,
    checked: Checked | None = None,
) -> CommitResult:
    """Store `rows` (city_id, indicator_id, period, year, value, note, source) as one batch.

    `checked` is the diff a preview made; it is used when no batch was stored or reverted
    since (the store's version is unchanged), else the diff is taken again under the lock.

    The actor's role decides: a focal point may store values of their own cities only, and
    may not replace approved values; their values are stored "submitted" for an analyst to
    review. An analyst's or administrator's values are stored approved."""
    access.require(engine, actor, "import", "upload", file_name)
    _refuse_other_cities(engine, actor, rows, file_name)
    status = "approved" if actor.may("approve") else "submitted"
    with writing(engine) as conn:
        if checked is not None and store_version(conn) == checked.version:
            current = checked.diff
        else:
            current = diff(rows, existing_values(conn, rows))
        if not actor.may("approve"):
            _refuse_approved(conn, current.changed)
        if current.new.empty and current.changed.empty:
            same = conn.execute(
                select(func.max(m.UploadBatch.id)).where(
                    m.UploadBatch.sha256 == sha256, m.UploadBatch.state == "committed"
                )
            ).scalar()
            return CommitResult("unchanged", None, 0, 0, len(current.unchanged), same)
        batch_id = _insert_batch(
            conn, file_name, sha256, file_format, actor, len(rows) + rejected, current, rejected
        )
        _replace_changed(conn, current.changed, batch_id, status)
        _insert_new(conn, current.new, batch_id, status)
        after = {
            "file": file_name,
            "inserted": len(current.new),
            "updated": len(current.changed),
            "unchanged": len(current.unchanged),
            "rejected": rejected,
            "status": status,
        }
        before = {"values_replaced": len(current.changed)} if len(current.changed) else None
        audit.record(
            conn, actor.user_id, actor.username, "import", "batch", batch_id, before, after
        )
        before_commit()
    return CommitResult(
        "committed", batch_id, len(current.new), len(current.changed), len(current.unchanged)
    )


def _insert_batch(
    conn: Connection,
    file_name: str,
    sha256: str,
    file_format: str,
    actor: Actor,
    total: int,
    current: Diff,
    rejected: int,
) -> int:
    approved = actor.may("approve")
    result = conn.execute(
        insert(m.UploadBatch).returning(m.UploadBatch.id),
        {
            "file_name": file_name[:300],
            "sha256": sha256,
            "format": file_format,
            "user_name": actor.username,
            "user_id": actor.user_id,
            "review_state": "approved" if approved else "submitted",
            "reviewed_by": actor.username if approved else "",
            "reviewed_at": dt.datetime.now(dt.UTC) if approved else None,
            "rows": total,
            "inserted": len(current.new),
            "updated": len(current.changed),
            "unchanged": len(current.unchanged),
            "rejected": rejected,
            "state": "committed",
        },
    )
    return int(result.scalar_one())


APPROVED_MEANWHILE = N_(
    "{count} values of this file were approved while it was being checked, and approved values "
    "are locked. Check the file again to see which rows."
)


def _refuse_other_cities(engine: Engine, actor: Actor, rows: pd.DataFrame, file_name: str) -> None:
    """A focal point's file may hold their own cities only (checked before the write lock, so
    the refusal can be audited in a transaction of its own)."""
    if actor.every_city:
        return
    others = sorted(set(rows["city_id"].astype(int)) - actor.city_ids)
    if others:
        with engine.connect() as conn:
            codes = conn.execute(select(m.City.code).where(m.City.id.in_(others))).scalars()
            cities = ", ".join(sorted(codes))
        access.refuse(
            engine, actor, "import", access.NOT_YOUR_CITIES, "upload", file_name, cities=cities
        )


def _refuse_approved(conn: Connection, changed: pd.DataFrame) -> None:
    """Approved values are locked against uploads of focal points until an analyst reopens
    them. Read under the write lock, so an approval made since the file's check counts."""
    if changed.empty:
        return
    o = m.table(m.Observation)
    approved = read_frame(
        conn,
        select(o.c.city_id, o.c.indicator_id, o.c.period).where(
            o.c.status == "approved",
            o.c.city_id.in_([int(c) for c in changed["city_id"].unique()]),
            o.c.indicator_id.in_([int(i) for i in changed["indicator_id"].unique()]),
        ),
    )
    locked = changed[KEY].merge(approved, on=KEY)
    if not locked.empty:
        raise access.Invalid(APPROVED_MEANWHILE, count=len(locked))


def _replace_changed(conn: Connection, changed: pd.DataFrame, batch_id: int, status: str) -> None:
    """Copy the rows about to change into the history (in the diff's order), then give them
    their new value, note and source: the changed rows are staged once, and each of the two
    is one set-based statement joined on the observation's primary key."""
    if changed.empty:
        return
    rows = changed[["old_id", "value", "note", "source"]].astype({"old_id": "int64"})
    columns = "city_id, indicator_id, period, year, value, status, batch_id, note, source"
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    with staged(conn, rows) as stage:
        conn.exec_driver_sql(
            f"INSERT INTO observation_history ({columns}, replaced_by_batch_id) "
            f"SELECT {', '.join(f'o.{c.strip()}' for c in columns.split(','))}, {mark} "
            f"FROM observation o JOIN {stage} s ON o.id = s.old_id ORDER BY s.seq",
            (batch_id,),
        )
        update_from_stage(
            conn,
            m.table(m.Observation),
            stage,
            ["value", "note", "source"],
            {"status": status, "batch_id": batch_id},
            key="old_id",
        )


def _insert_new(conn: Connection, new: pd.DataFrame, batch_id: int, status: str) -> None:
    columns = ["city_id", "indicator_id", "period", "year", "value", "note", "source"]
    # In key order, the unique index grows at its end instead of splitting pages at random.
    rows = new[columns].sort_values(KEY)
    table = m.table(m.Observation)
    with filling_empty(conn, table, len(rows)):
        insert_frame(conn, table, rows, {"status": status, "batch_id": batch_id})
