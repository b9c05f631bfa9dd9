"""Build 8 of issue 21: what a page keeps between runs lives in the tab's private object
(pages/_ui.py `Private`, `keep`/`kept`/`take`), out of the widget namespace. A browser can send a
widget state under any key, and st.session_state answers a key no widget holds with it, so a
value sent as `user_id`, `include_submitted`, `upload_result` or `preview_key` must neither
break a run nor change who is signed in or what a page shows."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import accounts
from mne.access import operator
from mne.accounts import load_actor_by_name
from mne.i18n import Translator
from pages import _ui as ui
from tests.conftest import ROOT
from tests.pages.conftest import signed_in

PASSWORD = "a long test password"
# Keys a page once kept in st.session_state, with values a hostile browser could send.
FORGED = {
    "user_id": None,  # the administrator's id, set below
    "actor": "admin.t",
    "token": "not a token",
    "include_submitted": "yes",  # a widget's key, with a value the widget cannot show
    "upload_result": {"status": "committed", "batch_id": 999, "inserted": 123456789},
    "upload_round": "x",
    "preview": "not a preview",
    "preview_key": "forged",
    "history_notice": "FORGED NOTICE",
    "review_notice": "FORGED NOTICE",
    "task_notice": "FORGED NOTICE",
    "users_notice": "FORGED NOTICE",
    "report_file": ("request", b"forged", "forged.csv"),
}


def _app(engine: Engine, monkeypatch: pytest.MonkeyPatch, user: str) -> AppTest:
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    accounts.create_user(engine, operator(), "admin.t", PASSWORD, "admin", "The Administrator")
    accounts.create_user(engine, operator(), "viewer.t", PASSWORD, "viewer", "A Viewer")
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    admin = load_actor_by_name(engine, "admin.t")
    assert admin is not None
    for key, value in FORGED.items():
        app.session_state[key] = admin.user_id if key == "user_id" else value
    app.session_state["lang"] = "en"
    return signed_in(app, engine, user)


def _signed_in_as(app: AppTest) -> list[str]:
    return [c.value for c in app.sidebar.caption if c.value.startswith("Signed in as")]


SIGNED_IN = {
    "viewer.t": "Signed in as A Viewer (Viewer)",
    "admin.t": "Signed in as The Administrator (Administrator)",
}


@pytest.mark.parametrize(
    ("user", "page"),
    [
        ("viewer.t", "overview.py"),
        ("viewer.t", "tasks.py"),
        ("viewer.t", "reports.py"),
        ("viewer.t", "catalog.py"),
        ("admin.t", "upload.py"),
        ("admin.t", "history.py"),
        ("admin.t", "review.py"),
        ("admin.t", "users.py"),
    ],
)
def test_forged_internal_keys_neither_break_a_run_nor_change_who_is_signed_in(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, user: str, page: str
) -> None:
    app = _app(engine, monkeypatch, user).run()
    assert _signed_in_as(app) == [SIGNED_IN[user]]  # the sidebar of the first run
    assert app.toggle(key="include_submitted").value is False  # the switch's default
    if page != "overview.py":
        app.switch_page(f"pages/{page}")
        app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state[ui.PRIVATE].actor.username == user
    shown = [m.value for m in (*app.success, *app.info, *app.error, *app.markdown)]
    assert not any("FORGED" in text or "123,456,789" in text for text in shown), shown
    assert ui.PRIVATE in app.session_state
    assert not app.session_state[ui.PRIVATE].kept.get("upload_result")


def test_a_language_no_widget_offers_falls_back_to_the_default(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(engine, monkeypatch, "viewer.t")
    app.session_state["lang"] = "xx"
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["lang"] == "vi"
    tr = Translator("vi")
    expected = tr("Signed in as {name} ({role})", name="A Viewer", role=tr("Viewer"))
    assert expected in [c.value for c in app.sidebar.caption]


def test_a_forged_upload_result_is_not_shown_to_an_uploader(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The administrator may upload: the Upload page shows a stored batch's result only when
    this tab stored it, never one sent as `upload_result`."""
    app = _app(engine, monkeypatch, "admin.t").run()
    app.switch_page("pages/upload.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.session_state[ui.PRIVATE].actor.username == "admin.t"
    assert not [s.value for s in app.success if "batch #999" in s.value]
    assert app.get("file_uploader")
