"""In Chromium, the City profile draws its radar and trend chart, follows the indicator filter
and downloads the trend's data as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Browser

pytestmark = pytest.mark.e2e


def trend_title(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(".js-plotly-plot").nth(1).locator(".gtitle").text_content())


def test_city_profile_radar_trend_filter_and_csv(app_url: str, browser: Browser) -> None:
    browser.open(app_url + "/city?lang=en&code=VNDAD&indicator=QE_PM25")
    page = browser.page
    page.wait_for_selector(".js-plotly-plot .polarlayer .trace", timeout=30_000)  # type: ignore[attr-defined]
    radar = page.locator(".js-plotly-plot").nth(0)  # type: ignore[attr-defined]
    assert radar.locator(".polarlayer .scatterlayer .trace").count() == 2  # median + city
    assert "Da Nang" in radar.locator(".gtitle").text_content()

    trend = page.locator(".js-plotly-plot").nth(1)  # type: ignore[attr-defined]
    trend.locator(".scatterlayer .trace").first.wait_for(timeout=30_000)
    assert trend.locator(".scatterlayer .trace").count() == 3  # values, path, target
    before = trend_title(page)
    assert before.startswith("Annual mean PM2.5 concentration (µg/m³) in Da Nang")
    assert trend.locator(".ytitle").text_content() == "µg/m³"

    # Choose another indicator: the trend chart follows, and so does the URL.
    box = page.locator("[data-testid='stSelectbox']").filter(has_text="Indicator")  # type: ignore[attr-defined]
    box.click()
    page.keyboard.type("Green space per urban")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    # A locator wait, not a JavaScript predicate: the app's policy forbids eval.
    expect(page.locator(".js-plotly-plot").nth(1).locator(".gtitle")).not_to_have_text(  # type: ignore[attr-defined]
        before, timeout=30_000
    )
    after = trend_title(page)
    assert "green space" in after.lower() and "m²/person" in after
    assert page.locator(".js-plotly-plot").nth(1).locator(".ytitle").text_content() == "m²/person"  # type: ignore[attr-defined]
    assert "indicator=QE_GREEN_SPACE" in page.url  # type: ignore[attr-defined]

    # The trend chart's numbers download as CSV: the second chart's button.
    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download the data (CSV)").nth(1).click()  # type: ignore[attr-defined]
    download = download_info.value
    assert download.suggested_filename == "trend_VNDAD_QE_GREEN_SPACE.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text("utf-8-sig"))))
    assert {r["city"] for r in rows} == {"VNDAD"}
    assert {r["indicator"] for r in rows} == {"QE_GREEN_SPACE"}
    reported = [r for r in rows if r["series"] == "reported"]
    assert len(reported) >= 2 and all(2015 <= int(r["year"]) <= 2025 for r in reported)
    assert [r["year"] for r in rows if r["series"] == "target"] == ["2030"]
    assert [float(r["value"]) for r in rows if r["series"] == "target"] == [8.0]
    assert browser.unexpected_errors() == []


def test_da_nang_s_2025_break_is_drawn_on_its_trend_chart(app_url: str, browser: Browser) -> None:
    """Đà Nẵng took in Quảng Nam on 1 July 2025: the trend chart draws the series break as a
    labelled vertical line before 2025, the indicator table flags it (not as an outlier), and
    the profile says why."""
    browser.open(app_url + "/city?lang=en&code=VNDAD&indicator=QE_PM25")
    page = browser.page
    trend = page.locator(".js-plotly-plot").nth(1)  # type: ignore[attr-defined]
    trend.locator(".scatterlayer .trace").first.wait_for(timeout=30_000)
    label = trend.locator(".annotation-text", has_text="Series break 2025: new borders")
    label.wait_for(timeout=30_000)
    assert trend.locator(".shapelayer path").count() >= 1
    assert page.get_by_text("took in Quảng Nam province").count() == 1  # type: ignore[attr-defined]
    assert page.get_by_text("Series break in 2025").count() == 1  # type: ignore[attr-defined]
    assert browser.unexpected_errors() == []
