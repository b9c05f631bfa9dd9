"""Catalog administration in the app (issue 15, Build 3): an administrator adds and edits
indicators, retires them (never deletes one: its values stay), renames cities and adds the
names files call them by. Each change is one audited write (before -> after) that advances the
store version, and marks what it changed so `python -m mne init` (mne.catalog.load_catalog)
never overwrites it from db/seed/."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from db import models as m
from db.engine import writing
from mne import access, audit
from mne.access import Actor, Invalid
from mne.i18n import LANGUAGES, N_
from mne.text import fold

NAME_LIMIT = 300
CITY_NAME_LIMIT = 200
UNIT_LIMIT = 80
SOURCE_LIMIT = 200
DEFINITION_LIMIT = 4000
TEXT_FIELDS = {
    **{f"name_{lang}": NAME_LIMIT for lang in LANGUAGES},
    **{f"definition_{lang}": DEFINITION_LIMIT for lang in LANGUAGES},
    "unit": UNIT_LIMIT,
    "source_standard": SOURCE_LIMIT,
}
INDICATOR_FIELDS = (
    *TEXT_FIELDS,
    "direction",
    "decimals",
    "plausible_min",
    "plausible_max",
    "comparable",
)
FIELD_LABELS = {
    "name_vi": N_("Vietnamese name"),
    "name_en": N_("English name"),
    "name_id": N_("Indonesian name"),
    "definition_vi": N_("Vietnamese definition"),
    "definition_en": N_("English definition"),
    "definition_id": N_("Indonesian definition"),
    "unit": N_("unit"),
    "source_standard": N_("source standard"),
    "alias": N_("other name"),
    "event_source": N_("source"),
    "others": N_("units outside the catalog"),
}
REQUIRED = (*(f"name_{lang}" for lang in LANGUAGES), "unit")


def edit_indicator(
    engine: Engine, actor: Actor, code: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change an indicator's names, unit, direction, decimals, plausible range, definitions,
    source or comparability; returns the fields that changed, old -> new. New names become
    names a file may use for it too."""
    access.require(engine, actor, "edit_catalog", "indicator", code)
    i = m.table(m.Indicator)
    with writing(engine) as conn:
        row = conn.execute(select(i).where(i.c.code == code)).mappings().first()
        if row is None:
            raise Invalid(N_("There is no indicator {code}."), code=code)
        wanted = _checked_indicator({**dict(row), **changes})
        changed = {k: v for k, v in wanted.items() if k in INDICATOR_FIELDS and v != row[k]}
        if not changed:
            return {}
        conn.execute(update(i).where(i.c.id == row["id"]).values(**changed, changed_in_app=True))
        names = [changed[f"name_{lang}"] for lang in LANGUAGES if f"name_{lang}" in changed]
        _add_aliases(conn, m.table(m.IndicatorAlias), "indicator_id", int(row["id"]), names)
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_catalog",
            "indicator",
            code,
            {k: row[k] for k in changed},
            changed,
        )
    return {k: (row[k], v) for k, v in changed.items()}


def add_indicator(
    engine: Engine, actor: Actor, code: str, focus_area: str, fields: dict[str, Any]
) -> int:
    """A new indicator of a focus area; returns its id. Its code and names are names a file
    may use for it."""
    code = code.strip().upper()
    access.require(engine, actor, "edit_catalog", "indicator", code)
    if not code or len(code) > 32 or not code.replace("_", "").isalnum():
        raise Invalid(N_("An indicator code is letters, digits and _ (at most 32), e.g. QE_PM25."))
    i, fa = m.table(m.Indicator), m.table(m.FocusArea)
    row = _checked_indicator({"decimals": 1, "comparable": True, "direction": "higher", **fields})
    with writing(engine) as conn:
        if conn.execute(select(i.c.id).where(i.c.code == code)).first() is not None:
            raise Invalid(N_("There is already an indicator {code}."), code=code)
        area = conn.execute(select(fa.c.id).where(fa.c.code == focus_area)).scalar()
        if area is None:
            raise Invalid(N_("There is no focus area {code}."), code=focus_area)
        values = {k: row.get(k, "") for k in INDICATOR_FIELDS}
        new_id = conn.execute(
            insert(i)
            .values(code=code, focus_area_id=area, is_active=True, changed_in_app=True, **values)
            .returning(i.c.id)
        ).scalar_one()
        names = [code, *(values[f"name_{lang}"] for lang in LANGUAGES)]
        _add_aliases(conn, m.table(m.IndicatorAlias), "indicator_id", int(new_id), names)
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_catalog",
            "indicator",
            code,
            None,
            {"focus_area": focus_area, **values},
        )
    return int(new_id)


