"""The Data coverage page's data: which city reported which indicator, and how recently.

One row per city x indicator of the chosen focus area and countries, with scoring.data_coverage's
figures aggregated in SQL (reported_years): the latest year reported, the years since then
(counted back from the latest year any of the shown cities reported), the years reported, and
the gaps, the cells never reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, distinct, func, select

from mne import catalog, headline
from mne.analysis import StoreView

CELL_COLUMNS = [
    "city",
    "city_name",
    "country",
    "indicator",
    "indicator_name",
    "focus_area",
    "focus_area_name",
    "latest_year",
    "years_since",
    "years_reported",
    "years_in_period",
    "share",
]
# How many cities the "most gaps" list shows.
MOST_GAPS_SHOWN = 10


@dataclass(frozen=True)
class Coverage:
    cells: pd.DataFrame  # CELL_COLUMNS, cities in catalog order, indicators in catalog order
    first_year: int | None  # the period counted in years_reported
    as_of: int | None  # the reporting year of the cells shown (mne.headline.reporting_year)
    reporting: headline.ReportingYear | None = None
    cells_in_year: int = 0  # cells with a value in the reporting year


def reported_years(
    store: StoreView | Engine,
    city_ids: Sequence[int] | None = None,
    indicator_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Per city x indicator with a value: first_year, latest_year and years_reported (distinct
    years with a value), in one SQL aggregate. The same figures as scoring.data_coverage over
    analysis.yearly_values (a year has a value when any of its periods has one), without
    bringing every yearly value into pandas: 0.6 s instead of 4 s at 1M observations."""
    view = StoreView.of(store)
    o = view.observations()
    statement = (
        select(
            o.c.city_id,
            o.c.indicator_id,
            func.min(o.c.year).label("first_year"),
            func.max(o.c.year).label("latest_year"),
            func.count(distinct(o.c.year)).label("years_reported"),
        )
        .where(o.c.value.is_not(None))
        .group_by(o.c.city_id, o.c.indicator_id)
    )
    if city_ids is not None:
        statement = statement.where(o.c.city_id.in_([int(c) for c in city_ids]))
    if indicator_ids is not None:
        statement = statement.where(o.c.indicator_id.in_([int(i) for i in indicator_ids]))
    return pd.read_sql(statement, view.engine)


def cities_per_year(
    store: StoreView | Engine,
    city_ids: Sequence[int] | None = None,
    indicator_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """year, city_id, indicators: how many indicators each city has a value for in each year
    (one SQL aggregate: years x cities rows, never the observations)."""
    view = StoreView.of(store)
    o = view.observations()
    statement = (
        select(o.c.year, o.c.city_id, func.count(distinct(o.c.indicator_id)).label("indicators"))
        .where(o.c.value.is_not(None))
        .group_by(o.c.year, o.c.city_id)
    )
    if city_ids is not None:
        statement = statement.where(o.c.city_id.in_([int(c) for c in city_ids]))
    if indicator_ids is not None:
        statement = statement.where(o.c.indicator_id.in_([int(i) for i in indicator_ids]))
    return pd.read_sql(statement, view.engine)


def coverage_matrix(
    store: StoreView | Engine,
    lang: str,
    focus_area: str | None = None,
    countries: Sequence[str] = (),
) -> Coverage:
    """Every city x indicator cell of the focus area (all when None) and countries (all when
    empty), as scoring.data_coverage defines it over the years first_year..as_of of the cells
    shown: latest_year, years_reported, years_in_period = as_of - first_year + 1, share =
    years_reported / years_in_period; years_since = as_of - latest_year. A gap (never
    reported) has 0 years and an empty latest_year."""
    view = StoreView.of(store)
    engine = view.engine
    cities = catalog.cities(engine, lang)
    indicators = catalog.indicators(engine, lang)
    if countries:
        cities = cities[cities["country"].isin(list(countries))]
    if focus_area:
        indicators = indicators[indicators["focus_area"] == focus_area]
    city_ids = None if not countries else [int(c) for c in cities["id"]]
    indicator_ids = None if not focus_area else [int(i) for i in indicators["id"]]
    reported = reported_years(view, city_ids, indicator_ids)
    first_year = int(reported["first_year"].min()) if not reported.empty else None
    per_city_year = cities_per_year(view, city_ids, indicator_ids)
    reporting = headline.reporting_year_of(
        per_city_year.groupby("year")["city_id"].nunique(),
        int(per_city_year["city_id"].nunique()),
    )
    as_of = reporting.year
    in_year = per_city_year.loc[per_city_year["year"] == as_of, "indicators"]
    grid = (
        cities[["id", "code", "name", "country"]]
        .rename(columns={"id": "city_id", "code": "city", "name": "city_name"})
        .merge(
            indicators[["id", "code", "name", "focus_area", "focus_area_name"]].rename(
                columns={"id": "indicator_id", "code": "indicator", "name": "indicator_name"}
            ),
            how="cross",
        )
    )
    cells = grid.merge(reported, on=["city_id", "indicator_id"], how="left")
    cells["latest_year"] = cells["latest_year"].astype("Int64")
    cells["years_reported"] = cells["years_reported"].fillna(0).astype(int)
    period = (as_of - first_year + 1) if as_of is not None and first_year is not None else 0
    cells["years_in_period"] = period
    cells["share"] = cells["years_reported"] / period if period else 0.0
    cells["years_since"] = (as_of - cells["latest_year"]) if as_of is not None else pd.NA
    cells["years_since"] = cells["years_since"].astype("Int64")
    return Coverage(
        cells=cells[CELL_COLUMNS],
        first_year=first_year,
        as_of=as_of,
        reporting=reporting,
        cells_in_year=int(in_year.sum()),
    )


def reported_share(cells: pd.DataFrame) -> float:
    """Share of the cells with at least one value: reported cells / all cells."""
    return float(cells["latest_year"].notna().mean()) if len(cells) else 0.0


def in_year_share(data: Coverage) -> float:
    """Share of the cells shown with a value in the reporting year (as the Overview's data
    coverage: scoring.coverage_share over the same cells)."""
    return data.cells_in_year / len(data.cells) if len(data.cells) else 0.0


def current_share(cells: pd.DataFrame, as_of: int | None) -> float:
    """Share of the cells whose latest value is of the year `as_of`."""
    if as_of is None or not len(cells):
        return 0.0
    # A gap compares as unknown (NA), not as False: count it as not reported.
    return float((cells["latest_year"] == as_of).fillna(False).astype(bool).mean())


def city_gaps(cells: pd.DataFrame) -> pd.DataFrame:
    """Per city: gaps (indicators never reported), reported, indicators and the share reported,
    the cities with the most gaps first (then by name)."""
    per_city = cells.assign(reported=cells["latest_year"].notna()).groupby(
        ["city", "city_name", "country"], sort=False, as_index=False
    )
    frame = per_city.agg(reported=("reported", "sum"), indicators=("reported", "size"))
    frame["gaps"] = frame["indicators"] - frame["reported"]
    frame["share"] = frame["reported"] / frame["indicators"]
    frame = frame.sort_values(["gaps", "city_name"], ascending=[False, True])
    return frame[["city", "city_name", "country", "gaps", "reported", "indicators", "share"]]
