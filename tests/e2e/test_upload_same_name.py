"""In Chromium: a corrected file with the same name and byte length as the one before it is
read afresh; its values are previewed and stored, with its own sha256 on the batch."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from db import models as m
from db.engine import get_engine
from mne.access import operator
from mne.accounts import create_user
from mne.intake import batches
from mne.store import init_store
from tests.e2e.conftest import PASSWORD, Browser, _serve

pytestmark = pytest.mark.e2e

FIRST = "city,indicator,period,value\nVNHAN,QE_PM25,2024,41\n"
SECOND = FIRST.replace(",41", ",42")


@pytest.fixture
def store_and_app(tmp_path: Path) -> Iterator[tuple[Engine, str]]:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = get_engine(url)
    init_store(engine)
    create_user(engine, operator(), "analyst.same", PASSWORD, "analyst")
    for app_url in _serve(url):
        yield engine, app_url


def test_the_second_file_of_the_same_name_and_length_is_the_one_stored(
    store_and_app: tuple[Engine, str], browser: Browser, tmp_path: Path
) -> None:
    engine, app_url = store_and_app
    assert len(FIRST) == len(SECOND)
    page = browser.page
    browser.open(app_url + "/upload?lang=en")
    browser.sign_in("analyst.same", PASSWORD)
    page.get_by_role("link", name="Upload").click()  # type: ignore[attr-defined]
    browser.ready()
    uploader = page.locator("[data-testid='stFileUploaderDropzoneInput']")  # type: ignore[attr-defined]
    for n, text in enumerate((FIRST, SECOND)):
        folder = tmp_path / f"upload-{n}"
        folder.mkdir()
        (folder / "hanoi.csv").write_text(text, encoding="utf-8")
        uploader.set_input_files(str(folder / "hanoi.csv"))
        page.get_by_text("No errors.").wait_for(timeout=30_000)  # type: ignore[attr-defined]
        browser.ready()
    page.get_by_role("button", name="Store the values").click()  # type: ignore[attr-defined]
    page.get_by_text("Stored as batch #").wait_for(timeout=30_000)  # type: ignore[attr-defined]

    stored = batches.values_frame(engine, city="VNHAN", indicator="QE_PM25", period="2024")
    assert stored["value"].tolist() == [42.0]
    with engine.connect() as conn:
        sha256 = conn.execute(select(m.UploadBatch.sha256)).scalar_one()
    assert sha256 == hashlib.sha256(SECOND.encode()).hexdigest()
    assert browser.unexpected_errors() == []
