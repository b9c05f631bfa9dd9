"""Finding a city the way people type it: "Da Nang", "HCMC", "Sài Gòn", "Băng Cốc", "nang".

Streamlit's own select box filters by the label it shows (a fuzzy subsequence of "Đà Nẵng ·
Việt Nam"), so "Da Nang" found nothing and "nang" found Singapore. Here a query is folded like
an uploaded file's city cell (`mne.text.fold`) and matched against every name a city answers
to: its code, its names in each language and its aliases, the same names the upload reads."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, select, union

from db import models as m
from mne.text import fold

# How well a folded name answers a folded query, best first.
EXACT, STARTS, WORD_STARTS, CONTAINS = range(4)


def city_names(engine: Engine) -> pd.DataFrame:
    """Every name a city answers to, folded: code, names in each language and aliases."""
    c, a = m.table(m.City), m.table(m.CityAlias)
    statement = union(
        select(c.c.code, a.c.alias_key.label("name")).join(a, a.c.city_id == c.c.id),
        select(c.c.code, c.c.code.label("name")),
        select(c.c.code, c.c.name_vi.label("name")),
        select(c.c.code, c.c.name_en.label("name")),
    )
    with engine.connect() as conn:
        names = pd.read_sql(statement, conn)
    names["key"] = names["name"].map(fold)
    return names[names["key"] != ""][["code", "key"]].drop_duplicates(ignore_index=True)


def find(names: pd.DataFrame, query: str, among: list[str]) -> list[str]:
    """The codes of `among` that `query` names, best match first: a whole name before the
    start of a name, before the start of one of its words, before any part of it; ties keep
    the order of `among` (the picker's own order). An empty query finds nothing."""
    wanted = fold(query)
    if not wanted:
        return []
    names = names[names["code"].isin(among)]
    keys = names["key"]
    rank = pd.Series(pd.NA, index=names.index, dtype="Int64")
    # Weakest first, so a stronger match overwrites a weaker one of the same name.
    rank[keys.str.contains(wanted, regex=False)] = CONTAINS
    rank[(" " + keys).str.contains(" " + wanted, regex=False)] = WORD_STARTS
    rank[keys.str.startswith(wanted)] = STARTS
    rank[keys == wanted] = EXACT
    found = names.assign(rank=rank).dropna(subset=["rank"])
    best = found.groupby("code")["rank"].min().to_frame()
    best["order"] = best.index.map({code: n for n, code in enumerate(among)})
    return list(best.sort_values(["rank", "order"]).index)
