"""The Compare page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from mne import city, compare
from mne.i18n import LANGUAGES, Translator
from mne.scoring import STATUS_LABELS
from tests.pages.conftest import AppFactory

NO_VALUES = (
    "No indicator values yet. Upload a city's indicator file, or load the demo data "
    "with `python -m mne init --demo`."
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compare_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "compare.py")
    assert app.title[0].value == tr("Compare cities")
    chosen = compare.default_cities(city.data_counts(demo_engine))
    assert len(chosen) == 2 and all(c.startswith("VN") for c in chosen)
    assert app.multiselect(key="compare_cities").value == chosen
    indicators = app.multiselect(key="compare_indicators").value
    assert indicators == compare.default_indicators(demo_engine, chosen, [])
    assert 0 < len(indicators) <= compare.DEFAULT_INDICATORS

    bars, lines = (json.loads(c.proto.spec) for c in app.get("plotly_chart"))
    assert [t["type"] for t in bars["data"]] == ["bar", "bar"]  # one per city
    assert len(bars["data"][0]["x"]) == 6  # six focus areas
    data = compare.comparison(demo_engine, lang, chosen, indicators)
    # one panel per indicator with values
    assert len({t["xaxis"] for t in lines["data"]}) == data.latest["indicator"].nunique()
    table = app.dataframe[0].value
    assert len(table) == len(data.latest) > 0
    assert list(table["status"]) == [tr(STATUS_LABELS[s]) for s in data.latest["status"]]
    assert not app.info


def test_compare_reads_cities_from_the_url_and_needs_two(
    demo_engine: Engine, open_page: AppFactory
) -> None:
    app = open_page(demo_engine, "en", "compare.py")
    app.multiselect(key="compare_cities").set_value(["VNHAN"]).run()
    assert tr_info(app) == ["Choose at least two cities to compare."]
    assert app.get("plotly_chart") == []
    app.multiselect(key="compare_cities").set_value(["VNHAN", "SGSIN", "THBKK"]).run()
    assert app.query_params["cities"] in (["VNHAN,SGSIN,THBKK"], "VNHAN,SGSIN,THBKK")
    bars = json.loads(app.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in bars["data"]] == ["Hanoi", "Singapore", "Bangkok"]


def tr_info(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.value for i in app.info]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compare_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "compare.py")
    assert app.title[0].value == tr("Compare cities")
    assert app.get("plotly_chart") == []
    assert tr(NO_VALUES) in tr_info(app)
