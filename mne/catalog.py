"""The catalog: framework, focus areas, indicators, targets, cities, task groups.

The seed files in db/seed/ are the catalog's source of truth; `load_catalog` brings a store up
to date with them (new codes inserted, existing rows updated, nothing deleted, so observations
keep their keys). Reads return pandas frames with names in the reader's language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd
from sqlalchemy import Connection, Engine, Table, bindparam, insert, select, tuple_, update

from db import models as m
from mne.i18n import N_, Translator
from mne.text import fold

# Only targets set in a country's law or policy are "official", and they apply to that
# country's cities only (scope "country" or "city"); a global aim such as an SDG target is
# "international" (see db/seed/targets.csv).
TARGET_KIND_LABELS = {
    "official": N_("Official"),
    "international": N_("International (global aim)"),
    "guideline": N_("International guideline"),
    "illustrative": N_("Illustrative (not official)"),
    "user_set": N_("Set by users"),
}

TARGET_SCOPE_LABELS = {
    "network": N_("every city"),
    "country": N_("the country's cities"),
    "city": N_("this city"),
}

# The ASCN member list the catalog holds is the one of this year (31 cities); later reports
# speak of more members, not confirmed by an official list. Shown with every membership.
ASCN_LIST_AS_OF = 2024

SEED_DIR = Path(__file__).resolve().parent.parent / "db" / "seed"
LANGS = ("vi", "en", "id")


def read_seed(name: str) -> pd.DataFrame:
    """One seed CSV as text columns, empty cells as ''."""
    return pd.read_csv(SEED_DIR / name, dtype=str, keep_default_na=False, encoding="utf-8")


def _blank_to_none(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.replace({"": None})


def _upsert(conn: Connection, table: Table, key: str, rows: list[dict[str, Any]]) -> None:
    """Insert rows whose key is new and update the others, in two set-based statements;
    a row an administrator changed in the app (`changed_in_app`) is left as they made it."""
    existing = set(conn.execute(select(table.c[key])).scalars())
    if "changed_in_app" in table.c:
        kept = set(conn.execute(select(table.c[key]).where(table.c.changed_in_app)).scalars())
    else:
        kept = set()
    new_rows = [r for r in rows if r[key] not in existing]
    old_rows = [r for r in rows if r[key] in existing and r[key] not in kept]
    if new_rows:
        conn.execute(insert(table), new_rows)
    if old_rows:
        columns = [c for c in old_rows[0] if c != key]
        statement = (
            update(table)
            .where(table.c[key] == bindparam("_key"))
            .values({c: bindparam(c) for c in columns})
        )
        conn.execute(statement, [{**r, "_key": r[key]} for r in old_rows])


def _replace_rows(conn: Connection, table: Table, scope: Any, rows: list[dict[str, Any]]) -> None:
    """Make the rows of `table` that `scope` selects exactly `rows` (dicts of the same
    columns), deleting and inserting only those that differ: a row already there keeps its
    id, so loading the seed again changes nothing."""
    if not rows:
        conn.execute(table.delete().where(scope))
        return
    columns, keys = list(rows[0]), list(table.primary_key.columns)
    existing: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for row in conn.execute(select(*keys, *(table.c[c] for c in columns)).where(scope)):
        existing.setdefault(tuple(row[len(keys) :]), []).append(tuple(row[: len(keys)]))
    wanted = {tuple(r[c] for c in columns): r for r in rows}
    gone = [k for value, ks in existing.items() for k in (ks if value not in wanted else ks[1:])]
    if gone:
        conn.execute(table.delete().where(tuple_(*keys).in_(gone)))
    new_rows = [r for value, r in wanted.items() if value not in existing]
    if new_rows:
        conn.execute(insert(table), new_rows)


def _id_map(conn: Connection, table: Table, key: str = "code") -> dict[str, int]:
    return {k: i for k, i in conn.execute(select(table.c[key], table.c.id)).all()}


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (None if pd.isna(v) else v) for k, v in row.items()} for row in frame.to_dict("records")
    ]


def load_catalog(conn: Connection) -> None:
    """Bring the catalog tables in line with db/seed/ (idempotent)."""
    _load_named(conn, m.table(m.StrategicOutcome), read_seed("outcomes.csv"))
    _load_named(conn, m.table(m.FocusArea), read_seed("focus_areas.csv").astype({"sort": int}))
    _upsert(conn, m.table(m.Country), "iso2", _records(read_seed("countries.csv")))
    _load_cities(conn)
    _load_city_events(conn)
    _load_indicators(conn)
    _load_targets(conn)
    _load_named(conn, m.table(m.ThematicTrack), read_seed("tracks.csv"))
    _load_named(conn, m.table(m.Instrument), read_seed("instruments.csv"))
    groups = read_seed("task_groups.csv")
    tracks = _id_map(conn, m.table(m.ThematicTrack))
    groups["track_id"] = groups.pop("track").map(tracks)
    _load_named(conn, m.table(m.TaskGroup), groups.astype({"sort": int}))


def _load_named(conn: Connection, table: Table, frame: pd.DataFrame) -> None:
    _upsert(conn, table, "code", _records(frame))


def _load_cities(conn: Connection) -> None:
    cities = _blank_to_none(read_seed("cities.csv"))
    aliases = cities.pop("aliases")
    cities = cities.rename(columns={"country": "country_iso2"})
    for column in ("lat", "lon"):
        cities[column] = cities[column].astype(float)
    for column in ("population", "population_year", "ascn_joined"):
        cities[column] = pd.to_numeric(cities[column]).astype("Int64")
    for column in ("valid_from", "valid_to"):
        cities[column] = pd.to_datetime(cities[column]).dt.date
    cities["note"] = cities["note"].fillna("")
    _upsert(conn, m.table(m.City), "code", _records(cities))
    names = pd.concat(
        [
            cities[["code"]].assign(alias=cities["code"]),
            cities[["code"]].assign(alias=cities["name_vi"]),
            cities[["code"]].assign(alias=cities["name_en"]),
            cities[["code"]].assign(alias=aliases.fillna("").str.split(";")).explode("alias"),
        ]
    )
    _replace_aliases(conn, m.table(m.CityAlias), "city_id", m.table(m.City), names)


def _load_city_events(conn: Connection) -> None:
    """db/seed/city_events.csv: one row per event; `predecessors` and `successors` list city
    codes of the catalog (`;`-separated), `others_*` the units outside it."""
    events = read_seed("city_events.csv")
    links = events[["code", "predecessors", "successors"]]
    events = events.drop(columns=["predecessors", "successors"])
    events["event_date"] = pd.to_datetime(events["event_date"]).dt.date
    table, link_table = m.table(m.CityEvent), m.table(m.CityEventCity)
    _upsert(conn, table, "code", _records(events))
    ids = _id_map(conn, table)
    cities = _id_map(conn, m.table(m.City))
    rows = pd.concat(
        [
            links.assign(city=links[column].str.split(";"), role=role).explode("city")
            for column, role in (("predecessors", "predecessor"), ("successors", "successor"))
        ]
    )
    rows = rows[rows["city"].fillna("").str.strip() != ""]
    rows = pd.DataFrame(
        {
            "event_id": rows["code"].map(ids),
            "city_id": rows["city"].str.strip().map(cities),
            "role": rows["role"],
        }
    ).drop_duplicates()
    seeded = [ids[code] for code in links["code"]]  # events recorded in the app keep theirs
    _replace_rows(conn, link_table, link_table.c.event_id.in_(seeded), _records(rows))


def _load_indicators(conn: Connection) -> None:
    indicators = read_seed("indicators.csv")
    aliases = indicators.pop("aliases")
    areas = _id_map(conn, m.table(m.FocusArea))
    indicators["focus_area_id"] = indicators.pop("focus_area").map(areas)
    indicators = indicators.rename(columns={"min": "plausible_min", "max": "plausible_max"})
    indicators = indicators.astype(
        {"decimals": int, "plausible_min": float, "plausible_max": float}
    )
    indicators["comparable"] = indicators["comparable"].str.lower().ne("false")
    indicators["natural_limit"] = pd.to_numeric(indicators["natural_limit"]).astype(float)
    _upsert(conn, m.table(m.Indicator), "code", _records(indicators))
    names = pd.concat(
        [
            indicators[["code"]].assign(alias=indicators["code"]),
            *[indicators[["code"]].assign(alias=indicators[f"name_{lang}"]) for lang in LANGS],
            indicators[["code"]].assign(alias=aliases.str.split(";")).explode("alias"),
        ]
    )
    _replace_aliases(conn, m.table(m.IndicatorAlias), "indicator_id", m.table(m.Indicator), names)


def _replace_aliases(
    conn: Connection, alias_table: Table, owner_column: str, owner_table: Table, names: pd.DataFrame
) -> None:
    """Rewrite the seed's aliases; a folded name shared by two owners matches neither.
    Aliases added in the app stay, and win over a seed alias of the same folded name."""
    names = names.assign(alias=names["alias"].fillna("").str.strip())
    names = names[names["alias"] != ""]
    names = names.assign(alias_key=names["alias"].map(fold))
    # An alias that folds to nothing would match every empty cell of a file.
    names = names[names["alias_key"] != ""]
    names = names.drop_duplicates(["code", "alias_key"])
    names = names[~names.duplicated("alias_key", keep=False)]
    ids = _id_map(conn, owner_table)
    names = names.assign(**{owner_column: names["code"].map(ids)})
    seeded = alias_table.c[owner_column].in_(list(ids.values())) & ~alias_table.c.added_in_app
    in_app = set(
        conn.execute(select(alias_table.c.alias_key).where(alias_table.c.added_in_app)).scalars()
    )
    names = names[~names["alias_key"].isin(in_app)]
    _replace_rows(conn, alias_table, seeded, _records(names[[owner_column, "alias", "alias_key"]]))


def _load_targets(conn: Connection) -> None:
    targets = read_seed("targets.csv")
    indicators = _id_map(conn, m.table(m.Indicator))
    cities = _id_map(conn, m.table(m.City))
    targets["indicator_id"] = targets.pop("indicator").map(indicators)
    targets["city_id"] = targets.pop("city").map(cities).astype("Int64")
    targets["country_iso2"] = targets.pop("country").replace({"": None})
    targets["value_high"] = pd.to_numeric(targets["value_high"]).astype(float)
    targets = targets.astype({"year": int, "value": float})
    table = m.table(m.Target)
    # Seeded targets follow the seed; user-set ones are the users' and stay.
    _replace_rows(conn, table, table.c.kind != "user_set", _records(targets))


# --- Reads ----------------------------------------------------------------------------------


def _read(conn_or_engine: Engine | Connection, statement: Any) -> pd.DataFrame:
    return pd.read_sql(statement, conn_or_engine)


def focus_areas(engine: Engine, lang: str) -> pd.DataFrame:
    t = m.table(m.FocusArea)
    statement = select(
        t.c.id,
        t.c.code,
        t.c.sort,
        t.c[f"name_{lang}"].label("name"),
        t.c[f"description_{lang}"].label("description"),
    ).order_by(t.c.sort)
    return _read(engine, statement)


def indicators(engine: Engine, lang: str) -> pd.DataFrame:
    """Indicators with their focus area, in the catalog's order."""
    i, fa = m.table(m.Indicator), m.table(m.FocusArea)
    statement = (
        select(
            i.c.id,
            i.c.code,
            i.c[f"name_{lang}"].label("name"),
            fa.c.code.label("focus_area"),
            fa.c[f"name_{lang}"].label("focus_area_name"),
            i.c.unit,
            i.c.direction,
            i.c.decimals,
            i.c.plausible_min,
            i.c.plausible_max,
            i.c[f"definition_{lang}"].label("definition"),
            i.c.source_standard,
            i.c.comparable,
            i.c.natural_limit,
        )
        .join(fa, fa.c.id == i.c.focus_area_id)
        .where(i.c.is_active)
        .order_by(fa.c.sort, i.c.code)
    )
    return _localised_units(_read(engine, statement), lang)


