"""In Chromium, the Overview and Catalog pages draw their charts and the map, offline."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Browser

pytestmark = pytest.mark.e2e


def test_overview_draws_heatmap_and_progress(app_url: str, browser: Browser) -> None:
    browser.open(app_url + "/?lang=en")
    page = browser.page
    page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=30_000)  # type: ignore[attr-defined]
    assert page.locator(".js-plotly-plot").count() == 5  # type: ignore[attr-defined]
    # The heatmap is drawn as an image of cells; the progress chart has one bar per group.
    assert page.locator(".heatmaplayer image").count() == 1  # type: ignore[attr-defined]
    bars = page.locator(".js-plotly-plot").nth(3).locator(".bars .point")  # type: ignore[attr-defined]
    assert bars.count() == 6
    assert page.get_by_text("Demo data").count() >= 1  # type: ignore[attr-defined]
    assert browser.unexpected_errors() == []


def test_catalog_draws_the_map_offline(app_url: str, browser: Browser) -> None:
    browser.open(app_url + "/catalog?lang=vi")
    page = browser.page
    page.get_by_role("tab", name="Thành phố").click()  # type: ignore[attr-defined]
    # Country boundaries come from static/topojson, served by the app itself.
    page.wait_for_selector(".js-plotly-plot .geo .countries path", timeout=30_000)  # type: ignore[attr-defined]
    assert page.locator(".geo .scattergeo .point").count() == 35  # type: ignore[attr-defined]
    assert browser.unexpected_errors() == []
