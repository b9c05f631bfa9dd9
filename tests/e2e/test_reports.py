"""In Chromium, the Reports page makes a city PDF and downloads it; pypdf reads it back."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import Browser

pytestmark = pytest.mark.e2e


def test_reports_page_downloads_a_city_pdf(app_url: str, browser: Browser) -> None:
    browser.open(app_url + "/reports?lang=vi")
    page = browser.page
    page.get_by_text("Một thành phố").click()  # type: ignore[attr-defined]
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")  # type: ignore[attr-defined]
    page.get_by_role("button", name="Tạo báo cáo").click()  # type: ignore[attr-defined]
    download_button = page.get_by_role("button", name="Tải xuống mne-report-city-VNHAN-vi")  # type: ignore[attr-defined]
    download_button.wait_for(timeout=90_000)
    with page.expect_download() as download_info:  # type: ignore[attr-defined]
        download_button.click()
    download = download_info.value
    assert download.suggested_filename.startswith("mne-report-city-VNHAN-vi-")
    assert download.suggested_filename.endswith(".pdf")
    data = Path(download.path()).read_bytes()
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Hà Nội (Việt Nam)" in text
    assert "Tóm tắt tổng quan" in text and "Nhóm nhiệm vụ trọng tâm" in text
    assert len(reader.pages) >= 8
    assert browser.unexpected_errors() == []
