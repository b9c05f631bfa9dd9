"""The figures of the Overview page, computed from the store in a few aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from mne import analysis, catalog, scoring, tasks
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


def last_update(engine: Engine) -> pd.Timestamp | None:
    with engine.connect() as conn:
        value = conn.execute(select(func.max(m.Observation.updated_at))).scalar()
    return None if value is None else pd.Timestamp(value)


def _alphabetical(column: pd.Series) -> pd.Series:
    """Sort key: names in alphabetical order whatever their diacritics ("Cần Thơ" near "Can")."""
    return column.map(fold) if column.dtype == object or column.dtype == "string" else column


def overview(engine: Engine, lang: str) -> Overview:
    cities = catalog.cities(engine, lang)
    indicators = catalog.indicators(engine, lang)
    areas = catalog.focus_areas(engine, lang)
    yearly = analysis.yearly_values(engine)
    latest_year = int(yearly["year"].max()) if not yearly.empty else None
    reporting = yearly[yearly["year"] == latest_year] if latest_year else yearly.iloc[0:0]
    scores = analysis.scores(yearly, indicators, analysis.targets(engine))
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