def _localised_units(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The unit column in the language (the store keeps the catalog's English unit)."""
    frame["unit"] = Translator(lang).units(frame["unit"])
    return frame


def cities(engine: Engine, lang: str) -> pd.DataFrame:
    """Cities with their country's name; the city name is Vietnamese for vi, English otherwise."""
    c, co = m.table(m.City), m.table(m.Country)
    name_column = "name_vi" if lang == "vi" else "name_en"
    statement = (
        select(
            c.c.id,
            c.c.code,
            c.c[name_column].label("name"),
            c.c.name_vi,
            c.c.name_en,
            c.c.country_iso2.label("country"),
            co.c[f"name_{lang}"].label("country_name"),
            c.c.lat,
            c.c.lon,
            c.c.population,
            c.c.population_year,
            c.c.ascn_joined,
            c.c.valid_from,
            c.c.valid_to,
        )
        .join(co, co.c.iso2 == c.c.country_iso2)
        .order_by(c.c.country_iso2, c.c[name_column])
    )
    return _read(engine, statement)


def targets(engine: Engine, lang: str) -> pd.DataFrame:
    t, i, c = m.table(m.Target), m.table(m.Indicator), m.table(m.City)
    statement = (
        select(
            i.c.code.label("indicator"),
            i.c[f"name_{lang}"].label("indicator_name"),
            i.c.unit,
            c.c.code.label("city"),
            t.c.scope,
            t.c.country_iso2.label("country"),
            t.c.year,
            t.c.value,
            t.c.value_high,
            t.c.kind,
            t.c.source,
            t.c[f"note_{lang}"].label("note"),
        )
        .join(i, i.c.id == t.c.indicator_id)
        .outerjoin(c, c.c.id == t.c.city_id)
        .order_by(i.c.code, t.c.year)
    )
    return _localised_units(_read(engine, statement), lang)


# The catalog's small named tables, by the name pages ask for them with.
NamedTable = Literal["strategic_outcome", "thematic_track", "task_group", "instrument"]
_NAMED: dict[NamedTable, type[m.Base]] = {
    "strategic_outcome": m.StrategicOutcome,
    "thematic_track": m.ThematicTrack,
    "task_group": m.TaskGroup,
    "instrument": m.Instrument,
}


def named(engine: Engine, table: NamedTable, lang: str) -> pd.DataFrame:
    """Code and name of a small named table (outcomes, tracks, instruments, task groups)."""
    t = m.table(_NAMED[table])
    order = t.c.sort if "sort" in t.c else t.c.code
    return _read(engine, select(t.c.code, t.c[f"name_{lang}"].label("name")).order_by(order))


def catalog_json(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """The catalog as `python -m mne catalog --json` prints it (design.md contract)."""
    with engine.connect() as conn:
        city_rows = conn.execute(
            select(m.City.code, m.City.name_vi, m.City.name_en, m.City.country_iso2).order_by(
                m.City.code
            )
        ).all()
        alias_rows = conn.execute(
            select(m.City.code, m.CityAlias.alias).join(m.City, m.City.id == m.CityAlias.city_id)
        ).all()
        indicator_rows = conn.execute(
            select(
                m.Indicator.code,
                m.Indicator.name_en,
                m.Indicator.name_vi,
                m.Indicator.name_id,
                m.Indicator.unit,
                m.Indicator.direction,
                m.FocusArea.code.label("focus_area"),
                m.Indicator.plausible_min.label("min"),
                m.Indicator.plausible_max.label("max"),
                m.Indicator.decimals,
                m.Indicator.source_standard,
            )
            .join(m.FocusArea, m.FocusArea.id == m.Indicator.focus_area_id)
            .order_by(m.FocusArea.sort, m.Indicator.code)
        ).all()
        group_rows = conn.execute(
            select(
                m.TaskGroup.code, m.TaskGroup.name_vi, m.TaskGroup.name_en, m.TaskGroup.name_id
            ).order_by(m.TaskGroup.sort)
        ).all()
    aliases: dict[str, list[str]] = {}
    for code, alias in alias_rows:
        aliases.setdefault(code, []).append(alias)
    return {
        "cities": [
            {
                "code": r.code,
                "name_vi": r.name_vi,
                "name_en": r.name_en,
                "country": r.country_iso2,
                "aliases": sorted(aliases.get(r.code, [])),
            }
            for r in city_rows
        ],
        "indicators": [dict(r._mapping) for r in indicator_rows],
        "task_groups": [dict(r._mapping) for r in group_rows],
    }