def set_indicator_active(engine: Engine, actor: Actor, code: str, active: bool) -> None:
    """Retire an indicator (it leaves the template, the pickers and the scores; its stored
    values stay) or bring it back."""
    access.require(engine, actor, "edit_catalog", "indicator", code)
    i = m.table(m.Indicator)
    with writing(engine) as conn:
        was = conn.execute(select(i.c.is_active).where(i.c.code == code)).scalar()
        if was is None:
            raise Invalid(N_("There is no indicator {code}."), code=code)
        if bool(was) == active:
            return
        conn.execute(
            update(i).where(i.c.code == code).values(is_active=active, changed_in_app=True)
        )
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_catalog",
            "indicator",
            code,
            {"is_active": bool(was)},
            {"is_active": active},
        )


def edit_city(engine: Engine, actor: Actor, code: str, name_vi: str, name_en: str) -> None:
    """Rename a city in both languages; the new names become names a file may use for it."""
    access.require(engine, actor, "edit_catalog", "city", code)
    names = {
        "name_vi": _text("name_vi", name_vi, CITY_NAME_LIMIT),
        "name_en": _text("name_en", name_en, CITY_NAME_LIMIT),
    }
    c = m.table(m.City)
    with writing(engine) as conn:
        row = conn.execute(select(c.c.id, c.c.name_vi, c.c.name_en).where(c.c.code == code)).first()
        if row is None:
            raise Invalid(N_("There is no city {code}."), code=code)
        before = {"name_vi": row.name_vi, "name_en": row.name_en}
        if before == names:
            return
        conn.execute(update(c).where(c.c.id == row.id).values(**names, changed_in_app=True))
        _add_aliases(conn, m.table(m.CityAlias), "city_id", int(row.id), list(names.values()))
        audit.record(
            conn, actor.user_id, actor.username, "edit_catalog", "city", code, before, names
        )


def add_city_alias(engine: Engine, actor: Actor, code: str, alias: str) -> None:
    """Another name files use for a city ("TP.HCM", "Sài Gòn"). Refused when it folds to a
    name another city already has: a name must point at one city."""
    access.require(engine, actor, "edit_catalog", "city", code)
    alias = _text("alias", alias, CITY_NAME_LIMIT)
    c, a = m.table(m.City), m.table(m.CityAlias)
    with writing(engine) as conn:
        city_id = conn.execute(select(c.c.id).where(c.c.code == code)).scalar()
        if city_id is None:
            raise Invalid(N_("There is no city {code}."), code=code)
        owner = conn.execute(
            select(c.c.code).join(a, a.c.city_id == c.c.id).where(a.c.alias_key == fold(alias))
        ).scalar()
        if owner == code:
            return
        if owner is not None:
            raise Invalid(
                N_("“{alias}” already names {city}: a name points at one city."),
                alias=alias,
                city=owner,
            )
        _add_aliases(conn, a, "city_id", int(city_id), [alias])
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_catalog",
            "city",
            code,
            None,
            {"alias": alias},
        )


def _add_aliases(
    conn: Connection, table: Any, owner_column: str, owner_id: int, names: list[str]
) -> None:
    """Names added in the app (kept by `init`), those not already naming something."""
    taken = set(conn.execute(select(table.c.alias_key)).scalars())
    rows, seen = [], set()
    for name in names:
        key = fold(name)
        if key and key not in taken and key not in seen:
            seen.add(key)
            rows.append(
                {owner_column: owner_id, "alias": name, "alias_key": key, "added_in_app": True}
            )
    if rows:
        conn.execute(insert(table), rows)


