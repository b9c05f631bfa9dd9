"""Signing in: passwords checked against their Argon2id hashes, lockout after repeated
failures, single sign-on mapped onto accounts, and idle sessions.

After `MAX_FAILED_SIGN_INS` wrong passwords in a row for one name from one source, that
source may not try the name for `LOCK_MINUTES` (Throttle); every attempt on an account, right
or wrong, is in the audit log, and tries of unknown names are counted. A session ends after
MNE_SESSION_MINUTES without activity.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, update

from db import models as m
from db.engine import short_write
from mne import audit
from mne.access import AccessError, Actor
from mne.accounts import PASSWORDS, find_account, load_actor
from mne.errors import ErrorKinds
from mne.i18n import N_

MAX_FAILED_SIGN_INS = 5
LOCK_MINUTES = 15
DEFAULT_SESSION_MINUTES = 30
# Verified against when the user name is unknown, so both answers take as long.
_DUMMY_HASH = PASSWORDS.hash("not a password of anyone")


class SignInRefused(AccessError):
    """A sign-in that is refused: the same answer to every wrong try (wrong_password)."""

    kinds = ErrorKinds()
    free = None


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive datetimes (stored as UTC): make every one aware."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt.UTC)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


REFUSED = SignInRefused.define(
    "wrong_password",
    N_(
        "Wrong user name or password. After {n} wrong tries in a row, sign-in from this "
        "device is paused for {minutes} minutes; ask an administrator if you forgot your "
        "password."
    ),
    "A wrong user name or password: the same answer whoever the name belongs to.",
)
WRONG_PASSWORD = REFUSED  # the one answer to every wrong try, whoever the name belongs to
LOCKED = SignInRefused.define(
    "locked",
    N_(
        "This account is locked after {n} failed sign-ins, until {until} UTC. Try again then, "
        "or ask an administrator to unlock it."
    ),
    "Too many failed sign-ins of the account, or from the device: paused until a time.",
)
DISABLED = SignInRefused.define(
    "disabled", N_("This account is disabled. Ask an administrator."), "The account is disabled."
)
NO_ACCOUNT = SignInRefused.define(
    "no_account",
    N_("No account is registered for {email}. Ask an administrator to create one."),
    "Single sign-on of an e-mail address that is no account's.",
)
# Per source (a browser's address; "" for the command line): wrong tries of any names before
# the source itself is paused, and how many sources and names the throttle remembers.
MAX_FAILED_PER_SOURCE = 20
THROTTLE_ENTRIES = 10_000
MAX_NAME_CHARS = 120


@dataclass
class _Tries:
    failures: int = 0
    paused_until: dt.datetime | None = None


class Throttle:
    """Wrong tries counted per (source, name) and per source, in this process, bounded.

    After MAX_FAILED_SIGN_INS wrong tries of one name from one source, that source may not
    try that name for LOCK_MINUTES; after MAX_FAILED_PER_SOURCE wrong tries of any names, it
    may not try any. Another source is not held back: a stranger who types a person's name
    five times pauses only themself (OWASP's advice against lockout as a denial of service).
    Each app server keeps its own counts; the oldest are forgotten past THROTTLE_ENTRIES."""

    def __init__(self) -> None:
        self._tries: OrderedDict[tuple[str, ...], _Tries] = OrderedDict()
        self._guard = threading.Lock()

    def paused_until(self, keys: list[tuple[str, ...]], now: dt.datetime) -> dt.datetime | None:
        with self._guard:
            ends = [
                tries.paused_until
                for key in keys
                if (tries := self._tries.get(key)) is not None
                and tries.paused_until is not None
                and tries.paused_until > now
            ]
        return max(ends, default=None)

    def failed(self, key: tuple[str, ...], limit: int, now: dt.datetime) -> None:
        with self._guard:
            tries = self._tries.pop(key, None) or _Tries()
            if tries.paused_until is not None and tries.paused_until <= now:
                tries = _Tries()  # the pause is over: count afresh
            tries.failures += 1
            if tries.failures >= limit:
                tries.paused_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            self._tries[key] = tries
            while len(self._tries) > THROTTLE_ENTRIES:
                self._tries.popitem(last=False)

    def succeeded(self, key: tuple[str, ...]) -> None:
        with self._guard:
            self._tries.pop(key, None)

    def forget_name(self, store: str, name: str) -> None:
        """An administrator unlocked the account: every source may try it again."""
        folded = name.strip().lower()
        with self._guard:
            for key in [k for k in self._tries if len(k) == 3 and k[0] == store and k[2] == folded]:
                del self._tries[key]

    def clear(self) -> None:
        with self._guard:
            self._tries.clear()


THROTTLE = Throttle()
# Unknown names are not written to the audit log one by one (anyone may type anything): each
# source's tries are counted, and a row is written at the 1st, 10th, 100th... try.
_unknown_tries: OrderedDict[tuple[str, str], int] = OrderedDict()
_unknown_guard = threading.Lock()


def forget_failures(engine: Engine, username: str) -> None:
    """This app server's pauses of the name (an administrator unlocked the account)."""
    THROTTLE.forget_name(_store_key(engine), username)


def _store_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _usable_name(username: str) -> str | None:
    """The name as looked up, or None when it can be no account's (too long, control
    characters: PostgreSQL refuses a NUL in a query, and no account has one)."""
    name = username.strip()
    if not name or len(name) > MAX_NAME_CHARS or any(ord(ch) < 32 or ch == "\x7f" for ch in name):
        return None
    return name


def authenticate(
    engine: Engine,
    username: str,
    password: str,
    now: dt.datetime | None = None,
    source: str = "",
) -> Actor:
    """The account's actor when the password is right; else `SignInRefused` (audited).

    Every wrong try gets the same answer (REFUSED), for a real name, an unknown one, a locked
    or a disabled account, and takes as long (a hash is always verified). Only the right
    password of a locked or disabled account is told why. The password is verified outside
    any transaction; the counters are then written in one short transaction of row updates
    (never the store's write lock on PostgreSQL). `source` (the browser's address) scopes the
    throttle (Throttle); the command line and tests leave it empty."""
    now = now or _now()
    name = _usable_name(username)
    row = None
    if name is not None:
        with engine.connect() as conn:
            row = find_account(conn, name)
    store = _store_key(engine)
    folded = (name or "").lower()
    keys = [(store, source, folded), (store, source)]
    paused = THROTTLE.paused_until(keys, now)
    right = _verify(
        row.password_hash if row is not None and row.password_hash else _DUMMY_HASH, password
    )
    if row is None or not row.password_hash:
        _unknown_name(engine, source, now)
        raise _refusal()
    if not right:
        THROTTLE.failed((store, source, folded), MAX_FAILED_SIGN_INS, now)
        THROTTLE.failed((store, source), MAX_FAILED_PER_SOURCE, now)
        _count_failure(engine, row, source)
        raise _refusal()
    locked_until = _utc(row.locked_until)
    if locked_until is not None and locked_until > now:
        paused = max(paused or locked_until, locked_until)
    if paused is not None:
        _record(engine, row, "sign_in.failed", {"locked": True, "source": source})
        raise SignInRefused(LOCKED, **_locked(paused))
    if not row.is_active:
        _record(engine, row, "sign_in.failed", {"disabled": True, "source": source})
        raise SignInRefused(DISABLED)
    THROTTLE.succeeded((store, source, folded))
    _succeeded(engine, row, password, now)
    actor = load_actor(engine, int(row.id))
    assert actor is not None
    return actor


def _refusal() -> SignInRefused:
    return SignInRefused(REFUSED, n=MAX_FAILED_SIGN_INS, minutes=LOCK_MINUTES)


def _unknown_name(engine: Engine, source: str, now: dt.datetime) -> None:
    """Count a try of a name that is no account's; audited at the 1st, 10th, 100th... try of
    the source, without the name (the log and its filters stay bounded)."""
    key = (_store_key(engine), source)
    with _unknown_guard:
        tries = _unknown_tries.pop(key, 0) + 1
        _unknown_tries[key] = tries
        while len(_unknown_tries) > THROTTLE_ENTRIES:
            _unknown_tries.popitem(last=False)
    THROTTLE.failed((key[0], source), MAX_FAILED_PER_SOURCE, now)
    if tries == 10 ** (len(str(tries)) - 1):
        with short_write(engine) as conn:
            audit.record(
                conn,
                None,
                "",
                "sign_in.unknown_name",
                "user",
                "",
                None,
                {"source": source, "tries": tries},
            )


def _count_failure(engine: Engine, row: Any, source: str) -> None:
    """One more wrong password of the account: a row update in a short transaction."""
    with short_write(engine) as conn:
        conn.execute(
            update(m.AppUser)
            .where(m.AppUser.id == row.id)
            .values(failed_logins=m.AppUser.failed_logins + 1)
        )
        after = {"failed_logins": int(row.failed_logins) + 1, "source": source}
        audit.record(
            conn, row.id, row.username, "sign_in.failed", "user", row.username, None, after
        )


def _record(engine: Engine, row: Any, action: str, after: dict[str, Any] | None = None) -> None:
    with short_write(engine) as conn:
        audit.record(conn, row.id, row.username, action, "user", row.username, None, after)


def _succeeded(engine: Engine, row: Any, password: str, now: dt.datetime) -> None:
    values: dict[str, Any] = {"failed_logins": 0, "locked_until": None, "last_login_at": now}
    if PASSWORDS.check_needs_rehash(row.password_hash):
        values["password_hash"] = PASSWORDS.hash(password)  # before the transaction opens
    with short_write(engine) as conn:
        conn.execute(update(m.AppUser).where(m.AppUser.id == row.id).values(**values))
        audit.record(conn, row.id, row.username, "sign_in", "user", row.username)


def _locked(until: dt.datetime) -> dict[str, Any]:
    return {"n": MAX_FAILED_SIGN_INS, "until": f"{until:%Y-%m-%d %H:%M}"}


# Argon2 checks at once: one per core. A burst of sign-ins (the morning's first 50) then
# finishes one after another, the first in half a second, instead of all sharing the cores
# and all finishing at the end of the burst (`python -m mne bench load`).
_HASHING = threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def _verify(password_hash: str, password: str) -> bool:
    try:
        with _HASHING:
            return bool(PASSWORDS.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def sign_in_external(engine: Engine, email: str) -> Actor:
    """Single sign-on: the identity provider vouched for `email`; the account with that user
    name (any case) gives the role. No account, or a disabled one, is refused (audited)."""
    with short_write(engine) as conn:  # sign-in bookkeeping
        row = find_account(conn, email) if _usable_name(email) else None
        if row is None or not row.is_active:
            audit.record(
                conn,
                None,
                email[:120].replace("\x00", ""),
                "sign_in.failed",
                "user",
                email[:80].replace("\x00", ""),
                None,
                {"sso": True},
            )
        else:
            conn.execute(
                update(m.AppUser).where(m.AppUser.id == row.id).values(last_login_at=_now())
            )
            audit.record(
                conn, row.id, row.username, "sign_in", "user", row.username, None, {"sso": True}
            )
    if row is None:
        raise SignInRefused(NO_ACCOUNT, email=email)
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
