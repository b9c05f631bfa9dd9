"""Accounts, roles and permissions, enforced in mne itself: every role x every write action,
lockout, sessions, a focal point's rows of other cities, approved values locked, the audit
log's before -> after, and people's text stored as typed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text

from db import models as m
from db.engine import writing
from mne import (
    accounts,
    analysis,
    approval,
    audit,
    catalog_admin,
    demo,
    entry,
    intake,
    sessions,
    signin,
    targets,
    task_admin,
    tasks,
    value_review,
)
from mne.access import Actor, Invalid, Refused, operator
from mne.i18n import Translator
from mne.intake import batches, revert
from mne.signin import SignInRefused
from tests.command_line import Ran, run_cli

TR = Translator("en")
PASSWORD = "correct horse battery"
HANOI_2023 = "city,indicator,period,value\nVNHAN,QE_PM25,2023,30\n"
HANOI_2022 = "city,indicator,period,value\nVNHAN,QE_PM25,2022,31\n"
SAIGON = "city,indicator,period,value\nVNSGN,QE_PM25,2024,25\n"
MIXED = "city,indicator,period,value\nVNHAN,QE_PM25,2024,33\nVNSGN,QE_PM25,2024,25\n"


def _user(engine: Engine, name: str, role: str, cities: tuple[str, ...] = ()) -> Actor:
    accounts.create_user(engine, operator(), name, PASSWORD, role, city_codes=cities)
    actor = accounts.load_actor_by_name(engine, name)
    assert actor is not None
    return actor


def _import(engine: Engine, actor: Actor, content: str, partial: bool = False) -> dict[str, Any]:
    preview = intake.check(engine, content.encode(), "values.csv", TR, actor=actor)
    return intake.commit_preview(engine, preview, actor, partial=partial)


@pytest.fixture
def world(engine: Engine) -> dict[str, Any]:
    """One account per role (the focal point answers for Hà Nội), a submitted batch (#1), an
    approved batch (#2) and the demo tasks."""
    actors = {
        "viewer": _user(engine, "viewer.1", "viewer"),
        "focal_point": _user(engine, "focal.hn", "focal_point", ("VNHAN",)),
        "analyst": _user(engine, "analyst.1", "analyst"),
        "admin": _user(engine, "admin.1", "admin"),
    }
    assert _import(engine, actors["focal_point"], HANOI_2023)["batch_id"] == 1
    assert _import(engine, actors["focal_point"], HANOI_2022)["batch_id"] == 2
    approval.approve_batch(engine, actors["analyst"], 2)
    with writing(engine) as conn:
        demo.load_tasks(conn)
    return actors


def _task_code(engine: Engine) -> str:
    """A task that has started, so a report dated today is accepted."""
    with engine.connect() as conn:
        return str(
            conn.execute(select(m.Task.code).order_by(m.Task.start_date, m.Task.code))
            .scalars()
            .first()
        )


# Each write action, done as `actor`.
ACTIONS: dict[str, Callable[[Engine, Actor], object]] = {
    "import own city": lambda e, a: _import(
        e, a, "city,indicator,period,value\nVNHAN,QE_PM25,2021,40\n"
    ),
    "import another city": lambda e, a: intake.commit_preview(
        e, intake.check(e, SAIGON.encode(), "saigon.csv", TR), a
    ),
    "enter values": lambda e, a: entry.save(
        e, entry.check(e, "VNHAN", "2020", {"QE_PM25": "41"}, TR, a), a
    ),
    "revert a submitted batch": lambda e, a: revert.revert(e, 1, a),
    "approve one value": lambda e, a: value_review.review_values(
        e, a, 1, [("VNHAN", "QE_PM25", "2023")], {}
    ),
    "return one value": lambda e, a: value_review.review_values(
        e, a, 1, [], {("VNHAN", "QE_PM25", "2023"): "Check the 2023 value"}
    ),
    "approve": lambda e, a: approval.approve_batch(e, a, 1),
    "return": lambda e, a: approval.return_batch(e, a, 1, "Check the 2023 value"),
    "reopen": lambda e, a: approval.reopen_batch(e, a, 2, "A typo"),
    "set a target": lambda e, a: targets.set_target(e, a, "QE_PM25", 2030, 20.0, "VNHAN"),
    "post a task update": lambda e, a: tasks.post_update(
        e, _task_code(e), dt.date.today(), 99, "Done nearly", a
    ),
    "add a task": lambda e, a: task_admin.add_task(
        e,
        a,
        "G1-99",
        task_admin.TaskFields(
            group="G1",
            title_vi="Nhiệm vụ thử",
            title_en="A trial task",
            title_id="Tugas uji coba",
            cities=("VNHAN",),
            indicators=("QE_PM25",),
        ),
    ),
    "edit a task": lambda e, a: task_admin.edit_task(
        e,
        a,
        _task_code(e),
        dataclasses.replace(
            task_admin.task_fields(e, _task_code(e)), lead_agency="Cục Phát triển đô thị (sửa)"
        ),
    ),
    "create an account": lambda e, a: accounts.create_user(e, a, "new.user", PASSWORD, "viewer"),
    "change a role": lambda e, a: accounts.set_role(e, a, "viewer.1", "analyst"),
    "disable an account": lambda e, a: accounts.set_active(e, a, "viewer.1", False),
    "set a password": lambda e, a: accounts.set_password(e, a, "viewer.1", "another long one"),
    "edit an indicator": lambda e, a: catalog_admin.edit_indicator(
        e, a, "QE_PM25", {"name_en": "Fine particles (PM2.5)"}
    ),
    "retire an indicator": lambda e, a: catalog_admin.set_indicator_active(e, a, "QE_PM25", False),
    "add a city alias": lambda e, a: catalog_admin.add_city_alias(e, a, "VNHAN", "Thăng Long"),
    "rename a city": lambda e, a: catalog_admin.edit_city(e, a, "VNHAN", "Thủ đô Hà Nội", "Ha Noi"),
    "add a city": lambda e, a: catalog_admin.add_city(
        e, a, "VNQNH", "Quảng Ninh", "Quang Ninh", "VN", aliases=("Hạ Long mới",)
    ),
    "record a city event": lambda e, a: catalog_admin.record_city_event(
        e, a, "VN2026_HAN", dt.date(2026, 1, 1), "rename", ["VNHAN"], ["VNHAN"]
    ),
    "add an indicator": lambda e, a: catalog_admin.add_indicator(
        e,
        a,
        "QE_NOISE",
        "QE",
        {
            "name_vi": "Tiếng ồn",
            "name_en": "Noise",
            "name_id": "Kebisingan",
            "unit": "dB",
            "plausible_min": 20,
            "plausible_max": 120,
            "direction": "lower",
        },
    ),
}
ANALYST_UP = {
    "approve",
    "return",
    "approve one value",
    "return one value",
    "reopen",
    "set a target",
    "post a task update",
    "add a task",
    "edit a task",
}
ADMIN_ONLY = {
    "create an account",
    "change a role",
    "disable an account",
    "set a password",
    "edit an indicator",
    "retire an indicator",
    "add a city alias",
    "rename a city",
    "add a city",
    "record a city event",
    "add an indicator",
}
DATA = {"import own city", "enter values", "import another city", "revert a submitted batch"}
ALLOWED = {
    "viewer": set(),
    "focal_point": {"import own city", "enter values", "revert a submitted batch"},
    "analyst": DATA | ANALYST_UP,
    "admin": DATA | ANALYST_UP | ADMIN_ONLY,
}
WATCHED = [
    m.Observation,
    m.ObservationHistory,
    m.UploadBatch,
    m.Target,
    m.Task,
    m.TaskUpdate,
    m.TaskCity,
    m.TaskIndicator,
    m.AppUser,
    m.UserCity,
    m.ValueReturn,
    m.Indicator,
    m.IndicatorAlias,
    m.City,
    m.CityAlias,
    m.CityEvent,
    m.CityEventCity,
]


def _snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table a write may touch (the audit log aside)."""
    with engine.connect() as conn:
        return {
            model.__tablename__: [
                tuple(row)
                for row in conn.execute(
                    select(m.table(model)).order_by(*m.table(model).primary_key)
                )
            ]
            for model in WATCHED
        }


def _audit_actions(engine: Engine, user: str) -> list[str]:
    frame = audit.audit_frame(engine, audit.AuditFilter(user=user))
    return frame["action"].tolist()


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("role", list(ALLOWED))
def test_every_role_and_write_action(
    engine: Engine, world: dict[str, Any], role: str, action: str
) -> None:
    actor = world[role]
    before = _snapshot(engine)
    audited_before = _audit_actions(engine, actor.username)
    if action in ALLOWED[role]:
        ACTIONS[action](engine, actor)
        assert _snapshot(engine) != before, "an allowed write changed nothing"
        new_rows = _audit_actions(engine, actor.username)[: -len(audited_before) or None]
        assert new_rows and not any(a.endswith(".denied") for a in new_rows)
    else:
        with pytest.raises(Refused) as refused:
            ACTIONS[action](engine, actor)
        assert refused.value.message(TR)  # a sentence for the user, not a code
        assert _snapshot(engine) == before, "a refused write changed the store"
        newest = audit.audit_frame(engine, audit.AuditFilter(user=actor.username), limit=1)
        assert newest["action"].iloc[0].endswith(".denied")


def test_a_viewer_is_told_in_their_language(engine: Engine) -> None:
    viewer = _user(engine, "viewer.vi", "viewer")
    with pytest.raises(Refused) as refused:
        targets.set_target(engine, viewer, "QE_PM25", 2030, 20.0)
    assert refused.value.message(Translator("en")) == (
        "Your role (Viewer) may not edit targets. Ask an administrator if you need to."
    )
    assert refused.value.message(Translator("vi")) != refused.value.message(Translator("en"))


# --- Signing in -----------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_for_15_minutes(engine: Engine) -> None:
    _user(engine, "focal.dn", "focal_point", ("VNDAD",))
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    for attempt in range(5):
        with pytest.raises(SignInRefused) as refused:
            signin.authenticate(engine, "focal.dn", f"wrong {attempt}", now)
        assert refused.value.message(TR).startswith("Wrong user name or password.")
    # Locked: even the right password is refused until the 15 minutes are over.
    with pytest.raises(SignInRefused) as refused:
        signin.authenticate(engine, "focal.dn", PASSWORD, now + dt.timedelta(minutes=14))
    assert "locked" in refused.value.message(TR) and "2026-12-01 08:15" in refused.value.message(TR)
    actor = signin.authenticate(engine, "FOCAL.DN", PASSWORD, now + dt.timedelta(minutes=16))
    assert (actor.username, actor.role) == ("focal.dn", "focal_point")
    actions = _audit_actions(engine, "focal.dn")[::-1]
    assert actions == ["sign_in.failed"] * 6 + ["sign_in"]


def test_a_success_resets_the_count_of_failures(engine: Engine) -> None:
    _user(engine, "analyst.2", "analyst")
    for _ in range(4):
        with pytest.raises(SignInRefused):
            signin.authenticate(engine, "analyst.2", "nope nope nope")
    signin.authenticate(engine, "analyst.2", PASSWORD)
    for _ in range(4):
        with pytest.raises(SignInRefused):
            signin.authenticate(engine, "analyst.2", "nope nope nope")
    assert signin.authenticate(engine, "analyst.2", PASSWORD).role == "analyst"


def _refusal(engine: Engine, name: str, password: str, **kw: object) -> str:
    with pytest.raises(SignInRefused) as refused:
        signin.authenticate(engine, name, password, **kw)  # type: ignore[arg-type]
    return refused.value.message(TR)


def test_the_answer_is_the_same_for_an_unknown_name_and_a_real_locked_account(
    engine: Engine,
) -> None:
    _user(engine, "admin.a", "admin")
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    unknown_first = _refusal(engine, "nobody.here", "guess 0", now=now)
    answers = [_refusal(engine, "admin.a", f"guess {n}", now=now) for n in range(8)]
    unknown_later = [_refusal(engine, "nobody.here", f"guess {n}", now=now) for n in range(8)]
    # The 5th wrong try locked the account: the 6th to 8th answers are the same as before,
    # and the same as for a name that is nobody's.
    assert set(answers) == {unknown_first} == set(unknown_later)
    assert "locked" not in unknown_first
    with pytest.raises(SignInRefused) as real:
        signin.authenticate(engine, "admin.a", "guess", now)
    with pytest.raises(SignInRefused) as unknown:
        signin.authenticate(engine, "nobody.here", "guess", now)
    for language in ("vi", "id"):
        tr = Translator(language)
        assert real.value.message(tr) == unknown.value.message(tr) != real.value.message(TR)


def test_a_stranger_cannot_keep_a_person_out(engine: Engine) -> None:
    """Five wrong tries from one address pause that address for that name, not the person
    signing in from elsewhere."""
    _user(engine, "admin.a", "admin")
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    for n in range(10):
        _refusal(engine, "admin.a", f"guess {n}", now=now, source="203.0.113.9")
    actor = signin.authenticate(engine, "admin.a", PASSWORD, now, source="198.51.100.7")
    assert actor.username == "admin.a"
    # The stranger's own address is paused, even with the right password.
    assert "locked" in _refusal(engine, "admin.a", PASSWORD, now=now, source="203.0.113.9")


def test_one_address_trying_many_names_is_paused_for_all(engine: Engine) -> None:
    _user(engine, "admin.a", "admin")
    now = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
    for n in range(signin.MAX_FAILED_PER_SOURCE):
        _refusal(engine, f"user{n}", "guess", now=now, source="203.0.113.9")
    assert "locked" in _refusal(engine, "admin.a", PASSWORD, now=now, source="203.0.113.9")
    later = now + dt.timedelta(minutes=signin.LOCK_MINUTES + 1)
    assert signin.authenticate(engine, "admin.a", PASSWORD, later, source="203.0.113.9")


def test_unknown_names_are_counted_not_listed(engine: Engine) -> None:
    for n in range(33):
        _refusal(engine, f"spray-{n}@example.org", "guess", source=f"10.0.0.{n % 3}")
    log = audit.audit_frame(engine, audit.AuditFilter())
    unknown = log[log["action"] == "sign_in.unknown_name"]
    # Per address (11 tries each): a row at its 1st and its 10th try, naming no name.
    assert len(unknown) == 6
    assert not log["user_name"].astype(str).str.contains("spray").any()
    assert not log["entity_id"].astype(str).str.contains("spray").any()


@pytest.mark.parametrize("name", ["admin.a\x00", "\x00", "a\x01b", "x" * 500])
def test_a_name_with_control_characters_is_a_wrong_name_on_both_stores(
    engine: Engine, name: str
) -> None:
    _user(engine, "admin.a", "admin")
    assert _refusal(engine, name, PASSWORD).startswith("Wrong user name or password.")


def test_signing_in_does_not_wait_for_a_long_write(engine: Engine) -> None:
    """On PostgreSQL sign-in writes rows, not under the store's write lock: an import holding
    the lock does not hold up a sign-in, the session it starts, its use or its sign-out."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its sign-in write is kept short")
    import threading
    import time

    _user(engine, "admin.a", "admin")
    holding, release = threading.Event(), threading.Event()

    def long_write() -> None:
        with writing(engine) as conn:
            conn.execute(text("SELECT 1"))
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=long_write)
    writer.start()
    try:
        assert holding.wait(10)
        start = time.perf_counter()
        actor = signin.authenticate(engine, "admin.a", PASSWORD)
        assert actor.username == "admin.a"
        _refusal(engine, "admin.a", "wrong")
        token = sessions.start(engine, actor.user_id)
        later = dt.datetime.now(dt.UTC) + sessions.TOUCH_EVERY  # its last activity is written
        assert sessions.check(engine, token, later).user_id == actor.user_id
        assert sessions.check(engine, "a token nobody has").ended == "unknown"  # audited
        sessions.sign_out(engine, token)
        assert time.perf_counter() - start < 5
    finally:
        release.set()
        writer.join()


