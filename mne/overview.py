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
    status_counts: pd.DataFrame  # status, pairs: city x indicator pairs in each progress status
    movers: pd.DataFrame  # biggest changes in score points from the year before the latest
    city_index: pd.DataFrame  # per city: mean of its focus-area indices, for the map


def last_update(engine: Engine) -> pd.Timestamp | None:
    with engine.connect() as conn:
        value = conn.execute(select(func.max(m.Observation.updated_at))).scalar()
    return None if value is None else pd.Timestamp(value)


def _alphabetical(column: pd.Series) -> pd.Series:
    """Sort key: names in alphabetical order whatever their diacritics ("Cần Thơ" near "Can")."""
    return column.map(fold) if column.dtype == object or column.dtype == "string" else column


MOVERS_SHOWN = 5


def status_counts(
    yearly: pd.DataFrame, indicators: pd.DataFrame, targets: pd.DataFrame
) -> pd.DataFrame:
    """How many city x indicator pairs are in each progress status (every status listed)."""
    progress = scoring.progress_status(yearly, indicators, targets)
    counts = progress["status"].value_counts().reindex(list(scoring.STATUS_ORDER), fill_value=0)
    return counts.rename_axis("status").reset_index(name="pairs")


def movers(yearly: pd.DataFrame, scored: pd.DataFrame) -> pd.DataFrame:
    """The city x indicator pairs whose 0-100 score moved most between the year before their
    latest and their latest year (scores clipped as everywhere, so moves beyond the target or
    below the worst case do not count); positive is a move towards the target."""
    if scored.empty:
        return pd.DataFrame(
            columns=["city_id", "indicator_id", "year", "value", "previous", "change"]
        )
    previous = yearly.assign(year=yearly["year"] + 1).rename(columns={"value": "previous"})
    joined = scored.merge(previous, on=["city_id", "indicator_id", "year"], how="inner")
    before = scoring.normalised_score(joined["previous"], joined["worst"], joined["target"])
    joined["change"] = joined["score"] - before
    joined = joined[joined["change"].abs() > 0]
    ordered = joined.sort_values("change")
    chosen = pd.concat([ordered.tail(MOVERS_SHOWN).iloc[::-1], ordered.head(MOVERS_SHOWN)])
    chosen = chosen.drop_duplicates(["city_id", "indicator_id"])
    return chosen[["city_id", "indicator_id", "year", "value", "previous", "change"]]


def named_focus_area_index(
    scores: pd.DataFrame, indicators: pd.DataFrame, cities: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    """scoring.focus_area_index with each city's code and name and each focus area's name and
    sort order (city, city_name, focus_area_name, sort); empty when nothing is scored."""
    index = (
        scoring.focus_area_index(scores, indicators)
        if not scores.empty
        else pd.DataFrame(
            columns=["city_id", "focus_area", "index", "coverage", "mean_score", "scored"]
        )
    )
    return index.merge(
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


def overview(engine: Engine, lang: str) -> Overview:
    cities = catalog.cities(engine, lang)
    indicators = catalog.indicators(engine, lang)
    areas = catalog.focus_areas(engine, lang)
    yearly = analysis.yearly_values(engine)
    latest_year = int(yearly["year"].max()) if not yearly.empty else None
    reporting = yearly[yearly["year"] == latest_year] if latest_year else yearly.iloc[0:0]
    target_frame = analysis.targets(engine)
    scores = analysis.scores(yearly, indicators, target_frame)
    index = named_focus_area_index(scores, indicators, cities, areas)
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
        status_counts=status_counts(yearly, indicators, target_frame),
        movers=_named_movers(movers(yearly, scores), cities, indicators),
        city_index=_city_index(index, cities),
    )


def _named_movers(
    moved: pd.DataFrame, cities: pd.DataFrame, indicators: pd.DataFrame
) -> pd.DataFrame:
    names = moved.merge(
        cities[["id", "name"]].rename(columns={"id": "city_id", "name": "city"}), on="city_id"
    )
    names = names.merge(
        indicators[["id", "name", "unit"]].rename(
            columns={"id": "indicator_id", "name": "indicator"}
        ),
        on="indicator_id",
    )
    return names[["city", "indicator", "unit", "year", "previous", "value", "change"]]


def _city_index(index: pd.DataFrame, cities: pd.DataFrame) -> pd.DataFrame:
    """Per city: the mean of the focus-area indices it has (None when it has none)."""
    mean = index.groupby("city_id")["index"].mean().rename("index").reset_index()
    return cities.merge(mean, left_on="id", right_on="city_id", how="left")[
        ["code", "name", "country_name", "lat", "lon", "index"]
    ]
