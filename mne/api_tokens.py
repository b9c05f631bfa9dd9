"""Bearer tokens of accounts for the HTTP API (/api/v1/, mne.api).

An administrator makes a token for an account (Accounts page, `python -m mne token add`); it
is shown once and only its SHA-256 is stored, with a name, a scope ("read" or "read+import"),
an expiry and, once used, when it was last used. A token acts as its account: the account's
role and cities limit what it does, exactly as on the pages, and a disabled account's tokens
sign nobody in. Making and revoking tokens is audited, and so is every refused token.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Literal

import pandas as pd
from sqlalchemy import Engine, insert, select, update

from db import models as m
from db.engine import StoreBusy, best_effort_write, writing
from mne import audit
from mne.access import Actor, Invalid, require
from mne.accounts import find_account, load_actor
from mne.i18n import N_
from mne.sessions import token_hash

SCOPES = m.TOKEN_SCOPES
SCOPE_LABELS = {"read": N_("read"), "read+import": N_("read and import")}
PREFIX = "mne_"
DEFAULT_DAYS = 90
MAX_DAYS = 730
# last_used_at is written at most this often, so reads do not each take the write lock.
TOUCH_EVERY = dt.timedelta(seconds=60)

Refusal = Literal["missing", "unknown", "revoked", "expired", "disabled"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class TokenCheck:
    """What a bearer token is worth now: the account it acts as with its scope, or why none."""

    actor: Actor | None
    scope: str = ""
    token_id: int | None = None
    refused: Refusal | None = None

    def may_import(self) -> bool:
        return self.scope == "read+import"


def add(
    engine: Engine,
    actor: Actor,
    username: str,
    name: str,
    scope: str = "read",
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> tuple[int, str]:
    """A new token of the account `username`: (its id, the token). The token is not stored
    and cannot be shown again."""
    require(engine, actor, "manage_users", "api_token", username)
    if scope not in SCOPES:
        raise Invalid(
            N_("Unknown scope “{scope}”. Choose one of: {scopes}."),
            scope=scope,
            scopes=", ".join(SCOPES),
        )
    if not 1 <= days <= MAX_DAYS:
        raise Invalid(N_("A token lasts 1 to {n} days."), n=MAX_DAYS)
    name = name.strip()[:120]
    if not name:
        raise Invalid(N_("Give the token a name that says who or what uses it."))
    now = now or _now()
    token = PREFIX + secrets.token_urlsafe(32)
    with writing(engine, advances_version=False) as conn:
        user = find_account(conn, username)
        if user is None:
            raise Invalid(N_("There is no account “{username}”."), username=username)
        token_id = conn.execute(
            insert(m.table(m.ApiToken)).returning(m.ApiToken.id),
            {
                "token_hash": token_hash(token),
                "user_id": user.id,
                "name": name,
                "scope": scope,
                "created_at": now,
                "created_by": actor.username[:120],
                "expires_at": now + dt.timedelta(days=days),
            },
        ).scalar_one()
        after = {"name": name, "scope": scope, "expires_at": (now + dt.timedelta(days=days))}
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "api_token.create",
            "user",
            user.username,
            None,
            {"token": int(token_id), **after},
        )
    return int(token_id), token


def revoke(engine: Engine, actor: Actor, token_id: int, now: dt.datetime | None = None) -> bool:
    """Revoke a token (at once, on every server). False when there is no such live token."""
    require(engine, actor, "manage_users", "api_token", token_id)
    t, u = m.table(m.ApiToken), m.table(m.AppUser)
    with writing(engine, advances_version=False) as conn:
        row = conn.execute(
            select(t.c.id, t.c.name, u.c.username)
            .join(u, u.c.id == t.c.user_id)
            .where(t.c.id == int(token_id), t.c.revoked_at.is_(None))
        ).first()
        if row is None:
            return False
        conn.execute(update(t).where(t.c.id == row.id).values(revoked_at=now or _now()))
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "api_token.revoke",
            "user",
            row.username,
            None,
            {"token": int(row.id), "name": row.name},
        )
    return True


TOKEN_COLUMNS = [
    "id",
    "username",
    "name",
    "scope",
    "created_at",
    "expires_at",
    "revoked_at",
    "last_used_at",
]


def tokens_frame(engine: Engine, username: str | None = None) -> pd.DataFrame:
    """The tokens (never their secret), newest first: TOKEN_COLUMNS."""
    t, u = m.table(m.ApiToken), m.table(m.AppUser)
    statement = (
        select(
            t.c.id,
            u.c.username,
            t.c.name,
            t.c.scope,
            t.c.created_at,
            t.c.expires_at,
            t.c.revoked_at,
            t.c.last_used_at,
        )
        .join(u, u.c.id == t.c.user_id)
        .order_by(t.c.id.desc())
    )
    if username:
        statement = statement.where(u.c.username == username)
    with engine.connect() as conn:
        frame = pd.read_sql(statement, conn)
    for column in ("created_at", "expires_at", "revoked_at", "last_used_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def check(engine: Engine, token: str | None, now: dt.datetime | None = None) -> TokenCheck:
    """The account (as an Actor) and scope `token` acts with now, or why it acts as nobody.
    A refused token is audited; a used one's last use brought up to date (every minute)."""
    if not token:
        return TokenCheck(None, refused="missing")
    now = now or _now()
    t, u = m.table(m.ApiToken), m.table(m.AppUser)
    with engine.connect() as conn:
        row = conn.execute(
            select(t, u.c.username, u.c.is_active)
            .join(u, u.c.id == t.c.user_id)
            .where(t.c.token_hash == token_hash(token[:200]))
        ).first()
    refused: Refusal | None = None
    if row is None:
        refused = "unknown"
    elif row.revoked_at is not None:
        refused = "revoked"
    elif now >= _utc(row.expires_at):
        refused = "expired"
    actor = load_actor(engine, int(row.user_id)) if row is not None and refused is None else None
    if row is not None and refused is None and actor is None:
        refused = "disabled"
    if refused is not None:
        audit.record_alone(
            engine,
            None if row is None else row.user_id,
            "" if row is None else row.username,
            "api_token.refused",
            "api_token",
            "" if row is None else row.id,
            None,
            {"reason": refused},
        )
        return TokenCheck(None, refused=refused)
    assert row is not None and actor is not None
    if row.last_used_at is None or now - _utc(row.last_used_at) >= TOUCH_EVERY:
        try:
            with best_effort_write(engine) as conn:
                conn.execute(update(t).where(t.c.id == row.id).values(last_used_at=now))
        except StoreBusy:  # a long import holds SQLite's write lock: touched on a later call
            pass
    return TokenCheck(actor, scope=row.scope, token_id=int(row.id))
