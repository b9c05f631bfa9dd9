"""Review value by value (issue 15, Build 2), as DHIS2's per-value approval and
ActivityInfo's record review do: an analyst sees each value of a submitted batch with the
value it replaces and the warnings the upload's checks raise for it (flagged values first),
approves some and returns the others, each with a comment the focal point reads on History
and on the data entry page.

A returned value stays submitted (dashboards do not count it); it is "returned" while it is
still the batch's value, so a corrected upload of it ends the return by itself. Whole-batch
approval, return and reopening stay in mne.approval."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import (
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    update,
)

from db import models as m
from db.engine import writing
from mne import access, audit
from mne.access import Action, Actor, Invalid
from mne.approval import COMMENT_LIMIT, REVIEW_STATE_LABELS, STEP_WORDS, STEPS, WRONG_STATE
from mne.i18n import N_, Translator
from mne.intake import batches, store
from mne.intake.problems import empty_problems
from mne.intake.validate import history_warnings

# The values an analyst decides one by one on Approvals; a larger batch is approved or
# returned whole (its first values are still shown).
REVIEWABLE = 200
# How many returned values an audit row lists by name (the count is always there).
AUDITED_KEYS = 100
Key = tuple[str, str, str]  # city code, indicator code, period


@dataclass(frozen=True)
class Reviewed:
    approved: int
    returned: int
    review_state: str


def batch_values(engine: Engine, batch_id: int, lang: str, limit: int = REVIEWABLE) -> pd.DataFrame:
    """The batch's first `limit` values (in city, indicator, period order): city, indicator,
    period, old_value, new_value, status, warning (what the upload's checks say of the value
    against the city's other values, "" if nothing), returned (the comment, if returned);
    flagged values first. Warnings are in `lang`."""
    tr = Translator(lang)
    changes = batches.batch_changes(engine, batch_id, limit)
    if changes.empty:
        return changes.assign(status="", warning="", returned="")
    o, c, i = m.table(m.Observation), m.table(m.City), m.table(m.Indicator)
    with engine.connect() as conn:
        ours = pd.read_sql(
            select(
                c.c.code.label("city"),
                i.c.code.label("indicator"),
                o.c.period,
                o.c.id,
                o.c.city_id,
                o.c.indicator_id,
                o.c.year,
                o.c.status,
            )
            .join(c, c.c.id == o.c.city_id)
            .join(i, i.c.id == o.c.indicator_id)
            .where(o.c.batch_id == batch_id, o.c.city_id.in_(_city_ids(conn, changes))),
            conn,
        )
    shown = changes.merge(ours, on=["city", "indicator", "period"], how="left")
    shown["warning"] = _warnings(engine, shown, tr)
    returned = returned_values(engine, batch_id=batch_id)
    key = ["city", "indicator", "period"]
    comments = returned[[*key, "comment"]].rename(columns={"comment": "returned"})
    shown = shown.merge(comments, on=key, how="left").fillna({"returned": ""})
    flagged = shown["warning"] != ""
    shown = pd.concat([shown[flagged], shown[~flagged]], ignore_index=True)
    return shown[
        ["city", "indicator", "period", "old_value", "new_value", "status", "warning", "returned"]
    ]


def _city_ids(conn: Connection, changes: pd.DataFrame) -> list[int]:
    c = m.table(m.City)
    codes = sorted(set(changes["city"]))
    return list(conn.execute(select(c.c.id).where(c.c.code.in_(codes))).scalars())


def _warnings(engine: Engine, shown: pd.DataFrame, tr: Translator) -> pd.Series:
    """The upload's history warnings (outliers, jumps) of each shown value, against the
    city's other stored values of the indicator (the batch's own values left out)."""
    checked = shown.assign(
        row=shown.index,
        column="",
        number=shown["new_value"],
        value=shown["new_value"].map(lambda v: tr.number(v, 2)),
    ).astype({"city_id": int, "indicator_id": int, "year": int})
    history = store.existing_values(engine, checked)
    history = history[~history["id"].isin(checked["id"])]
    found = history_warnings(checked, history[["city_id", "indicator_id", "year", "value"]], tr)
    if found.empty:
        found = empty_problems()
    messages = found.groupby("row")["message"].agg(" ".join)
    return pd.Series(shown.index.map(messages), index=shown.index).fillna("").astype(str)


def _current_returns() -> Select[Any]:
    """Returned values still their batch's and still submitted, with codes."""
    r, o, c, i = (
        m.table(m.ValueReturn),
        m.table(m.Observation),
        m.table(m.City),
        m.table(m.Indicator),
    )
    return (
        select(
            r.c.batch_id,
            c.c.code.label("city"),
            i.c.code.label("indicator"),
            r.c.period,
            o.c.value,
            r.c.comment,
            r.c.returned_by,
            r.c.returned_at,
        )
        .join(
            o,
            and_(
                o.c.batch_id == r.c.batch_id,
                o.c.city_id == r.c.city_id,
                o.c.indicator_id == r.c.indicator_id,
                o.c.period == r.c.period,
            ),
        )
        .join(c, c.c.id == r.c.city_id)
        .join(i, i.c.id == r.c.indicator_id)
        .where(o.c.status == "submitted")
    )


