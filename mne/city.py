"""The City profile: a city's focus-area indices against the network median, its indicator
table (latest value, target, gap, status, history, data-quality flags) and its SCAP projects.

The network part (every city's focus-area index, and the median per area) does not depend on
the chosen city, so it is its own read (`network_index`) that a page caches once; the city's
own reads (`indicator_table`, `scap_projects`) touch only that city's rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from mne import analysis, catalog, scoring
from mne.analysis import StoreView

# A latest value this many years older than the current year is flagged as stale.
STALE_YEARS = 3


INDEX_COLUMNS = [
    "city_id",
    "focus_area",
    "focus_area_name",
    "sort",
    "mean_score",
    "scored",
    "indicators",
    "coverage",
    "index",
    "light",
]


def data_counts(store: StoreView | Engine) -> pd.DataFrame:
    """Per city with any value: code, country, indicators (distinct indicators reported) and
    values (stored values), counted in SQL. Ordered by most data first, then code."""
    view = StoreView.of(store)
    o, c = view.observations(), m.table(m.City)
    statement = (
        select(
            c.c.id.label("city_id"),
            c.c.code,
            c.c.country_iso2.label("country"),
            func.count(func.distinct(o.c.indicator_id)).label("indicators"),
            func.count(o.c.id).label("values"),
        )
        .join(c, c.c.id == o.c.city_id)
        .group_by(c.c.id, c.c.code, c.c.country_iso2)
    )
    frame = pd.read_sql(statement, view.engine)
    return frame.sort_values(
        ["indicators", "values", "code"], ascending=[False, False, True], ignore_index=True
    )


def default_city(counts: pd.DataFrame, cities: pd.DataFrame, country: str = "VN") -> str | None:
    """The city shown first: the city of `country` with most data (`counts` is data_counts),
    else any city with most data, else the first city of `cities` (None without cities)."""
    in_country = counts[counts["country"] == country]
    if not in_country.empty:
        return str(in_country.iloc[0]["code"])
    if not counts.empty:
        return str(counts.iloc[0]["code"])
    return None if cities.empty else str(cities.iloc[0]["code"])


def network_index(store: StoreView | Engine, lang: str) -> pd.DataFrame:
    """Every reporting city's focus-area index (scoring.focus_area_index over analysis.scores of
    the whole network), one row per city x focus area: city_id, focus_area, focus_area_name,
    sort, mean_score, scored, indicators, coverage, index (empty under 80 % coverage)."""
    view = StoreView.of(store)
    engine = view.engine
    indicators = catalog.indicators(engine, lang)
    areas = catalog.focus_areas(engine, lang)
    yearly = analysis.yearly_values(view)
    scores = analysis.scores(yearly, indicators, analysis.targets(engine))
    if scores.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in INDEX_COLUMNS})
    index = scoring.focus_area_index(scores, indicators)
    lights = scoring.traffic_light(scores, indicators)[["city_id", "focus_area", "light"]]
    index = index.merge(lights, on=["city_id", "focus_area"], how="left")
    index["light"] = index["light"].astype(object).where(index["light"].notna(), None)
    names = areas[["code", "name", "sort"]].rename(
        columns={"code": "focus_area", "name": "focus_area_name"}
    )
    return index.merge(names, on="focus_area")[INDEX_COLUMNS]


def network_median(index: pd.DataFrame) -> pd.Series:
    """Per focus area, the median index over the cities that have one (indexed by area)."""
    return index.groupby("focus_area")["index"].median()


def radar_frame(index: pd.DataFrame, areas: pd.DataFrame, city_id: int | None) -> pd.DataFrame:
    """The six focus areas for one city, in catalog order: focus_area, focus_area_name, index,
    mean_score, scored, indicators, coverage of the city and network_median. An area the city
    has no score in gets coverage 0 and an empty index."""
    frame = areas[["code", "name", "sort"]].rename(
        columns={"code": "focus_area", "name": "focus_area_name"}
    )
    wanted = ["focus_area", "index", "mean_score", "scored", "indicators", "coverage"]
    mine = index[index["city_id"] == city_id][
        [*wanted, *(["light"] if "light" in index.columns else [])]
    ]
    frame = frame.merge(mine, on="focus_area", how="left")
    frame["network_median"] = frame["focus_area"].map(network_median(index))
    frame["scored"] = frame["scored"].fillna(0).astype(int)
    frame["coverage"] = frame["coverage"].fillna(0.0)
    return frame.sort_values("sort", ignore_index=True).drop(columns="sort")


def u4ssc_by_area(table: pd.DataFrame) -> pd.DataFrame:
    """The city's U4SSC group score per focus area (scoring.u4ssc_group_score over the points
    of its indicator table, each indicator with data and a target): focus_area, points,
    indicators_scored, max_points, score."""
    columns = ["focus_area", "points", "indicators_scored", "max_points", "score"]
    if table.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    points = pd.DataFrame(
        {"city_id": 0, "indicator_id": table["indicator_id"], "points": table["u4ssc_points"]}
    )
    areas = table[["indicator_id", "focus_area"]].rename(columns={"indicator_id": "id"})
    return scoring.u4ssc_group_score(points, areas)[columns]


def _target_kinds(engine: Engine, table: pd.DataFrame) -> pd.Series:
    """The kind (official, international, guideline...) of the target each row of a progress
    table uses: scoring.resolve_targets gives it with the target (`target_kind`)."""
    if "target_kind" in table.columns:
        kinds = table["target_kind"].astype(object)
        return kinds.where(kinds.notna(), None)
    return pd.Series(None, index=table.index, dtype=object)


TABLE_COLUMNS = [
    "indicator_id",
    "code",
    "name",
    "focus_area",
    "focus_area_name",
    "unit",
    "decimals",
    "direction",
    "latest_value",
    "latest_year",
    "base_value",
    "base_year",
    "target_value",
    "target_high",
    "target_year",
    "target_kind",
    "target_scope",
    "milestones",
    "expected_value",
    "series_start",
    "comparable",
    "u4ssc_points",
    "gap",
    "gap_relative",
    "status",
    "history",
    "years",
    "outlier",
    "outlier_years",
    "stale",
    "single_point",
]


def indicator_table(
    store: StoreView | Engine, lang: str, city_id: int, current_year: int | None = None
) -> pd.DataFrame:
    """One row per indicator the city reported, in catalog order: latest value and year, the
    target (value, year, kind), gap (scoring.gap_to_target), status
    (scoring.progress_status), the yearly values in order (`history`, for a sparkline, and
    `years`) and data-quality flags:
    - outlier: a value of the city's own history flagged by scoring.outlier_flags
      (`outlier_years` lists the years);
    - stale: latest year at least STALE_YEARS before `current_year` (default: this year);
    - single_point: one yearly value in all."""
    year_now = dt.date.today().year if current_year is None else current_year
    view = StoreView.of(store)
    engine = view.engine
    indicators = catalog.indicators(engine, lang)
    yearly = analysis.yearly_values(view, [city_id])
    yearly = yearly.dropna(subset=["value"]).sort_values(["indicator_id", "year"])
    if yearly.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS})
    progress = scoring.progress_table(yearly, indicators, analysis.targets(engine))
    grouped = yearly.groupby("indicator_id")
    history = pd.DataFrame(
        {
            "history": grouped["value"].agg(list),
            "years": grouped["year"].agg(list),
            "count": grouped.size(),
        }
    )
    flags = scoring.outlier_flags(yearly)
    outliers = flags[flags["outlier"]].groupby("indicator_id")["year"].agg(list)
    history["outlier_years"] = outliers.reindex(history.index)
    history["outlier_years"] = history["outlier_years"].map(
        lambda years: years if isinstance(years, list) else []
    )
    history["outlier"] = history["outlier_years"].map(bool)
    table = progress.merge(history.reset_index(), on="indicator_id", how="left")
    table["stale"] = table["latest_year"] <= year_now - STALE_YEARS
    table["single_point"] = table["count"] == 1
    facts = indicators[
        ["id", "code", "name", "focus_area", "focus_area_name", "unit", "decimals", "comparable"]
    ].reset_index(names="order")
    table = facts.merge(table, left_on="id", right_on="indicator_id", how="inner")
    table["comparable"] = table["comparable"].fillna(True).astype(bool)
    return table.sort_values("order", ignore_index=True)[TABLE_COLUMNS]


def target_met(row: pd.Series) -> bool:
    """Whether the latest value is at or beyond the target (scoring's target_achieved)."""
    return str(row.get("status")) == "target_achieved"


def _already_beyond(row: pd.Series, value: float) -> bool:
    """Whether `value` is at or beyond the final target in the indicator's better direction."""
    target = row.get("target_value")
    if target is None or pd.isna(target):
        return False
    high = row.get("target_high")
    direction = str(row.get("direction"))
    if direction == "lower":
        return value <= float(target if high is None or pd.isna(high) else high)
    return direction == "higher" and value >= float(target)


def target_path(row: pd.Series) -> pd.DataFrame:
    """The straight path needed to reach the target: from the base value and year through
    each milestone after the base year to the final target (for a band, the edge nearest the
    base value); empty when there is no target after the base year, and when there is no way
    left to go: the target is met, or the base value was already at or beyond it (a path
    from there would slope away from "better")."""
    empty = pd.DataFrame({"year": pd.Series(dtype=int), "value": pd.Series(dtype=float)})
    if pd.isna(row.get("base_value")) or pd.isna(row.get("base_year")):
        return empty
    if target_met(row) or _already_beyond(row, float(row["base_value"])):
        return empty
    stones = row.get("milestones")
    if not isinstance(stones, list) or not stones:
        if pd.isna(row.get("target_value")) or pd.isna(row.get("target_year")):
            return empty
        stones = [[row["target_year"], row["target_value"]]]
    base_year, base_value = int(row["base_year"]), float(row["base_value"])
    high = row.get("target_high")
    edge = float(high) if pd.notna(high) and base_value > float(high) else None
    points = [(int(y), edge if edge is not None else float(v)) for y, v in stones if y > base_year]
    if not points:
        return empty
    return pd.DataFrame(
        {
            "year": [base_year, *[p[0] for p in points]],
            "value": [base_value, *[p[1] for p in points]],
        }
    )


def city_events(engine: Engine, lang: str, city_id: int) -> pd.DataFrame:
    """The mergers, splits and dissolutions the city took part in: code, event_date, kind,
    role (predecessor / successor), others (units outside the catalog), source."""
    e, ec = m.table(m.CityEvent), m.table(m.CityEventCity)
    statement = (
        select(
            e.c.code,
            e.c.event_date,
            e.c.kind,
            ec.c.role,
            e.c[f"others_{lang}"].label("others"),
            e.c.source,
        )
        .join(ec, ec.c.event_id == e.c.id)
        .where(ec.c.city_id == int(city_id))
        .order_by(e.c.event_date, e.c.code, ec.c.role)
    )
    frame = pd.read_sql(statement, engine)
    return frame.drop_duplicates("code", keep="last").reset_index(drop=True)


def scap_projects(engine: Engine, lang: str, city_id: int) -> pd.DataFrame:
    """The city's Smart City Action Plan projects: title (in `lang`), focus_area,
    focus_area_name, status, financing, start_year, end_year; by focus area, then start."""
    p, fa = m.table(m.ScapProject), m.table(m.FocusArea)
    statement = (
        select(
            p.c[f"title_{lang}"].label("title"),
            fa.c.code.label("focus_area"),
            fa.c[f"name_{lang}"].label("focus_area_name"),
            p.c.status,
            p.c.financing,
            p.c.start_year,
            p.c.end_year,
        )
        .join(fa, fa.c.id == p.c.focus_area_id)
        .where(p.c.city_id == int(city_id))
        .order_by(fa.c.sort, p.c.start_year, p.c.id)
    )
    frame = pd.read_sql(statement, engine)
    for column in ("start_year", "end_year"):
        frame[column] = frame[column].astype("Int64")
    return frame


@dataclass(frozen=True)
class CityProfile:
    city_id: int | None
    table: pd.DataFrame  # indicator_table
    projects: pd.DataFrame  # scap_projects
    as_of: int | None  # the latest year of the city's values: its figures' "as of"
    events: pd.DataFrame  # city_events


def profile(store: StoreView | Engine, lang: str, code: str) -> CityProfile:
    """Everything the City profile shows about one city (empty frames for an unknown code)."""
    view = StoreView.of(store)
    engine = view.engine
    with engine.connect() as conn:
        city_id = conn.execute(select(m.City.id).where(m.City.code == code)).scalar()
    if city_id is None:
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in TABLE_COLUMNS})
        return CityProfile(
            None, empty, scap_projects(engine, lang, -1), None, city_events(engine, lang, -1)
        )
    table = indicator_table(view, lang, int(city_id))
    years = pd.to_numeric(table["latest_year"], errors="coerce").dropna()
    return CityProfile(
        int(city_id),
        table,
        scap_projects(engine, lang, int(city_id)),
        int(years.max()) if not years.empty else None,
        city_events(engine, lang, int(city_id)),
    )
