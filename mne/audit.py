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
from db.engine import short_write
from mne.i18n import MISSING, N_, Translator

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
    change nothing a cached read shows (so the store version stays). A short write: on
    PostgreSQL it does not wait for an import holding the store's write lock."""
    with short_write(engine) as conn:
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


# --- What a person reads in the audit log ------------------------------------------------------

ACTION_NAMES = {
    "import": N_("Upload stored"),
    "revert": N_("Upload reverted"),
    "approve": N_("Upload approved"),
    "return": N_("Upload returned"),
    "reopen": N_("Upload reopened"),
    "sign_in": N_("Signed in"),
    "sign_in.failed": N_("Sign-in failed"),
    "sign_out": N_("Signed out"),
    "user.create": N_("Account created"),
    "user.set_role": N_("Role changed"),
    "user.enable": N_("Account enabled"),
    "user.disable": N_("Account disabled"),
    "user.set_password": N_("Password changed"),
    "user.unlock": N_("Account unlocked"),
    "target.set": N_("Target set"),
    "target.remove": N_("Target removed"),
    "task_update": N_("Task progress reported"),
    "edit_task": N_("Task added or changed"),
    "demo.load": N_("Demo data loaded"),
    "demo.remove": N_("Demo data removed"),
    "api_token.create": N_("API token made"),
    "api_token.revoke": N_("API token revoked"),
    "api_token.refused": N_("API token refused"),
    "api.import": N_("Imported through the API"),
}
DENIED = N_("Refused: {action}")
ENTITY_NAMES = {
    "batch": N_("Upload"),
    "user": N_("Account"),
    "target": N_("Target"),
    "task": N_("Task"),
    "demo": N_("Demo data"),
    "api_token": N_("API token"),
    "api": N_("API"),
}
FIELD_NAMES = {
    "review_state": N_("Approval"),
    "comment": N_("Comment"),
    "values": N_("Values"),
    "role": N_("Role"),
    "cities": N_("Cities"),
    "display_name": N_("Name"),
    "reason": N_("Reason"),
    "value": N_("Value"),
    "state": N_("State"),
    "locked_until": N_("Locked until"),
    "percent_complete": N_("% complete"),
    "status": N_("Status"),
    "report": N_("Progress report"),
    "date": N_("Date"),
    "note": N_("Note"),
    "sso": N_("Single sign-on"),
    "is_active": N_("Active"),
    "group": N_("Task group"),
    "title_vi": N_("Vietnamese title"),
    "title_en": N_("English title"),
    "title_id": N_("Indonesian title"),
    "lead_agency": N_("Lead agency"),
    "partners": N_("Partners"),
    "start_date": N_("Start"),
    "due_date": N_("Due"),
    "indicators": N_("Linked indicators"),
}


BATCH_STATES = {"committed": N_("Stored"), "reverted": N_("Reverted")}


def _value_names() -> dict[str, dict[str, str]]:
    """Per field, the names of its coded values (imported here: those rooms write audit rows)."""
    from mne.access import ROLE_LABELS
    from mne.approval import REVIEW_STATE_LABELS
    from mne.tasks import TASK_STATUS_LABELS

    return {
        "review_state": REVIEW_STATE_LABELS,
        "role": ROLE_LABELS,
        "status": TASK_STATUS_LABELS,
        "state": BATCH_STATES,
    }


def action_name(action: str, tr: Translator) -> str:
    """An audit action in the user's language ("approve" -> "Upload approved")."""
    if action.endswith(".denied"):
        from mne.access import action_label

        return tr(DENIED, action=tr(action_label(action.removesuffix(".denied"))))
    return tr(ACTION_NAMES[action]) if action in ACTION_NAMES else action


def _readable(value: Any, tr: Translator, field: str = "") -> str:
    names = _value_names().get(field, {})
    if isinstance(value, str) and value in names:
        return tr(names[value])
    if value is None or value == "":
        return MISSING
    if isinstance(value, bool):
        return tr("yes") if value else tr("no")
    if isinstance(value, int | float):
        return tr.value(value)
    if isinstance(value, list):
        return ", ".join(_readable(v, tr) for v in value) or MISSING
    if isinstance(value, dict):
        return "; ".join(
            f"{tr(FIELD_NAMES[k]) if k in FIELD_NAMES else k}: {_readable(v, tr, k)}"
            for k, v in value.items()
        )
    return str(value)


def readable_change(text: str | None, tr: Translator) -> str:
    """A before/after JSON value as "Field: value; ..." in the user's language."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or text == "":
        return MISSING
    try:
        value = json.loads(text)
    except (TypeError, ValueError):
        return str(text)
    return _readable(value, tr)


def audit_display(frame: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """The audit rows as a person reads them: local times, actions and entities named in the
    language, before and after as "Field: value" instead of JSON."""
    return frame.assign(
        at=tr.datetimes(frame["at"]),
        action=frame["action"].map(lambda a: action_name(str(a), tr)),
        entity=frame["entity"].map(
            lambda e: tr(ENTITY_NAMES[e]) if e in ENTITY_NAMES else (e or MISSING)
        ),
        entity_id=frame["entity_id"].map(lambda v: v or MISSING),
        before=frame["before"].map(lambda v: readable_change(v, tr)),
        after=frame["after"].map(lambda v: readable_change(v, tr)),
    )
