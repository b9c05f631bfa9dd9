"""The figures shown in more than one place, each defined once: the reporting year, cities
reporting, data coverage, progress-status counts and late tasks. The Overview, the Data
coverage page, the reports and `python -m mne summary` all take them from here.

The reporting year is the latest year that at least REPORTING_SHARE of the cities that report
at all have reported: one early city's values for a new year do not make that year the
headline (with 1 of 35 cities it would read "coverage 0 %"). A newer year some cities have
reported already is said to be in progress, with how many cities so far.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from mne import scoring
from mne.tasks import count_statuses

# A year becomes the reporting year once at least this share of the reporting cities have a
# value in it (the Methodology page states this rule from the constant).
REPORTING_SHARE = 0.5


@dataclass(frozen=True)
class ReportingYear:
    year: int | None  # the reporting year (None: no value at all)
    cities: int  # cities with a value in `year`
    reporting_cities: int  # cities with a value in any year: the rule's denominator
    newer_year: int | None = None  # the latest later year some cities reported already
    newer_cities: int = 0  # cities with a value in `newer_year` so far

    @property
    def in_progress(self) -> bool:
        return self.newer_year is not None


def reporting_year(yearly: pd.DataFrame) -> ReportingYear:
    """The reporting year of yearly values (city_id, year, ...), as the module says."""
    if yearly.empty:
        return ReportingYear(None, 0, 0)
    per_year = yearly.groupby("year")["city_id"].nunique()
    return reporting_year_of(per_year, int(yearly["city_id"].nunique()))


def reporting_year_of(cities_per_year: pd.Series, reporting_cities: int) -> ReportingYear:
    """The rule itself, over how many cities have a value in each year (indexed by year) and
    how many have one in any year. When no year reaches the share, the year with the most
    cities (the latest of equals)."""
    per_year = cities_per_year[cities_per_year > 0].sort_index()
    if per_year.empty:
        return ReportingYear(None, 0, 0)
    enough = per_year[per_year >= REPORTING_SHARE * reporting_cities]
    if enough.empty:
        enough = per_year[per_year == per_year.max()]
    year = int(enough.index.max())
    newer = per_year[per_year.index > year]
    newer_year = int(newer.index.max()) if not newer.empty else None
    return ReportingYear(
        year=year,
        cities=int(per_year.loc[year]),
        reporting_cities=reporting_cities,
        newer_year=newer_year,
        newer_cities=int(newer.loc[newer_year]) if newer_year is not None else 0,
    )


def status_counts(statuses: pd.Series) -> pd.DataFrame:
    """status, pairs: how many city x indicator pairs are in each progress status (every
    status listed, in scoring.STATUS_ORDER)."""
    counts = statuses.value_counts().reindex(list(scoring.STATUS_ORDER), fill_value=0)
    return counts.rename_axis("status").reset_index(name="pairs")


@dataclass(frozen=True)
class KeyFigures:
    reporting: ReportingYear
    cities: int  # cities in scope: a reporting unit for the whole reporting year
    indicators: int  # indicators in scope
    indicators_reported: int  # indicators with at least one value
    coverage: float  # share of city x indicator cells with a value in the reporting year
    task_statuses: dict[str, int]  # tasks per status today (mne.tasks.task_status)
    status_counts: pd.DataFrame = field(repr=False)  # status, pairs

    @property
    def year(self) -> int | None:
        return self.reporting.year

    @property
    def cities_reporting(self) -> int:
        return self.reporting.cities

    @property
    def tasks(self) -> int:
        return sum(self.task_statuses.values())

    @property
    def tasks_late(self) -> int:
        return self.task_statuses["late"]

    def as_json(self) -> dict[str, Any]:
        """The figures as `python -m mne summary --json` prints them."""
        return {
            "reporting_year": self.year,
            "cities": self.cities,
            "cities_reporting": self.cities_reporting,
            "in_progress": (
                {"year": self.reporting.newer_year, "cities": self.reporting.newer_cities}
                if self.reporting.in_progress
                else None
            ),
            "indicators": self.indicators,
            "indicators_reported": self.indicators_reported,
            "coverage": round(self.coverage, 6),
            "statuses": dict(
                zip(
                    self.status_counts["status"],
                    self.status_counts["pairs"].astype(int),
                    strict=True,
                )
            ),
            "tasks": self.tasks,
            "tasks_late": self.tasks_late,
            "task_statuses": self.task_statuses,
        }


def cities_in_year(cities: pd.DataFrame, year: int | None) -> int:
    """How many of `cities` (with valid_from, valid_to) were a reporting unit for the whole
    of `year`: a unit that began or ended during the year can hold no value for it
    (mne.city_time), so it is not counted as missing one. Every city when there is no year."""
    if year is None or cities.empty:
        return len(cities)
    valid_from = pd.to_datetime(cities["valid_from"])
    valid_to = pd.to_datetime(cities["valid_to"])
    began = valid_from.isna() | (valid_from <= pd.Timestamp(year, 1, 1))
    lasted = valid_to.isna() | (valid_to >= pd.Timestamp(year, 12, 31))
    return int((began & lasted).sum())


def key_figures(
    yearly: pd.DataFrame,
    cities: pd.DataFrame,
    indicators: int,
    statuses: pd.Series,
    task_list: pd.DataFrame,
) -> KeyFigures:
    """The key figures of a scope: its yearly values, its cities (with their reporting dates),
    how many indicators it has, the progress status of each of its city x indicator pairs,
    and its tasks (with their status on the day, as mne.tasks.tasks_frame or timeline gives
    them). The cities in scope are those that were a unit for the whole reporting year."""
    reporting = reporting_year(yearly)
    in_scope = cities_in_year(cities, reporting.year)
    coverage = (
        scoring.coverage_share(yearly, reporting.year, in_scope, indicators)
        if reporting.year is not None
        else 0.0
    )
    return KeyFigures(
        reporting=reporting,
        cities=in_scope,
        indicators=indicators,
        indicators_reported=int(yearly["indicator_id"].nunique()) if not yearly.empty else 0,
        coverage=coverage,
        task_statuses=count_statuses(task_list),
        status_counts=status_counts(statuses),
    )
