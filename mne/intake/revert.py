"""Revert an upload batch: restore the values it replaced, remove those it added, mark it
reverted, in one transaction under the store's write lock (what mne.intake.store's commit
moved to observation_history comes back exactly).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    case,
    delete,
    func,
    select,
    update,
)

from db import models as m
from db.engine import writing
from mne import access, audit
from mne.access import Actor
from mne.errors import ErrorKinds, UserError
from mne.i18n import N_
from mne.intake import store


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
        store.before_commit()  # the tests of killed writes stop here
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
