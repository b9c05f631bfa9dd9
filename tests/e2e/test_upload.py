"""In Chromium, with accounts: a city focal point signs in, uploads a file with errors, reads
the reasons, downloads them, uploads the corrected file and stores it; the values are not
counted until a ministry analyst signs in and approves the batch, then the Overview counts
them. A viewer sees no upload page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.e2e.conftest import PASSWORD, Browser, choose, newest_batch

pytestmark = pytest.mark.e2e

BAD = (
    "city,indicator,period,value\n"
    "Hà Nội,QE_PM25,2026,31.5\n"
    "Atlantis,QE_PM25,2026,20\n"
    "TP.HCM,QE_PM25,2026,abc\n"
    "Đà Nẵng,QE_PM25,2026,18\n"
)
GOOD = BAD.replace("Atlantis", "Huế").replace("abc", "27")


def _overview_metrics(browser: Browser) -> dict[str, str]:
    """The Overview's metrics, reached through the menu (a new page load would start a new
    session, signed out)."""
    browser.page.get_by_role("link", name="Overview").click()  # type: ignore[attr-defined]
    browser.ready()
    metrics = browser.page.locator("[data-testid='stMetric']")  # type: ignore[attr-defined]
    return {
        metrics.nth(i).locator("[data-testid='stMetricLabel']").inner_text(): metrics.nth(i)
        .locator("[data-testid='stMetricValue']")
        .inner_text()
        for i in range(metrics.count())
    }


def test_focal_point_uploads_analyst_approves_overview_counts(
    accounts_app_url: str, accounts_store: str, browser: Browser, tmp_path: Path
) -> None:
    app_url = accounts_app_url
    page = browser.page
    browser.open(app_url + "/upload?lang=en")
    assert page.get_by_label("User name").count() == 1  # type: ignore[attr-defined]
    browser.sign_in("focal.e2e", PASSWORD)
    page.get_by_role("link", name="Upload").click()  # type: ignore[attr-defined]
    browser.ready()
    page.get_by_text("You may upload data of").wait_for(timeout=30_000)  # type: ignore[attr-defined]
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
    # Submitted, not approved: the dashboards do not count the values yet (the demo's latest
    # year, 2025, is the latest approved one).
    metrics = _overview_metrics(browser)
    assert "Cities reporting in 2025" in metrics and "Cities reporting in 2026" not in metrics
    browser.sign_out()

    browser.sign_in("analyst.e2e", PASSWORD)
    page.get_by_role("link", name="Approvals").click()  # type: ignore[attr-defined]
    browser.ready()
    page.get_by_text("Batch to review").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    # Other browser tests share this store: review this test's own batch.
    choose(page, "Batch to review", f"#{newest_batch(accounts_store, good.name)}")
    browser.ready()
    page.get_by_role("button", name="Approve").click()  # type: ignore[attr-defined]
    page.get_by_text("approved: 4 values now count").wait_for(timeout=30_000)  # type: ignore[attr-defined]
    # 4 of the 35 reporting cities have 2026 values now: too few to make 2026 the headline
    # year (mne.headline), so the Overview says 2026 is in progress.
    metrics = _overview_metrics(browser)
    assert "Cities reporting in 2025" in metrics and "Cities reporting in 2026" not in metrics
    page.get_by_text("2026 in progress: 4 / 35 cities have reported so far").wait_for(
        timeout=30_000
    )  # type: ignore[attr-defined]
    browser.sign_out()

    browser.sign_in("viewer.e2e", PASSWORD)
    navigation = page.locator("[data-testid='stSidebarNav']")  # type: ignore[attr-defined]
    assert navigation.get_by_text("Overview").count() == 1
    assert navigation.get_by_text("Upload").count() == 0
    assert navigation.get_by_text("Approvals").count() == 0
    assert browser.unexpected_errors() == []
