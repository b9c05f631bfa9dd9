"""Diff against the store, commit as one batch, revert a batch; reads of values and history.

A commit runs in one transaction under the store's write lock: the diff is taken again inside
it, so two imports at once never mix, and a commit killed half way leaves nothing behind.
Replaced values move to observation_history, so reverting a batch restores exactly what was
there before it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    case,
    delete,
    func,
    insert,
    select,
    update,
)

from db import models as m
from db.bulk import filling_empty, insert_frame, read_frame, staged, update_from_stage
from db.engine import writing
from mne import access, audit
from mne.access import Actor
from mne.errors import ErrorKinds, UserError
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


# --- Revert ---------------------------------------------------------------------------------


class RevertRefused(UserError):
    """A batch that cannot be reverted (unknown, already reverted, changed again later)."""

    kinds = ErrorKinds()

    @property
    def reason(self) -> str:
        return self.code


REVERT_REFUSALS = {
    "unknown": N_("There is no upload batch #{batch}."),
    "already": N_("Batch #{batch} was already reverted."),
    "later": N_(
        "Batch #{batch} cannot be reverted: some of its values were changed again by later "
        "batches ({later}). Revert those first."
    ),
}
RevertRefused.define_all(
    REVERT_REFUSALS,
    {
        "unknown": "No batch has this number.",
        "already": "The batch was reverted before.",
        "later": "Later batches changed some of its values again: revert those first.",
    },
)


def _refuse_revert(engine: Engine, actor: Actor, batch_id: int) -> None:
    """Who may revert: analysts and administrators any batch; a focal point a batch of their
    own cities whose values are not approved (approved values are locked)."""
    access.require(engine, actor, "revert", "batch", batch_id)
    if actor.every_city:
        return
    o, c = m.table(m.Observation), m.table(m.City)
    approved = func.sum(case((o.c.status == "approved", 1), else_=0))
    with engine.connect() as conn:
        rows = conn.execute(
            select(c.c.id, c.c.code, approved)
            .join(c, c.c.id == o.c.city_id)
            .where(o.c.batch_id == batch_id)
            .group_by(c.c.id, c.c.code)
        ).all()
    others = sorted(code for city_id, code, _ in rows if city_id not in actor.city_ids)
    if others:
        access.refuse(
            engine,
            actor,
            "revert",
            access.NOT_YOUR_CITIES,
            "batch",
            batch_id,
            cities=", ".join(others),
        )
    if any(count for *_, count in rows):
        access.refuse(
            engine, actor, "revert", access.LOCKED_BATCH, "batch", batch_id, batch=batch_id
        )


REVERT_CHECKING = N_("Checking that no later batch changed its values…")
REVERT_RESTORING = N_("Restoring the values it replaced…")
REVERT_REMOVING = N_("Removing the values it added…")
REVERT_RECORDING = N_("Marking the batch reverted, with an audit row…")


def _no_progress(step: str) -> None:
    return None


def revert(
    engine: Engine, batch_id: int, actor: Actor, progress: Callable[[str], None] = _no_progress
) -> dict[str, int]:
    """Undo a batch: values it replaced come back, values it inserted go.

    Refused when the batch is unknown or already reverted, or when a later batch changed
    some of its values again (that batch must be reverted first); refused (access.Refused)
    when the actor may not revert it. `progress` is told each step as it starts (one of the
    REVERT_* messages, to translate), inside the transaction: it must not write.

    A few set-based statements in one transaction with the audit row, each driven by an index
    (ix_observation_history_replaced_by_key, ix_observation_batch_key), so a batch of a million
    values reverts in about the time it took to store; the write lock is held for these
    statements only."""
    _refuse_revert(engine, actor, batch_id)
    o, h, b = m.table(m.Observation), m.table(m.ObservationHistory), m.table(m.UploadBatch)
    with writing(engine) as conn:
        progress(REVERT_CHECKING)
        state = conn.execute(select(b.c.state, b.c.review_state).where(b.c.id == batch_id)).first()
        if state is None:
            raise RevertRefused("unknown", batch=batch_id)
        if state.state == "reverted":
            raise RevertRefused("already", batch=batch_id)
        later = (
            conn.execute(
                select(h.c.replaced_by_batch_id)
                .where(h.c.batch_id == batch_id)
                .distinct()
                .order_by(h.c.replaced_by_batch_id)
            )
            .scalars()
            .all()
        )
        if later:
            raise RevertRefused("later", batch=batch_id, later=", ".join(f"#{x}" for x in later))
        progress(REVERT_RESTORING)
        restored = _restore_replaced(conn, o, h, batch_id)
        progress(REVERT_REMOVING)
        removed = conn.execute(delete(o).where(o.c.batch_id == batch_id)).rowcount
        conn.execute(delete(h).where(h.c.replaced_by_batch_id == batch_id))
        progress(REVERT_RECORDING)
        conn.execute(
            update(b).where(b.c.id == batch_id).values(state="reverted", reverted_at=func.now())
        )
        counts = {"restored": restored, "removed": removed}
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "revert",
            "batch",
            batch_id,
            {"state": state.state, "review_state": state.review_state},
            {"state": "reverted", **counts},
        )
        before_commit()
    return counts


def _restore_replaced(conn: Connection, o: Any, h: Any, batch_id: int) -> int:
    """Put back, in one UPDATE ... FROM join, every value the batch replaced: each history row
    of the batch finds its observation by the key (one index look-up), instead of a correlated
    sub-select per column and row."""
    statement = (
        update(o)
        .where(
            h.c.replaced_by_batch_id == batch_id,
            h.c.city_id == o.c.city_id,
            h.c.indicator_id == o.c.indicator_id,
            h.c.period == o.c.period,
            o.c.batch_id == batch_id,
        )
        .values(
            value=h.c.value,
            status=h.c.status,
            note=h.c.note,
            source=h.c.source,
            batch_id=h.c.batch_id,
            updated_at=func.now(),
        )
    )
    return int(conn.execute(statement).rowcount)


# --- Reads ------------------------------------------------------------------------------------


def values_frame(
    engine: Engine, city: str | None = None, indicator: str | None = None, period: str | None = None
) -> pd.DataFrame:
    """Stored values with codes: city, indicator, period, value, status, batch_id."""
    o, c, i = m.table(m.Observation), m.table(m.City), m.table(m.Indicator)
    statement = (
        select(
            c.c.code.label("city"),
            i.c.code.label("indicator"),
            o.c.period,
            o.c.value,
            o.c.status,
            o.c.batch_id,
        )
        .join(c, c.c.id == o.c.city_id)
        .join(i, i.c.id == o.c.indicator_id)
        .order_by(c.c.code, i.c.code, o.c.period)
    )
    if city:
        statement = statement.where(c.c.code == city)
    if indicator:
        statement = statement.where(i.c.code == indicator)
    if period:
        statement = statement.where(o.c.period == period)
    return pd.read_sql(statement, engine)


def batches_frame(
    engine: Engine, city: str | None = None, indicator: str | None = None, include_demo: bool = True
) -> pd.DataFrame:
    """Upload batches, newest first; with a city or indicator, only batches that touched it."""
    b = m.table(m.UploadBatch)
    statement = select(
        b.c.id,
        b.c.file_name,
        b.c.format,
        b.c.user_name,
        b.c.created_at,
        b.c.rows,
        b.c.inserted,
        b.c.updated,
        b.c.unchanged,
        b.c.rejected,
        b.c.state,
        b.c.review_state,
        b.c.reviewed_by,
        b.c.review_comment,
        b.c.reverted_at,
        b.c.is_demo,
    ).order_by(b.c.id.desc())
    if not include_demo:
        statement = statement.where(~b.c.is_demo)
    for code, model, column in (
        (city, m.City, "city_id"),
        (indicator, m.Indicator, "indicator_id"),
    ):
        if code:
            o, h = m.table(m.Observation), m.table(m.ObservationHistory)
            ids = select(model.id).where(model.code == code).scalar_subquery()
            touched = (
                select(o.c.batch_id)
                .where(o.c[column] == ids)
                .union(
                    select(h.c.replaced_by_batch_id).where(h.c[column] == ids),
                    select(h.c.batch_id).where(h.c[column] == ids),
                )
            )
            statement = statement.where(b.c.id.in_(touched))
    return pd.read_sql(statement, engine)


def batch_changes(engine: Engine, batch_id: int, limit: int | None = None) -> pd.DataFrame:
    """What one batch did: each value it set (still current), with the value it replaced
    (empty for a value it added), in city, indicator, period order (by code).

    `limit` keeps a page from pulling a million-value batch into the browser, and keeps the
    read small: the batch's values are read a few cities at a time, in city-code order (on
    ix_observation_batch_key), until `limit` values are in hand, so only those cities' values
    are sorted, never the whole batch."""
    with engine.connect() as conn:
        if limit is None:
            return _as_changes(read_frame(conn, _changes_statement(batch_id, None, None)))
        parts = [read_frame(conn, _changes_statement(batch_id, [], 0))]  # the columns
        o, city = m.table(m.Observation), m.table(m.City)
        has_values = select(o.c.id).where(o.c.batch_id == batch_id).limit(1)
        city_ids: Sequence[int] = []
        if conn.execute(has_values).first() is not None:
            city_ids = conn.execute(select(city.c.id).order_by(city.c.code)).scalars().all()
        start, take, missing = 0, 1, limit
        while missing > 0 and start < len(city_ids):
            chunk = city_ids[start : start + take]
            part = read_frame(conn, _changes_statement(batch_id, chunk, missing))
            if not part.empty:
                parts.append(part)
            missing -= len(part)
            start += take
            take *= 4
    return _as_changes(pd.concat(parts[1:], ignore_index=True) if len(parts) > 1 else parts[0])


def _changes_statement(
    batch_id: int, city_ids: Sequence[int] | None, limit: int | None
) -> Select[Any]:
    """The batch's values (of `city_ids` only, when given), each with the value it replaced:
    a correlated look-up on ix_observation_history_replaced_by_key, one index probe per value
    whatever the store's statistics say (a join let PostgreSQL, right after a large import and
    before its statistics caught up, pair them in a nested loop, every value against every
    replaced one)."""
    o, h, c, i = (
        m.table(m.Observation),
        m.table(m.ObservationHistory),
        m.table(m.City),
        m.table(m.Indicator),
    )
    replaced = (
        select(h.c.value)
        .where(
            h.c.replaced_by_batch_id == batch_id,
            h.c.city_id == o.c.city_id,
            h.c.indicator_id == o.c.indicator_id,
            h.c.period == o.c.period,
        )
        .scalar_subquery()
    )
    statement = (
        select(
            c.c.code.label("city"),
            i.c.code.label("indicator"),
            o.c.period,
            replaced.label("old_value"),
            o.c.value.label("new_value"),
        )
        .join(c, c.c.id == o.c.city_id)
        .join(i, i.c.id == o.c.indicator_id)
        .where(o.c.batch_id == batch_id)
        .order_by(c.c.code, i.c.code, o.c.period)
        .limit(limit)
    )
    if city_ids is not None:
        statement = statement.where(o.c.city_id.in_([int(x) for x in city_ids]))
    return statement


def _as_changes(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({"old_value": float, "new_value": float})


def batch_value_count(engine: Engine, batch_id: int) -> int:
    """How many current values a batch set."""
    with engine.connect() as conn:
        statement = select(func.count()).where(m.Observation.batch_id == batch_id)
        return int(conn.execute(statement).scalar_one())