def _checked_indicator(row: dict[str, Any]) -> dict[str, Any]:
    """The indicator's fields, cleaned, or Invalid with what to fix."""
    row = dict(row)
    for field, limit in TEXT_FIELDS.items():
        row[field] = _text(field, row.get(field, ""), limit, required=field in REQUIRED)
    if row.get("direction") not in m.DIRECTIONS:
        raise Invalid(N_("The direction is “higher” or “lower” is better."))
    try:
        row["decimals"] = int(row["decimals"])
        low, high = float(row["plausible_min"]), float(row["plausible_max"])
    except (TypeError, ValueError, KeyError):
        raise Invalid(N_("Decimals and the plausible range are numbers.")) from None
    if not 0 <= row["decimals"] <= 6:
        raise Invalid(N_("Decimals are between 0 and 6."))
    if not (math.isfinite(low) and math.isfinite(high)) or low >= high:
        raise Invalid(N_("The plausible minimum must be below the plausible maximum."))
    row["plausible_min"], row["plausible_max"] = low, high
    row["comparable"] = bool(row.get("comparable", True))
    return row


def _text(field: str, value: object, limit: int, required: bool = True) -> str:
    """One line of people's text: trimmed, within the limit both stores hold, no NUL or
    control characters (PostgreSQL refuses NUL; neither belongs in a name)."""
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise Invalid(N_("The {what} is empty: fill it in."), what=FIELD_LABELS[field])
    if len(text) > limit:
        raise Invalid(
            N_("The {what} is {length} characters long; keep it under {limit}."),
            what=FIELD_LABELS[field],
            length=len(text),
            limit=limit,
        )
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise Invalid(
            N_("The {what} holds control characters: type it again."), what=FIELD_LABELS[field]
        )
    return text


def indicator_fields(engine: Engine, code: str) -> dict[str, Any]:
    """What the edit form shows of an indicator: every field an administrator may change."""
    i = m.table(m.Indicator)
    with engine.connect() as conn:
        row = conn.execute(select(*(i.c[f] for f in INDICATOR_FIELDS)).where(i.c.code == code))
        found = row.mappings().first()
    if found is None:
        raise Invalid(N_("There is no indicator {code}."), code=code)
    return dict(found)


def add_city(
    engine: Engine,
    actor: Actor,
    code: str,
    name_vi: str,
    name_en: str,
    country: str,
    lat: float | None = None,
    lon: float | None = None,
    population: int | None = None,
    valid_from: Any = None,
    aliases: tuple[str, ...] = (),
) -> int:
    """A new reporting unit. Its code is the seed's form (country ISO2 then three letters,
    "VNHAN"); refused when a name folds to a name another city has. Marked changed in the
    app, so `init` never overwrites it; its names become names files may use for it."""
    code = str(code or "").strip().upper()
    access.require(engine, actor, "edit_catalog", "city", code)
    country = str(country or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{5}", code) or not code.startswith(country):
        raise Invalid(
            N_("A city code is five letters that start with its country's code, e.g. VNHAN.")
        )
    names = {
        "name_vi": _text("name_vi", name_vi, CITY_NAME_LIMIT),
        "name_en": _text("name_en", name_en, CITY_NAME_LIMIT),
    }
    extra = [_text("alias", alias, CITY_NAME_LIMIT) for alias in aliases if str(alias).strip()]
    if lat is not None and not -90 <= float(lat) <= 90:
        raise Invalid(N_("The latitude is between -90 and 90."))
    if lon is not None and not -180 <= float(lon) <= 180:
        raise Invalid(N_("The longitude is between -180 and 180."))
    if population is not None and int(population) < 0:
        raise Invalid(N_("The population is zero or more."))
    c, a, k = m.table(m.City), m.table(m.CityAlias), m.table(m.Country)
    with writing(engine) as conn:
        if conn.execute(select(k.c.iso2).where(k.c.iso2 == country)).scalar() is None:
            raise Invalid(N_("There is no country {country}."), country=country)
        if conn.execute(select(c.c.id).where(c.c.code == code)).scalar() is not None:
            raise Invalid(N_("There is already a city {code}."), code=code)
        keys = {fold(name) for name in [*names.values(), *extra]}
        owner = conn.execute(
            select(c.c.code).join(a, a.c.city_id == c.c.id).where(a.c.alias_key.in_(keys))
        ).scalar()
        if owner is None:
            for row in conn.execute(select(c.c.code, c.c.name_vi, c.c.name_en)):
                if fold(row.name_vi) in keys or fold(row.name_en) in keys:
                    owner = row.code
                    break
        if owner is not None:
            raise Invalid(
                N_("A name of the new city already names {city}: a name points at one city."),
                city=owner,
            )
        after = {
            "code": code,
            **names,
            "country_iso2": country,
            "lat": None if lat is None else float(lat),
            "lon": None if lon is None else float(lon),
            "population": None if population is None else int(population),
            "valid_from": valid_from,
        }
        new_id = conn.execute(
            insert(c).values(**after, note="", changed_in_app=True).returning(c.c.id)
        ).scalar_one()
        _add_aliases(conn, a, "city_id", int(new_id), [*names.values(), *extra])
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_catalog",
            "city",
            code,
            None,
            {
                **after,
                "valid_from": None if valid_from is None else str(valid_from),
                "aliases": extra,
            },
        )
    return int(new_id)


