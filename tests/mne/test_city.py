"""The City profile's data: statuses, gaps, targets and flags as scoring computes them by hand,
the radar's network median, the trend's straight path and the SCAP projects."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, city
from mne.access import operator
from mne.i18n import Translator
from mne.intake import check, commit_preview

TESTER = operator("tester")

TR = Translator("en")

STORE = """city,indicator,period,value
VNHAN,QE_PM25,2015,40
VNHAN,QE_PM25,2019,35
VNHAN,QE_PM25,2023,30
VNSGN,QE_PM25,2023,20
VNHAN,CS_OPEN_DATA,2018,10
VNHAN,CS_OPEN_DATA,2019,11
VNHAN,CS_OPEN_DATA,2020,10.5
VNHAN,CS_OPEN_DATA,2021,11.5
VNHAN,CS_OPEN_DATA,2022,10.8
VNHAN,CS_OPEN_DATA,2023,60
VNHAN,CS_HOUSING_FLOOR,2024-Q1,30
VNHAN,CS_HOUSING_FLOOR,2024-Q3,34
"""


@pytest.fixture
def small(engine: Engine) -> Engine:
    result = commit_preview(engine, check(engine, STORE.encode(), "small.csv", TR), TESTER)
    assert result["status"] == "committed", result
    return engine


def city_id(engine: Engine, code: str) -> int:
    cities = catalog.cities(engine, "en")
    return int(cities.loc[cities["code"] == code, "id"].iloc[0])


def row_of(table: pd.DataFrame, code: str) -> pd.Series:
    return table[table["code"] == code].iloc[0]


def test_status_gap_and_target_match_the_formulas_by_hand(small: Engine) -> None:
    table = city.indicator_table(small, "en", city_id(small, "VNHAN"), current_year=2026)
    pm = row_of(table, "QE_PM25")
    # Open SDG, lower is better (d = -1), WHO guideline 5 µg/m³ by 2030, base 2015.
    cagr_obs = (30 / 40) ** (1 / 8) - 1
    cagr_req = (5 / 40) ** (1 / 15) - 1
    ratio = -1 * cagr_obs / abs(cagr_req)
    assert 0 <= ratio < 0.60  # 0.27: limited progress
    assert pm["status"] == "limited"
    assert pm["latest_value"] == 30 and pm["latest_year"] == 2023
    assert pm["base_value"] == 40 and pm["base_year"] == 2015
    assert pm["target_value"] == 5 and pm["target_year"] == 2030
    assert pm["target_kind"] == "guideline"
    assert pm["gap"] == pytest.approx(-1 * (5 - 30))  # 25 µg/m³ still to go
    assert pm["history"] == [40, 35, 30] and pm["years"] == [2015, 2019, 2023]
    assert pm["stale"]  # 2023 is 3 years before 2026
    assert not pm["single_point"] and not pm["outlier"]


def test_status_shown_is_the_shared_progress_table(small: Engine) -> None:
    hanoi = city_id(small, "VNHAN")
    table = city.indicator_table(small, "en", hanoi, current_year=2026)
    expected = analysis.progress(small, [hanoi]).set_index("indicator_id")["status"]
    assert table.set_index("indicator_id")["status"].to_dict() == expected.to_dict()


def test_quarters_roll_up_and_official_target_kind(small: Engine) -> None:
    table = city.indicator_table(small, "en", city_id(small, "VNHAN"), current_year=2026)
    housing = row_of(table, "CS_HOUSING_FLOOR")
    assert housing["latest_value"] == pytest.approx(32)  # mean of the two quarters
    assert housing["latest_year"] == 2024 and housing["single_point"]
    assert housing["status"] == "target_achieved"  # 32 m² reaches the 2030 target of 32
    assert housing["target_kind"] == "official"
    assert not housing["stale"]


def test_outlier_and_single_point_flags(small: Engine) -> None:
    hanoi = city.indicator_table(small, "en", city_id(small, "VNHAN"), current_year=2024)
    open_data = row_of(hanoi, "CS_OPEN_DATA")
    # median 10.9, MAD 0.5: z(60) = 0.6745 x 49.1 / 0.5 = 66 > 3.5, z(10) = 1.2.
    assert open_data["outlier"] and open_data["outlier_years"] == [2023]
    assert math.isnan(open_data["target_value"]) and open_data["target_kind"] is None
    assert not open_data["stale"]  # 2023 is one year before 2024
    saigon = city.indicator_table(small, "en", city_id(small, "VNSGN"), current_year=2024)
    pm = row_of(saigon, "QE_PM25")
    assert pm["single_point"] and pm["status"] == "insufficient_data"
    assert list(saigon["code"]) == ["QE_PM25"]


def test_a_city_without_values_has_an_empty_table(small: Engine) -> None:
    table = city.indicator_table(small, "en", city_id(small, "VNDAD"))
    assert table.empty and "status" in table.columns


def test_radar_gives_city_index_and_network_median_per_area() -> None:
    areas = pd.DataFrame(
        {"code": ["CS", "QE", "BI"], "name": ["Civic", "Environment", "Built"], "sort": [1, 2, 3]}
    )
    index = pd.DataFrame(
        {
            "city_id": [1, 1, 2, 2, 3],
            "focus_area": ["CS", "QE", "CS", "QE", "CS"],
            "index": [60.0, None, 40.0, 70.0, 90.0],
            "mean_score": [60.0, 20.0, 40.0, 70.0, 90.0],
            "scored": [5, 1, 5, 6, 6],
            "indicators": [6, 7, 6, 7, 6],
            "coverage": [5 / 6, 1 / 7, 5 / 6, 6 / 7, 1.0],
        }
    )
    radar = city.radar_frame(index, areas, 1)
    assert list(radar["focus_area"]) == ["CS", "QE", "BI"]
    assert radar["network_median"].iloc[0] == 60.0  # median of 60, 40, 90
    assert radar["network_median"].iloc[1] == 70.0  # only city 2 has a QE index
    assert math.isnan(radar["network_median"].iloc[2])
    assert radar["index"].iloc[0] == 60.0 and math.isnan(radar["index"].iloc[1])
    assert radar["coverage"].tolist() == pytest.approx([5 / 6, 1 / 7, 0.0])
    assert radar["scored"].tolist() == [5, 1, 0]


def test_network_index_leaves_areas_under_80_percent_empty(small: Engine) -> None:
    index = city.network_index(small, "en")
    hanoi = index[index["city_id"] == city_id(small, "VNHAN")].set_index("focus_area")
    assert set(hanoi.index) == {"CS", "HW", "SS", "QE", "BI", "II"}
    indicators = catalog.indicators(small, "en")
    qe = int((indicators["focus_area"] == "QE").sum())
    assert hanoi.loc["QE", "coverage"] == pytest.approx(1 / qe)
    assert hanoi["index"].isna().all()  # no area has 80 % of its indicators


def test_network_index_of_an_empty_store_is_empty(engine: Engine) -> None:
    assert city.network_index(engine, "en").empty
    assert city.data_counts(engine).empty


def test_target_path_runs_from_base_to_target() -> None:
    row = pd.Series(
        {"base_value": 40.0, "base_year": 2015, "target_value": 5.0, "target_year": 2030}
    )
    path = city.target_path(row)
    assert path.to_dict("list") == {"year": [2015, 2030], "value": [40.0, 5.0]}
    assert city.target_path(row.drop("target_value")).empty
    earlier = row.copy()
    earlier["target_year"] = 2010
    assert city.target_path(earlier).empty


def test_no_path_to_a_target_already_met_or_beaten_at_the_base() -> None:
    """PM2.5 (lower is better) at 12 in 2015 with a target of 25: no path sloping up to it."""
    beaten = pd.Series(
        {
            "base_value": 12.0,
            "base_year": 2015,
            "target_value": 25.0,
            "target_year": 2030,
            "direction": "lower",
            "status": "moderate_progress",
        }
    )
    assert city.target_path(beaten).empty
    ahead = beaten.copy()
    ahead["base_value"] = 40.0
    assert city.target_path(ahead).to_dict("list")["value"] == [40.0, 25.0]
    met = ahead.copy()
    met["status"] = "target_achieved"
    assert city.target_path(met).empty
    assert city.target_met(met) and not city.target_met(ahead)
    higher = ahead.copy()
    higher["direction"] = "higher"  # 40 against a target of 25, higher is better: beaten
    assert city.target_path(higher).empty


def test_default_city_is_the_vietnamese_city_with_most_data(small: Engine) -> None:
    counts = city.data_counts(small)
    assert counts.iloc[0]["code"] == "VNHAN" and counts.iloc[0]["indicators"] == 3
    assert city.default_city(counts, catalog.cities(small, "en")) == "VNHAN"
    none = counts.iloc[0:0]
    assert (
        city.default_city(none, catalog.cities(small, "en"))
        == catalog.cities(small, "en").iloc[0]["code"]
    )


@pytest.mark.parametrize("lang", ["vi", "en", "id"])
def test_scap_projects_of_a_city_in_each_language(demo_engine: Engine, lang: str) -> None:
    seed = catalog.read_seed("demo_scap_projects.csv")
    expected = seed[seed["city"] == "VNDAD"]
    projects = city.scap_projects(demo_engine, lang, city_id(demo_engine, "VNDAD"))
    assert sorted(projects["title"]) == sorted(expected[f"title_{lang}"])
    assert set(projects["status"]) <= {"planning", "ongoing", "completed"}
    assert projects["start_year"].dtype == "Int64"


def test_profile_of_an_unknown_code_is_empty(demo_engine: Engine) -> None:
    profile = city.profile(demo_engine, "en", "XXXXX")
    assert profile.city_id is None and profile.table.empty and profile.projects.empty


def test_sparklines_draw_a_constant_as_a_flat_line_in_the_middle() -> None:
    from mne.charts import sparkline

    assert sparkline([7.0, 7.0, 7.0]) == [0.5, 0.5, 0.5]
    rising = sparkline([1.0, 2.0, 3.0])
    assert rising[0] == pytest.approx(0.1) and rising[-1] == pytest.approx(0.9)
    assert sparkline([]) == []


def test_the_heatmaps_grey_cells_have_a_legend_entry() -> None:
    from mne.charts import NO_INDEX_GREY, NO_INDEX_LABEL, focus_area_heatmap

    tr = Translator("vi")
    index = pd.DataFrame(
        {
            "city_name": ["Hà Nội", "Huế"],
            "focus_area": ["CS", "CS"],
            "focus_area_name": ["Dân sự và xã hội", "Dân sự và xã hội"],
            "index": [55.0, None],
            "coverage": [1.0, 0.5],
        }
    )
    fig = focus_area_heatmap(index, tr)
    legend = [t for t in fig.data if t.showlegend]
    assert [t.marker.color for t in legend] == [NO_INDEX_GREY]
    assert fig.layout.plot_bgcolor == NO_INDEX_GREY
    assert legend[0].name == tr(NO_INDEX_LABEL) != NO_INDEX_LABEL


@pytest.mark.parametrize("lang", ["vi", "en", "id"])
def test_the_heatmap_labels_columns_short_with_the_full_name_on_hover(lang: str) -> None:
    """At 420 px six full focus-area names pile up over the columns: the columns carry short
    names in the language, each cell's hover text the full name."""
    from mne.charts import focus_area_heatmap

    tr = Translator(lang)
    names = {"CS": "Dân sự và xã hội", "QE": "Chất lượng môi trường"}
    index = pd.DataFrame(
        {
            "city_name": ["Hà Nội", "Hà Nội"],
            "focus_area": list(names),
            "focus_area_name": list(names.values()),
            "index": [55.0, 70.0],
            "coverage": [1.0, 0.9],
        }
    )
    heat = focus_area_heatmap(index, tr).data[0]
    assert list(heat.x) == [tr("Civic"), tr("Environ.")]
    assert all(len(label) <= 12 and "<br>" not in label for label in heat.x)
    assert [cell[1] for cell in heat.customdata[0]] == list(names.values())
    assert "%{customdata[1]}" in heat.hovertemplate and "%{x}" not in heat.hovertemplate
    # In print there is no hover: the PDF's heatmap keeps the full names.
    printed = focus_area_heatmap(index, tr, short=False).data[0]
    assert [label.replace("<br>", " ") for label in printed.x] == list(names.values())
