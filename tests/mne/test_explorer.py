"""mne.explorer: city filters, population bands, ranking and the indicator view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import Engine

from mne import analysis, catalog, explorer, headline, scoring


def test_population_bands_have_closed_lower_edges() -> None:
    population = pd.Series([None, 0, 499_999, 500_000, 999_999, 1_000_000, 4_999_999, 5_000_000])
    assert list(explorer.population_band(population)) == [
        "unknown",
        "lt500k",
        "lt500k",
        "500k_1m",
        "500k_1m",
        "1m_5m",
        "1m_5m",
        "gt5m",
    ]


CITIES = pd.DataFrame(
    {
        "code": ["A", "B", "C", "D"],
        "country": ["VN", "VN", "TH", "TH"],
        "ascn_joined": [2018, None, 2018, None],
        "population": [8_000_000, None, 700_000, 2_000_000],
    }
)


@pytest.mark.parametrize(
    ("countries", "membership", "bands", "expected"),
    [
        ((), "all", (), ["A", "B", "C", "D"]),
        (("VN",), "all", (), ["A", "B"]),
        (("VN", "TH"), "member", (), ["A", "C"]),
        ((), "non_member", (), ["B", "D"]),
        ((), "all", ("unknown",), ["B"]),
        ((), "all", ("gt5m", "500k_1m"), ["A", "C"]),
        (("TH",), "non_member", ("1m_5m",), ["D"]),
        (("VN",), "all", ("1m_5m",), []),
    ],
)
def test_filter_cities(
    countries: tuple[str, ...], membership: str, bands: tuple[str, ...], expected: list[str]
) -> None:
    kept = explorer.filter_cities(CITIES, countries, membership, bands)
    assert list(kept["code"]) == expected


def _table(values: list[float]) -> pd.DataFrame:
    return pd.DataFrame(
        {"city_name": [f"City {i}" for i in range(len(values))], "latest_value": values}
    )


def test_ranking_puts_the_best_first_whichever_the_direction() -> None:
    table = _table([20.0, 5.0, 12.0, 5.0])
    higher = explorer.rank_cities(table, "higher")
    assert list(higher["latest_value"]) == [20.0, 12.0, 5.0, 5.0]
    assert list(higher["rank"]) == [1, 2, 3, 3]  # a tie shares the better rank
    lower = explorer.rank_cities(table, "lower")
    assert list(lower["latest_value"]) == [5.0, 5.0, 12.0, 20.0]
    assert list(lower["city_name"]) == ["City 1", "City 3", "City 2", "City 0"]
    assert list(lower["rank"]) == [1, 1, 3, 4]


def test_default_trend_cities_are_the_top_and_bottom_three() -> None:
    ranked = pd.DataFrame({"city": list("ABCDEFGH")})
    assert explorer.default_trend_cities(ranked) == ["A", "B", "C", "F", "G", "H"]
    assert explorer.default_trend_cities(ranked.head(5)) == list("ABCDE")


def test_the_network_target_of_the_latest_year_is_drawn() -> None:
    targets = pd.DataFrame(
        {
            "indicator_id": [1, 1, 1, 2],
            "city_id": [np.nan, np.nan, 7, np.nan],
            "year": [2025, 2030, 2035, 2030],
            "value": [11.0, 16.0, 99.0, 5.0],
            "kind": ["official", "official", "user_set", "guideline"],
        }
    )
    assert explorer.network_target(targets, 1) == explorer.Target(16.0, 2030, "official")
    assert explorer.network_target(targets, 3) is None


def test_indicator_view_holds_each_citys_latest_value_and_status(demo_engine: Engine) -> None:
    view = explorer.indicator_view(demo_engine, "en", "QE_PM25")
    indicators = catalog.indicators(demo_engine, "en")
    pm25 = int(indicators.loc[indicators["code"] == "QE_PM25", "id"].iloc[0])
    yearly = analysis.yearly_values(demo_engine, None, [pm25])
    latest = scoring.latest_per_pair(yearly)
    cities = catalog.cities(demo_engine, "en").set_index("id")["code"]
    expected = dict(zip(latest["city_id"].map(cities), latest["value"], strict=True))
    assert dict(zip(view.ranked["city"], view.ranked["latest_value"], strict=True)) == expected
    assert view.ranked["latest_value"].is_monotonic_increasing  # lower is better
    assert list(view.ranked["rank"]) == list(range(1, len(view.ranked) + 1))
    status = analysis.progress(demo_engine, None, [pm25])
    assert dict(zip(view.ranked["city"], view.ranked["status"], strict=True)) == dict(
        zip(status["city_id"].map(cities), status["status"], strict=True)
    )
    assert view.target == explorer.Target(5.0, 2030, "guideline")
    assert view.as_of == headline.reporting_year(yearly.dropna(subset=["value"])).year
    assert view.indicator["unit"] == "µg/m³" and view.indicator["direction"] == "lower"
    assert len(view.history) == int(yearly["value"].notna().sum())


def test_indicator_view_of_chosen_cities(demo_engine: Engine) -> None:
    view = explorer.indicator_view(demo_engine, "vi", "QE_PM25", ["VNHAN", "VNSGN", "VNDAD"])
    assert set(view.ranked["city"]) <= {"VNHAN", "VNSGN", "VNDAD"}
    assert set(view.history["city"]) == set(view.ranked["city"])
    assert "Thành phố Hồ Chí Minh" in set(view.ranked["city_name"])
    with pytest.raises(KeyError):
        explorer.indicator_view(demo_engine, "en", "NOT_AN_INDICATOR")


def test_indicator_view_of_an_empty_store(engine: Engine) -> None:
    assert explorer.reported_indicators(engine) == []
    view = explorer.indicator_view(engine, "en", "QE_PM25")
    assert view.ranked.empty and view.history.empty and view.as_of is None


def test_reported_indicators(demo_engine: Engine) -> None:
    reported = explorer.reported_indicators(demo_engine)
    assert "QE_PM25" in reported
    assert set(reported) <= set(catalog.indicators(demo_engine, "en")["code"])


def test_the_line_drawn_is_the_target_every_city_shown_shares() -> None:
    import pandas as pd

    from mne.explorer import Target, shared_target

    vietnam = pd.DataFrame(
        {
            "target_value": [32.0, 32.0],
            "target_year": [2030.0, 2030.0],
            "target_kind": ["official"] * 2,
        }
    )
    assert shared_target(vietnam) == Target(value=32.0, year=2030, kind="official")
    # Jakarta has no Vietnamese target: no single line applies to every city shown.
    mixed = pd.concat(
        [
            vietnam,
            pd.DataFrame({"target_value": [None], "target_year": [None], "target_kind": [None]}),
        ],
        ignore_index=True,
    )
    assert shared_target(mixed) is None
