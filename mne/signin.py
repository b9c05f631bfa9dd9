"""Signing in: passwords checked against their Argon2id hashes, lockout after repeated
failures, single sign-on mapped onto accounts, and idle sessions.

After `MAX_FAILED_SIGN_INS` wrong passwords in a row an account is locked for `LOCK_MINUTES`;
every attempt, right or wrong, is in the audit log. A session ends after
MNE_SESSION_MINUTES without activity.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, update

from db import models as m
from db.engine import writing
from mne import audit
from mne.access import PASSWORDS, AccessError, Actor, find_account, load_actor
from mne.i18n import N_

MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
DEFAULT_SESSION_MINUTES = 30
# Verified against when the user name is unknown, so both answers take as long.
_DUMMY_HASH = PASSWORDS.hash("not a password of anyone")


class SignInRefused(AccessError):
    pass


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes (stored as UTC): make every one aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


WRONG_PASSWORD = N_("Wrong user name or password.")
LOCKED = N_(
    "This account is locked after {n} failed sign-ins, until {until} UTC. Try again then, or "
    "ask an administrator to unlock it."
)
DISABLED = N_("This account is disabled. Ask an administrator.")


def _failed(conn: Connection, row: Any, now: dt.datetime) -> dt.datetime | None:
    """Count a wrong password; lock the account at the fifth in a row. Returns the lock's end."""
    failures = row.failed_logins + 1
    locked_until = (
        now + dt.timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILED_SIGN_INS else None
    )
    conn.execute(
        update(m.AppUser)
        .where(m.AppUser.id == row.id)
        .values(failed_logins=0 if locked_until else failures, locked_until=locked_until)
    )
    after = {"failed_logins": failures, "locked_until": locked_until}
    audit.record(conn, row.id, row.username, "sign_in.failed", "user", row.username, None, after)
    return locked_until


def authenticate(
    engine: Engine, username: str, password: str, now: dt.datetime | None = None
) -> Actor:
    """The account's actor when the password is right; else `SignInRefused` (audited)."""
    now = now or _now()
    with writing(engine, advances_version=False) as conn:  # sign-in bookkeeping
        row = find_account(conn, username)
        if row is None or not row.password_hash:
            _verify(_DUMMY_HASH, password)
            audit.record(
                conn, None, username.strip()[:120], "sign_in.failed", "user", username[:80]
            )
            refusal: SignInRefused | None = SignInRefused(WRONG_PASSWORD)
        else:
            refusal = _check_sign_in(conn, row, password, now)
    if refusal is not None:
        raise refusal
    assert row is not None
    actor = load_actor(engine, int(row.id))
    assert actor is not None
    return actor


def _refused(
    conn: Connection, row: Any, reason: str, template: str, **values: Any
) -> SignInRefused:
    """A refused sign-in of an existing account, audited with why."""
    audit.record(
        conn, row.id, row.username, "sign_in.failed", "user", row.username, None, {reason: True}
    )
    return SignInRefused(template, **values)


def _locked(until: dt.datetime) -> dict[str, Any]:
    return {"n": MAX_FAILED_SIGN_INS, "until": f"{until:%Y-%m-%d %H:%M}"}


def _check_sign_in(
    conn: Connection, row: Any, password: str, now: dt.datetime
) -> SignInRefused | None:
    locked_until = _utc(row.locked_until)
    if locked_until is not None and locked_until > now:
        return _refused(conn, row, "locked", LOCKED, **_locked(locked_until))
    if not _verify(row.password_hash, password):
        locked = _failed(conn, row, now)
        if locked is not None:
            return SignInRefused(LOCKED, **_locked(locked))
        return SignInRefused(WRONG_PASSWORD)
    if not row.is_active:
        return _refused(conn, row, "disabled", DISABLED)
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if PASSWORDS.check_needs_rehash(row.password_hash):
        values["password_hash"] = PASSWORDS.hash(password)
    conn.execute(update(m.AppUser).where(m.AppUser.id == row.id).values(**values))
    audit.record(conn, row.id, row.username, "sign_in", "user", row.username)
    return None


def _verify(password_hash: str, password: str) -> bool:
    try:
        return bool(PASSWORDS.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def sign_in_external(engine: Engine, email: str) -> Actor:
    """Single sign-on: the identity provider vouched for `email`; the account with that user
    name (any case) gives the role. No account, or a disabled one, is refused (audited)."""
    with writing(engine, advances_version=False) as conn:  # sign-in bookkeeping
        row = find_account(conn, email)
        if row is None or not row.is_active:
            audit.record(
                conn, None, email[:120], "sign_in.failed", "user", email[:80], None, {"sso": True}
            )
        else:
            conn.execute(
                update(m.AppUser).where(m.AppUser.id == row.id).values(last_login_at=_now())
            )
            audit.record(
                conn, row.id, row.username, "sign_in", "user", row.username, None, {"sso": True}
            )
    if row is None:
        raise SignInRefused(
            N_("No account is registered for {email}. Ask an administrator to create one."),
            email=email,
        )
    if not row.is_active:
        raise SignInRefused(DISABLED)
    actor = load_actor(engine, int(row.id))
    assert actor is not None
    return actor


def sign_out(engine: Engine, actor: Actor, reason: str = "") -> None:
    audit.record_alone(
        engine,
        actor.user_id,
        actor.username,
        "sign_out",
        "user",
        actor.username,
        None,
        {"reason": reason} if reason else None,
    )


def session_minutes() -> int:
    """Minutes without activity after which a session ends (MNE_SESSION_MINUTES)."""
    try:
        return max(1, int(os.environ.get("MNE_SESSION_MINUTES", DEFAULT_SESSION_MINUTES)))
    except ValueError:
        return DEFAULT_SESSION_MINUTES


def session_expired(last_seen: float, now: float, minutes: int) -> bool:
    """True when more than `minutes` passed between two requests (times in seconds)."""
    return now - last_seen > minutes * 60
