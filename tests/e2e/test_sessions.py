"""Signed in as a browser is: reloads, new tabs and deep links keep the session; signing out in
one tab ends it in the others; no page path is ever "Page not found" or fails a request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from db import models as m
from db.engine import get_engine
from mne.access import operator
from mne.accounts import create_user
from mne.i18n import Translator
from mne.navigation import PAGES
from mne.store import init_store
from tests.e2e.conftest import PASSWORD, Browser, _serve

pytestmark = pytest.mark.e2e
ID = Translator("id")


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server started just now (nothing cached, no page opened yet) on a demo store with an
    administrator and a viewer."""
    store = f"sqlite:///{tmp_path_factory.mktemp('sessions') / 'store.db'}"
    engine = get_engine(store)
    init_store(engine, with_demo=True)
    create_user(engine, operator(), "admin.s", PASSWORD, "admin", "Admin S")
    create_user(engine, operator(), "viewer.s", PASSWORD, "viewer", "Viewer S")
    for url in _serve(store):
        STORES[url] = store
        yield url


STORES: dict[str, str] = {}


def _city_name(server: str, code: str) -> str:
    city = m.table(m.City)
    with get_engine(STORES[server]).connect() as conn:
        name = conn.execute(select(city.c.name_en).where(city.c.code == code)).scalar()
    assert name
    return str(name)


def _title(browser: Browser) -> str:
    return str(browser.page.locator("h1").first.inner_text())  # type: ignore[attr-defined]


def _signed_in(browser: Browser, lang: str = "en") -> bool:
    sign_out = Translator(lang)("Sign out")
    return bool(browser.page.get_by_role("button", name=sign_out).count())  # type: ignore[attr-defined]


def test_a_deep_link_signs_in_and_lands_on_its_page_then_reloads_and_tabs_stay_signed_in(
    fresh_server: str, browser: Browser
) -> None:
    browser.open(fresh_server + "/city?code=VNDAD&lang=en")
    assert browser.on_sign_in_form()
    browser.sign_in("viewer.s", PASSWORD)
    page = browser.page
    assert "/city?code=VNDAD" in page.url  # type: ignore[attr-defined]
    assert _title(browser) == "City profile"
    main = page.locator("[data-testid='stMain']")  # type: ignore[attr-defined]
    assert _city_name(fresh_server, "VNDAD") in main.inner_text()

    page.reload()  # type: ignore[attr-defined]
    browser.ready()
    assert _signed_in(browser) and _title(browser) == "City profile"

    context = page.context  # type: ignore[attr-defined]
    tab = Browser(context.new_page())
    tab.open(fresh_server + "/explorer?lang=id")
    assert not tab.on_sign_in_form() and _signed_in(tab, "id")
    assert _title(tab) == ID("Indicator explorer")

    # Signing out in the first tab ends the session: the other tab's next action asks for it.
    browser.sign_out()
    tab.page.get_by_role("link", name=ID("Overview")).click()  # type: ignore[attr-defined]
    tab.ready()
    assert not _signed_in(tab)
    assert tab.page.get_by_role("link", name=ID("Sign in")).count() == 1  # type: ignore[attr-defined]
    assert browser.unexpected_errors() == [] and tab.unexpected_errors() == []


@pytest.mark.parametrize("who", ["signed out", "admin.s"])
def test_no_page_path_is_page_not_found_or_fails_a_request(
    fresh_server: str, browser: Browser, who: str
) -> None:
    if who != "signed out":
        browser.open(fresh_server + "/?lang=en")
        browser.sign_in(who, PASSWORD)
    for spec in PAGES:
        browser.open(f"{fresh_server}/{spec.url_path}?lang=en")
        if who == "signed out":
            assert browser.on_sign_in_form(), spec.url_path
            continue
        assert not browser.on_sign_in_form(), spec.url_path
        assert browser.page.get_by_text("Page not found").count() == 0, spec.url_path  # type: ignore[attr-defined]
        assert _title(browser), spec.url_path
        browser.page.wait_for_load_state("networkidle")  # a map's boundaries, before moving on  # type: ignore[attr-defined]
    assert browser.unexpected_errors() == []


def test_a_page_the_role_may_not_open_says_so(fresh_server: str, browser: Browser) -> None:
    browser.open(fresh_server + "/users?lang=en")
    browser.sign_in("viewer.s", PASSWORD)
    assert _title(browser) == "Not available"
    assert browser.page.get_by_text("Your role may not open this page.").count() == 1  # type: ignore[attr-defined]
    navigation = browser.page.locator("[data-testid='stSidebarNav']")  # type: ignore[attr-defined]
    assert navigation.get_by_text("Accounts").count() == 0


def test_the_sign_in_form_lands_on_the_overview_when_opened_alone(
    fresh_server: str, browser: Browser, tmp_path: Path
) -> None:
    browser.open(fresh_server + "/signin?lang=en")
    browser.sign_in("admin.s", PASSWORD)
    assert _title(browser) == "Overview"