def test_unknown_and_disabled_accounts_cannot_sign_in(engine: Engine) -> None:
    _user(engine, "admin.a", "admin")
    _user(engine, "viewer.v", "viewer")
    with pytest.raises(SignInRefused) as unknown:
        signin.authenticate(engine, "nobody", PASSWORD)
    assert unknown.value.message(TR).startswith("Wrong user name or password.")
    accounts.set_active(engine, operator(), "viewer.v", False)
    with pytest.raises(SignInRefused) as disabled:
        signin.authenticate(engine, "viewer.v", PASSWORD)
    assert "disabled" in disabled.value.message(TR)
    assert accounts.load_actor_by_name(engine, "viewer.v") is None


def test_sessions_expire_after_the_configured_inactivity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNE_SESSION_MINUTES", "20")
    minutes = signin.session_minutes()
    assert minutes == 20
    assert not signin.session_expired(1000.0, 1000.0 + 20 * 60, minutes)
    assert signin.session_expired(1000.0, 1000.0 + 20 * 60 + 1, minutes)


def test_no_default_password_and_short_ones_refused(engine: Engine) -> None:
    with pytest.raises(Invalid) as short:
        accounts.create_user(engine, operator(), "admin.b", "short", "admin")
    assert "at least 10 characters" in short.value.message(TR)
    assert not accounts.has_accounts(engine)
    with engine.connect() as conn:
        stored = conn.execute(select(m.AppUser.password_hash)).scalars().all()
    assert stored == []


