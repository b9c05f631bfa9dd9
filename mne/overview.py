"""The figures of the Overview page, computed from the store in a few aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, case, func, select

from db import models as m
from mne import catalog, scoring, tasks
from mne.text import fold


@dataclass(frozen=True)
class Overview:
    latest_year: int | None
    cities: int
    cities_reporting: int
    indicators: int
    indicators_reported: int
    coverage: float
    task_status: dict[str, int]
    index: (
        pd.DataFrame
    )  # city x focus area: city, city_name, focus_area, focus_area_name, index, coverage
    groups: pd.DataFrame  # task groups with progress and status counts
    as_of: pd.Timestamp | None


def yearly_values(engine: Engine) -> pd.DataFrame:
    """City x indicator x year, sub-annual periods rolled up to the year (mean), in SQL."""
    o = m.table(m.Observation)
    annual = func.avg(case((func.length(o.c.period) == 4, o.c.value)))
    # A year's own value wins over its quarters and months (as scoring.roll_up_to_years).
    value = func.coalesce(annual, func.avg(o.c.value)).label("value")
    statement = select(o.c.city_id, o.c.indicator_id, o.c.year, value).group_by(
        o.c.city_id, o.c.indicator_id, o.c.year
    )
    return pd.read_sql(statement, engine)


def last_update(engine: Engine) -> pd.Timestamp | None:
    with engine.connect() as conn:
        value = conn.execute(select(func.max(m.Observation.updated_at))).scalar()
    return None if value is None else pd.Timestamp(value)


def targets_by_id(engine: Engine) -> pd.DataFrame:
    t = m.table(m.Target)
    return pd.read_sql(select(t.c.indicator_id, t.c.city_id, t.c.year, t.c.value), engine)


def city_scores(engine: Engine, yearly: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Each city's latest value per indicator with its normalised score."""
    latest = scoring.latest_per_pair(yearly)
    if latest.empty:
        return latest.assign(score=pd.Series(dtype=float))
    bounds = scoring.score_bounds(latest, indicators, targets_by_id(engine))
    latest = latest.merge(bounds, on="indicator_id", how="left")
    latest["score"] = scoring.normalised_score(latest["value"], latest["worst"], latest["target"])
    return latest


def _alphabetical(column: pd.Series) -> pd.Series:
    """Sort key: names in alphabetical order whatever their diacritics ("Cần Thơ" near "Can")."""
    return column.map(fold) if column.dtype == object or column.dtype == "string" else column


def overview(engine: Engine, lang: str) -> Overview:
    cities = catalog.cities(engine, lang)
    indicators = catalog.indicators(engine, lang)
    areas = catalog.focus_areas(engine, lang)
    yearly = yearly_values(engine)
    latest_year = int(yearly["year"].max()) if not yearly.empty else None
    reporting = yearly[yearly["year"] == latest_year] if latest_year else yearly.iloc[0:0]
    scores = city_scores(engine, yearly, indicators)
    index = (
        scoring.focus_area_index(scores, indicators)
        if not scores.empty
        else pd.DataFrame(
            columns=["city_id", "focus_area", "index", "coverage", "mean_score", "scored"]
        )
    )
    index = index.merge(
        cities[["id", "code", "name"]].rename(
            columns={"id": "city_id", "code": "city", "name": "city_name"}
        ),
        on="city_id",
    ).merge(
        areas[["code", "name", "sort"]].rename(
            columns={"code": "focus_area", "name": "focus_area_name"}
        ),
        on="focus_area",
    )
    return Overview(
        latest_year=latest_year,
        cities=len(cities),
        cities_reporting=int(reporting["city_id"].nunique()),
        indicators=len(indicators),
        indicators_reported=int(yearly["indicator_id"].nunique()),
        coverage=scoring.coverage_share(yearly, latest_year, len(cities), len(indicators))
        if latest_year
        else 0.0,
        task_status=tasks.status_counts(engine),
        index=index.sort_values(["sort", "city_name"], key=_alphabetical).reset_index(drop=True),
        groups=tasks.group_progress(engine, lang),
        as_of=last_update(engine),
    )
