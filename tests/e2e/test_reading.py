"""In Chromium: Back and Forward move between the pages the user saw; at 420 px the Overview
and the City profile fit the page's width; the browser tab's title is in the language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from mne import web
from mne.i18n import Translator
from tests.e2e.conftest import PASSWORD, Browser

pytestmark = pytest.mark.e2e


# The page's scroll width, the viewport's, and the elements of the page that reach past the
# viewport's right edge without a scrolling or clipping box inside the viewport around them (a
# wide table scrolls inside its frame; that is not the page overflowing).
OVERFLOW_SCRIPT = """() => {
  const edge = window.innerWidth + 1;
  const out = [];
  for (const e of document.querySelectorAll('[data-testid="stMain"] *')) {
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.right <= edge) continue;
    let held = false;
    for (let a = e.parentElement; a; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible' && a.getBoundingClientRect().right <= edge) {
        held = true;
        break;
      }
    }
    if (!held) out.push(e.tagName + ' ' + (e.getAttribute('data-testid') || ''));
  }
  return [document.documentElement.scrollWidth, window.innerWidth, out.slice(0, 10)];
}"""


def heading(browser: Browser) -> str:
    browser.ready()
    page = browser.page
    return str(page.locator("h1").first.text_content()).strip()  # type: ignore[attr-defined]


def go_to(browser: Browser, title: str) -> None:
    page = browser.page
    link = page.locator("[data-testid='stSidebarNav'] a").filter(has_text=title)  # type: ignore[attr-defined]
    link.first.click()
    _heading_starts_with(browser, title)
    browser.ready()


def _heading_starts_with(browser: Browser, title: str) -> None:
    """A locator wait (the app's policy forbids the eval a JavaScript predicate needs)."""
    heading = browser.page.locator("h1").first  # type: ignore[attr-defined]
    expect(heading).to_have_text(re.compile(r"^\s*" + re.escape(title)), timeout=60_000)


def wait_for_heading(browser: Browser, title: str) -> str:
    _heading_starts_with(browser, title)
    return heading(browser)


def test_back_and_forward_move_between_the_pages_seen(app_url: str, browser: Browser) -> None:
    tr = Translator("en")
    browser.open(app_url + "/?lang=en")
    assert heading(browser).startswith(tr("Overview"))
    go_to(browser, tr("Compare"))
    go_to(browser, tr("ASCN projects"))
    page = browser.page
    page.go_back()  # type: ignore[attr-defined]
    assert wait_for_heading(browser, tr("Compare")).startswith(tr("Compare"))
    assert "/compare" in page.url  # type: ignore[attr-defined]
    page.go_back()  # type: ignore[attr-defined]
    assert wait_for_heading(browser, tr("Overview")).startswith(tr("Overview"))
    assert "/compare" not in page.url and "/projects" not in page.url  # type: ignore[attr-defined]
    page.go_forward()  # type: ignore[attr-defined]
    assert wait_for_heading(browser, tr("Compare")).startswith(tr("Compare"))


@pytest.mark.parametrize("path", ["/?lang=vi", "/city?lang=vi", "/?lang=id", "/city?lang=id"])
def test_pages_fit_a_narrow_screen(app_url: str, browser: Browser, path: str) -> None:
    page = browser.page
    page.set_viewport_size({"width": 420, "height": 900})  # type: ignore[attr-defined]
    browser.open(app_url + path)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)  # type: ignore[attr-defined]
    browser.ready()
    scroll_width, viewport, sticking_out = page.evaluate(OVERFLOW_SCRIPT)  # type: ignore[attr-defined]
    assert scroll_width <= viewport
    assert sticking_out == []


@pytest.mark.parametrize("lang", ["vi", "en", "id"])
def test_the_browser_tab_is_titled_in_the_language(
    app_url: str, browser: Browser, lang: str
) -> None:
    browser.open(app_url + f"/?lang={lang}")
    title = str(browser.page.title())  # type: ignore[attr-defined]
    assert web.APP_TITLE[lang] in title


# The data grid draws its cells on a canvas and keeps an accessible table of the columns it
# renders: those inside its frame, the last one possibly cut. A key column is in sight when
# it is among the rendered columns before the last.
RENDERED_COLUMNS = """n => {
  const grid = document.querySelectorAll('[data-testid="stDataFrame"]')[n];
  return [...grid.querySelectorAll('[role="columnheader"]')].map(h => h.textContent.trim());
}"""


