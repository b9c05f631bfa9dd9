"""In Chromium: the Indicator explorer follows its filters, and its ranked chart's data
downloads as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Browser

pytestmark = pytest.mark.e2e

# The Vietnamese cities with PM2.5 values in the demo data.
VIETNAMESE_PM25 = {"Ho Chi Minh City", "Da Nang", "Hue", "Buon Ma Thuot", "Can Tho"}


def _ranked_bars(page: object) -> object:
    return page.locator(".js-plotly-plot").first.locator(".bars .point")  # type: ignore[attr-defined]


def test_a_country_filter_changes_the_ranking_and_its_csv(app_url: str, browser: Browser) -> None:
    browser.open(app_url + "/explorer?indicator=QE_PM25&lang=en")
    page = browser.page
    page.wait_for_selector(".js-plotly-plot .bars .point", timeout=30_000)  # type: ignore[attr-defined]
    assert page.locator(".js-plotly-plot").count() == 3  # type: ignore[attr-defined]
    every_city = _ranked_bars(page).count()  # type: ignore[attr-defined]
    assert every_city > len(VIETNAMESE_PM25)

    browser.ready()  # the charts draw before the script ends: pick once the page is idle
    country = page.locator("[data-testid='stMultiSelect']").filter(has_text="Country")  # type: ignore[attr-defined]
    country.locator("input").click()
    page.keyboard.type("Viet")  # type: ignore[attr-defined]
    page.get_by_role("option", name="Viet Nam").click()  # type: ignore[attr-defined]
    page.keyboard.press("Escape")  # type: ignore[attr-defined]
    # The chosen country shows as a chip: the pick reached the widget, not only the menu.
    expect(country).to_contain_text("Viet Nam", timeout=30_000)
    # Generous waits: on a loaded 2-core machine the rerun and redraw can take a while.
    page.wait_for_url("**country=VN**", timeout=60_000)  # type: ignore[attr-defined]
    # Locator waits, not JavaScript predicates: the app's policy forbids eval.
    expect(page.locator(".js-plotly-plot").first.locator(".bars .point")).to_have_count(  # type: ignore[attr-defined]
        5, timeout=60_000
    )
    assert "country=VN" in page.url  # type: ignore[attr-defined]
    labels = page.locator(".js-plotly-plot").first.locator(".yaxislayer-above .ytick text")  # type: ignore[attr-defined]
    assert set(labels.all_text_contents()) == VIETNAMESE_PM25

    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        page.get_by_role("button", name="Download the data (CSV)").first.click()  # type: ignore[attr-defined]
    download = download_info.value
    assert download.suggested_filename == "QE_PM25_ranked.csv"
    text = Path(download.path()).read_text("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["city_name"] for r in rows} == VIETNAMESE_PM25
    assert {r["country"] for r in rows} == {"VN"}
    assert [int(r["rank"]) for r in rows] == [1, 2, 3, 4, 5]
    values = [float(r["latest_value"]) for r in rows]
    assert values == sorted(values)  # lower is better: the lowest value ranks first
    assert {r["unit"] for r in rows} == {"µg/m³"}
    assert browser.unexpected_errors() == []
