"""The Upload page opens with its template downloads in each language, on both stores."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne.i18n import LANGUAGES, Translator
from tests.pages.conftest import AppFactory


@pytest.mark.parametrize("lang", LANGUAGES)
def test_upload_page_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "upload.py")
    assert app.title[0].value == tr("Upload indicator data")
    assert [s.value for s in app.subheader][:1] == [tr("2. Choose a file")]
    assert app.get("file_uploader")[0].label == tr("Indicator file")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_upload_page_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "upload.py")
    assert app.title[0].value == tr("Upload indicator data")
    assert not app.error
