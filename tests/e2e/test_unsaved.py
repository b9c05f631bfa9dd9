"""In Chromium (issue 15): leaving data entry with unsaved values asks first. Typed and not
yet checked, or checked and not saved: a menu link asks, "Cancel" keeps the page and its values,
"OK" leaves; closing the tab asks the browser's own question. With nothing typed, nothing asks."""

from __future__ import annotations

import pytest

from mne.i18n import Translator
from tests.e2e.conftest import PASSWORD, Browser, choose

pytestmark = pytest.mark.e2e

TR = Translator("en")
QUESTION = TR("The values you typed are not saved. Leave this page?")


class Dialogs:
    """Answers the page's dialogs with `accept` and remembers (type, message) of each."""

    def __init__(self, page: object) -> None:
        self.seen: list[tuple[str, str]] = []
        self.accept = False
        page.on("dialog", self._answer)  # type: ignore[attr-defined]

    def _answer(self, dialog: object) -> None:
        self.seen.append((dialog.type, dialog.message))  # type: ignore[attr-defined]
        if self.accept:
            dialog.accept()  # type: ignore[attr-defined]
        else:
            dialog.dismiss()  # type: ignore[attr-defined]


def _open_entry(browser: Browser) -> None:
    page = browser.page
    page.get_by_role("link", name=TR("Enter values")).click()  # type: ignore[attr-defined]
    browser.ready()
    choose(page, TR("Year"), "2019")
    browser.ready()


def test_leaving_data_entry_with_unsaved_values_asks_first(
    accounts_app_url: str, browser: Browser
) -> None:
    page = browser.page
    dialogs = Dialogs(page)
    browser.open(accounts_app_url + "/?lang=en")
    browser.sign_in("focal.e2e", PASSWORD)
    _open_entry(browser)
    overview = page.get_by_role("link", name=TR("Overview"))  # type: ignore[attr-defined]
    check = page.get_by_role("button", name=TR("Check the values"))  # type: ignore[attr-defined]
    cell = page.locator("[data-testid='stForm'] input").first  # type: ignore[attr-defined]

    overview.click()  # nothing typed: no question
    browser.ready()
    assert dialogs.seen == []
    _open_entry(browser)

    cell.fill("12.5")  # typed, not yet sent
    overview.click()
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert dialogs.seen == [("confirm", QUESTION)]
    assert check.is_visible() and cell.input_value() == "12.5"  # Cancel: still here

    check.click()  # sent and checked, not saved: the server says so
    browser.ready()
    overview.click()
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert dialogs.seen[-1] == ("confirm", QUESTION) and len(dialogs.seen) == 2
    assert check.is_visible()

    page.close(run_before_unload=True)  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert dialogs.seen[-1][0] == "beforeunload"
    assert not page.is_closed()  # type: ignore[attr-defined]

    dialogs.accept = True
    overview.click()
    browser.ready()
    assert dialogs.seen[-1] == ("confirm", QUESTION)
    assert not check.is_visible()  # left for the Overview
    page.get_by_role("link", name=TR("History")).click()  # type: ignore[attr-defined]
    browser.ready()
    assert len(dialogs.seen) == 4  # a page with no guard asks nothing
