"""The Compare page's data: the default cities, codes from the URL, the focus-area grid and the
statuses of the chosen cities x indicators."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, city, compare
from mne.access import operator
from mne.i18n import Translator
from mne.intake import check, commit_preview

TESTER = operator("tester")

TR = Translator("en")

STORE = """city,indicator,period,value
VNHAN,QE_PM25,2015,40
VNHAN,QE_PM25,2023,30
VNSGN,QE_PM25,2015,30
VNSGN,QE_PM25,2023,36
VNSGN,QE_GREEN_SPACE,2023,5
VNDAD,QE_PM25,2023,20
VNDAD,QE_GREEN_SPACE,2020,6
VNDAD,QE_GREEN_SPACE,2023,9
VNDAD,CS_OPEN_DATA,2023,9
THBKK,QE_PM25,2023,25
THBKK,QE_GREEN_SPACE,2023,7
THBKK,CS_OPEN_DATA,2023,7
THBKK,HW_EHR,2023,70
"""


@pytest.fixture
def small(engine: Engine) -> Engine:
    result = commit_preview(engine, check(engine, STORE.encode(), "small.csv", TR), TESTER)
    assert result["status"] == "committed", result
    return engine


def test_default_cities_are_the_vietnamese_ones_with_most_data(small: Engine) -> None:
    counts = city.data_counts(small)
    assert counts.iloc[0]["code"] == "THBKK"  # most data, but not Vietnamese
    assert compare.default_cities(counts) == ["VNDAD", "VNSGN"]
    assert compare.default_cities(counts, country="TH") == ["THBKK", "VNDAD"]
    assert compare.default_cities(counts.iloc[0:0]) == []


def test_codes_from_the_url_are_known_unique_and_limited() -> None:
    known = ["VNHAN", "VNSGN", "VNDAD", "THBKK", "SGSIN"]
    assert compare.parse_codes("vnhan, VNSGN,,XXX,VNHAN", known) == ["VNHAN", "VNSGN"]
    assert compare.parse_codes("VNHAN,VNSGN,VNDAD,THBKK,SGSIN", known, 4) == known[:4]
    assert compare.parse_codes(None, known) == []


def test_default_indicators_are_those_most_chosen_cities_report(small: Engine) -> None:
    chosen = ["VNDAD", "VNSGN"]
    assert compare.default_indicators(small, chosen, []) == ["QE_GREEN_SPACE", "QE_PM25"]
    assert compare.default_indicators(small, chosen, ["CS"]) == ["CS_OPEN_DATA"]
    assert compare.default_indicators(small, chosen, ["HW"]) == []
    assert compare.default_indicators(small, [], []) == []


def test_comparison_shows_the_shared_progress_statuses(small: Engine) -> None:
    codes = ["VNSGN", "VNHAN"]
    data = compare.comparison(small, "en", codes, ["QE_PM25", "QE_GREEN_SPACE"])
    latest = data.latest.set_index(["city", "indicator"])
    # Hanoi: PM2.5 40 -> 30 (lower is better) moves toward the 5 µg/m³ guideline;
    # Ho Chi Minh City: 30 -> 36 moves away from it.
    assert latest.loc[("VNSGN", "QE_PM25"), "status"] == "deterioration"
    assert latest.loc[("VNHAN", "QE_PM25"), "status"] in {"limited", "moderate", "on_track"}
    assert latest.loc[("VNSGN", "QE_GREEN_SPACE"), "status"] == "insufficient_data"
    cities = catalog.cities(small, "en")
    ids = cities.set_index("code")["id"]
    progress = analysis.progress(small, [ids["VNSGN"], ids["VNHAN"]])
    indicators = catalog.indicators(small, "en").set_index("id")["code"]
    by_hand = {
        (cities.set_index("id").loc[r.city_id, "code"], indicators[r.indicator_id]): r.status
        for r in progress.itertuples()
    }
    assert latest["status"].to_dict() == by_hand
    # Cities in the chosen order within each indicator, indicators in catalog order.
    assert list(data.latest["indicator"]) == ["QE_GREEN_SPACE", "QE_PM25", "QE_PM25"]
    assert list(data.latest["city"]) == ["VNSGN", "VNSGN", "VNHAN"]
    pm = data.yearly[(data.yearly["city"] == "VNHAN") & (data.yearly["indicator"] == "QE_PM25")]
    assert pm[["year", "value"]].to_dict("list") == {"year": [2015, 2023], "value": [40.0, 30.0]}
    assert data.as_of is not None


def test_comparison_without_values_is_empty(small: Engine) -> None:
    data = compare.comparison(small, "en", ["VNHUI", "VNVCA"], ["QE_PM25"])
    assert data.latest.empty and data.yearly.empty and data.as_of is None
    assert compare.comparison(small, "en", ["VNHAN"], []).latest.empty


def test_focus_area_grid_has_every_chosen_city_and_area(small: Engine) -> None:
    index = city.network_index(small, "en")
    cities = catalog.cities(small, "en")
    grid = compare.focus_area_indices(index, cities, ["VNSGN", "VNHUI"], ["QE", "CS"])
    assert list(grid["city"]) == ["VNSGN", "VNSGN", "VNHUI", "VNHUI"]  # the chosen order
    assert list(grid["focus_area"]) == ["CS", "QE", "CS", "QE"]  # catalog order
    hue = grid[grid["city"] == "VNHUI"]  # reported nothing: coverage 0, no index
    assert hue["coverage"].eq(0).all() and hue["scored"].eq(0).all() and hue["index"].isna().all()
    qe = int((catalog.indicators(small, "en")["focus_area"] == "QE").sum())
    saigon_qe = grid[grid["focus_area"] == "QE"].iloc[0]
    assert saigon_qe["scored"] == 2 and saigon_qe["coverage"] == pytest.approx(2 / qe)
    assert pd.isna(saigon_qe["index"])  # under 80 % coverage
    everything = compare.focus_area_indices(index, cities, ["VNSGN", "THBKK"], [])
    assert len(everything) == 12 and list(everything["city"][:6]) == ["VNSGN"] * 6
