"""The Indicator explorer's data: one indicator across the cities a person filters to.

Cities are filtered by country, ASCN membership and population band; for the indicator chosen
the page shows each city's latest value with its progress status (scoring.progress_table), the
target that applies, and the yearly values of a few cities over time. Everything is read for
one indicator and the filtered cities only, aggregated in SQL (analysis.yearly_values).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine, select

from db import models as m
from mne import analysis, catalog, headline, scoring
from mne.analysis import StoreView
from mne.i18n import N_

MEMBERSHIP = ("all", "member", "non_member")
MEMBERSHIP_LABELS = {
    "all": N_("All cities"),
    "member": N_("ASCN members"),
    "non_member": N_("Not ASCN members"),
}
# Population bands: code -> [lower, upper) in residents; "unknown" when no population is known.
POPULATION_BANDS = {
    "lt500k": (0, 500_000),
    "500k_1m": (500_000, 1_000_000),
    "1m_5m": (1_000_000, 5_000_000),
    "gt5m": (5_000_000, np.inf),
}
POPULATION_BAND_LABELS = {
    "lt500k": N_("Under 500,000"),
    "500k_1m": N_("500,000 to 1 million"),
    "1m_5m": N_("1 to 5 million"),
    "gt5m": N_("Over 5 million"),
    "unknown": N_("Population unknown"),
}
# How many of the best and of the worst ranked cities the trend chart shows by default.
DEFAULT_TREND_EACH_END = 3

RANKED_COLUMNS = [
    "rank",
    "city",
    "city_name",
    "country",
    "latest_year",
    "latest_value",
    "status",
    "target_value",
    "target_year",
    "target_scope",
    "gap",
    "points",
]


@dataclass(frozen=True)
class Target:
    """The network-wide target of an indicator (the one drawn as a line)."""

    value: float
    year: int
    kind: str


@dataclass(frozen=True)
class IndicatorView:
    indicator: dict[str, object]  # code, name, unit, direction, decimals, focus_area_name
    ranked: pd.DataFrame  # RANKED_COLUMNS, best first
    history: pd.DataFrame  # city, city_name, year, value for the ranked cities
    target: Target | None
    as_of: int | None  # the reporting year of the indicator's values (mne.headline)


def population_band(population: pd.Series) -> pd.Series:
    """The POPULATION_BANDS code of each population ("unknown" when empty)."""
    values = pd.to_numeric(population, errors="coerce").astype(float)
    bands = pd.Series("unknown", index=population.index, dtype=object)
    for code, (low, high) in POPULATION_BANDS.items():
        bands[(values >= low) & (values < high)] = code
    return bands


def filter_cities(
    cities: pd.DataFrame,
    countries: Sequence[str] = (),
    membership: str = "all",
    bands: Sequence[str] = (),
) -> pd.DataFrame:
    """The cities (catalog.cities rows) in any of `countries` (all when empty), with the ASCN
    membership asked for (a member has an ASCN join year) and in any of the population `bands`
    (all when empty)."""
    keep = pd.Series(True, index=cities.index)
    if countries:
        keep &= cities["country"].isin(list(countries))
    member = cities["ascn_joined"].notna()
    if membership == "member":
        keep &= member
    elif membership == "non_member":
        keep &= ~member
    if bands:
        keep &= population_band(cities["population"]).isin(list(bands))
    return cities[keep]


def reported_indicators(store: StoreView | Engine) -> list[str]:
    """Codes of the indicators that have at least one value in the store."""
    view = StoreView.of(store)
    i, o = m.table(m.Indicator), view.observations()
    statement = select(i.c.code).where(
        i.c.id.in_(select(o.c.indicator_id).where(o.c.value.is_not(None)).distinct())
    )
    with view.engine.connect() as conn:
        return sorted(conn.execute(statement).scalars())


def network_target(targets: pd.DataFrame, indicator_id: int) -> Target | None:
    """The target of every city (no city_id) for the indicator, of the latest target year."""
    rows = targets[
        (targets["indicator_id"] == indicator_id)
        & targets["city_id"].isna()
        & targets["value"].notna()
    ]
    if rows.empty:
        return None
    row = rows.sort_values("year").iloc[-1]
    return Target(value=float(row["value"]), year=int(row["year"]), kind=str(row["kind"]))


def shared_target(table: pd.DataFrame) -> Target | None:
    """The target every city of a progress table is measured against, when they all share
    one (the Vietnamese cities' national target, a guideline of every city); else None."""
    if table.empty or table["target_value"].isna().any():
        return None
    distinct = table[["target_value", "target_year", "target_kind"]].drop_duplicates()
    if len(distinct) != 1:
        return None
    row = distinct.iloc[0]
    kind = row["target_kind"] if isinstance(row["target_kind"], str) else "user_set"
    return Target(value=float(row["target_value"]), year=int(row["target_year"]), kind=kind)


def rank_cities(table: pd.DataFrame, direction: str) -> pd.DataFrame:
    """progress_table rows ranked by latest value, best first: highest first when higher is
    better, lowest first when lower is better; ties share the better rank."""
    ascending = direction == "lower"
    ranked = table.sort_values(["latest_value", "city_name"], ascending=[ascending, True])
    ranked = ranked.reset_index(drop=True)
    ranked["rank"] = ranked["latest_value"].rank(method="min", ascending=ascending).astype("Int64")
    return ranked


def default_trend_cities(ranked: pd.DataFrame, each_end: int = DEFAULT_TREND_EACH_END) -> list[str]:
    """The top and bottom `each_end` cities of the ranking (codes, best first)."""
    codes = list(ranked["city"])
    if len(codes) <= 2 * each_end:
        return codes
    return codes[:each_end] + codes[-each_end:]


def indicator_view(
    store: StoreView | Engine,
    lang: str,
    indicator_code: str,
    city_codes: Sequence[str] | None = None,
) -> IndicatorView:
    """One indicator over the cities `city_codes` (every city when None)."""
    view = StoreView.of(store)
    engine = view.engine
    indicators = catalog.indicators(engine, lang)
    chosen = indicators[indicators["code"] == indicator_code]
    if chosen.empty:
        raise KeyError(indicator_code)
    info = chosen.iloc[0]
    cities = catalog.cities(engine, lang)
    if city_codes is not None:
        cities = cities[cities["code"].isin(list(city_codes))]
    city_ids = None if city_codes is None else [int(c) for c in cities["id"]]
    yearly = analysis.yearly_values(view, city_ids, [int(info["id"])])
    target_frame = analysis.targets(engine)
    facts = indicators[["id", "direction", "natural_limit", "comparable"]]
    table = scoring.progress_table(yearly, facts, target_frame)
    names = cities[["id", "code", "name", "country"]].rename(
        columns={"id": "city_id", "code": "city", "name": "city_name"}
    )
    table = table.merge(names, on="city_id")
    ranked = rank_cities(table, str(info["direction"]))[RANKED_COLUMNS]
    history = (
        yearly.dropna(subset=["value"])
        .merge(names, on="city_id")[["city", "city_name", "year", "value"]]
        .sort_values(["city", "year"])
        .reset_index(drop=True)
    )
    # "As of" the reporting year of this indicator (mne.headline): one early city does not
    # move it.
    as_of = headline.reporting_year(yearly.dropna(subset=["value"])).year
    return IndicatorView(
        indicator={
            "code": str(info["code"]),
            "name": str(info["name"]),
            "unit": str(info["unit"]),
            "direction": str(info["direction"]),
            "decimals": int(info["decimals"]),
            "focus_area": str(info["focus_area"]),
            "focus_area_name": str(info["focus_area_name"]),
        },
        ranked=ranked,
        history=history,
        target=shared_target(table) or network_target(target_frame, int(info["id"])),
        as_of=as_of,
    )
