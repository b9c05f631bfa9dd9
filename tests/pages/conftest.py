"""Run the app with Streamlit's AppTest against a given store and language."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne.access import load_actor_by_name
from tests.conftest import ROOT

AppFactory = Callable[..., AppTest]


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """open_page(engine, lang, page, user=None) -> the app, run, showing `page` (a pages/ file
    name), signed in as the account `user` when given (as the sign-in page leaves a session)."""

    def run(engine: Engine, lang: str, page: str, user: str | None = None) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        app.session_state["lang"] = lang
        if user is not None:
            actor = load_actor_by_name(engine, user)
            assert actor is not None, user
            app.session_state["user_id"] = actor.user_id
            app.session_state["last_seen"] = time.time()
        app.run()
        if page != "overview.py":
            app.switch_page(f"pages/{page}")
            app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return run
