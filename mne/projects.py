"""ASCN Smart City Action Plan (SCAP) projects, counted as the ASCN M&E reports count them:
by focus area and status, by country and city, by financing source.

One SQL aggregate gives the number of projects per city x focus area x status x financing
source (a few hundred rows at most); every view of the page is a sum over it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, func, select

from db import models as m
from mne.i18n import N_

# Shown in this order everywhere (colours in mne.charts.projects).
PROJECT_STATUS_LABELS = {
    "planning": N_("Planning"),
    "ongoing": N_("Ongoing"),
    "completed": N_("Completed"),
}
FINANCING_LABELS = {
    "state_budget": N_("State budget"),
    "oda": N_("ODA"),
    "ppp": N_("Public–private partnership (PPP)"),
    "private": N_("Private"),
    "other": N_("Other"),
}
COUNT_COLUMNS = [
    "country",
    "country_name",
    "city",
    "city_name",
    "focus_area",
    "focus_area_name",
    "focus_area_sort",
    "status",
    "financing",
    "projects",
]


def project_counts(
    engine: Engine,
    lang: str,
    countries: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Number of projects per country x city x focus area x status x financing source, for
    the chosen countries (ISO2) and statuses (all when None or empty). Names are in `lang`
    (cities: Vietnamese for vi, English otherwise)."""
    p, c, co, fa = (
        m.table(m.ScapProject),
        m.table(m.City),
        m.table(m.Country),
        m.table(m.FocusArea),
    )
    city_name = c.c.name_vi if lang == "vi" else c.c.name_en
    keys = [
        co.c.iso2.label("country"),
        co.c[f"name_{lang}"].label("country_name"),
        c.c.code.label("city"),
        city_name.label("city_name"),
        fa.c.code.label("focus_area"),
        fa.c[f"name_{lang}"].label("focus_area_name"),
        fa.c.sort.label("focus_area_sort"),
        p.c.status,
        p.c.financing,
    ]
    statement = (
        select(*keys, func.count(p.c.id).label("projects"))
        .join(c, c.c.id == p.c.city_id)
        .join(co, co.c.iso2 == c.c.country_iso2)
        .join(fa, fa.c.id == p.c.focus_area_id)
        .group_by(*keys)
    )
    if countries:
        statement = statement.where(c.c.country_iso2.in_(list(countries)))
    if statuses:
        statement = statement.where(p.c.status.in_(list(statuses)))
    frame = pd.read_sql(statement, engine)
    frame["projects"] = frame["projects"].astype(int)
    return frame[COUNT_COLUMNS]


def by_focus_area_and_status(counts: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Projects per focus area x status: every focus area of `areas` (code, name, sort) and
    every status, zero where there is none, as the ASCN M&E reports tabulate them."""
    grid = pd.MultiIndex.from_product(
        [areas.sort_values("sort")["code"], list(PROJECT_STATUS_LABELS)],
        names=["focus_area", "status"],
    ).to_frame(index=False)
    summed = counts.groupby(["focus_area", "status"], as_index=False)["projects"].sum()
    frame = grid.merge(summed, on=["focus_area", "status"], how="left")
    frame["projects"] = frame["projects"].fillna(0).astype(int)
    names = areas.rename(columns={"code": "focus_area", "name": "focus_area_name"})
    return frame.merge(names[["focus_area", "focus_area_name"]], on="focus_area")[
        ["focus_area", "focus_area_name", "status", "projects"]
    ]


def by_place_and_status(counts: pd.DataFrame, place: str) -> pd.DataFrame:
    """Projects per country (place="country") or city (place="city") x status, places with
    the most projects first, every status present."""
    name = f"{place}_name"
    wide = counts.pivot_table(
        index=[place, name], columns="status", values="projects", aggfunc="sum", fill_value=0
    ).reindex(columns=list(PROJECT_STATUS_LABELS), fill_value=0)
    wide["total"] = wide.sum(axis=1)
    wide = wide.reset_index().sort_values(["total", name], ascending=[False, True])
    long = wide.melt(
        id_vars=[place, name, "total"],
        value_vars=list(PROJECT_STATUS_LABELS),
        var_name="status",
        value_name="projects",
    )
    place_rank = long[place].map({code: rank for rank, code in enumerate(wide[place])})
    status_rank = long["status"].map(
        {code: rank for rank, code in enumerate(PROJECT_STATUS_LABELS)}
    )
    long = long.iloc[np.lexsort((status_rank.to_numpy(), place_rank.to_numpy()))]
    long["projects"] = long["projects"].astype(int)
    long["total"] = long["total"].astype(int)
    return long.reset_index(drop=True)[[place, name, "status", "projects", "total"]]


def by_financing(counts: pd.DataFrame) -> pd.DataFrame:
    """Projects per financing source, every source present, in the FINANCING_LABELS order."""
    summed = counts.groupby("financing")["projects"].sum()
    frame = summed.reindex(list(FINANCING_LABELS), fill_value=0).rename_axis("financing")
    return frame.astype(int).reset_index()


def project_list(
    engine: Engine,
    lang: str,
    countries: Sequence[str] | None = None,
    statuses: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The projects themselves (for the table under the charts): city, focus area, title,
    status, financing, start and end year."""
    p, c, fa = m.table(m.ScapProject), m.table(m.City), m.table(m.FocusArea)
    city_name = c.c.name_vi if lang == "vi" else c.c.name_en
    statement = (
        select(
            c.c.country_iso2.label("country"),
            city_name.label("city_name"),
            fa.c.code.label("focus_area"),
            p.c[f"title_{lang}"].label("title"),
            p.c.status,
            p.c.financing,
            p.c.start_year,
            p.c.end_year,
        )
        .join(c, c.c.id == p.c.city_id)
        .join(fa, fa.c.id == p.c.focus_area_id)
        .order_by(c.c.country_iso2, city_name, fa.c.sort, p.c.id)
    )
    if countries:
        statement = statement.where(c.c.country_iso2.in_(list(countries)))
    if statuses:
        statement = statement.where(p.c.status.in_(list(statuses)))
    frame = pd.read_sql(statement, engine)
    for column in ("start_year", "end_year"):
        frame[column] = frame[column].astype("Int64")
    return frame


def project_countries(engine: Engine, lang: str) -> pd.DataFrame:
    """Countries that have at least one project (iso2, name), for the country filter."""
    p, c, co = m.table(m.ScapProject), m.table(m.City), m.table(m.Country)
    statement = (
        select(co.c.iso2, co.c[f"name_{lang}"].label("name"))
        .join(c, c.c.country_iso2 == co.c.iso2)
        .join(p, p.c.city_id == c.c.id)
        .distinct()
        .order_by(co.c.iso2)
    )
    return pd.read_sql(statement, engine)
