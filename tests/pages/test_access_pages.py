"""Sign-in, Approvals, Accounts and Audit log pages: the gate, sessions, the role's
navigation, approval from the page, and people's text shown as typed."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import accounts, audit, intake
from mne.access import operator
from mne.i18n import LANGUAGES, Translator
from mne.intake import batches
from pages import _ui as ui
from tests.conftest import ROOT
from tests.pages.conftest import AppFactory, signed_in

PASSWORD = "a long test password"
HOSTILE = "<img src=x onerror=alert(1)> **bold** [link](http://x) :red[red] Robert'); DROP TABLE app_user;--"


def _accounts(engine: Engine) -> None:
    accounts.create_user(engine, operator(), "admin.t", PASSWORD, "admin", HOSTILE)
    accounts.create_user(engine, operator(), "analyst.t", PASSWORD, "analyst")
    accounts.create_user(
        engine, operator(), "focal.t", PASSWORD, "focal_point", city_codes=("VNHAN",)
    )
    accounts.create_user(engine, operator(), "viewer.t", PASSWORD, "viewer")


def _open_app(engine: Engine, monkeypatch: pytest.MonkeyPatch, lang: str = "en") -> AppTest:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    return app.run()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_once_an_account_exists_every_page_asks_for_sign_in(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """A tab without a live session shows no page, only the way to the sign-in form, which
    brings it back to the page in its language (the form itself: tests/mne/test_web.py)."""
    tr = Translator(lang)
    _accounts(engine)
    app = _open_app(engine, monkeypatch, lang)
    assert [t.value for t in app.title] == [tr("Sign in")]
    assert not app.text_input and not app.metric
    link = _sign_in_link(app)
    assert link.startswith("/signin?next=") and f"lang%3D{lang}" in link


def _sign_in_link(app: AppTest) -> str:
    (html,) = [e.proto.body for e in app.get("html")]
    match = re.search(r'href="([^"]+)"', html)
    assert match is not None, html
    return match.group(1).replace("&amp;", "&")


def test_an_idle_session_expires(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    _accounts(engine)
    monkeypatch.setenv("MNE_SESSION_MINUTES", "5")
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))

    def session(idle_seconds: float) -> AppTest:
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        app.session_state["lang"] = "en"
        last_seen = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=idle_seconds)
        return signed_in(app, engine, "viewer.t", now=last_seen).run()

    assert session(4 * 60).title[0].value == "Overview"
    expired = session(5 * 60 + 5)
    assert expired.title[0].value == "Sign in"
    assert "Your session ended after 5 minutes without activity. Sign in again." in [
        i.value for i in expired.info
    ]
    assert "ended=expired" in _sign_in_link(expired)
    log = audit.audit_frame(engine, audit.AuditFilter(user="viewer.t"))
    assert json.loads(log["after"].iloc[0]) == {"reason": "expired"}
    assert log["action"].iloc[0] == "session.end"


WRITE_PAGES = ("upload.py", "review.py", "history.py", "users.py", "audit.py")
# The pages each role's menu offers, of those that change data or are the admin's.
OFFERED = {
    "viewer.t": set(),
    "focal.t": {"upload.py", "history.py"},
    "analyst.t": {"upload.py", "review.py", "history.py"},
    "admin.t": set(WRITE_PAGES),
}


@pytest.mark.parametrize("user", list(OFFERED))
def test_the_menu_offers_the_pages_of_the_role(
    engine: Engine, open_page: AppFactory, user: str
) -> None:
    _accounts(engine)
    app = open_page(engine, "en", "overview.py", user=user)
    # The pages the menu lacks first: AppTest knows the registered pages until it runs one.
    for page in sorted(set(WRITE_PAGES) - OFFERED[user]):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            app.switch_page(f"pages/{page}")
    for page in sorted(OFFERED[user]):
        app.switch_page(f"pages/{page}").run()
        assert not app.exception and app.title


@pytest.mark.parametrize("lang", LANGUAGES)
def test_an_analyst_approves_a_submission_on_the_approvals_page(
    engine: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    _accounts(engine)
    focal = accounts.load_actor_by_name(engine, "focal.t")
    assert focal is not None
    content = b"city,indicator,period,value\nVNHAN,QE_PM25,2024,31\n"
    preview = intake.check(engine, content, "hanoi.csv", tr, actor=focal)
    batch = intake.commit_preview(engine, preview, focal)["batch_id"]
    app = open_page(engine, lang, "review.py", user="analyst.t")
    assert app.title[0].value == tr("Approvals")
    waiting = app.dataframe[0].value
    assert waiting["id"].tolist() == [batch] and waiting["cities"].tolist() == ["VNHAN"]
    next(b for b in app.button if b.label == tr("Approve")).click().run()
    assert not app.exception
    assert batches.values_frame(engine)["status"].tolist() == ["approved"]
    assert tr("Batch #{batch} approved: {count} values now count.", batch=batch, count=1) in [
        s.value for s in app.success
    ]


def test_returning_needs_a_comment(engine: Engine, open_page: AppFactory) -> None:
    _accounts(engine)
    focal = accounts.load_actor_by_name(engine, "focal.t")
    assert focal is not None
    content = b"city,indicator,period,value\nVNHAN,QE_PM25,2024,31\n"
    intake.commit_preview(engine, intake.check(engine, content, "h.csv", Translator("en")), focal)
    app = open_page(engine, "en", "review.py", user="analyst.t")
    next(b for b in app.button if b.label == "Return with comment").click().run()
    assert [e.value for e in app.error] == [
        "Say why the batch is returned: the focal point reads the comment."
    ]
    assert batches.batches_frame(engine)["review_state"].tolist() == ["submitted"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_accounts_and_audit_pages_for_an_admin(
    engine: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    _accounts(engine)
    app = open_page(engine, lang, "users.py", user="admin.t")
    assert app.title[0].value == tr("Accounts")
    users = app.dataframe[0].value
    assert sorted(users["username"]) == ["admin.t", "analyst.t", "focal.t", "viewer.t"]
    # A name with markup and SQL is shown exactly as typed, as a plain table cell.
    assert HOSTILE in users["display_name"].tolist()
    app.switch_page("pages/audit.py").run()
    assert not app.exception
    assert app.title[0].value == tr("Audit log")
    log = app.dataframe[0].value
    # Actions and entities named in the language; before and after read as fields, not JSON.
    assert (log["action"] == tr("Account created")).sum() == 4
    assert set(log["entity"]) == {tr("Account")}
    assert not log["after"].str.contains("{", regex=False).any()
    assert any(f"{tr('Role')}: {tr('Administrator')}" in a for a in log["after"])


def test_the_signed_in_name_is_shown_as_text_not_markup(
    engine: Engine, open_page: AppFactory
) -> None:
    _accounts(engine)
    app = open_page(engine, "en", "overview.py", user="admin.t")
    shown = [c.value for c in app.sidebar.caption if c.value.startswith("Signed in as")]
    assert len(shown) == 1
    # Every markdown character of the name is escaped: it renders as the text typed.
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in shown[0] and "\\*\\*bold\\*\\*" in shown[0]
    # ":" is followed by an invisible word joiner: no address becomes a link, no code a colour.
    assert "\\[link\\]\\(http\\:\u2060//" in shown[0] and "\\:\u2060red\\[red\\]" in shown[0]


def test_a_focal_point_uploads_through_the_page_and_the_value_waits_for_approval(
    engine: Engine, open_page: AppFactory
) -> None:
    _accounts(engine)
    app = open_page(engine, "en", "upload.py", user="focal.t")
    assert any("You may upload data of Hanoi." in i.value for i in app.info)
    assert app.get("file_uploader")


@pytest.mark.parametrize(("user", "waits"), [("focal.t", True), ("analyst.t", False)])
def test_the_stored_message_says_what_was_left_out_and_what_waits_for_approval(
    engine: Engine, open_page: AppFactory, user: str, waits: bool
) -> None:
    """After "Store the values" (the page keeps the result for the next run): the counts, the
    rows left out, and, for a focal point, that the values wait for an analyst."""
    tr = Translator("vi")
    _accounts(engine)
    app = open_page(engine, "vi", "upload.py", user=user)
    result = {"batch_id": 7, "inserted": 1200, "updated": 0, "unchanged": 3, "rejected": 2}
    held = app.session_state[ui.PRIVATE]
    held.kept["upload_result"] = {**result, "status": "committed", "errors": []}
    app.session_state[ui.PRIVATE] = held
    app.run()
    assert "1.200" in app.success[0].value
    shown = [i.value for i in app.info]
    assert (
        tr(
            "{n} rows with errors were left out: fix them in the file and upload it again to "
            "store them.",
            n="2",
        )
        in shown
    )
    waiting = tr(
        "The values wait for a ministry analyst's approval: until then they count on the "
        "dashboards and in reports only with “{switch}”.",
        switch=tr("Include submitted values"),
    )
    assert (waiting in shown) is waits


def test_an_analyst_sets_a_target_on_the_catalog_page(
    engine: Engine, open_page: AppFactory
) -> None:
    _accounts(engine)
    viewer = open_page(engine, "en", "catalog.py", user="viewer.t")
    assert not viewer.get("form")
    app = open_page(engine, "en", "catalog.py", user="analyst.t")
    form_inputs = app.number_input
    next(s for s in app.selectbox if s.label == "Indicator").set_value("QE_PM25")
    next(s for s in app.selectbox if s.label == "City").set_value("VNHAN")
    next(n for n in form_inputs if n.label == "Year").set_value(2030)
    next(n for n in form_inputs if n.label == "Target").set_value(20.0)
    next(t for t in app.text_input if t.label == "Note").input("<b>Plan</b> 2030")
    next(b for b in app.button if b.label == "Save the target").click().run()
    assert not app.exception and not app.error
    log = audit.audit_frame(engine, audit.AuditFilter(actions=("target.set",)))
    assert log["user_name"].tolist() == ["analyst.t"]
    assert json.loads(log["after"].iloc[0]) == {"note": "<b>Plan</b> 2030", "value": 20.0}