def returned_values(
    engine: Engine, batch_id: int | None = None, city: str | None = None, period: str | None = None
) -> pd.DataFrame:
    """Values returned and still their batch's: batch_id, city, indicator, period, value,
    comment, returned_by, returned_at."""
    found = _current_returns().subquery()
    statement = select(found).order_by(found.c.city, found.c.indicator, found.c.period)
    if batch_id is not None:
        statement = statement.where(found.c.batch_id == batch_id)
    if city is not None:
        statement = statement.where(found.c.city == city)
    if period is not None:
        statement = statement.where(found.c.period == period)
    with engine.connect() as conn:
        return pd.read_sql(statement, conn)


def review_values(
    engine: Engine, actor: Actor, batch_id: int, approved: list[Key], returned: dict[Key, str]
) -> Reviewed:
    """Approve the `approved` values of a submitted (or returned) batch and return the
    `returned` ones, each with its comment (required). One transaction, audited per step;
    the batch becomes "returned" while any of its values is, "approved" once none is left
    submitted, and stays "submitted" otherwise."""
    steps: tuple[tuple[Action, list[Key]], ...] = (
        ("approve", approved),
        ("return", list(returned)),
    )
    for step, keys in steps:
        if keys:
            access.require(engine, actor, step, "batch", batch_id)
    comments = {key: str(comment).strip() for key, comment in returned.items()}
    _check_comments(comments)
    with writing(engine) as conn:
        state = _reviewable_state(conn, batch_id)
        ids = _observation_ids(conn, batch_id, [*approved, *comments])
        o, r = m.table(m.Observation), m.table(m.ValueReturn)
        if approved:
            conn.execute(
                update(o).where(o.c.id.in_([ids[k][0] for k in approved])).values(status="approved")
            )
        decided = [{"b": batch_id, "c": ids[k][1], "i": ids[k][2], "p": k[2]} for k in ids]
        conn.execute(
            delete(r).where(
                r.c.batch_id == bindparam("b"),
                r.c.city_id == bindparam("c"),
                r.c.indicator_id == bindparam("i"),
                r.c.period == bindparam("p"),
            ),
            decided,
        )
        if comments:
            now = dt.datetime.now(dt.UTC)
            conn.execute(
                insert(r),
                [
                    {
                        "batch_id": batch_id,
                        "city_id": ids[k][1],
                        "indicator_id": ids[k][2],
                        "period": k[2],
                        "comment": text,
                        "returned_by": actor.username,
                        "returned_at": now,
                    }
                    for k, text in comments.items()
                ],
            )
        new_state = _new_state(conn, batch_id)
        _set_state(conn, actor, batch_id, new_state)
        _audit(conn, actor, batch_id, state, new_state, approved, comments)
    return Reviewed(len(approved), len(comments), new_state)


