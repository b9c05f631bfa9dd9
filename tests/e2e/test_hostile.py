"""In Chromium, with accounts: a file whose every column holds hostile text (tests/data/
hostile.py) is uploaded, its valid rows stored with hostile notes and sources, the batch
returned with a hostile comment; Upload (every tab), Approvals, History, Audit log and the
City profile show the text as typed. No request leaves the app, no dialog opens, and no
element the payloads describe (an image, a link, a script, a formula) exists."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.data import hostile
from tests.e2e.conftest import PASSWORD, Browser, choose, newest_batch

pytestmark = pytest.mark.e2e

FILE_NAME = f"{hostile.LATEX} {hostile.COLOUR} {hostile.IMG_ONERROR}.csv"
COMMENT = f"{hostile.MD_IMAGE} {hostile.COLOUR} {hostile.SCRIPT} {hostile.JS_LINK}"
VALID = [  # rows the focal point may store, their note and source hostile
    ("Hà Nội", hostile.MD_IMAGE, hostile.SCRIPT),
    ("TP.HCM", hostile.IMG_ONERROR, hostile.HYPERLINK),
    ("Đà Nẵng", hostile.COLOUR + " " + hostile.ICON, hostile.LATEX),
    ("Huế", hostile.JS_LINK, hostile.RIGHT_TO_LEFT + hostile.ZERO_WIDTH),
]


def hostile_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["city", "indicator", "period", "value", "note", "source"])
    for payload in hostile.ALL:  # every column
        writer.writerow([payload] * 6)
    for city, note, source in VALID:
        writer.writerow([city, "QE_PM25", "2026", "21.5", note, source])
    return out.getvalue()


def _nothing_acted(browser: Browser, origin: str, requests: list[str], dialogs: list[str]) -> None:
    page = browser.page
    outside = [u for u in requests if not u.startswith(("data:", "blob:")) and _origin(u) != origin]
    assert outside == []
    assert dialogs == []
    for selector in hostile.ELEMENTS:
        assert page.locator(selector).count() == 0, selector  # type: ignore[attr-defined]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _text(locator) -> str:  # type: ignore[no-untyped-def]
    """The text as a person reads it: without the invisible word joiners mne.markup puts
    after ":" and "@" so that no address becomes a link and no code an icon."""
    return str(locator.inner_text()).replace("\u2060", "")


def _go(browser: Browser, name: str) -> None:
    browser.page.get_by_role("link", name=name, exact=True).click()  # type: ignore[attr-defined]
    browser.ready()


def test_hostile_text_shows_as_text_on_every_page(
    accounts_app_url: str, accounts_store: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.page
    origin = _origin(accounts_app_url)
    requests: list[str] = []
    dialogs: list[str] = []
    page.on("request", lambda r: requests.append(r.url))  # type: ignore[attr-defined]
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))  # type: ignore[attr-defined]

    browser.open(accounts_app_url + "/upload?lang=en")
    browser.sign_in("focal.e2e", PASSWORD)
    _go(browser, "Upload")
    upload = tmp_path / FILE_NAME
    upload.write_text(hostile_csv(), encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(upload))  # type: ignore[attr-defined]
    errors = page.locator("[data-testid='stTable']").first  # type: ignore[attr-defined]
    errors.wait_for(timeout=60_000)
    browser.ready()
    _nothing_acted(browser, origin, requests, dialogs)
    # The file's cells quoted in the messages, as typed.
    shown = _text(errors)
    for payload in hostile.VISIBLE:
        assert f"Unknown city “{payload}”" in shown
    for tab in page.get_by_role("tab").all():  # type: ignore[attr-defined]
        tab.click()
        browser.ready()
        _nothing_acted(browser, origin, requests, dialogs)

    page.get_by_text("Store the 4 valid values and leave the rejected rows out").click()  # type: ignore[attr-defined]
    browser.ready()
    page.get_by_role("button", name="Store the values").click()  # type: ignore[attr-defined]
    page.get_by_text("Stored as batch #").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    _nothing_acted(browser, origin, requests, dialogs)
    browser.sign_out()

    browser.sign_in("admin.e2e", PASSWORD)
    _go(browser, "Approvals")
    # Other browser tests share this store: return this test's own batch.
    choose(page, "Batch to review", f"#{newest_batch(accounts_store, FILE_NAME)}")
    browser.ready()
    page.get_by_label("Comment (required to return)").fill(COMMENT)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Return with comment").click()  # type: ignore[attr-defined]
    page.get_by_text("returned to its focal point").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    _nothing_acted(browser, origin, requests, dialogs)

    _go(browser, "History")
    returned = page.locator("[data-testid='stAlert']").filter(has_text="was returned by")  # type: ignore[attr-defined]
    returned.first.wait_for(timeout=30_000)
    assert COMMENT in _text(returned) and FILE_NAME in _text(returned)
    _nothing_acted(browser, origin, requests, dialogs)

    _go(browser, "Audit log")
    _nothing_acted(browser, origin, requests, dialogs)

    _go(browser, "City profile")
    _nothing_acted(browser, origin, requests, dialogs)
    assert browser.unexpected_errors() == []
    assert any(_origin(u) == origin for u in requests)  # the recording works
