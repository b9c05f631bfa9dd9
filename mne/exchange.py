"""The formats partners' systems speak, written from the store: DHIS2 dataValueSets (JSON and
CSV), SDMX-CSV 2.0 and Open SDG data (a zip of one CSV per indicator with its metadata).

Codes are the ids: dataElement/INDICATOR is the indicator code, orgUnit/REF_AREA the city
code, period/TIME_PERIOD the stored period ("2024", "2024-Q1", "2024-03"). A mapping file
(CSV: kind,code,id with kind dataElement or orgUnit) writes a partner's own ids instead.
Each format is read back by the Upload (mne.intake): DHIS2 CSV and SDMX-CSV as they are, a
DHIS2 JSON body through mne.api's dataValueSets reader, Open SDG one CSV at a time.

Values are read in chunks from a server-side cursor (never the whole store at once); the
filters are those of the API's /values (`ValueFilter`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import ColumnElement, Engine, Select, select

from db import models as m
from mne.i18n import N_

FORMATS = ("dhis2-json", "dhis2-csv", "sdmx-csv", "open-sdg")
CHUNK = 20_000
SDMX_DATAFLOW = "VN_MOC:ASCN_SMART_CITY(1.0)"
SDMX_HEADER = [
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "REF_AREA",
    "INDICATOR",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
    "OBS_STATUS",
]
# SDMX's observation status codes: A normal (approved), P provisional (submitted).
SDMX_STATUS = {"approved": "A", "submitted": "P"}
DHIS2_CSV_HEADER = ["dataelement", "period", "orgunit", "value", "comment"]


@dataclass(frozen=True)
class ValueFilter:
    cities: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    first_year: int | None = None
    last_year: int | None = None
    status: str = "approved"


def values_statement(chosen: ValueFilter, shown: ColumnElement[bool]) -> Select[Any]:
    """id, city, country, indicator, period, value, status (and unit) of the stored values of
    the filter that `shown` lets through, in the store's order (id)."""
    o, c, i = m.table(m.Observation), m.table(m.City), m.table(m.Indicator)
    statement = (
        select(
            o.c.id,
            c.c.code.label("city"),
            c.c.country_iso2.label("country"),
            i.c.code.label("indicator"),
            o.c.period,
            o.c.value,
            o.c.status,
        )
        .join(c, c.c.id == o.c.city_id)
        .join(i, i.c.id == o.c.indicator_id)
        .where(shown)
        .order_by(o.c.id)
    )
    if chosen.cities:
        statement = statement.where(c.c.code.in_(chosen.cities))
    if chosen.indicators:
        statement = statement.where(i.c.code.in_(chosen.indicators))
    if chosen.countries:
        statement = statement.where(c.c.country_iso2.in_(chosen.countries))
    if chosen.first_year is not None:
        statement = statement.where(o.c.year >= chosen.first_year)
    if chosen.last_year is not None:
        statement = statement.where(o.c.year <= chosen.last_year)
    return statement


def shown_condition(status: str) -> ColumnElement[bool]:
    """The command line's operator: approved values, submitted ones, or both ("all")."""
    o = m.table(m.Observation)
    wanted = {"approved": ("approved",), "submitted": ("submitted",)}.get(
        status, ("approved", "submitted")
    )
    return o.c.status.in_(wanted)


@dataclass(frozen=True)
class PartnerIds:
    """A partner's own ids for our codes (the mapping file); our code where none is given."""

    data_elements: dict[str, str]
    org_units: dict[str, str]

    @classmethod
    def none(cls) -> PartnerIds:
        return cls({}, {})

    @classmethod
    def read(cls, path: Path) -> PartnerIds:
        elements: dict[str, str] = {}
        units: dict[str, str] = {}
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                kind = (row.get("kind") or "").strip().lower()
                code, partner = (row.get("code") or "").strip(), (row.get("id") or "").strip()
                if not code or not partner:
                    continue
                if kind in ("dataelement", "indicator"):
                    elements[code] = partner
                elif kind in ("orgunit", "city"):
                    units[code] = partner
        return cls(elements, units)


def _rows(engine: Engine, statement: Select[Any]) -> Iterator[Sequence[Any]]:
    """Chunks of (city, indicator, period, value, status, unit) from a server-side cursor."""
    i = m.table(m.Indicator)
    columns = statement.selected_columns
    chosen = statement.with_only_columns(
        columns.city, columns.indicator, columns.period, columns.value, columns.status, i.c.unit
    )
    with engine.connect() as conn:
        result = conn.execution_options(stream_results=True, yield_per=CHUNK).execute(chosen)
        while True:
            rows = result.fetchmany(CHUNK)
            if not rows:
                return
            yield rows


def _value(value: float) -> str:
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(value)


