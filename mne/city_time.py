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
from mne.periods import period_bounds

ENDED = N_(
    "{city} ceased to be a reporting unit after {end}; the period {period} ends later. "
    "Report the value for the unit that took over its area (the City profile names it)."
)
NOT_YET = N_(
    "{city} became a reporting unit on {start}; the period {period} begins earlier. Report "
    "the value for the unit that existed then."
)


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
