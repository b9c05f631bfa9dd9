"""Reads of stored values and of upload batches: what History, Approvals and the command
line show of them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import (
    Engine,
    Select,
    func,
    select,
)

from db import models as m
from db.bulk import read_frame


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
