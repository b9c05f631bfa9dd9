"""Run the app with Streamlit's AppTest against a given store and language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import sessions
from mne.accounts import load_actor_by_name
from pages import _ui as ui
from tests.conftest import ROOT

AppFactory = Callable[..., AppTest]


def signed_in(app: AppTest, engine: Engine, user: str, now: dt.datetime | None = None) -> AppTest:
    """The app as a browser holding `user`'s session (a real one, in the store) opens it.
    AppTest sends no cookies, so the token rides in the tab's private state instead."""
    actor = load_actor_by_name(engine, user)
    assert actor is not None, user
    assert actor.user_id is not None
    app.session_state[ui.PRIVATE] = ui.Private(token=sessions.start(engine, actor.user_id, now=now))
    return app


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """open_page(engine, lang, page, user=None) -> the app, run, showing `page` (a pages/ file
    name), signed in as the account `user` when given (as the sign-in page leaves a session)."""

    def run(engine: Engine, lang: str, page: str, user: str | None = None) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        app.session_state["lang"] = lang
        if user is not None:
            signed_in(app, engine, user)
        app.run()
        if page != "overview.py":
            app.switch_page(f"pages/{page}")
            app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return run
