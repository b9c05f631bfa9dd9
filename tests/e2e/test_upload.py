"""In Chromium: upload a file with errors, read the reasons, download them, upload the
corrected file, store it, and see the values counted on the Overview."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.conftest import Browser

pytestmark = pytest.mark.e2e

BAD = (
    "city,indicator,period,value\n"
    "Hà Nội,QE_PM25,2026,31.5\n"
    "Atlantis,QE_PM25,2026,20\n"
    "TP.HCM,QE_PM25,2026,abc\n"
    "Đà Nẵng,QE_PM25,2026,18\n"
)
GOOD = BAD.replace("Atlantis", "Huế").replace("abc", "27")


def _ready(browser: Browser) -> None:
    page = browser.page
    page.wait_for_timeout(300)  # type: ignore[attr-defined]
    page.wait_for_selector(  # type: ignore[attr-defined]
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000
    )


def test_upload_fix_and_see_it_on_the_overview(
    app_url: str, browser: Browser, tmp_path: Path
) -> None:
    page = browser.page
    browser.open(app_url + "/upload?lang=en")
    bad = tmp_path / "hanoi-2026.csv"
    bad.write_text(BAD, encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(bad))  # type: ignore[attr-defined]
    page.get_by_text("Unknown city “Atlantis”").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    assert page.get_by_text("“abc” is not a number").count() == 1  # type: ignore[attr-defined]
    store_button = page.get_by_role("button", name="Store the values")  # type: ignore[attr-defined]
    assert store_button.is_disabled()

    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download the rejected rows with reasons (CSV)").click()  # type: ignore[attr-defined]
    rejected = list(
        csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text("utf-8-sig")))
    )
    assert [r["row"] for r in rejected] == ["3", "4"]
    assert "Atlantis" in rejected[0]["city"] and "Unknown city" in rejected[0]["reasons"]

    good = tmp_path / "hanoi-2026-fixed.csv"
    good.write_text(GOOD, encoding="utf-8")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(good))  # type: ignore[attr-defined]
    page.get_by_text("No errors.").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Store the values").click()  # type: ignore[attr-defined]
    page.get_by_text("Stored as batch #").wait_for(timeout=30_000)  # type: ignore[attr-defined]

    browser.open(app_url + "/?lang=en")
    metric = page.locator("[data-testid='stMetric']", has_text="Cities reporting in 2026")  # type: ignore[attr-defined]
    assert metric.locator("[data-testid='stMetricValue']").inner_text() == "4 / 35"
    assert browser.unexpected_errors() == []
