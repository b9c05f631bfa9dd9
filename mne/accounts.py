"""Accounts: who may sign in, with which role and cities; adding, changing, disabling and
unlocking them, and loading the acting user (an access.Actor) of an account.

Passwords are hashed with Argon2id (argon2-cffi, the OWASP recommendation); signing in,
lockout and sessions are in mne.signin. Every change here goes through access.require.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd
from argon2 import PasswordHasher
from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from db import models as m
from db.engine import writing
from mne import audit, sessions
from mne.access import ROLES, Actor, Invalid, require
from mne.i18n import N_

MIN_PASSWORD_LENGTH = 10
_USERNAME = re.compile(r"^[\w.@+-]{3,120}$")

# Argon2id with argon2-cffi's defaults (OWASP's first choice); mne.signin verifies with it.
PASSWORDS = PasswordHasher()


def has_accounts(engine: Engine) -> bool:
    """Once any account exists, every page asks for sign-in."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(m.AppUser)).scalar_one() > 0


def _check_username(username: str) -> str:
    username = username.strip()
    if not _USERNAME.match(username):
        raise Invalid(
            N_(
                "“{username}” is not a valid user name: use 3 to 120 letters, digits or . _ - @ +,"
                " without spaces."
            ),
            username=username,
        )
    return username


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            N_("The password is too short: use at least {n} characters."), n=MIN_PASSWORD_LENGTH
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise Invalid(
            N_("Unknown role “{role}”. Choose one of: {roles}."), role=role, roles=", ".join(ROLES)
        )


def _city_ids(conn: Connection, codes: list[str] | tuple[str, ...]) -> dict[str, int]:
    wanted = [c.strip().upper() for c in codes if c.strip()]
    found = dict(conn.execute(select(m.City.code, m.City.id).where(m.City.code.in_(wanted))).all())
    unknown = sorted(set(wanted) - set(found))
    if unknown:
        raise Invalid(
            N_("Unknown city code: {codes}. See `python -m mne catalog --json`."),
            codes=", ".join(unknown),
        )
    return found


def find_account(conn: Connection, username: str) -> Any:
    """The app_user row whose user name is `username` in any case, or None."""
    wanted = func.lower(m.AppUser.username) == username.strip().lower()
    return conn.execute(select(m.table(m.AppUser)).where(wanted)).first()


def _user_row(conn: Connection, username: str) -> Any:
    row = find_account(conn, username)
    if row is None:
        raise Invalid(N_("There is no account “{username}”."), username=username)
    return row


def _user_cities(conn: Connection, user_id: int) -> list[str]:
    statement = (
        select(m.City.code)
        .join(m.UserCity, m.UserCity.city_id == m.City.id)
        .where(m.UserCity.user_id == user_id)
        .order_by(m.City.code)
    )
    return list(conn.execute(statement).scalars())


def _set_cities(conn: Connection, user_id: int, city_ids: dict[str, int]) -> None:
    conn.execute(delete(m.UserCity).where(m.UserCity.user_id == user_id))
    if city_ids:
        conn.execute(
            insert(m.UserCity), [{"user_id": user_id, "city_id": i} for i in city_ids.values()]
        )


def _needs_cities(role: str, city_ids: dict[str, int]) -> None:
    if role == "focal_point" and not city_ids:
        raise Invalid(N_("A city focal point needs at least one city (--city CODE)."))


def create_user(
    engine: Engine,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    display_name: str = "",
    city_codes: tuple[str, ...] = (),
    language: str = "vi",
) -> int:
    """A new account; returns its id. There is no default password: one must be given."""
    require(engine, actor, "manage_users", "user", username)
    username = _check_username(username)
    _check_role(role)
    _check_password(password)
    with writing(engine) as conn:
        if find_account(conn, username) is not None:
            raise Invalid(N_("The user name “{username}” is taken."), username=username)
        cities = _city_ids(conn, city_codes)
        _needs_cities(role, cities)
        user_id = conn.execute(
            insert(m.AppUser).returning(m.AppUser.id),
            {
                "username": username,
                "display_name": display_name.strip()[:200],
                "password_hash": PASSWORDS.hash(password),
                "role": role,
                "language": language,
            },
        ).scalar_one()
        _set_cities(conn, user_id, cities)
        after = {"role": role, "cities": sorted(cities), "display_name": display_name}
        audit.record(
            conn, actor.user_id, actor.username, "user.create", "user", username, None, after
        )
    return int(user_id)


def _active_admins(conn: Connection) -> int:
    statement = select(func.count()).where(m.AppUser.role == "admin", m.AppUser.is_active)
    return int(conn.execute(statement).scalar_one())


def _keep_an_admin(conn: Connection, row: Any, new_role: str, active: bool) -> None:
    """Refuse a change that would leave the store with accounts but no active admin."""
    was_admin = row.role == "admin" and row.is_active
    if was_admin and (new_role != "admin" or not active) and _active_admins(conn) <= 1:
        raise Invalid(
            N_("“{username}” is the last active administrator: make another one first."),
            username=row.username,
        )


