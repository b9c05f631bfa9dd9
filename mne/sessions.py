"""Signed-in browsers, kept in the store so every reload, tab and app server agrees.

A sign-in ends in an HTTP response that sets the `COOKIE_NAME` cookie to a random token
(HttpOnly, SameSite=Lax, Secure over HTTPS). The store keeps only the token's SHA-256, the
account, when it started and was last seen, its absolute expiry and, once it ends, when and why.
Every HTML page load (mne.web) and every Streamlit run (pages/_ui) checks the token here, so a
session revoked on one server is over on all of them at the browser's next action.

A session ends after MNE_SESSION_MINUTES without activity, MNE_SESSION_HOURS after it
started, at sign-out, and when its account is disabled, gets a new password or an
administrator ends its sessions. Starting, ending and refusing sessions is audited; a refused
token is audited once (an ended session is marked, so its stale cookie adds no rows).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Connection, Engine, insert, select, update

from db import models as m
from db.engine import StoreBusy, best_effort_write, short_write
from mne import audit

COOKIE_NAME = "mne_session"
DEFAULT_IDLE_MINUTES = 30
DEFAULT_ABSOLUTE_HOURS = 12
# last_seen_at is written at most this often, so page runs do not each take the write lock;
# idle expiry is therefore exact to within this many seconds.
TOUCH_EVERY = dt.timedelta(seconds=60)
CODE_SECONDS = 60

Ended = Literal["expired", "revoked", "disabled", "unknown"]


@dataclass(frozen=True)
class Check:
    """What a token is worth now: the account it signs in, or why it signs in nobody."""

    user_id: int | None
    ended: Ended | None = None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _utc(value: dt.datetime) -> dt.datetime:
    """SQLite hands back naive datetimes (stored as UTC): make every one aware."""
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _minutes_setting(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


def idle_minutes() -> int:
    """Minutes without activity after which a session ends (MNE_SESSION_MINUTES)."""
    return _minutes_setting("MNE_SESSION_MINUTES", DEFAULT_IDLE_MINUTES)


def absolute_hours() -> int:
    """Hours after its start at which a session ends whatever its activity."""
    return _minutes_setting("MNE_SESSION_HOURS", DEFAULT_ABSOLUTE_HOURS)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start(
    engine: Engine, user_id: int, user_agent: str = "", now: dt.datetime | None = None
) -> str:
    """A new session for the account (its password or single sign-on already checked): the
    token for the cookie. Only its hash is stored."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    with short_write(engine) as conn:  # no cached read shows sessions
        conn.execute(
            insert(m.table(m.AppSession)).values(
                token_hash=token_hash(token),
                user_id=user_id,
                created_at=now,
                last_seen_at=now,
                expires_at=now + dt.timedelta(hours=absolute_hours()),
                user_agent=user_agent[:300],
            )
        )
    return token


def check(engine: Engine, token: str | None, now: dt.datetime | None = None) -> Check:
    """The account `token` signs in now, or why none. A live session's last activity is
    brought up to date (at most every TOUCH_EVERY); a session found over is marked ended and
    audited once."""
    if not token:
        return Check(None)
    now = now or _now()
    s, u = m.table(m.AppSession), m.table(m.AppUser)
    with engine.connect() as conn:
        row = conn.execute(
            select(s, u.c.username, u.c.is_active)
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.token_hash == token_hash(token))
        ).first()
    if row is None:
        audit.record_alone(
            engine, None, "", "session.refused", "session", "", None, {"reason": "unknown"}
        )
        return Check(None, "unknown")
    if row.revoked_at is not None:
        return Check(None, "revoked")
    ended = _why_over(row, now)
    if ended is not None:
        _end(engine, row, ended, now)
        return Check(None, ended)
    if now - _utc(row.last_seen_at) >= TOUCH_EVERY:
        try:
            with best_effort_write(engine) as conn:
                conn.execute(update(s).where(s.c.id == row.id).values(last_seen_at=now))
        except StoreBusy:  # a long import holds SQLite's write lock: touched on a later run
            pass
    return Check(int(row.user_id))


