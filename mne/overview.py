"""The figures of the Overview page, computed from the store in a few aggregate queries."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from mne import analysis, catalog, headline, scoring, tasks
from mne.analysis import StoreView
from mne.text import fold


@dataclass(frozen=True)
class Overview:
    figures: headline.KeyFigures  # reporting year, cities reporting, coverage, statuses, tasks
    index: (
        pd.DataFrame
    )  # city x focus area: city, city_name, focus_area, focus_area_name, index, coverage
    groups: pd.DataFrame  # task groups with progress and status counts
    movers: pd.DataFrame  # biggest changes in score points from the year before the latest
    city_index: pd.DataFrame  # per city: mean of its focus-area indices, for the map

    @property
    def status_counts(self) -> pd.DataFrame:
        """status, pairs: city x indicator pairs in each progress status."""
        return self.figures.status_counts


def _alphabetical(column: pd.Series) -> pd.Series:
    """Sort key: names in alphabetical order whatever their diacritics ("Cần Thơ" near "Can")."""
    return column.map(fold) if column.dtype == object or column.dtype == "string" else column


MOVERS_SHOWN = 5


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
    before = scoring.rescore(joined["previous"], joined)
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


def overview(store: StoreView | Engine, lang: str) -> Overview:
    view = StoreView.of(store)
    engine = view.engine
    cities = catalog.cities(engine, lang)
    indicators = catalog.indicators(engine, lang)
    areas = catalog.focus_areas(engine, lang)
    yearly = analysis.yearly_values(view)
    target_frame = analysis.targets(engine)
    scores = analysis.scores(yearly, indicators, target_frame)
    index = named_focus_area_index(scores, indicators, cities, areas)
    task_list = tasks.tasks_frame(engine, lang)
    statuses = scoring.progress_status(yearly, indicators, target_frame)["status"]
    return Overview(
        figures=headline.key_figures(yearly, cities, len(indicators), statuses, task_list),
        index=index.sort_values(["sort", "city_name"], key=_alphabetical).reset_index(drop=True),
        groups=tasks.progress_by_group(tasks.task_groups(engine, lang), task_list),
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
