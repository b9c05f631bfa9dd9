"""Data approval, as DHIS2 does it: a focal point's upload is "submitted"; a ministry analyst
approves the batch (its values become "approved", counted on dashboards and in reports by
default, and locked against focal points' uploads) or returns it with a comment; an approved
batch can be reopened, which makes its values submitted again.

Each step is one transaction under the write lock, with its audit row."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy import Connection, Engine, delete, func, select, update

from db import models as m
from db.engine import writing
from mne import access, audit
from mne.access import Action, Actor, Invalid
from mne.i18n import N_

COMMENT_LIMIT = 2000
REVIEW_STATE_LABELS = {
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "returned": N_("Returned"),
    "reverted": N_("Reverted"),
}
# Which review states each step starts from.
STEPS = {
    "approve": ("submitted", "returned"),
    "return": ("submitted",),
    "reopen": ("approved",),
}
WRONG_STATE = N_("Batch #{batch} is {state}: it cannot be {step} now.")
STEP_WORDS = {"approve": N_("approved"), "return": N_("returned"), "reopen": N_("reopened")}


def _batch(conn: Connection, batch_id: int) -> Any:
    b = m.table(m.UploadBatch)
    row = conn.execute(
        select(b.c.id, b.c.state, b.c.review_state, b.c.review_comment).where(b.c.id == batch_id)
    ).first()
    if row is None:
        raise Invalid(N_("There is no upload batch #{batch}."), batch=batch_id)
    return row


def _review(
    engine: Engine, actor: Actor, step: Action, batch_id: int, new_state: str, comment: str
) -> int:
    """Move a batch to `new_state`, its current values' status with it. Returns how many
    values changed status."""
    access.require(engine, actor, step, "batch", batch_id)
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise Invalid(
            N_("The comment is {length} characters long; keep it under {limit}."),
            length=len(comment),
            limit=COMMENT_LIMIT,
        )
    b, o, r = m.table(m.UploadBatch), m.table(m.Observation), m.table(m.ValueReturn)
    with writing(engine) as conn:
        batch = _batch(conn, batch_id)
        if batch.state == "reverted" or batch.review_state not in STEPS[step]:
            state = "reverted" if batch.state == "reverted" else batch.review_state
            raise Invalid(
                WRONG_STATE,
                batch=batch_id,
                state=REVIEW_STATE_LABELS[state],
                step=STEP_WORDS[step],
            )
        status = "approved" if new_state == "approved" else "submitted"
        changed = conn.execute(
            update(o).where(o.c.batch_id == batch_id, o.c.status != status).values(status=status)
        ).rowcount
        if new_state == "approved":  # the whole batch: no value of it is returned any more
            conn.execute(delete(r).where(r.c.batch_id == batch_id))
        conn.execute(
            update(b)
            .where(b.c.id == batch_id)
            .values(
                review_state=new_state,
                reviewed_by=actor.username,
                reviewed_at=func.now(),
                review_comment=comment,
            )
        )
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            step,
            "batch",
            batch_id,
            {"review_state": batch.review_state, "comment": batch.review_comment},
            {"review_state": new_state, "comment": comment, "values": int(changed)},
        )
    return int(changed)


def approve_batch(engine: Engine, actor: Actor, batch_id: int, comment: str = "") -> int:
    """Approve a submitted (or returned and since corrected) batch; returns values approved."""
    return _review(engine, actor, "approve", batch_id, "approved", comment)


def return_batch(engine: Engine, actor: Actor, batch_id: int, comment: str) -> int:
    """Send a submitted batch back to its focal point; a comment saying why is required."""
    if not comment.strip():
        access.require(engine, actor, "return", "batch", batch_id)
        raise Invalid(N_("Say why the batch is returned: the focal point reads the comment."))
    return _review(engine, actor, "return", batch_id, "returned", comment)


def reopen_batch(engine: Engine, actor: Actor, batch_id: int, comment: str = "") -> int:
    """Unlock an approved batch: its values become submitted again."""
    return _review(engine, actor, "reopen", batch_id, "submitted", comment)


def review_queue(
    engine: Engine, states: tuple[str, ...] = ("submitted", "returned")
) -> pd.DataFrame:
    """Committed batches in `states`, oldest first, with their cities (codes): id, created_at,
    user_name, file_name, rows, inserted, updated, review_state, reviewed_by, review_comment,
    cities, values (current values of the batch)."""
    b, o, c = m.table(m.UploadBatch), m.table(m.Observation), m.table(m.City)
    with engine.connect() as conn:
        batches = pd.read_sql(
            select(
                b.c.id,
                b.c.created_at,
                b.c.user_name,
                b.c.file_name,
                b.c.rows,
                b.c.inserted,
                b.c.updated,
                b.c.review_state,
                b.c.reviewed_by,
                b.c.review_comment,
            )
            .where(b.c.state == "committed", b.c.review_state.in_(states), ~b.c.is_demo)
            .order_by(b.c.id),
            conn,
        )
        per_city = pd.read_sql(
            select(o.c.batch_id, c.c.code, func.count().label("values"))
            .join(c, c.c.id == o.c.city_id)
            .join(b, b.c.id == o.c.batch_id)
            .where(b.c.state == "committed", b.c.review_state.in_(states), ~b.c.is_demo)
            .group_by(o.c.batch_id, c.c.code),
            conn,
        )
    cities = per_city.sort_values("code").groupby("batch_id")["code"].agg(", ".join)
    values = per_city.groupby("batch_id")["values"].sum()
    batches["cities"] = batches["id"].map(cities).fillna("")
    batches["values"] = batches["id"].map(values).fillna(0).astype(int)
    return batches