def rendered_columns(browser: Browser, n: int) -> list[str]:
    page = browser.page
    grid = page.locator("[data-testid='stDataFrame']").nth(n)  # type: ignore[attr-defined]
    grid.locator("[role='columnheader']").first.wait_for(state="attached", timeout=60_000)
    page.wait_for_timeout(1000)  # type: ignore[attr-defined]
    return list(page.evaluate(RENDERED_COLUMNS, n))  # type: ignore[attr-defined]


def columns_in_sight(browser: Browser, n: int) -> list[str]:
    return rendered_columns(browser, n)[:-1]


@pytest.mark.parametrize("lang", ["vi", "en", "id"])
def test_key_columns_are_in_sight_at_1400_px(app_url: str, browser: Browser, lang: str) -> None:
    tr = Translator(lang)
    browser.open(app_url + f"/?lang={lang}")
    # The movers: change and city in full, the indicator's name begins in sight (its last
    # column; long names are cut, the full name is in the cell's tooltip and the CSV).
    movers = rendered_columns(browser, 0)
    assert {tr("Score change"), tr("City")} <= set(movers[:-1]), movers
    assert movers[-1] == tr("Indicator"), movers

    browser.open(app_url + f"/city?lang={lang}&code=VNDAD")
    indicators = columns_in_sight(browser, 1)
    wanted = {tr("Indicator"), tr("Status"), tr("Latest value"), tr("Target (year)"), tr("Gap")}
    assert wanted <= set(indicators), indicators

    browser.open(app_url + f"/history?lang={lang}")
    page = browser.page
    page.get_by_text(tr("Show the demo data batch")).click()  # type: ignore[attr-defined]
    browser.ready()
    batches = columns_in_sight(browser, 0)
    assert {tr("Batch"), tr("File"), tr("When"), tr("State"), tr("Approval")} <= set(batches)


# A file an analyst reads before storing it: the cities and indicators as a person writes them.
READ_FILE = (
    "city,indicator,period,value\n"
    "Hà Nội,QE_PM25,2026,31.5\n"
    "TP.HCM,QE_PM25,2026,27\n"
    "Đà Nẵng,QE_PM25,2026,18\n"
)

# The index of the data grid inside the tab panel on show, among all the page's grids.
GRID_IN_SIGHT = """() => {
  const grids = [...document.querySelectorAll('[data-testid="stDataFrame"]')];
  return grids.findIndex(g => g.closest('[role="tabpanel"]') && g.getClientRects().length > 0);
}"""


@pytest.mark.parametrize("lang", ["vi", "en", "id"])
def test_upload_read_values_key_columns_are_in_sight_at_1400_px(
    accounts_app_url: str, browser: Browser, lang: str, tmp_path: Path
) -> None:
    tr, page = Translator(lang), browser.page
    browser.open(accounts_app_url + f"/upload?lang={lang}")
    assert browser.on_sign_in_form()
    browser.sign_in("analyst.e2e", PASSWORD, lang)
    page.locator("[data-testid='stSidebarNav'] a").filter(has_text=tr("Upload")).first.click()  # type: ignore[attr-defined]
    browser.ready()
    upload = tmp_path / "read-2026.csv"
    upload.write_text(READ_FILE, encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))  # type: ignore[attr-defined]
    tab = page.get_by_role("tab", name=tr("Values read ({n})", n=3))  # type: ignore[attr-defined]
    tab.wait_for(timeout=60_000)
    browser.ready()
    tab.click()
    expect(page.get_by_role("tabpanel").locator("[data-testid='stDataFrame']")).to_have_count(  # type: ignore[attr-defined]
        1, timeout=30_000
    )
    n = page.evaluate(GRID_IN_SIGHT)  # type: ignore[attr-defined]
    assert n >= 0
    read = columns_in_sight(browser, n)
    wanted = {
        tr("Valid"),
        tr("City code"),
        tr("Indicator code"),
        tr("Period"),
        tr("Value"),
        tr("City (as written)"),
        tr("Indicator (as written)"),
    }
    assert wanted <= set(read), read