def set_role(
    engine: Engine,
    actor: Actor,
    username: str,
    role: str,
    city_codes: tuple[str, ...] | None = None,
) -> None:
    """Change an account's role (and, when given, its cities)."""
    require(engine, actor, "manage_users", "user", username)
    _check_role(role)
    with writing(engine) as conn:
        row = _user_row(conn, username)
        before = {"role": row.role, "cities": _user_cities(conn, row.id)}
        cities = (
            _city_ids(conn, city_codes)
            if city_codes is not None
            else _city_ids(conn, before["cities"])
        )
        _needs_cities(role, cities)
        _keep_an_admin(conn, row, role, row.is_active)
        conn.execute(update(m.AppUser).where(m.AppUser.id == row.id).values(role=role))
        _set_cities(conn, row.id, cities)
        after = {"role": role, "cities": sorted(cities)}
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "user.set_role",
            "user",
            row.username,
            before,
            after,
        )


def set_active(engine: Engine, actor: Actor, username: str, active: bool) -> None:
    """Disable (or enable again) an account; a disabled account cannot sign in."""
    require(engine, actor, "manage_users", "user", username)
    with writing(engine) as conn:
        row = _user_row(conn, username)
        _keep_an_admin(conn, row, row.role, active)
        conn.execute(update(m.AppUser).where(m.AppUser.id == row.id).values(is_active=active))
        ended = 0 if active else sessions.end_all(conn, row.id, "disabled")
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "user.enable" if active else "user.disable",
            "user",
            row.username,
            {"is_active": row.is_active},
            {"is_active": active, **({"sessions_ended": ended} if ended else {})},
        )


def set_password(engine: Engine, actor: Actor, username: str, password: str) -> None:
    """A new password (an admin's reset): also lifts a lock. The hash is never audited."""
    require(engine, actor, "manage_users", "user", username)
    _check_password(password)
    with writing(engine) as conn:
        row = _user_row(conn, username)
        conn.execute(
            update(m.AppUser)
            .where(m.AppUser.id == row.id)
            .values(password_hash=PASSWORDS.hash(password), failed_logins=0, locked_until=None)
        )
        # A new password ends every session the old one opened.
        ended = sessions.end_all(conn, row.id, "password")
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "user.set_password",
            "user",
            row.username,
            None,
            {"sessions_ended": ended} if ended else None,
        )


def end_sessions(engine: Engine, actor: Actor, username: str) -> int:
    """An administrator signs the account out of every browser and server. Returns how many
    sessions ended."""
    require(engine, actor, "manage_users", "user", username)
    with writing(engine) as conn:
        row = _user_row(conn, username)
        ended = sessions.end_all(conn, row.id, "ended_by_admin")
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "user.end_sessions",
            "user",
            row.username,
            None,
            {"sessions_ended": ended},
        )
    return ended


def unlock(engine: Engine, actor: Actor, username: str) -> None:
    require(engine, actor, "manage_users", "user", username)
    with writing(engine) as conn:
        row = _user_row(conn, username)
        conn.execute(
            update(m.AppUser)
            .where(m.AppUser.id == row.id)
            .values(failed_logins=0, locked_until=None)
        )
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "user.unlock",
            "user",
            row.username,
            {"locked_until": row.locked_until},
            {"locked_until": None},
        )
    from mne.signin import forget_failures  # signin builds on access

    forget_failures(engine, row.username)


def users_frame(engine: Engine) -> pd.DataFrame:
    """username, display_name, role, cities (codes, comma separated), is_active, locked_until,
    last_login_at; one row per account, by user name."""
    u, uc, c = m.table(m.AppUser), m.table(m.UserCity), m.table(m.City)
    with engine.connect() as conn:
        users = pd.read_sql(
            select(
                u.c.id,
                u.c.username,
                u.c.display_name,
                u.c.role,
                u.c.is_active,
                u.c.locked_until,
                u.c.last_login_at,
            ).order_by(u.c.username),
            conn,
        )
        cities = pd.read_sql(
            select(uc.c.user_id, c.c.code).join(c, c.c.id == uc.c.city_id).order_by(c.c.code),
            conn,
        )
    codes = cities.groupby("user_id")["code"].agg(", ".join)
    users["cities"] = users["id"].map(lambda user_id: codes.get(user_id, ""))
    return users.drop(columns="id")


def load_actor(engine: Engine, user_id: int) -> Actor | None:
    """The account as it is now (a role change or a disabling takes effect on the next page);
    None when it was disabled or deleted."""
    with engine.connect() as conn:
        row = conn.execute(select(m.table(m.AppUser)).where(m.AppUser.id == user_id)).first()
        if row is None or not row.is_active:
            return None
        cities = conn.execute(
            select(m.UserCity.city_id).where(m.UserCity.user_id == user_id)
        ).scalars()
        return Actor(
            username=row.username,
            role=row.role,
            user_id=int(row.id),
            city_ids=frozenset(int(c) for c in cities),
            display_name=row.display_name,
        )


def load_actor_by_name(engine: Engine, username: str) -> Actor | None:
    with engine.connect() as conn:
        row = find_account(conn, username)
    return None if row is None else load_actor(engine, int(row.id))
