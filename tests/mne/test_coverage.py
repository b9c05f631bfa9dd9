"""mne.coverage: the city x indicator matrix of the latest year reported, and its summary."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, coverage, scoring


def test_an_empty_store_is_all_gaps(engine: Engine) -> None:
    data = coverage.coverage_matrix(engine, "en")
    cities, indicators = catalog.cities(engine, "en"), catalog.indicators(engine, "en")
    assert len(data.cells) == len(cities) * len(indicators)
    assert data.cells["latest_year"].isna().all()
    assert data.as_of is None and data.first_year is None
    assert coverage.reported_share(data.cells) == 0.0
    assert coverage.current_share(data.cells, data.as_of) == 0.0


def test_the_matrix_matches_the_stores_yearly_values(demo_engine: Engine) -> None:
    data = coverage.coverage_matrix(demo_engine, "en")
    yearly = analysis.yearly_values(demo_engine).dropna(subset=["value"])
    latest = yearly.groupby(["city_id", "indicator_id"])["year"].max()
    cities = catalog.cities(demo_engine, "en").set_index("id")["code"]
    indicators = catalog.indicators(demo_engine, "en").set_index("id")["code"]
    expected = {(cities[c], indicators[i]): int(y) for (c, i), y in latest.items()}
    reported = data.cells.dropna(subset=["latest_year"])
    shown = {
        (c, i): int(y)
        for c, i, y in zip(
            reported["city"], reported["indicator"], reported["latest_year"], strict=True
        )
    }
    assert shown == expected
    assert data.as_of == int(yearly["year"].max())
    assert data.first_year == int(yearly["year"].min())
    assert (reported["years_since"] == data.as_of - reported["latest_year"]).all()
    assert coverage.reported_share(data.cells) == pytest.approx(len(expected) / len(data.cells))


def test_filters_by_focus_area_and_country(demo_engine: Engine) -> None:
    data = coverage.coverage_matrix(demo_engine, "vi", "QE", ["VN"])
    assert set(data.cells["focus_area"]) == {"QE"}
    assert set(data.cells["country"]) == {"VN"}
    assert data.cells["indicator"].nunique() == 7
    assert data.cells["city"].nunique() == 7
    assert "Hà Nội" in set(data.cells["city_name"])


CELLS = pd.DataFrame(
    {
        "city": ["A", "A", "A", "B", "B", "B"],
        "city_name": ["Alpha"] * 3 + ["Beta"] * 3,
        "country": ["VN"] * 6,
        "latest_year": pd.array([2024, None, 2020, None, None, 2024], dtype="Int64"),
    }
)


def test_shares_of_cells_reported() -> None:
    assert coverage.reported_share(CELLS) == pytest.approx(3 / 6)
    assert coverage.current_share(CELLS, 2024) == pytest.approx(2 / 6)
    assert coverage.current_share(CELLS, None) == 0.0


def test_cities_with_the_most_gaps_come_first() -> None:
    gaps = coverage.city_gaps(CELLS)
    assert list(gaps["city"]) == ["B", "A"]
    assert list(gaps["gaps"]) == [2, 1]
    assert list(gaps["reported"]) == [1, 2]
    assert list(gaps["share"]) == pytest.approx([1 / 3, 2 / 3])


def test_the_sql_aggregate_gives_scoring_data_coverage_figures(demo_engine: Engine) -> None:
    """reported_years in SQL = scoring.data_coverage over analysis.yearly_values."""
    data = coverage.coverage_matrix(demo_engine, "en", "HW")
    cities = catalog.cities(demo_engine, "en")
    indicators = catalog.indicators(demo_engine, "en")
    hw = indicators[indicators["focus_area"] == "HW"]
    yearly = analysis.yearly_values(demo_engine, None, list(hw["id"]))
    expected = scoring.data_coverage(yearly, city_ids=cities["id"], indicator_ids=hw["id"])
    expected = expected.assign(
        city=expected["city_id"].map(cities.set_index("id")["code"]),
        indicator=expected["indicator_id"].map(hw.set_index("id")["code"]),
    ).sort_values(["city", "indicator"])
    shown = data.cells.sort_values(["city", "indicator"])
    assert list(shown["city"]) == list(expected["city"])
    assert list(shown["indicator"]) == list(expected["indicator"])
    assert list(shown["latest_year"].astype("Float64")) == list(
        expected["latest_year"].astype("Float64")
    )
    assert list(shown["years_reported"]) == list(expected["years_reported"])
    assert list(shown["years_in_period"]) == list(expected["years_in_period"])
    assert list(shown["share"]) == pytest.approx(list(expected["share"]))
