"""The Catalog page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne.catalog import TARGET_KIND_LABELS
from mne.i18n import LANGUAGES, Translator
from tests.pages.conftest import AppFactory


def _check_catalog(app, tr: Translator, lang: str) -> None:  # type: ignore[no-untyped-def]
    assert app.title[0].value == tr("Catalog")
    indicators = app.dataframe[0].value
    assert len(indicators) >= 36
    assert indicators["focus_area_name"].nunique() == 6
    # Names come from the store in the chosen language.
    pm25 = indicators[indicators["code"] == "QE_PM25"].iloc[0]
    expected = {"vi": "PM2,5", "en": "PM2.5", "id": "PM2,5"}[lang]
    assert expected in pm25["name"] or "PM2.5" in pm25["name"]
    assert len(app.get("plotly_chart")) == 1  # the city map
    cities = app.dataframe[2].value
    assert len(cities) == 35
    names = set(cities["name"])
    assert ("Hà Nội" if lang == "vi" else "Hanoi") in names


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    app = open_page(demo_engine, lang, "catalog.py")
    _check_catalog(app, Translator(lang), lang)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    app = open_page(engine, lang, "catalog.py")
    _check_catalog(app, Translator(lang), lang)
    targets = app.dataframe[1].value
    tr = Translator(lang)
    # The kinds of issue 12 (a global aim such as an SDG target is "international").
    assert set(targets["kind"]) <= {tr(label) for label in TARGET_KIND_LABELS.values()}
    # An official target is a country's: never shown as applying to all cities.
    official = targets[targets["kind"] == tr(TARGET_KIND_LABELS["official"])]
    assert not official.empty and (official["city"] != tr("All cities")).all()
