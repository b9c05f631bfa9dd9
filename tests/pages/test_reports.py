"""The Reports page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne import overview
from mne.i18n import LANGUAGES, Translator
from tests.pages.conftest import AppFactory


@pytest.mark.parametrize("lang", LANGUAGES)
def test_reports_page_previews_and_makes_an_excel_report(
    demo_engine: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "reports.py")
    assert app.title[0].value == tr("Reports")
    metrics = {m.label: m.value for m in app.metric}
    figures = overview.overview(demo_engine, lang).figures  # the store's own key figures
    assert figures.cities_reporting > 0
    assert metrics[tr("Cities")] == f"{figures.cities_reporting} / {figures.cities}"
    assert any(tr("Executive summary") in md.value for md in app.markdown)
    assert any(tr("Approved values only") in md.value for md in app.markdown)
    assert not app.error

    app.radio[0].set_value("city").run()
    app.radio[1].set_value("xlsx").run()
    assert any(tr("Observations") in md.value for md in app.markdown)
    app.button[0].click().run()
    assert not app.exception and not app.error
    download = app.get("download_button")
    assert len(download) == 1
    name = download[0].proto.label
    assert "city-VNHAN" in name and name.endswith(".xlsx")


def test_reports_page_refuses_nothing_on_an_empty_store(
    engine: Engine, open_page: AppFactory
) -> None:
    tr = Translator("vi")
    app = open_page(engine, "vi", "reports.py")
    assert app.title[0].value == tr("Reports")
    messages = [i.value for i in app.info]
    assert tr("No indicator values in this scope and period: the report will say so.") in messages
    app.radio[1].set_value("xlsx").run()
    app.button[0].click().run()
    assert not app.exception and not app.error
    assert len(app.get("download_button")) == 1
