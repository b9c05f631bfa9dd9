"""The audit log: every write, who made it, when, and what it changed (before -> after).

Rows are only ever inserted: the store refuses UPDATE and DELETE on audit_log (triggers of
migration 0002), and no page or command edits it. A write records its row inside its own
transaction, so a write that rolls back leaves no audit row; a refusal or a failed sign-in
changes nothing else, so it is recorded in a transaction of its own.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, func, insert, or_, select

from db import models as m
from db.engine import writing

AUDIT_COLUMNS = ["id", "at", "user_name", "action", "entity", "entity_id", "before", "after"]
# How many rows the audit page lists at once (the CSV export has every row of the filter).
AUDIT_PAGE_ROWS = 500


def _as_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record(
    conn: Connection,
    user_id: int | None,
    user_name: str,
    action: str,
    entity: str = "",
    entity_id: object = "",
    before: Any = None,
    after: Any = None,
) -> None:
    """One audit row inside the caller's transaction; `before` and `after` become JSON."""
    conn.execute(
        insert(m.table(m.AuditLog)),
        {
            "user_id": user_id,
            "user_name": user_name[:120],
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id)[:80],
            "before": _as_json(before),
            "after": _as_json(after),
        },
    )


def record_alone(engine: Engine, *args: Any, **kwargs: Any) -> None:
    """`record` in a write transaction of its own: for refusals and sign-in attempts, which
    change nothing a cached read shows (so the store version stays)."""
    with writing(engine, advances_version=False) as conn:
        record(conn, *args, **kwargs)


@dataclass(frozen=True)
class AuditFilter:
    actions: tuple[str, ...] = ()
    user: str = ""
    text: str = ""  # found in the entity id, before or after
    since: dt.date | None = None
    until: dt.date | None = None  # inclusive


def audit_frame(engine: Engine, chosen: AuditFilter, limit: int | None = None) -> pd.DataFrame:
    """The audit rows that match `chosen`, newest first (AUDIT_COLUMNS)."""
    a = m.table(m.AuditLog)
    statement = select(*(a.c[c] for c in AUDIT_COLUMNS)).order_by(a.c.id.desc())
    if chosen.actions:
        statement = statement.where(a.c.action.in_(chosen.actions))
    if chosen.user:
        statement = statement.where(func.lower(a.c.user_name) == chosen.user.lower())
    if chosen.text:
        pattern = f"%{chosen.text.lower()}%"
        statement = statement.where(
            or_(
                func.lower(a.c.entity_id).like(pattern),
                func.lower(a.c.before).like(pattern),
                func.lower(a.c.after).like(pattern),
            )
        )
    if chosen.since:
        statement = statement.where(a.c.at >= dt.datetime.combine(chosen.since, dt.time.min))
    if chosen.until:
        next_day = chosen.until + dt.timedelta(days=1)
        statement = statement.where(a.c.at < dt.datetime.combine(next_day, dt.time.min))
    if limit is not None:
        statement = statement.limit(limit)
    with engine.connect() as conn:
        frame = pd.read_sql(statement, conn)
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame


def audit_actions(engine: Engine) -> list[str]:
    """The actions the log holds, for the filter."""
    a = m.table(m.AuditLog)
    with engine.connect() as conn:
        return sorted(conn.execute(select(a.c.action).distinct()).scalars())


def audit_users(engine: Engine) -> list[str]:
    a = m.table(m.AuditLog)
    with engine.connect() as conn:
        return sorted(conn.execute(select(a.c.user_name).distinct()).scalars())