@pytest.mark.real_passwords
def test_password_hashes_are_argon2_never_the_password(engine: Engine) -> None:
    """The app's own parameters: Argon2id at argon2-cffi's defaults (OWASP's first choice,
    64 MiB, 3 passes), which the other tests replace with cheap ones (tests/conftest.py)."""
    _user(engine, "admin.c", "admin")
    with engine.connect() as conn:
        stored = conn.execute(select(m.AppUser.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$") and PASSWORD not in stored
    assert accounts.PASSWORDS.verify(stored, PASSWORD)


def test_the_last_admin_cannot_be_demoted_or_disabled(engine: Engine) -> None:
    _user(engine, "admin.only", "admin")
    with pytest.raises(Invalid):
        accounts.set_role(engine, operator(), "admin.only", "viewer")
    with pytest.raises(Invalid):
        accounts.set_active(engine, operator(), "admin.only", False)
    assert accounts.load_actor_by_name(engine, "admin.only").role == "admin"  # type: ignore[union-attr]


# --- A focal point's rows, approval, locks --------------------------------------------------


def test_a_focal_points_rows_of_another_city_are_refused_row_by_row(engine: Engine) -> None:
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    preview = intake.check(engine, MIXED.encode(), "mixed.csv", TR, actor=focal)
    assert preview.errors[["row", "column", "code"]].values.tolist() == [[3, "city", "not_allowed"]]
    assert (
        "VNSGN" in preview.errors["message"].iloc[0]
        and "VNHAN" in preview.errors["message"].iloc[0]
    )
    assert intake.commit_preview(engine, preview, focal)["status"] == "rejected"
    assert batches.values_frame(engine).empty
    summary = intake.commit_preview(engine, preview, focal, partial=True)
    assert (summary["status"], summary["inserted"], summary["rejected"]) == ("committed", 1, 1)
    values = batches.values_frame(engine)
    assert values[["city", "value", "status"]].values.tolist() == [["VNHAN", 33.0, "submitted"]]


def test_a_commit_with_another_citys_rows_is_refused_whatever_the_preview(engine: Engine) -> None:
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    unchecked = intake.check(engine, SAIGON.encode(), "saigon.csv", TR)  # checked without actor
    with pytest.raises(Refused):
        intake.commit_preview(engine, unchecked, focal)
    assert batches.values_frame(engine).empty
    assert _audit_actions(engine, "focal.hn") == ["import.denied"]


def test_approved_values_are_locked_until_an_analyst_reopens_them(engine: Engine) -> None:
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    analyst = _user(engine, "analyst.1", "analyst")
    first = _import(engine, focal, HANOI_2023)
    assert batches.values_frame(engine)["status"].tolist() == ["submitted"]
    assert approval.approve_batch(engine, analyst, first["batch_id"]) == 1
    assert batches.values_frame(engine)["status"].tolist() == ["approved"]

    changed = HANOI_2023.replace(",30", ",29")
    preview = intake.check(engine, changed.encode(), "fix.csv", TR, actor=focal)
    assert preview.errors[["row", "code"]].values.tolist() == [[2, "locked"]]
    assert "reopen" in preview.errors["message"].iloc[0]
    assert intake.commit_preview(engine, preview, focal)["status"] == "rejected"
    with pytest.raises(Refused):
        revert.revert(engine, first["batch_id"], focal)
    assert batches.values_frame(engine)["value"].tolist() == [30.0]

    approval.reopen_batch(engine, analyst, first["batch_id"], "Hà Nội sent a correction")
    assert _import(engine, focal, changed)["status"] == "committed"
    assert batches.values_frame(engine)[["value", "status"]].values.tolist() == [
        [29.0, "submitted"]
    ]


def test_an_approval_between_check_and_commit_still_locks(engine: Engine) -> None:
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    analyst = _user(engine, "analyst.1", "analyst")
    first = _import(engine, focal, HANOI_2023)
    preview = intake.check(
        engine, HANOI_2023.replace(",30", ",28").encode(), "b.csv", TR, actor=focal
    )
    assert preview.errors.empty
    approval.approve_batch(engine, analyst, first["batch_id"])
    with pytest.raises(Invalid) as meanwhile:
        intake.commit_preview(engine, preview, focal)
    assert "approved while it was being checked" in meanwhile.value.message(TR)
    assert batches.values_frame(engine)["value"].tolist() == [30.0]


def test_a_returned_batch_carries_the_comment_and_can_be_approved_later(engine: Engine) -> None:
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    analyst = _user(engine, "analyst.1", "analyst")
    batch = _import(engine, focal, HANOI_2023)["batch_id"]
    with pytest.raises(Invalid):
        approval.return_batch(engine, analyst, batch, "   ")  # a reason is required
    approval.return_batch(engine, analyst, batch, "PM2.5 for 2023 looks too high")
    row = batches.batches_frame(engine).iloc[0]
    assert (row["review_state"], row["review_comment"]) == (
        "returned",
        "PM2.5 for 2023 looks too high",
    )
    assert approval.approve_batch(engine, analyst, batch) == 1
    with pytest.raises(Invalid):
        approval.approve_batch(engine, analyst, batch)  # already approved


def test_dashboards_count_approved_values_unless_asked_for_submitted(engine: Engine) -> None:
    focal = _user(engine, "focal.hn", "focal_point", ("VNHAN",))
    analyst = _user(engine, "analyst.1", "analyst")
    batch = _import(engine, focal, HANOI_2023)["batch_id"]
    assert analysis.yearly_values(engine).empty
    with_submitted = analysis.yearly_values(analysis.StoreView(engine, include_submitted=True))
    assert with_submitted["value"].tolist() == [30.0]
    approval.approve_batch(engine, analyst, batch)
    assert analysis.yearly_values(engine)["value"].tolist() == [30.0]


def test_analysts_values_are_stored_approved(engine: Engine) -> None:
    analyst = _user(engine, "analyst.1", "analyst")
    _import(engine, analyst, SAIGON)
    assert batches.values_frame(engine)["status"].tolist() == ["approved"]
    assert batches.batches_frame(engine)["review_state"].tolist() == ["approved"]


# --- The audit log --------------------------------------------------------------------------


def test_the_audit_log_records_before_and_after(engine: Engine) -> None:
    admin = _user(engine, "admin.1", "admin")
    _user(engine, "focal.x", "focal_point", ("VNHAN",))
    accounts.set_role(engine, admin, "focal.x", "focal_point", ("VNHAN", "VNSGN"))
    targets.set_target(engine, admin, "QE_PM25", 2030, 25.0, "VNHAN")
    targets.set_target(engine, admin, "QE_PM25", 2030, 20.0, "VNHAN", "Tighter, per the 2025 plan")
    log = audit.audit_frame(engine, audit.AuditFilter(user="admin.1"))
    role_change = log[log["action"] == "user.set_role"].iloc[0]
    assert json.loads(role_change["before"]) == {"cities": ["VNHAN"], "role": "focal_point"}
    assert json.loads(role_change["after"]) == {"cities": ["VNHAN", "VNSGN"], "role": "focal_point"}
    target_changes = log[log["action"] == "target.set"].sort_values("id")
    assert [json.loads(b) if isinstance(b, str) else None for b in target_changes["before"]] == [
        None,
        {"value": 25.0},
    ]
    assert json.loads(target_changes["after"].iloc[-1]) == {
        "note": "Tighter, per the 2025 plan",
        "value": 20.0,
    }
    assert (log["at"].notna()).all() and set(log["user_name"]) == {"admin.1"}


def test_the_audit_log_cannot_be_edited_or_deleted(engine: Engine) -> None:
    _user(engine, "admin.1", "admin")
    for statement in ("UPDATE audit_log SET user_name = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises(Exception, match="append-only"), writing(engine) as conn:
            conn.execute(text(statement))
    assert audit.audit_frame(engine, audit.AuditFilter())["action"].tolist() == ["user.create"]


def test_the_audit_log_cannot_be_truncated_on_postgresql(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE runs the row trigger, tested above)")
    _user(engine, "admin.1", "admin")
    with pytest.raises(Exception, match="append-only"), writing(engine) as conn:
        conn.execute(text("TRUNCATE audit_log"))
    with pytest.raises(Exception, match="append-only"), writing(engine) as conn:
        conn.execute(text("TRUNCATE audit_log CASCADE"))
    assert audit.audit_frame(engine, audit.AuditFilter())["action"].tolist() == ["user.create"]


def test_script_and_sql_like_text_is_stored_verbatim(engine: Engine) -> None:
    hostile_name = "<script>alert('x')</script> Robert'); DROP TABLE app_user;--"
    hostile_note = '=HYPERLINK("http://evil") <img src=x onerror=alert(1)> \' OR 1=1 --'
    accounts.create_user(engine, operator(), "analyst.z", PASSWORD, "analyst", hostile_name)
    analyst = accounts.load_actor_by_name(engine, "analyst.z")
    assert analyst is not None and analyst.display_name == hostile_name
    with writing(engine) as conn:
        demo.load_tasks(conn)
    code = _task_code(engine)
    tasks.post_update(engine, code, dt.date.today(), 99, hostile_note, analyst)
    assert tasks.task_history(engine, code)["note"].iloc[-1] == hostile_note
    users = accounts.users_frame(engine)
    assert users["display_name"].tolist() == [hostile_name]
    found = audit.audit_frame(engine, audit.AuditFilter(text="drop table"))
    assert len(found) == 1 and hostile_name in found["after"].iloc[0]


# --- The command line -----------------------------------------------------------------------


def _cli(engine: Engine, *args: str, stdin: str = "") -> Ran:
    return run_cli(engine, *args, stdin=stdin)


def test_the_first_admin_and_accounts_from_the_command_line(engine: Engine, tmp_path: Path) -> None:
    no_password = _cli(engine, "user", "add", "chief", "--role", "admin")
    assert no_password.returncode == 2 and "--password-stdin" in no_password.stderr
    assert not accounts.has_accounts(engine)
    made = _cli(
        engine, "user", "add", "chief", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert made.returncode == 0, made.stderr
    focal = _cli(
        engine,
        "user",
        "add",
        "focal.dn",
        "--role",
        "focal_point",
        "--city",
        "VNDAD",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert focal.returncode == 0, focal.stderr
    listed = json.loads(_cli(engine, "user", "list", "--json").stdout)
    assert [(u["username"], u["role"], u["cities"]) for u in listed] == [
        ("chief", "admin", ""),
        ("focal.dn", "focal_point", "VNDAD"),
    ]
    assert signin.authenticate(engine, "chief", PASSWORD).role == "admin"

    saigon = tmp_path / "saigon.csv"
    saigon.write_text(SAIGON, encoding="utf-8")
    refused = _cli(engine, "import", str(saigon), "--user", "focal.dn", "--json")
    assert refused.returncode == 1
    summary = json.loads(refused.stdout)
    assert [(e["row"], e["column"], e["code"]) for e in summary["errors"]] == [
        (2, "city", "not_allowed")
    ]
    assert _cli(engine, "import", str(saigon), "--user", "nobody").returncode == 2
    assert batches.values_frame(engine).empty

    assert _cli(engine, "user", "disable", "focal.dn").returncode == 0
    assert accounts.load_actor_by_name(engine, "focal.dn") is None
    last_admin = _cli(engine, "user", "set-role", "chief", "--role", "viewer")
    assert last_admin.returncode == 1 and "last active administrator" in last_admin.stderr