def retired_indicators(engine: Engine, lang: str) -> dict[str, str]:
    """Retired indicators, code -> name in `lang`: what the page offers to bring back."""
    i = m.table(m.Indicator)
    name = i.c.get(f"name_{lang}", i.c.name_en)
    with engine.connect() as conn:
        rows = conn.execute(select(i.c.code, name).where(~i.c.is_active).order_by(i.c.code))
        return {str(code): str(text) for code, text in rows}


def record_city_event(
    engine: Engine,
    actor: Actor,
    code: str,
    event_date: dt.date,
    kind: str,
    predecessors: list[str],
    successors: list[str],
    source: str = "",
    others: str = "",
) -> int:
    """A dated merger, split, rename or dissolution, stored as the seed's city events are:
    predecessors that do not go on end the day before, successors that are new start on the
    day. A dissolved city has no successor in the catalog; `others` names the units outside
    it that take over (wards, a province). The cities it touches are marked changed in the
    app, so `init` keeps their new dates."""
    code = str(code or "").strip().upper()
    access.require(engine, actor, "edit_catalog", "city", code)
    if kind not in m.CITY_EVENT_KINDS:
        raise Invalid(N_("An event is a merger, a split, a rename or a dissolution."))
    if not code or len(code) > 32 or not re.fullmatch(r"[A-Z0-9_]+", code):
        raise Invalid(N_("An event code is up to 32 letters, digits or _, e.g. VN2025_DAD."))
    before_codes, after_codes = list(dict.fromkeys(predecessors)), list(dict.fromkeys(successors))
    if kind == "dissolve":
        if not before_codes or after_codes:
            raise Invalid(
                N_(
                    "A dissolution ends one or more cities and has no city after it: name who "
                    "takes over under “Units outside the catalog”."
                )
            )
    elif not before_codes or not after_codes:
        raise Invalid(N_("An event has at least one city before it and one after it."))
    others = _text("others", others, 2000, required=False)
    c, e, link = m.table(m.City), m.table(m.CityEvent), m.table(m.CityEventCity)
    with writing(engine) as conn:
        if conn.execute(select(e.c.id).where(e.c.code == code)).scalar() is not None:
            raise Invalid(N_("There is already an event {code}."), code=code)
        ids = dict(
            conn.execute(
                select(c.c.code, c.c.id).where(c.c.code.in_(before_codes + after_codes))
            ).all()
        )
        missing = [city for city in before_codes + after_codes if city not in ids]
        if missing:
            raise Invalid(N_("There is no city {code}."), code=missing[0])
        event_id = conn.execute(
            insert(e)
            .values(
                code=code,
                event_date=event_date,
                kind=kind,
                source=_text("event_source", source, 300, required=False),
                # One text, typed in the user's language: every language shows it as typed.
                others_vi=others,
                others_en=others,
                others_id=others,
            )
            .returning(e.c.id)
        ).scalar_one()
        conn.execute(
            insert(link),
            [{"event_id": event_id, "city_id": ids[x], "role": "predecessor"} for x in before_codes]
            + [{"event_id": event_id, "city_id": ids[x], "role": "successor"} for x in after_codes],
        )
        ended = [x for x in before_codes if x not in after_codes]
        started = [x for x in after_codes if x not in before_codes]
        if ended:
            conn.execute(
                update(c)
                .where(c.c.code.in_(ended))
                .values(valid_to=event_date - dt.timedelta(days=1), changed_in_app=True)
            )
        if started:
            conn.execute(
                update(c)
                .where(c.c.code.in_(started))
                .values(valid_from=event_date, changed_in_app=True)
            )
        audit.record(
            conn,
            actor.user_id,
            actor.username,
            "edit_catalog",
            "city_event",
            code,
            None,
            {
                "date": str(event_date),
                "kind": kind,
                "before": before_codes,
                "after": after_codes,
                "others": others,
            },
        )
    return int(event_id)
