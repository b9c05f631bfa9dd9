"""Sessions in the store: what a token signs in, when it stops, and the audit of each end."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from db import models as m
from mne import access, accounts, audit, sessions
from mne.access import operator

PASSWORD = "a long test password"


def _account(engine: Engine, name: str = "viewer.s", role: str = "viewer") -> int:
    cities = ("VNHAN",) if role == "focal_point" else ()
    accounts.create_user(engine, operator(), name, PASSWORD, role, city_codes=cities)
    actor = accounts.load_actor_by_name(engine, name)
    assert actor is not None and actor.user_id is not None
    return actor.user_id


def _log(engine: Engine, action: str) -> list[dict[str, object]]:
    rows = audit.audit_frame(engine, audit.AuditFilter(actions=(action,)))
    return [json.loads(a) if a else {} for a in rows["after"]]


def _stored(engine: Engine) -> list[tuple[str, str | None]]:
    s = m.table(m.AppSession)
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(s.c.token_hash, s.c.revoked_reason))]


def test_a_live_token_signs_its_account_in_and_the_store_keeps_only_its_hash(
    engine: Engine,
) -> None:
    user_id = _account(engine)
    token = sessions.start(engine, user_id, "Chromium")
    assert sessions.check(engine, token) == sessions.Check(user_id)
    assert _stored(engine) == [(sessions.token_hash(token), None)]
    assert token not in str(_stored(engine))
    assert sessions.check(engine, None) == sessions.Check(None)


def test_a_forged_token_is_refused_and_audited(engine: Engine) -> None:
    user_id = _account(engine)
    token = sessions.start(engine, user_id)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert sessions.check(engine, forged) == sessions.Check(None, "unknown")
    assert _log(engine, "session.refused") == [{"reason": "unknown"}]


def test_an_idle_session_ends_once_audited_and_stays_ended(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_SESSION_MINUTES", "5")
    user_id = _account(engine)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)
    token = sessions.start(engine, user_id, now=started)
    assert sessions.check(engine, token, now=started + dt.timedelta(minutes=4)).user_id == user_id
    # Seen at minute 4: still live at minute 8, over at minute 9 and a half.
    assert sessions.check(engine, token, now=started + dt.timedelta(minutes=8)).user_id == user_id
    late = started + dt.timedelta(minutes=13, seconds=30)
    assert sessions.check(engine, token, now=late) == sessions.Check(None, "expired")
    assert sessions.check(engine, token) == sessions.Check(None, "revoked")
    assert _log(engine, "session.end") == [{"reason": "expired"}]


def test_a_session_ends_at_its_absolute_expiry_however_active(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_SESSION_HOURS", "1")
    user_id = _account(engine)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    token = sessions.start(engine, user_id, now=started)
    for minutes in range(0, 60, 20):
        assert sessions.check(engine, token, started + dt.timedelta(minutes=minutes)).user_id
    assert sessions.check(engine, token, started + dt.timedelta(minutes=60)).ended == "expired"


def test_sign_out_ends_the_session_on_every_check_and_is_audited(engine: Engine) -> None:
    user_id = _account(engine)
    token, other = sessions.start(engine, user_id), sessions.start(engine, user_id)
    sessions.sign_out(engine, token)
    sessions.sign_out(engine, token)  # twice: one audit row
    assert sessions.check(engine, token).ended == "revoked"
    assert sessions.check(engine, other).user_id == user_id  # another browser stays in
    assert len(audit.audit_frame(engine, audit.AuditFilter(actions=("sign_out",)))) == 1


@pytest.mark.parametrize("change", ["disable", "password", "end_sessions"])
def test_disabling_a_new_password_and_ending_sessions_end_every_open_session(
    engine: Engine, change: str
) -> None:
    user_id = _account(engine, "focal.s", "focal_point")
    _account(engine, "admin.s", "admin")
    admin = accounts.load_actor_by_name(engine, "admin.s")
    assert admin is not None
    tokens = [sessions.start(engine, user_id) for _ in range(2)]
    if change == "disable":
        accounts.set_active(engine, admin, "focal.s", False)
    elif change == "password":
        accounts.set_password(engine, admin, "focal.s", "another long password")
    else:
        assert accounts.end_sessions(engine, admin, "focal.s") == 2
    assert [sessions.check(engine, t).user_id for t in tokens] == [None, None]
    assert sessions.open_count(engine, user_id) == 0
    log = audit.audit_frame(engine, audit.AuditFilter(user="admin.s"))
    assert json.loads(log["after"].iloc[0])["sessions_ended"] == 2


def test_a_disabled_account_is_refused_even_if_its_session_row_was_left_open(
    engine: Engine,
) -> None:
    user_id = _account(engine)
    token = sessions.start(engine, user_id)
    u = m.table(m.AppUser)
    with engine.begin() as conn:  # disabled behind the app's back (e.g. by SQL)
        conn.execute(u.update().where(u.c.id == user_id).values(is_active=False))
    assert sessions.check(engine, token) == sessions.Check(None, "disabled")
    assert _log(engine, "session.end") == [{"reason": "disabled"}]


def test_a_sign_in_code_is_single_use_and_short_lived(engine: Engine) -> None:
    user_id = _account(engine)
    code = sessions.issue_code(engine, user_id)
    token = sessions.redeem_code(engine, code)
    assert token is not None and sessions.check(engine, token).user_id == user_id
    assert sessions.redeem_code(engine, code) is None  # used up
    old = sessions.issue_code(
        engine, user_id, now=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=sessions.CODE_SECONDS)
    )
    assert sessions.redeem_code(engine, old) is None  # expired
    assert _log(engine, "session.refused") == [{"reason": "code"}, {"reason": "code"}]


def test_a_refused_change_of_sessions_changes_nothing(engine: Engine) -> None:
    user_id = _account(engine, "focal.s", "focal_point")
    focal = accounts.load_actor_by_name(engine, "focal.s")
    assert focal is not None
    token = sessions.start(engine, user_id)
    with pytest.raises(access.AccessError):
        accounts.end_sessions(engine, focal, "focal.s")
    assert sessions.check(engine, token).user_id == user_id


def test_a_page_run_does_not_wait_for_a_long_writer_to_bring_its_session_up_to_date(
    engine: Engine,
) -> None:
    """Issue 21: during a long import SQLite's one write lock is held; a page run's check of its
    session (whose last activity is due to be written) answers at once with the account,
    instead of waiting out the busy timeout and failing with "the store is busy". The
    timestamp is written by a later check, once the lock is free."""
    import time

    from db.engine import writing

    user_id = _account(engine)
    started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    token = sessions.start(engine, user_id, now=started)
    s = m.table(m.AppSession)
    with writing(engine) as holder:  # another writer (the import) holds the lock meanwhile
        holder.execute(m.table(m.City).update().values(note="held"))
        began = time.perf_counter()
        assert sessions.check(engine, token) == sessions.Check(user_id)
        assert time.perf_counter() - began < 5
    assert sessions.check(engine, token) == sessions.Check(user_id)
    with engine.connect() as conn:
        seen = conn.execute(select(s.c.last_seen_at)).scalar_one()
    assert sessions._utc(seen) > started + dt.timedelta(minutes=4)
