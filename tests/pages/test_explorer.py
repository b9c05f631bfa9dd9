"""The Indicator explorer, with demo data and with an empty store, in each language."""

from __future__ import annotations

import base64
import json
from typing import Any

import numpy as np
import pytest
from sqlalchemy import Engine
from streamlit.testing.v1 import AppTest

from mne import analysis, catalog, scoring
from mne.i18n import LANGUAGES, Translator
from tests.conftest import ROOT
from tests.pages.conftest import AppFactory

NO_VALUES = (
    "No indicator values yet. Upload a city's indicator file, or load the demo data "
    "with `python -m mne init --demo`."
)


def open_with_url(
    engine: Engine, lang: str, monkeypatch: pytest.MonkeyPatch, **params: str
) -> AppTest:
    """The explorer opened from a shared link: ?indicator=...&country=... ."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.session_state["lang"] = lang
    for name, value in params.items():
        app.query_params[name] = value
    app.run()
    app.switch_page("pages/explorer.py")
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def figure(app: AppTest, position: int) -> dict[str, Any]:
    return dict(json.loads(app.get("plotly_chart")[position].proto.spec))


def numbers(values: Any) -> list[float]:
    """A plotly array, plain or binary-encoded ({"dtype", "bdata"})."""
    if isinstance(values, dict):
        return list(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return [float(v) for v in values]


def ranked_bars(app: AppTest) -> dict[str, tuple[float, str]]:
    """City name -> (value, status legend name) as the ranked chart draws them."""
    bars: dict[str, tuple[float, str]] = {}
    for trace in figure(app, 0)["data"]:
        if trace["type"] == "bar":
            for city, value in zip(trace["y"], numbers(trace["x"]), strict=True):
                bars[city] = (float(value), trace["name"])
    return bars


def store_latest(engine: Engine, lang: str, indicator: str, countries: list[str] | None = None):  # type: ignore[no-untyped-def]
    """City name -> the latest yearly value of `indicator`, straight from the store."""
    cities = catalog.cities(engine, lang)
    if countries:
        cities = cities[cities["country"].isin(countries)]
    indicators = catalog.indicators(engine, lang)
    indicator_id = int(indicators.loc[indicators["code"] == indicator, "id"].iloc[0])
    latest = scoring.latest_per_pair(analysis.yearly_values(engine, None, [indicator_id]))
    latest = latest.merge(cities, left_on="city_id", right_on="id")
    return dict(zip(latest["name"], latest["value"], strict=True))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorer_ranks_the_cities_by_their_latest_value(
    demo_engine: Engine, open_page: AppFactory, lang: str
) -> None:
    tr = Translator(lang)
    app = open_page(demo_engine, lang, "explorer.py")
    assert app.title[0].value == tr("Indicator explorer")
    assert len(app.get("plotly_chart")) == 3  # ranked, distribution, over time
    assert not app.info
    # The first indicator with data in catalog order is shown; a default is not written to
    # the URL (arriving adds no entry to the browser's history).
    shown = app.selectbox[1].value
    assert "indicator" not in app.query_params
    indicators = catalog.indicators(demo_engine, lang)
    assert shown == indicators["code"].iloc[0]
    bars = ranked_bars(app)
    expected = store_latest(demo_engine, lang, shown)
    assert {city: value for city, (value, _) in bars.items()} == pytest.approx(expected)
    # Higher is better for this indicator: the best value is drawn at the top (plotly's last).
    spec = figure(app, 0)
    order = spec["layout"]["yaxis"]["categoryarray"]
    assert [bars[c][0] for c in order] == sorted(bars[c][0] for c in order)
    # The title names the unit and the year of the data.
    unit = indicators.loc[indicators["code"] == shown, "unit"].iloc[0]
    title = spec["layout"]["title"]["text"]
    assert unit in title and "2025" in title


def test_explorer_applies_the_filters_in_the_url(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    tr = Translator("en")
    app = open_with_url(demo_engine, "en", monkeypatch, indicator="QE_PM25", country="VN")
    assert app.selectbox(key="explorer_indicator").value == "QE_PM25"
    assert app.multiselect(key="explorer_country").value == ["VN"]
    bars = ranked_bars(app)
    expected = store_latest(demo_engine, "en", "QE_PM25", ["VN"])
    assert {city: value for city, (value, _) in bars.items()} == pytest.approx(expected)
    assert len(bars) >= 2  # enough cities for an order to mean something
    # Lower is better: the lowest value is the top bar (the last of plotly's category array).
    order = figure(app, 0)["layout"]["yaxis"]["categoryarray"]
    assert bars[order[-1]][0] == min(expected.values())
    # Each bar's colour is its status in the shared palette, the legend naming the status.
    progress = analysis.progress(demo_engine)
    pm25 = catalog.indicators(demo_engine, "en").set_index("code").loc["QE_PM25", "id"]
    cities = catalog.cities(demo_engine, "en").set_index("id")["name"]
    statuses = progress[progress["indicator_id"] == pm25].assign(
        city=lambda f: f["city_id"].map(cities)
    )
    statuses = statuses[statuses["city"].isin(list(bars))]
    assert {
        c: tr(scoring.STATUS_LABELS[s])
        for c, s in zip(statuses["city"], statuses["status"], strict=True)
    } == {c: status for c, (_, status) in bars.items()}
    # The target line and its kind are in the legend.
    names = [t.get("name") for t in figure(app, 0)["data"]]
    assert "Target 2030: 5.0 µg/m³ (international guideline)" in names
    # The trend chart shows the top and bottom three, best (lowest) first: all of them when
    # there are six or fewer.
    names = catalog.cities(demo_engine, "en").set_index("name")["code"]
    best_first = [names[c] for c in sorted(expected, key=lambda c: (expected[c], c))]
    trend = best_first if len(best_first) <= 6 else best_first[:3] + best_first[-3:]
    assert app.multiselect(key="explorer_cities").value == trend
    lines = [t["name"] for t in figure(app, 2)["data"] if t["mode"] == "lines+markers"]
    assert len(lines) == len(trend)


def test_a_filter_change_goes_into_the_url(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_with_url(demo_engine, "en", monkeypatch, indicator="QE_PM25", country="VN")
    app.radio(key="explorer_member").set_value("non_member").run()
    assert app.query_params["member"] == "non_member"
    # Of the Vietnamese cities, only those that are not ASCN members remain.
    assert set(ranked_bars(app)) == {"Hue", "Buon Ma Thuot", "Can Tho"}
    app.multiselect(key="explorer_pop").set_value(["gt5m"]).run()
    assert app.query_params["pop"] == "gt5m"
    assert [i.value for i in app.info] == [
        "No city matches these filters. Choose more countries, another membership or size."
    ]
    assert app.get("plotly_chart") == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_explorer_on_an_empty_store(engine: Engine, open_page: AppFactory, lang: str) -> None:
    tr = Translator(lang)
    app = open_page(engine, lang, "explorer.py")
    assert app.title[0].value == tr("Indicator explorer")
    assert app.get("plotly_chart") == []
    assert [i.value for i in app.info] == [tr(NO_VALUES)]
