"""The analysis every page shares: yearly values aggregated in SQL, targets, normalised scores
and the progress status of each city x indicator (formulas in mne.scoring).

Reads aggregate in SQL first (one row per city x indicator x year), so a page never pulls raw
observations; filters by city or indicator go into the SQL, not into pandas afterwards.

Which values the dashboards and reports count: approved ones by default (what leaders are
shown), or approved and submitted ones. The choice rides on the engine as an execution option
(`store_view`), the way SQLAlchemy carries a schema map, so every read below applies it with
`shown(o, engine)` without a flag threaded through each page's functions.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    String,
    cast,
    func,
    select,
    union_all,
)
from sqlalchemy.sql.expression import FromClause

from db import models as m
from db.bulk import read_frame
from mne import scoring

INCLUDE_SUBMITTED = "mne_include_submitted"
APPROVED_ONLY = ("approved",)
APPROVED_AND_SUBMITTED = ("approved", "submitted")


def store_view(engine: Engine, include_submitted: bool = False) -> Engine:
    """The store as dashboards and reports read it: approved values only (the default), or
    approved and submitted ones. Shares the engine's connection pool."""
    return engine.execution_options(**{INCLUDE_SUBMITTED: include_submitted})


def includes_submitted(bind: Engine | Connection) -> bool:
    return bool(bind.get_execution_options().get(INCLUDE_SUBMITTED, False))


def shown(observation: FromClause, bind: Engine | Connection) -> ColumnElement[bool]:
    """The SQL condition that keeps the observations this view of the store counts."""
    statuses = APPROVED_AND_SUBMITTED if includes_submitted(bind) else APPROVED_ONLY
    return observation.c.status.in_(statuses)


def yearly_values(
    engine: Engine,
    city_ids: Sequence[int] | None = None,
    indicator_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """city_id, indicator_id, year, value: a year's own value where there is one, else the mean
    of its quarters and months (as scoring.roll_up_to_years).

    Annual rows are unique per city x indicator x year (the store's key), so they are read as
    they are, with no GROUP BY; only sub-annual rows of years without an annual value are
    aggregated. The driver fetches the rows (a million in about a second)."""
    o = m.table(m.Observation)
    annual_row = func.length(o.c.period) == 4
    conditions = [shown(o, engine)]
    if city_ids is not None:
        conditions.append(o.c.city_id.in_([int(c) for c in city_ids]))
    if indicator_ids is not None:
        conditions.append(o.c.indicator_id.in_([int(i) for i in indicator_ids]))
    annual = select(o.c.city_id, o.c.indicator_id, o.c.year, o.c.value).where(
        annual_row, *conditions
    )
    a = o.alias("annual")
    has_annual = (
        select(a.c.id)
        .where(
            a.c.city_id == o.c.city_id,
            a.c.indicator_id == o.c.indicator_id,
            a.c.period == cast(o.c.year, String),
            shown(a, engine),
        )
        .exists()
    )
    rolled = (
        select(o.c.city_id, o.c.indicator_id, o.c.year, func.avg(o.c.value).label("value"))
        .where(~annual_row, ~has_annual, *conditions)
        .group_by(o.c.city_id, o.c.indicator_id, o.c.year)
    )
    with engine.connect() as conn:
        frame = read_frame(conn, union_all(annual, rolled))
    return frame.astype(
        {"city_id": "int64", "indicator_id": "int64", "year": "int64", "value": "float64"}
    )


def targets(engine: Engine) -> pd.DataFrame:
    """indicator_id, city_id (None: every city), year, value, kind."""
    t = m.table(m.Target)
    return pd.read_sql(select(t.c.indicator_id, t.c.city_id, t.c.year, t.c.value, t.c.kind), engine)


def indicator_facts(engine: Engine) -> pd.DataFrame:
    """id, code, direction, focus_area (code), decimals, unit: what scoring needs."""
    i, fa = m.table(m.Indicator), m.table(m.FocusArea)
    statement = (
        select(
            i.c.id, i.c.code, i.c.direction, fa.c.code.label("focus_area"), i.c.decimals, i.c.unit
        )
        .join(fa, fa.c.id == i.c.focus_area_id)
        .where(i.c.is_active)
    )
    return pd.read_sql(statement, engine)


def scores(
    yearly: pd.DataFrame, indicators: pd.DataFrame, target_frame: pd.DataFrame
) -> pd.DataFrame:
    """Each city's latest value per indicator with its 0-100 score (SDSN normalisation; the
    bounds come from every city in `yearly`, so pass the whole network's yearly values)."""
    latest = scoring.latest_per_pair(yearly)
    if latest.empty:
        return latest.assign(
            worst=pd.Series(dtype=float),
            target=pd.Series(dtype=float),
            score=pd.Series(dtype=float),
        )
    bounds = scoring.score_bounds(latest, indicators, target_frame)
    latest = latest.merge(bounds, on="indicator_id", how="left")
    latest["score"] = scoring.normalised_score(latest["value"], latest["worst"], latest["target"])
    return latest


def progress(
    engine: Engine,
    city_ids: Sequence[int] | None = None,
    indicator_ids: Sequence[int] | None = None,
) -> pd.DataFrame:
    """scoring.progress_table (status, gap, path to target, U4SSC points) for the chosen
    cities and indicators (all when None)."""
    yearly = yearly_values(engine, city_ids, indicator_ids)
    return scoring.progress_table(yearly, indicator_facts(engine), targets(engine))
