"""The Data coverage page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select
from streamlit.testing.v1 import AppTest

from db import models as m
from mne import catalog
from mne.i18n import LANGUAGES, Translator
from tests.conftest import ROOT
from tests.pages.conftest import AppFactory

NO_VALUES = (
    "No indicator values yet. Upload a city's indicator file, or load the demo data "
    "with `python -m mne init --demo`."
)


def reported_pairs(engine: Engine) -> set[tuple[str, str]]:
    """(city, indicator) codes with at least one value, straight from the observations."""
    o = m.table(m.Observation)
    statement = (
        select(m.City.code, m.Indicator.code)
        .select_from(o)
        .join(m.City, m.City.id == o.c.city_id)
        .join(m.Indicator, m.Indicator.id == o.c.indicator_id)
        .where(o.c.value.is_not(None))
        .group_by(m.City.code, m.Indicator.code)
    )
    with engine.connect() as conn:
        return {(c, i) for c, i in conn.execute(statement).all()}


def reported_years(engine: Engine) -> dict[tuple[str, str], set[int]]:
    """(city, indicator) codes -> the years with a value."""
    o = m.table(m.Observation)
    statement = (
        select(m.City.code, m.Indicator.code, o.c.year)
        .select_from(o)
        .join(m.City, m.City.id == o.c.city_id)
        .join(m.Indicator, m.Indicator.id == o.c.indicator_id)
        .where(o.c.value.is_not(None))
        .distinct()
    )
    years: dict[tuple[str, str], set[int]] = {}
    with engine.connect() as conn:
        for city, indicator, year in conn.execute(statement).all():
            years.setdefault((city, indicator), set()).add(int(year))
    return years


@pytest.mark.parametrize("lang", LANGUAGES)
def test_coverage_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "coverage.py")
    assert app.title[0].value == tr("Data coverage")
    assert not app.info
    cities = catalog.cities(demo_engine, lang)
    indicators = catalog.indicators(demo_engine, lang)
    cells = len(cities) * len(indicators)
    reported = reported_pairs(demo_engine)
    metrics = {mt.label: mt.value for mt in app.metric}
    assert metrics[tr("Cells ever reported")] == tr.percent(len(reported) / cells)
    by_pair = reported_years(demo_engine)
    latest_year = max(max(years) for years in by_pair.values())
    current = [pair for pair, years in by_pair.items() if latest_year in years]
    assert metrics[tr("Cells reported in {year}", year=latest_year)] == tr.percent(
        len(current) / cells
    )
    gaps = cells - len(reported)
    assert metrics[tr("Gaps (never reported)")] == f"{tr.number(gaps)} / {tr.number(cells)}"
    # The matrix: a row per city, a column per indicator, the gaps exactly the unreported cells.
    (chart,) = app.get("plotly_chart")
    spec = json.loads(chart.proto.spec)
    years, gap_trace = spec["data"][0], spec["data"][1]
    # Columns by name in the language: the ticks the names (long ones shortened with "…"),
    # the hover text the name with the code beside it.
    labels = {f"{n} ({c})": c for n, c in zip(indicators["name"], indicators["code"], strict=True)}
    assert set(years["x"]) == set(labels)
    ticks = spec["layout"]["xaxis"]["ticktext"]
    assert len(ticks) == len(indicators)
    for tick, name in zip(ticks, indicators["name"], strict=True):
        assert tick == name or (tick.endswith("…") and name.startswith(tick[:-1])), tick
    assert not set(ticks) & set(indicators["code"])
    assert set(years["y"]) == set(cities["name"])
    names = dict(zip(cities["name"], cities["code"], strict=True))
    drawn_gaps = {
        (names[city], code)
        for city, row in zip(gap_trace["y"], gap_trace["text"], strict=True)
        for code, mark in zip(map(labels.get, gap_trace["x"]), row, strict=True)
        if mark
    }
    every = {(c, i) for c in cities["code"] for i in indicators["code"]}
    assert drawn_gaps == every - reported
    # The city with the most gaps heads the list.
    table = app.dataframe[0].value
    per_city: dict[str, int] = {}
    for city, _ in every - reported:
        per_city[city] = per_city.get(city, 0) + 1
    assert int(table["gaps"].iloc[0]) == max(per_city.values())


def test_coverage_applies_the_filters_in_the_url(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["lang"] = "en"
    app.query_params["area"] = "QE"
    app.query_params["country"] = "VN,TH"
    app.run()
    app.switch_page("pages/coverage.py")
    app.run()
    assert not app.exception
    assert app.selectbox(key="coverage_area").value == "QE"
    assert app.multiselect(key="coverage_country").value == ["VN", "TH"]
    spec = json.loads(app.get("plotly_chart")[0].proto.spec)
    indicators = catalog.indicators(demo_engine, "en")
    qe = indicators[indicators["focus_area"] == "QE"]
    assert spec["data"][0]["x"] == [
        f"{n} ({c})" for n, c in zip(qe["name"], qe["code"], strict=True)
    ]
    cities = catalog.cities(demo_engine, "en")
    assert set(spec["data"][0]["y"]) == set(
        cities.loc[cities["country"].isin(["VN", "TH"]), "name"]
    )
    # Choosing every focus area again takes the filter out of the URL.
    app.selectbox(key="coverage_area").set_value("").run()
    assert "area" not in app.query_params
    assert app.query_params["country"] == "VN,TH"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_coverage_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "coverage.py")
    assert app.title[0].value == tr("Data coverage")
    assert app.get("plotly_chart") == []
    assert [i.value for i in app.info] == [tr(NO_VALUES)]
