"""Two app servers on one PostgreSQL store, in Chromium: an approval made through one server
is on the other server's next page load (every cached read is keyed on the store version)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db.engine import get_engine
from mne import intake, overview
from mne.access import create_user, load_actor_by_name, operator
from mne.i18n import Translator
from mne.store import init_store
from tests.conftest import fresh_database_url
from tests.e2e.conftest import PASSWORD, Browser, _serve

pytestmark = pytest.mark.e2e


@pytest.fixture
def postgres_store(tmp_path: Path) -> Iterator[Engine]:
    for url in fresh_database_url("postgresql", tmp_path):
        engine = get_engine(url)
        init_store(engine, with_demo=True)
        yield engine


def _in_progress(browser: Browser) -> bool:
    browser.page.get_by_role("link", name="Overview").click()  # type: ignore[attr-defined]
    browser.ready()
    return bool(browser.page.get_by_text("in progress:").count())  # type: ignore[attr-defined]


def test_an_approval_through_one_server_shows_on_the_other(
    postgres_store: Engine, browser: Browser
) -> None:
    engine = postgres_store
    create_user(engine, operator(), "analyst.pg", PASSWORD, "analyst")
    create_user(engine, operator(), "focal.pg", PASSWORD, "focal_point", city_codes=("VNDAD",))
    year = overview.overview(engine, "en").figures.year
    assert year is not None
    focal = load_actor_by_name(engine, "focal.pg")
    assert focal is not None
    data = f"city,indicator,period,value\nVNDAD,QE_PM25,{year + 1},21\n".encode()
    preview = intake.check(engine, data, "dad.csv", Translator("en"), actor=focal)
    assert intake.commit_preview(engine, preview, focal)["status"] == "committed"

    url = engine.url.render_as_string(hide_password=False)
    servers = [_serve(url), _serve(url)]
    first, second = (next(server) for server in servers)
    try:
        browser.open(second + "/?lang=en")
        browser.sign_in("analyst.pg", PASSWORD)
        assert not _in_progress(browser)  # submitted, not approved: not counted yet

        context = browser.page.context  # type: ignore[attr-defined]
        other = Browser(context.new_page())
        # The same browser on the other server: still signed in (the session is in the store).
        other.open(first + "/review?lang=en")
        assert not other.on_sign_in_form()
        other.page.get_by_role("button", name="Approve").click()  # type: ignore[attr-defined]
        other.page.get_by_text("values now count").wait_for(timeout=30_000)  # type: ignore[attr-defined]

        assert _in_progress(browser)  # the second server's next page load shows it
        assert browser.unexpected_errors() == []
    finally:
        for server in servers:
            next(server, None)
