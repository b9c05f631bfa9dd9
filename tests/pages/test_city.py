"""The City profile page, with demo data and with an empty store, in each language."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, city
from mne.i18n import LANGUAGES, Translator
from mne.scoring import LIGHT_LABELS, STATUS_LABELS
from tests.pages.conftest import AppFactory


def figure(app, n: int) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(app.get("plotly_chart")[n].proto.spec)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_city_profile_with_demo_data(demo_engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "city.py")
    assert app.title[0].value == tr("City profile")
    cities = catalog.cities(demo_engine, lang)
    code = city.default_city(city.data_counts(demo_engine), cities)
    assert code is not None and code.startswith("VN")
    assert app.selectbox(key="city_code").value == code
    assert "code" not in app.query_params  # a default is not written: Back leaves the page

    radar, trend = figure(app, 0), figure(app, 1)
    assert {t["type"] for t in radar["data"]} == {"scatterpolar"}
    name = cities.set_index("code").loc[code, "name"]
    assert [t["name"] for t in radar["data"]] == [tr("Network median"), name]
    assert name in trend["layout"]["title"]["text"]

    # The statuses shown are the shared progress table's, translated.
    city_id = int(cities.set_index("code").loc[code, "id"])
    progress = analysis.progress(demo_engine, [city_id])
    table = app.dataframe[1].value
    expected = sorted(tr(STATUS_LABELS[s]) for s in progress["status"])
    assert sorted(table["status"]) == expected
    assert len(table) == progress["indicator_id"].nunique()

    projects = catalog.read_seed("demo_scap_projects.csv")
    titles = sorted(projects.loc[projects["city"] == code, f"title_{lang}"])
    if titles:
        assert sorted(app.dataframe[2].value["title"]) == titles
        assert not app.info
    else:
        assert [i.value for i in app.info] == [
            tr.on("markdown")("No SCAP projects recorded for {city}.", city=name)
        ]


def test_changing_city_and_indicator_changes_the_trend(
    demo_engine: Engine, open_page: AppFactory
) -> None:
    app = open_page(demo_engine, "en", "city.py")
    app.selectbox(key="city_code").set_value("VNDAD").run()
    assert not app.exception
    app.selectbox(key="city_indicator").set_value("QE_PM25").run()
    trend = figure(app, 1)
    assert trend["layout"]["title"]["text"].startswith(
        "Annual mean PM2.5 concentration (µg/m³) in Da Nang"
    )
    assert trend["layout"]["yaxis"]["title"]["text"] == "µg/m³"
    names = [t["name"] for t in trend["data"]]
    assert names == ["Reported value", "Straight path to the target", "Target 2030"]
    target = trend["data"][2]
    assert target["y"] == [5.0, 5.0]  # the WHO guideline
    assert app.query_params["indicator"] in (["QE_PM25"], "QE_PM25")
    projects = catalog.read_seed("demo_scap_projects.csv")
    titles = sorted(projects.loc[projects["city"] == "VNDAD", "title_en"])
    assert len(titles) == 3 and sorted(app.dataframe[2].value["title"]) == titles


@pytest.mark.parametrize("lang", LANGUAGES)
def test_city_profile_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "city.py")
    assert app.title[0].value == tr("City profile")
    assert app.get("plotly_chart") == []
    code = app.selectbox(key="city_code").value
    name = catalog.cities(engine, lang).set_index("code").loc[code, "name"]
    messages = [i.value for i in app.info]
    assert (
        tr.on("markdown")(
            "No indicator values for {city} yet. Upload the city's indicator file on the "
            "Upload page, or choose another city.",
            city=name,
        )
        in messages
    )
    assert tr.on("markdown")("No SCAP projects recorded for {city}.", city=name) in messages


def test_the_profile_shows_events_lights_u4ssc_and_target_scope(
    demo_engine: Engine, open_page: AppFactory
) -> None:
    """Đà Nẵng's 2025 merger is said; the focus-area table shows each area's SDSN traffic
    light and U4SSC score (the figures of mne.city); the kind of target says whose it is."""
    tr = Translator("en")
    app = open_page(demo_engine, "en", "city.py")
    app.selectbox(key="city_code").set_value("VNDAD").run()
    assert not app.exception
    infos = [i.value for i in app.info]
    assert any("took in Quảng Nam province" in text and "2025" in text for text in infos)
    areas = app.dataframe[0].value
    profile = city.profile(demo_engine, "en", "VNDAD")
    scores = city.u4ssc_by_area(profile.table)
    assert set(areas[tr("U4SSC score")]) - {"—"} == {tr.percent(s) for s in scores["score"]}
    radar = city.radar_frame(
        city.network_index(demo_engine, "en"),
        catalog.focus_areas(demo_engine, "en"),
        profile.city_id,
    )
    lights = {str(v) for v in radar["light"] if isinstance(v, str)}
    shown = set(areas[tr("Traffic light")]) - {"—"}
    assert shown == {tr(LIGHT_LABELS[v]) for v in lights}
    kinds = set(app.dataframe[1].value["kind"]) - {"—"}
    assert "Official · the country's cities" in kinds
    assert any(k.endswith("· every city") for k in kinds)
    flags = " ".join(app.dataframe[1].value["flags"])
    assert "Series break 2025" in flags and "Not compared across cities" in flags
