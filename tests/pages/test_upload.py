"""The Upload page opens with its template downloads in each language, on both stores."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import access
from mne.access import operator
from mne.i18n import LANGUAGES, Translator
from tests.pages.conftest import AppFactory


@pytest.mark.parametrize("lang", LANGUAGES)
def test_upload_page_in_the_demo_mode_explains_the_first_admin(
    demo_engine: Engine, open_page: AppFactory, lang: str
) -> None:
    """No account yet: anyone may look, nobody may upload; the page says how to begin."""
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "upload.py")
    assert app.title[0].value == tr("Upload indicator data")
    assert not app.get("file_uploader")
    assert any("python -m mne user add NAME --role admin" in i.value for i in app.info)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_upload_page_for_a_focal_point(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    access.create_user(
        engine,
        operator(),
        "focal.hue",
        "long enough password",
        "focal_point",
        city_codes=("VNHUI",),
    )
    app = open_page(engine, lang, "upload.py", user="focal.hue")
    assert app.title[0].value == tr("Upload indicator data")
    assert [s.value for s in app.subheader][:1] == [tr("2. Choose a file")]
    assert app.get("file_uploader")[0].label == tr("Indicator file")
    assert not app.error
