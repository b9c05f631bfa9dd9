"""The Upload page opens with its template downloads in each language, on both stores."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db import models as m
from mne import accounts, intake
from mne.access import operator
from mne.i18n import LANGUAGES, Translator
from mne.intake import batches
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
    accounts.create_user(
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


def _store_button(app: AppTest, tr: Translator) -> Any:
    return next(b for b in app.button if b.label == tr("Store the values"))


def _upload(app: AppTest, name: str, data: bytes) -> AppTest:
    app.file_uploader[0].set_value((name, data, "text/csv"))
    return app.run()


def test_a_corrected_file_of_the_same_name_and_length_is_read_afresh(
    engine: Engine, open_page: AppFactory
) -> None:
    """Two files called hanoi.csv, of the same byte length, with 41 and then 42: the second
    file's value is previewed and stored, with the second file's sha256 on its batch."""
    tr = Translator("en")
    accounts.create_user(engine, operator(), "analyst.u", "long enough password", "analyst")
    first = b"city,indicator,period,value\nVNHAN,QE_PM25,2024,41\n"
    second = b"city,indicator,period,value\nVNHAN,QE_PM25,2024,42\n"
    assert len(first) == len(second)

    app = open_page(engine, "en", "upload.py", user="analyst.u")
    app = _upload(app, "hanoi.csv", first)
    assert [float(v) for v in app.dataframe[-1].value["value"]] == [41.0]
    app = _upload(app, "hanoi.csv", second)
    assert [float(v) for v in app.dataframe[-1].value["value"]] == [42.0]
    _store_button(app, tr).click()
    app.run()
    assert not app.exception

    stored = batches.values_frame(engine, city="VNHAN", indicator="QE_PM25", period="2024")
    assert stored["value"].tolist() == [42.0]
    with engine.connect() as conn:
        sha256 = conn.execute(
            select(m.UploadBatch.sha256).where(m.UploadBatch.id == int(stored["batch_id"].iloc[0]))
        ).scalar_one()
    assert sha256 == hashlib.sha256(second).hexdigest()


def test_the_preview_follows_a_write_made_elsewhere(engine: Engine, open_page: AppFactory) -> None:
    """A preview says what storing the file would change against the store as it is now: a
    value stored meanwhile by someone else (here the command line's operator) turns the
    preview's "new" value into a changed one."""
    tr = Translator("en")
    accounts.create_user(engine, operator(), "analyst.v", "long enough password", "analyst")
    data = b"city,indicator,period,value\nVNHAN,QE_PM25,2024,42\n"
    app = open_page(engine, "en", "upload.py", user="analyst.v")
    app = _upload(app, "hanoi.csv", data)
    assert _metric(app, tr("New")) == "1"
    other = intake.check(engine, data.replace(b"42", b"40"), "other.csv", tr, actor=operator())
    intake.commit_preview(engine, other, operator())
    app.run()
    assert _metric(app, tr("New")) == "0"
    assert _metric(app, tr("Changed")) == "1"


def _metric(app: AppTest, label: str) -> str:
    return next(m.value for m in app.metric if m.label == label)
