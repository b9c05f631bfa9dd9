"""Targets set by the ministry's analysts ("user-set"), next to the seeded ones of db/seed.

A user-set target stays when the catalog is reloaded; a seeded target (official, guideline
or illustrative) is the catalog's and cannot be overwritten here."""

from __future__ import annotations

import math

from sqlalchemy import Engine, insert, select, update

from db import models as m
from db.engine import writing
from mne import access, audit
from mne.access import Actor, Invalid
from mne.i18n import N_

FIRST_TARGET_YEAR, LAST_TARGET_YEAR = 2000, 2100
NOTE_LIMIT = 1000


def _ids(engine: Engine, indicator: str, city: str | None) -> tuple[int, int | None]:
    with engine.connect() as conn:
        indicator_id = conn.execute(
            select(m.Indicator.id).where(m.Indicator.code == indicator)
        ).scalar()
        city_id = (
            conn.execute(select(m.City.id).where(m.City.code == city)).scalar() if city else None
        )
    if indicator_id is None:
        raise Invalid(N_("Unknown indicator code “{code}”."), code=indicator)
    if city and city_id is None:
        raise Invalid(
            N_("Unknown city code: {codes}. See `python -m mne catalog --json`."), codes=city
        )
    return int(indicator_id), city_id


def set_target(
    engine: Engine,
    actor: Actor,
    indicator: str,
    year: int,
    value: float,
    city: str | None = None,
    note: str = "",
) -> None:
    """Set (or change) the user-set target of `indicator` for `year`, for one city or, when
    `city` is None, for every city. Audited with the value before and after."""
    key = f"{indicator}/{city or '*'}/{year}"
    access.require(engine, actor, "edit_target", "target", key)
    if not FIRST_TARGET_YEAR <= int(year) <= LAST_TARGET_YEAR:
        raise Invalid(
            N_("The target year must be between {first} and {last}."),
            first=FIRST_TARGET_YEAR,
            last=LAST_TARGET_YEAR,
        )
    if not math.isfinite(value):
        raise Invalid(N_("The target value must be a number."))
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise Invalid(
            N_("The note is {length} characters long; keep it under {limit}."),
            length=len(note),
            limit=NOTE_LIMIT,
        )
    indicator_id, city_id = _ids(engine, indicator, city)
    t = m.table(m.Target)
    scope = "network" if city_id is None else "city"
    same_key = (
        t.c.indicator_id == indicator_id,
        t.c.year == int(year),
        t.c.scope == scope,
        t.c.city_id.is_(None) if city_id is None else t.c.city_id == city_id,
    )
    with writing(engine) as conn:
        before = conn.execute(select(t.c.id, t.c.value, t.c.kind).where(*same_key)).first()
        if before is not None and before.kind != "user_set":
            raise Invalid(
                N_(
                    "{indicator} has a catalog target for {year}; catalog targets are changed "
                    "in db/seed/targets.csv, not here."
                ),
                indicator=indicator,
                year=year,
            )
        values = {"value": float(value), "note_vi": note, "note_en": note, "note_id": note}
        if before is None:
            conn.execute(
                insert(t).values(
                    indicator_id=indicator_id,
                    city_id=city_id,
                    scope=scope,
                    year=int(year),
                    kind="user_set",
                    source=actor.username,
                    set_by_id=actor.user_id,
                    **values,
                )
            )
        else:
            conn.execute(
                update(t).where(t.c.id == before.id).values(set_by_id=actor.user_id, **values)
            )
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "target.set",
            "target",
            key,
            None if before is None else {"value": before.value},
            {"value": float(value), "note": note},
        )
