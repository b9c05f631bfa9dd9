"""The analysis every page shares: yearly values aggregated in SQL, targets, normalised scores
and the progress status of each city x indicator (formulas in mne.scoring).

Reads aggregate in SQL first (one row per city x indicator x year), so a page never pulls raw
observations; filters by city or indicator go into the SQL, not into pandas afterwards.

Which values the dashboards and reports count: approved ones by default (what leaders are
shown), or approved and submitted ones. A StoreView says which; its `observations()` is the
only way the dashboards' and reports' reads see observations, so none can forget the rule
(tests/mne/test_store_view.py keeps raw observation reads out of those modules).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import (
    Engine,
    String,
    cast,
    func,
    select,
    union_all,
)
from sqlalchemy.sql.expression import Subquery

from db import models as m
from db.bulk import read_frame
from mne import scoring

APPROVED_ONLY = ("approved",)
APPROVED_AND_SUBMITTED = ("approved", "submitted")


@dataclass(frozen=True)
class StoreView:
    """The store as dashboards and reports count it: approved values only (the default), or
    approved and submitted ones. Shares the engine and its connection pool."""

    engine: Engine
    include_submitted: bool = False

    @classmethod
    def of(cls, store: StoreView | Engine) -> StoreView:
        """`store` as a view: a bare engine counts approved values only."""
        return store if isinstance(store, StoreView) else cls(store)

    @property
    def statuses(self) -> tuple[str, ...]:
        return APPROVED_AND_SUBMITTED if self.include_submitted else APPROVED_ONLY

    def observations(self, name: str = "o") -> Subquery:
        """The observations this view counts, as a FROM clause named `name` (the databases
        fold it into the query that reads it)."""
        o = m.table(m.Observation)
        return select(o).where(o.c.status.in_(self.statuses)).subquery(name)


def yearly_values(
    store: StoreView | Engine,
    city_ids: Sequence[int] | None = None,
    indicator_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """city_id, indicator_id, year, value: a year's own value where there is one (the figure
    the reporting unit published for the year; its quarters and months may be provisional),
    else the mean of its quarters and months, each counting once (right for the rates and
    levels this framework holds).

    Annual rows are unique per city x indicator x year (the store's key), so they are read as
    they are, with no GROUP BY; only sub-annual rows of years without an annual value are
    aggregated. The driver fetches the rows (a million in about a second)."""
    view = StoreView.of(store)
    o = view.observations()
    annual_row = func.length(o.c.period) == 4
    conditions = []
    if city_ids is not None:
        conditions.append(o.c.city_id.in_([int(c) for c in city_ids]))
    if indicator_ids is not None:
        conditions.append(o.c.indicator_id.in_([int(i) for i in indicator_ids]))
    annual = select(o.c.city_id, o.c.indicator_id, o.c.year, o.c.value).where(
        annual_row, *conditions
    )
    a = view.observations("annual")
    has_annual = (
        select(a.c.id)
        .where(
            a.c.city_id == o.c.city_id,
            a.c.indicator_id == o.c.indicator_id,
            a.c.period == cast(o.c.year, String),
        )
        .exists()
    )
    rolled = (
        select(o.c.city_id, o.c.indicator_id, o.c.year, func.avg(o.c.value).label("value"))
        .where(~annual_row, ~has_annual, *conditions)
        .group_by(o.c.city_id, o.c.indicator_id, o.c.year)
    )
    with view.engine.connect() as conn:
        frame = read_frame(conn, union_all(annual, rolled))
    frame = frame.astype(
        {"city_id": "int64", "indicator_id": "int64", "year": "int64", "value": "float64"}
    )
    return mark_breaks(frame, series_breaks(view.engine))


def targets(engine: Engine) -> pd.DataFrame:
    """Every target milestone as scoring reads it: indicator_id, city_id, scope, year, value,
    value_high, kind. A network target has no city_id; a country's target is spread over the
    cities of that country (city_id set, scope "country"), so that it reaches them and no
    other city; a city's own target has its city_id."""
    t, c = m.table(m.Target), m.table(m.City)
    columns = (t.c.indicator_id, t.c.scope, t.c.year, t.c.value, t.c.value_high, t.c.kind)
    direct = select(t.c.city_id, *columns).where(t.c.scope != "country")
    spread = (
        select(c.c.id.label("city_id"), *columns)
        .join(c, c.c.country_iso2 == t.c.country_iso2)
        .where(t.c.scope == "country")
    )
    frame = pd.read_sql(union_all(direct, spread), engine)
    frame["city_id"] = frame["city_id"].astype("Int64")
    return frame[["indicator_id", "city_id", "scope", "year", "value", "value_high", "kind"]]


def series_breaks(engine: Engine) -> pd.DataFrame:
    """city_id, year: the first year a city's series counts its new borders, for every
    merger or split a city of the catalog took part in as a successor (the year of the
    event's date: a unit reorganised on 1 July 2025 reports 2025 within its new borders)."""
    e, ec = m.table(m.CityEvent), m.table(m.CityEventCity)
    statement = (
        select(ec.c.city_id, e.c.event_date)
        .join(e, e.c.id == ec.c.event_id)
        .where(ec.c.role == "successor", e.c.kind.in_(("merge", "split")))
    )
    frame = pd.read_sql(statement, engine)
    years = pd.to_datetime(frame["event_date"]).dt.year
    return pd.DataFrame({"city_id": frame["city_id"].astype("int64"), "year": years.astype(int)})


def mark_breaks(yearly: pd.DataFrame, breaks: pd.DataFrame) -> pd.DataFrame:
    """`yearly` with break_year: the latest series-break year of the row's city at or before
    the row's year (empty when none), which scoring reads to keep trends and outlier checks
    within one set of borders."""
    out = yearly.assign(break_year=float("nan"))
    if breaks.empty or yearly.empty:
        return out
    joined = (
        yearly[["city_id", "year"]]
        .reset_index(names="row")
        .merge(breaks.rename(columns={"year": "break"}), on="city_id")
    )
    joined = joined[joined["break"] <= joined["year"]]
    latest = joined.groupby("row")["break"].max()
    out.loc[latest.index, "break_year"] = latest.astype(float)
    return out


def indicator_facts(engine: Engine) -> pd.DataFrame:
    """id, code, direction, focus_area (code), decimals, unit, comparable, natural_limit:
    what scoring needs."""
    i, fa = m.table(m.Indicator), m.table(m.FocusArea)
    statement = (
        select(
            i.c.id,
            i.c.code,
            i.c.direction,
            fa.c.code.label("focus_area"),
            i.c.decimals,
            i.c.unit,
            i.c.comparable,
            i.c.natural_limit,
        )
        .join(fa, fa.c.id == i.c.focus_area_id)
        .where(i.c.is_active)
    )
    return pd.read_sql(statement, engine)


def scores(
    yearly: pd.DataFrame, indicators: pd.DataFrame, target_frame: pd.DataFrame
) -> pd.DataFrame:
    """Each city's latest value per indicator with its 0-100 score (scoring.pair_scores: the
    worst bound comes from every city in `yearly`, so pass the whole network's yearly
    values; the target is the city's own, its country's or the network's)."""
    latest = scoring.latest_per_pair(yearly[[*scoring.PAIR, "year", "value"]])
    return scoring.pair_scores(latest, indicators, target_frame)


def progress(
    store: StoreView | Engine,
    city_ids: Sequence[int] | None = None,
    indicator_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """scoring.progress_table (status, gap, path to target, U4SSC points) for the chosen
    cities and indicators (all when None)."""
    view = StoreView.of(store)
    yearly = yearly_values(view, city_ids, indicator_ids)
    return scoring.progress_table(yearly, indicator_facts(view.engine), targets(view.engine))