def _why_over(row: Any, now: dt.datetime) -> Ended | None:
    if not row.is_active:
        return "disabled"
    idle = dt.timedelta(minutes=idle_minutes())
    if now - _utc(row.last_seen_at) > idle or now >= _utc(row.expires_at):
        return "expired"
    return None


def _end(engine: Engine, row: Any, reason: str, now: dt.datetime) -> None:
    """Mark one session over (if no other request did first) and audit why, once."""
    s = m.table(m.AppSession)
    session_id, username = row.id, row.username
    with short_write(engine) as conn:
        ended = conn.execute(
            update(s)
            .where(s.c.id == session_id, s.c.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason)
        ).rowcount
        if ended:
            audit.record(
                conn,
                row.user_id,
                username,
                "session.end",
                "user",
                username,
                None,
                {"reason": reason},
            )


def sign_out(engine: Engine, token: str | None, now: dt.datetime | None = None) -> None:
    """End the browser's session (audited as a sign-out); a token already over does nothing."""
    if not token:
        return
    now = now or _now()
    s, u = m.table(m.AppSession), m.table(m.AppUser)
    with short_write(engine) as conn:
        row = conn.execute(
            select(s.c.id, s.c.user_id, u.c.username)
            .join(u, u.c.id == s.c.user_id)
            .where(s.c.token_hash == token_hash(token), s.c.revoked_at.is_(None))
        ).first()
        if row is None:
            return
        conn.execute(
            update(s).where(s.c.id == row.id).values(revoked_at=now, revoked_reason="sign_out")
        )
        audit.record(conn, row.user_id, row.username, "sign_out", "user", row.username)


def end_all(conn: Connection, user_id: int, reason: str, now: dt.datetime | None = None) -> int:
    """Inside the caller's write (disable, new password, an administrator's "end sessions"):
    end every open session of the account. Returns how many ended."""
    s = m.table(m.AppSession)
    return int(
        conn.execute(
            update(s)
            .where(s.c.user_id == user_id, s.c.revoked_at.is_(None))
            .values(revoked_at=now or _now(), revoked_reason=reason)
        ).rowcount
    )


def open_count(engine: Engine, user_id: int, now: dt.datetime | None = None) -> int:
    """The account's sessions not ended (some may be idle past their expiry, ended on use)."""
    s = m.table(m.AppSession)
    now = now or _now()
    with engine.connect() as conn:
        rows = conn.execute(
            select(s.c.id).where(
                s.c.user_id == user_id, s.c.revoked_at.is_(None), s.c.expires_at > now
            )
        ).all()
    return len(rows)


def issue_code(engine: Engine, user_id: int, now: dt.datetime | None = None) -> str:
    """A single-use code, valid CODE_SECONDS, that /session exchanges for the cookie."""
    now = now or _now()
    code = secrets.token_urlsafe(32)
    with short_write(engine) as conn:
        conn.execute(
            insert(m.table(m.SignInCode)).values(
                code_hash=token_hash(code),
                user_id=user_id,
                expires_at=now + dt.timedelta(seconds=CODE_SECONDS),
            )
        )
    return code


def redeem_code(engine: Engine, code: str, user_agent: str = "") -> str | None:
    """A new session's token for an unused, unexpired code (which is then used up), else None."""
    now = _now()
    c = m.table(m.SignInCode)
    with short_write(engine) as conn:
        user_id = conn.execute(
            update(c)
            .where(c.c.code_hash == token_hash(code), c.c.used_at.is_(None), c.c.expires_at > now)
            .values(used_at=now)
            .returning(c.c.user_id)
        ).scalar()
    if user_id is None:
        audit.record_alone(
            engine, None, "", "session.refused", "session", "", None, {"reason": "code"}
        )
        return None
    return start(engine, int(user_id), user_agent, now)
