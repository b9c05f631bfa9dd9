"""Compare: two to four cities side by side on chosen focus areas and indicators.

The focus-area indices come from the same network-wide read as the City profile
(mne.city.network_index); the indicator values are read for the chosen cities and indicators
only, aggregated to years in SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from mne import analysis, catalog, scoring
from mne.analysis import StoreView

MIN_CITIES, MAX_CITIES = 2, 4
DEFAULT_INDICATORS = 4


def default_cities(counts: pd.DataFrame, country: str = "VN", count: int = MIN_CITIES) -> list[str]:
    """The first `count` cities of `country` with most data (`counts` is mne.city.data_counts);
    when fewer of the country report, the cities of any country with most data."""
    in_country = counts[counts["country"] == country]
    chosen = in_country if len(in_country) >= count else counts
    return [str(code) for code in chosen["code"].head(count)]


def parse_codes(text: str | None, known: Sequence[str], limit: int | None = None) -> list[str]:
    """Codes from a URL value such as "VNHAN,VNSGN": known codes only, upper-cased, each once,
    in the given order, at most `limit`."""
    wanted = [c.strip().upper() for c in (text or "").split(",") if c.strip()]
    allowed = set(known)
    codes = list(dict.fromkeys(c for c in wanted if c in allowed))
    return codes if limit is None else codes[:limit]


def default_indicators(
    store: StoreView | Engine,
    city_codes: Sequence[str],
    focus_areas: Sequence[str],
    count: int = DEFAULT_INDICATORS,
) -> list[str]:
    """Indicators of the chosen focus areas that most of the chosen cities report (counted in
    SQL), at most one per focus area first, in catalog order, up to `count`."""
    if not city_codes:
        return []
    view = StoreView.of(store)
    o, c, i, fa = (
        view.observations(),
        m.table(m.City),
        m.table(m.Indicator),
        m.table(m.FocusArea),
    )
    statement = (
        select(
            i.c.code,
            fa.c.code.label("focus_area"),
            fa.c.sort,
            func.count(func.distinct(o.c.city_id)).label("cities"),
        )
        .join(c, c.c.id == o.c.city_id)
        .join(i, i.c.id == o.c.indicator_id)
        .join(fa, fa.c.id == i.c.focus_area_id)
        .where(c.c.code.in_(list(city_codes)), i.c.is_active)
        .group_by(i.c.code, fa.c.code, fa.c.sort)
    )
    if focus_areas:
        statement = statement.where(fa.c.code.in_(list(focus_areas)))
    frame = pd.read_sql(statement, view.engine)
    if frame.empty:
        return []
    best = frame[frame["cities"] == frame["cities"].max()].sort_values(["sort", "code"])
    first_per_area = best.drop_duplicates("focus_area")
    ordered = pd.concat([first_per_area, best.drop(first_per_area.index)])
    return [str(code) for code in ordered["code"].head(count)]


def focus_area_indices(
    index: pd.DataFrame, cities: pd.DataFrame, city_codes: Sequence[str], focus_areas: Sequence[str]
) -> pd.DataFrame:
    """The chosen cities' focus-area indices (a mne.city.network_index frame) for the chosen
    areas (all when empty): city, city_name, focus_area, focus_area_name, index, coverage,
    scored, indicators. Every chosen city x area has a row (coverage 0 when no data), cities in
    the chosen order, areas in catalog order."""
    chosen = cities[cities["code"].isin(list(city_codes))][["id", "code", "name"]]
    chosen = chosen.rename(columns={"id": "city_id", "code": "city", "name": "city_name"})
    areas = index[["focus_area", "focus_area_name", "sort"]].drop_duplicates("focus_area")
    if focus_areas:
        areas = areas[areas["focus_area"].isin(list(focus_areas))]
    grid = chosen.merge(areas, how="cross")
    values = index[["city_id", "focus_area", "index", "coverage", "scored", "indicators"]]
    frame = grid.merge(values, on=["city_id", "focus_area"], how="left")
    frame["coverage"] = frame["coverage"].fillna(0.0)
    frame["scored"] = frame["scored"].fillna(0).astype(int)
    order = {code: n for n, code in enumerate(city_codes)}
    frame = frame.assign(_order=frame["city"].map(order))
    frame = frame.sort_values(["_order", "sort"], ignore_index=True)
    return frame[
        [
            "city",
            "city_name",
            "focus_area",
            "focus_area_name",
            "index",
            "coverage",
            "scored",
            "indicators",
        ]
    ]


@dataclass(frozen=True)
class Comparison:
    yearly: pd.DataFrame  # city, city_name, indicator, indicator_name, unit, year, value
    latest: pd.DataFrame  # one row per city x indicator: latest value and year, target, status
    as_of: int | None  # the latest year of the compared values


YEARLY_COLUMNS = ["city", "city_name", "indicator", "indicator_name", "unit", "year", "value"]
LATEST_COLUMNS = [
    "indicator",
    "indicator_name",
    "unit",
    "decimals",
    "city",
    "city_name",
    "latest_value",
    "latest_year",
    "target_value",
    "target_year",
    "gap",
    "status",
]


def comparison(
    store: StoreView | Engine, lang: str, city_codes: Sequence[str], indicator_codes: Sequence[str]
) -> Comparison:
    """The chosen indicators' yearly values for the chosen cities, and per city x indicator the
    latest value, target, gap and status (scoring.progress_table). Cities in the chosen order,
    indicators in catalog order."""
    view = StoreView.of(store)
    engine = view.engine
    cities = catalog.cities(engine, lang)
    indicators = catalog.indicators(engine, lang)
    chosen_cities = cities[cities["code"].isin(list(city_codes))]
    chosen_indicators = indicators[indicators["code"].isin(list(indicator_codes))]
    empty = Comparison(
        pd.DataFrame({c: pd.Series(dtype=object) for c in YEARLY_COLUMNS}),
        pd.DataFrame({c: pd.Series(dtype=object) for c in LATEST_COLUMNS}),
        None,
    )
    if chosen_cities.empty or chosen_indicators.empty:
        return empty
    yearly = analysis.yearly_values(view, chosen_cities["id"], chosen_indicators["id"])
    yearly = yearly.dropna(subset=["value"])
    if yearly.empty:
        return empty
    progress = scoring.progress_table(yearly, indicators, analysis.targets(engine))
    city_names = chosen_cities[["id", "code", "name"]].rename(
        columns={"id": "city_id", "code": "city", "name": "city_name"}
    )
    facts = chosen_indicators[["id", "code", "name", "unit", "decimals"]].reset_index(
        names="indicator_order"
    )
    facts = facts.rename(
        columns={"id": "indicator_id", "code": "indicator", "name": "indicator_name"}
    )
    city_order = {code: n for n, code in enumerate(city_codes)}

    def named(frame: pd.DataFrame) -> pd.DataFrame:
        out = frame.merge(city_names, on="city_id").merge(facts, on="indicator_id")
        out["city_order"] = out["city"].map(city_order)
        return out

    yearly_named = named(yearly).sort_values(["indicator_order", "city_order", "year"])
    latest = named(progress).sort_values(["indicator_order", "city_order"])
    return Comparison(
        yearly_named[YEARLY_COLUMNS].reset_index(drop=True),
        latest[LATEST_COLUMNS].reset_index(drop=True),
        int(yearly["year"].max()) if not yearly.empty else None,
    )