def _check_comments(comments: dict[Key, str]) -> None:
    for (city, indicator, period), comment in comments.items():
        if not comment:
            raise Invalid(
                N_(
                    "Say why {city} · {indicator} · {period} is returned: the focal point reads it."
                ),
                city=city,
                indicator=indicator,
                period=period,
            )
        if len(comment) > COMMENT_LIMIT:
            raise Invalid(
                N_("The comment is {length} characters long; keep it under {limit}."),
                length=len(comment),
                limit=COMMENT_LIMIT,
            )


def _reviewable_state(conn: Connection, batch_id: int) -> str:
    b = m.table(m.UploadBatch)
    row = conn.execute(select(b.c.state, b.c.review_state).where(b.c.id == batch_id)).first()
    if row is None:
        raise Invalid(N_("There is no upload batch #{batch}."), batch=batch_id)
    if row.state == "reverted" or row.review_state not in STEPS["approve"]:
        state = "reverted" if row.state == "reverted" else row.review_state
        raise Invalid(
            WRONG_STATE,
            batch=batch_id,
            state=REVIEW_STATE_LABELS[state],
            step=STEP_WORDS["approve"],
        )
    return str(row.review_state)


def _observation_ids(
    conn: Connection, batch_id: int, keys: list[Key]
) -> dict[Key, tuple[int, int, int]]:
    """(observation id, city id, indicator id) of each key, all of them the batch's values."""
    o, c, i = m.table(m.Observation), m.table(m.City), m.table(m.Indicator)
    rows = conn.execute(
        select(c.c.code, i.c.code, o.c.period, o.c.id, o.c.city_id, o.c.indicator_id)
        .join(c, c.c.id == o.c.city_id)
        .join(i, i.c.id == o.c.indicator_id)
        .where(o.c.batch_id == batch_id, c.c.code.in_({k[0] for k in keys}))
    ).all()
    found = {(r[0], r[1], r[2]): (r[3], r[4], r[5]) for r in rows}
    missing = [k for k in keys if k not in found]
    if missing:
        city, indicator, period = missing[0]
        raise Invalid(
            N_("{city} · {indicator} · {period} is not a value of batch #{batch} (any more)."),
            city=city,
            indicator=indicator,
            period=period,
            batch=batch_id,
        )
    return {k: found[k] for k in keys}


def _new_state(conn: Connection, batch_id: int) -> str:
    """ "returned" while a value is, "approved" once none is left submitted, else "submitted"."""
    returns = _current_returns().where(m.table(m.ValueReturn).c.batch_id == batch_id).limit(1)
    if conn.execute(returns).first() is not None:
        return "returned"
    o = m.table(m.Observation)
    left = conn.execute(
        select(func.count()).where(o.c.batch_id == batch_id, o.c.status == "submitted")
    ).scalar_one()
    return "submitted" if left else "approved"


def _set_state(conn: Connection, actor: Actor, batch_id: int, state: str) -> None:
    b = m.table(m.UploadBatch)
    conn.execute(
        update(b)
        .where(b.c.id == batch_id)
        .values(review_state=state, reviewed_by=actor.username, reviewed_at=func.now())
    )


def _audit(
    conn: Connection,
    actor: Actor,
    batch_id: int,
    before: str,
    after: str,
    approved: list[Key],
    comments: dict[Key, str],
) -> None:
    if approved:
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "approve",
            "batch",
            batch_id,
            {"review_state": before},
            {"review_state": after, "values": len(approved), "by_value": True},
        )
    if comments:
        listed = [
            {"city": k[0], "indicator": k[1], "period": k[2], "comment": text}
            for k, text in list(comments.items())[:AUDITED_KEYS]
        ]
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "return",
            "batch",
            batch_id,
            {"review_state": before},
            {"review_state": after, "values": len(comments), "returned": listed},
        )
