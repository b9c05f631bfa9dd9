"""Run the app with Streamlit's AppTest against a given store and language."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT

AppFactory = Callable[[Engine, str, str], AppTest]


@pytest.fixture
def open_page(monkeypatch: pytest.MonkeyPatch) -> AppFactory:
    """open_page(engine, lang, page) -> the app, run, showing `page` (a pages/ file name)."""

    def run(engine: Engine, lang: str, page: str) -> AppTest:
        monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
        app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
        app.session_state["lang"] = lang
        app.run()
        if page != "overview.py":
            app.switch_page(f"pages/{page}")
            app.run()
        assert not app.exception, [e.value for e in app.exception]
        return app

    return run