def write(
    engine: Engine,
    statement: Select[Any],
    fmt: str,
    out: IO[bytes],
    ids: PartnerIds | None = None,
) -> int:
    """Write the values of `statement` to `out` in `fmt`; returns how many."""
    ids = ids or PartnerIds.none()
    de, ou = ids.data_elements, ids.org_units
    count = 0
    if fmt == "open-sdg":
        return _open_sdg(engine, statement, out)
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    if fmt == "dhis2-json":
        text.write('{"dataValues": [')
        first = True
        for rows in _rows(engine, statement):
            items = [
                json.dumps(
                    {
                        "dataElement": de.get(r.indicator, r.indicator),
                        "period": r.period,
                        "orgUnit": ou.get(r.city, r.city),
                        "value": _value(r.value),
                    },
                    ensure_ascii=False,
                )
                for r in rows
            ]
            text.write(("" if first else ",") + ",\n".join(items))
            first = False
            count += len(rows)
        text.write("]}\n")
    else:
        writer = csv.writer(text)
        if fmt == "dhis2-csv":
            writer.writerow(DHIS2_CSV_HEADER)
            for rows in _rows(engine, statement):
                writer.writerows(
                    (
                        de.get(r.indicator, r.indicator),
                        r.period,
                        ou.get(r.city, r.city),
                        _value(r.value),
                        "",
                    )
                    for r in rows
                )
                count += len(rows)
        elif fmt == "sdmx-csv":
            writer.writerow(SDMX_HEADER)
            for rows in _rows(engine, statement):
                writer.writerows(
                    (
                        "dataflow",
                        SDMX_DATAFLOW,
                        "I",
                        ou.get(r.city, r.city),
                        de.get(r.indicator, r.indicator),
                        r.period,
                        _value(r.value),
                        r.unit,
                        SDMX_STATUS.get(r.status, ""),
                    )
                    for r in rows
                )
                count += len(rows)
        else:
            raise ValueError(fmt)
    text.flush()
    text.detach()
    return count


def open_sdg_file_name(indicator: str) -> str:
    return f"data/indicator_{indicator.lower()}.csv"


def _open_sdg(engine: Engine, statement: Select[Any], out: IO[bytes]) -> int:
    """A zip: data/indicator_<code>.csv (Year, GeoCode, Series, Units, Value) per indicator and
    meta/<code>.json (name, unit, direction, source standard) for each."""
    by_indicator: dict[str, io.StringIO] = {}
    count = 0
    for rows in _rows(engine, statement):
        for r in rows:
            buffer = by_indicator.get(r.indicator)
            if buffer is None:
                buffer = by_indicator[r.indicator] = io.StringIO()
                csv.writer(buffer).writerow(["Year", "GeoCode", "Series", "Units", "Value"])
            csv.writer(buffer).writerow([r.period, r.city, r.indicator, r.unit, _value(r.value)])
        count += len(rows)
    i = m.table(m.Indicator)
    with engine.connect() as conn:
        facts = {
            row.code: dict(row._mapping)
            for row in conn.execute(
                select(
                    i.c.code,
                    i.c.name_en,
                    i.c.name_vi,
                    i.c.name_id,
                    i.c.unit,
                    i.c.direction,
                    i.c.source_standard,
                ).where(i.c.code.in_(sorted(by_indicator)))
            )
        }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for code, buffer in sorted(by_indicator.items()):
            archive.writestr(open_sdg_file_name(code), buffer.getvalue())
            meta = {"indicator_number": code, **facts.get(code, {})}
            archive.writestr(f"meta/{code.lower()}.json", json.dumps(meta, ensure_ascii=False))
    return count


def dhis2_json_to_csv(body: Any) -> bytes | None:
    """A DHIS2 dataValueSets JSON body as a DHIS2 data value CSV the intake reads; None when
    the body is not one."""
    if not isinstance(body, dict) or not isinstance(body.get("dataValues"), list):
        return None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["dataElement", "period", "orgUnit", "value", "comment"])
    default_org = str(body.get("orgUnit", ""))
    default_period = str(body.get("period", ""))
    writer.writerows(
        [
            str(v.get("dataElement", "")),
            str(v.get("period", default_period)),
            str(v.get("orgUnit", default_org)),
            "" if v.get("value") is None else str(v.get("value")),
            str(v.get("comment", "") or ""),
        ]
        for v in body["dataValues"]
        if isinstance(v, dict)
    )
    return buffer.getvalue().encode("utf-8")


def open_sdg_files(data: bytes) -> list[tuple[str, bytes]]:
    """The data CSVs of an Open SDG zip, for the Upload to read one at a time."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (Path(name).name, archive.read(name))
            for name in sorted(archive.namelist())
            if name.startswith("data/") and name.endswith(".csv")
        ]


# The Reports page's names for the formats, and what each download is.
FORMAT_NAMES = {
    "dhis2-json": N_("DHIS2 data value set (JSON)"),
    "dhis2-csv": N_("DHIS2 data values (CSV)"),
    "sdmx-csv": N_("SDMX-CSV 2.0"),
    "open-sdg": N_("Open SDG data (zip of CSV files)"),
}
SUFFIXES = {"dhis2-json": "json", "dhis2-csv": "csv", "sdmx-csv": "csv", "open-sdg": "zip"}
MIME_TYPES = {
    "dhis2-json": "application/json",
    "dhis2-csv": "text/csv",
    "sdmx-csv": "text/csv",
    "open-sdg": "application/zip",
}


def export_file(engine: Engine, chosen: ValueFilter, fmt: str) -> tuple[bytes, int]:
    """The values of `chosen` in `fmt`, whole, for a download button; and how many."""
    buffer = io.BytesIO()
    count = write(engine, values_statement(chosen, shown_condition(chosen.status)), fmt, buffer)
    return buffer.getvalue(), count
