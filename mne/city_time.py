"""Cities through time: a reporting unit exists from valid_from to valid_to, and a value for
a period outside those dates belongs to no unit of the catalog (Buôn Ma Thuột ceased to be a
city on 30 June 2025). Mergers and splits are city events (db/seed/city_events.csv); the
series breaks they make are read by mne.analysis.series_breaks."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from db import models as m
from mne.i18n import MISSING, N_, Translator
from mne.intake.problems import render

ENDED = N_(
    "{city} ceased to be a reporting unit after {end}; the period {period} ends later. "
    "Report the value for the unit that took over its area (the City profile names it)."
)
NOT_YET = N_(
    "{city} became a reporting unit on {start}; the period {period} begins earlier. Report "
    "the value for the unit that existed then."
)


def period_bounds(periods: pd.Series) -> pd.DataFrame:
    """First and last day of canonical periods (2024, 2024-Q1, 2024-03): start, end, indexed
    as `periods`. Worked out once per distinct period (a million-value upload has a few
    dozen), then spread to the rows."""
    codes = periods.astype(str)
    distinct = pd.Index(codes.unique())
    bounds = _distinct_bounds(pd.Series(distinct))
    return bounds.iloc[distinct.get_indexer(codes)].set_axis(periods.index)


def _distinct_bounds(periods: pd.Series) -> pd.DataFrame:
    parts = periods.str.extract(r"^(?P<year>\d{4})(?:-(?:Q(?P<q>[1-4])|(?P<m>\d{2})))?$")
    year = pd.to_numeric(parts["year"])
    quarter, month = pd.to_numeric(parts["q"]), pd.to_numeric(parts["m"])
    first = ((quarter - 1) * 3 + 1).fillna(month).fillna(1)
    length = pd.Series(12, index=parts.index).where(quarter.isna(), 3).where(month.isna(), 1)
    after = first + length - 1  # months since January of `year`, 0-based, of the next period
    start = pd.to_datetime(pd.DataFrame({"year": year, "month": first, "day": 1}), errors="coerce")
    following = pd.to_datetime(
        pd.DataFrame({"year": year + after // 12, "month": after % 12 + 1, "day": 1}),
        errors="coerce",
    )
    return pd.DataFrame({"start": start, "end": following - pd.Timedelta(days=1)})


def validity(engine: Engine) -> pd.DataFrame:
    """id, name, valid_from, valid_to, note of every city (dates as Timestamps or NaT)."""
    c = m.table(m.City)
    with engine.connect() as conn:
        frame = pd.read_sql(
            select(c.c.id, c.c.name_vi, c.c.name_en, c.c.valid_from, c.c.valid_to, c.c.note), conn
        )
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def outside_validity(frame: pd.DataFrame, cities: pd.DataFrame, tr: Translator) -> pd.DataFrame:
    """Rows of an upload (city_id, period_code, row, column, value) whose period ends after
    the city's valid_to or starts before its valid_from, with a message saying why:
    index of `frame`, and `message`. `cities` is validity()."""
    known = frame[frame["city_id"].notna() & frame["period_code"].notna()]
    if known.empty:
        return pd.DataFrame({"message": pd.Series(dtype=object)})
    facts = cities.set_index("id")
    bounds = period_bounds(known["period_code"])
    ids = known["city_id"].astype(int)
    valid_to = ids.map(facts["valid_to"])
    valid_from = ids.map(facts["valid_from"])
    late = valid_to.notna() & (bounds["end"] > valid_to)
    early = valid_from.notna() & (bounds["start"] < valid_from)
    bad = known[late | early]
    if bad.empty:
        return pd.DataFrame({"message": pd.Series(dtype=object)})
    name = "name_vi" if tr.lang == "vi" else "name_en"
    ids = bad["city_id"].astype(int)
    values = pd.DataFrame(
        {
            "city": ids.map(facts[name]),
            "start": ids.map(facts["valid_from"].map(lambda d: _day(d, tr))),
            "end": ids.map(facts["valid_to"].map(lambda d: _day(d, tr))),
            "period": bad["period_code"],
        },
        index=bad.index,
    )
    ended = late[bad.index]
    messages = pd.concat(
        [render(tr, ENDED, values[ended]), render(tr, NOT_YET, values[~ended])]
    ).reindex(bad.index)
    return pd.DataFrame({"message": messages}, index=bad.index)


def _day(value: object, tr: Translator) -> str:
    if not isinstance(value, dt.date) or pd.isna(value):
        return MISSING
    return tr.date(value)
