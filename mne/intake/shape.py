"""Which shape a table has, and the long table (one value per row) it becomes.

Shapes: "long" (city, indicator, period, value); "wide-indicators" (city, period, one column per
indicator); "wide-years" (city, indicator, one column per year; World Bank WDI downloads);
"dhis2" (a DHIS2 data value set: dataelement, period, orgunit, ..., value, with or without its
header row); "opensdg" (Year, disaggregations, Value, with the place in GeoCode / City / Region
/ Geography... and the indicator in Series or the file name); "satudata" (Indonesia's open data:
kode_* and id columns, nama_kabupaten_kota, one value column named after the indicator, satuan,
tahun).

Nothing lands under an indicator it is not. A row's indicator is the first of its indicator
columns (or Series, or a breakdown column whose values a mapping names) that maps to one of
ours; a file holding several series stores the rows of those that map and says which it
skipped, never falling back to the file name's indicator. Breakdown rows (sex, age...) and rows
in another unit than the indicator's are skipped and said. A row's place is the most specific
geography column filled in on it; in files of other publishers (and whenever several geography
columns are present) rows of places that are not cities of the catalog are skipped with a
count, and a file with no row of a city is refused.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from mne.i18n import MISSING, N_, Translator
from mne.intake.mapping import Mapping
from mne.intake.parse import is_missing, parse_numbers
from mne.intake.problems import FileProblem, refuse_too_many_unknown
from mne.intake.read import (
    BREAKDOWN_HEADERS,
    COLUMN_NAMES,
    GEOGRAPHY_LEVELS,
    ROW_NUMBER_HEADERS,
    UNIT_HEADERS,
    RawTable,
)
from mne.periods import parse_periods
from mne.text import fold

LONG_COLUMNS = [
    "row",
    "column",
    "city",
    "indicator",
    "period",
    "value",
    "typed",
    "note",
    "source",
    "overflow_column",
    "overflow_value",
    "city_header",
    "indicator_header",
]
DHIS2_COLUMNS = {"dataelement", "period", "orgunit", "value"}
OPENSDG_NOT_BREAKDOWN = {
    "year",
    "value",
    "observation status",
    "unit multiplier",
    "comment obs",
    *UNIT_HEADERS,
}
OPENSDG_FILE_NAME = re.compile(r"indicator_(\d+)-(\d+)-(\d+)", re.IGNORECASE)
# A breakdown value that means "everyone": the row is a total.
TOTAL_VALUES = {
    "total",
    "all",
    "all genders",
    "all sexes",
    "both sexes",
    "all ages",
    "tong",
    "tong so",
    "chung",
    "jumlah",
    "semua",
}
# Writings of the same unit.
UNIT_SYNONYMS = {
    "percent": "%",
    "percentage": "%",
    "per cent": "%",
    "persen": "%",
    "phan tram": "%",
    "microgram m3": "µg/m³",
    "micrograms per cubic metre": "µg/m³",
    "micrograms per cubic meter": "µg/m³",
    "ug m3": "µg/m³",
}
# Shapes of other publishers, whose files cover places beyond our cities.
MANY_PLACES = {"opensdg", "dhis2", "satudata"}
# Shapes (and headers) of files that hold several series, of which some may not be ours.
SERIES_SHAPES = {"opensdg", "dhis2"}
SERIES_HEADERS = {"series", "series code", "series name"}
EXAMPLES = 5
# How alike a header must be to a role's name to be offered as that column (difflib ratio).
CLOSE_NAME = 0.75


class Names(Protocol):
    """The catalog as the shaping needs it (mne.intake.validate.Lookup)."""

    mapping: Mapping

    def is_indicator(self, name: str) -> bool: ...

    def is_city(self, name: str) -> bool: ...

    def unit_of(self, indicator: str) -> str | None: ...


@dataclass
class Note:
    """A warning about rows left out, said once with a count (code of problems.WARNINGS)."""

    code: str
    row: int
    column: str
    values: dict[str, object]


@dataclass
class LongTable:
    shape: str
    # LONG_COLUMNS, one row per value cell; frame.attrs["headers"] names the file's column
    # holding each of city, indicator and period (for messages that point at a column).
    frame: pd.DataFrame
    skipped: pd.DataFrame  # breakdown rows left out: row, column, value
    notes: list[Note] = field(default_factory=list)


def roles(columns: list[str], mapping: Mapping | None = None) -> dict[str, str]:
    """Which header holds the city, indicator, period, value, note and source. A mapping's
    column entries come first."""
    found: dict[str, str] = {}
    if mapping is not None:
        for column in columns:
            role = mapping.columns.get(fold(column))
            if role is not None and role not in found:
                found[role] = column
    mapped_city = found.get("city")
    folded = {fold(c): c for c in reversed(columns)}
    for role, names in COLUMN_NAMES.items():
        if role in found:
            continue
        for name in names:
            if name in folded and folded[name] not in found.values():
                found[role] = folded[name]
                break
    if mapped_city is not None:
        found["mapped_city"] = mapped_city
    return found


def to_long(table: RawTable, file_name: str, names: Names) -> LongTable:
    """The long table of `table`, its rows' places and indicators chosen as the module says."""
    long = _shape(table, file_name, names)
    headers = long.frame.attrs.setdefault("headers", {})
    for role in ("city", "indicator", "period"):
        headers.setdefault(role, role)
    return long


@dataclass
class _Lines:
    """Per line of the table: the text naming its city and indicator, the header each came
    from, and whether the line is kept."""

    city: pd.Series
    city_header: pd.Series
    indicator: pd.Series
    indicator_header: pd.Series
    keep: pd.Series
    skipped: list[pd.DataFrame] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


def _shape(table: RawTable, file_name: str, names: Names) -> LongTable:
    cells = table.cells
    columns = list(cells.columns)
    folded = {fold(c) for c in columns}
    found = roles(columns, names.mapping)
    geography = _geography(columns, found)
    if geography:
        found["city"] = geography[0][0]
    if folded >= DHIS2_COLUMNS:
        shape = "dhis2"
    elif _looks_like_opensdg(folded, file_name, found):
        return _opensdg(table, found, geography, file_name, names)
    elif {"city", "indicator", "period", "value"} <= found.keys():
        shape = "long"
    else:
        return _wide(table, found, geography, names)
    lines = _lines(table, found, geography, names, shape)
    frame = _long(table, found, lines)
    return _finish(table, shape, frame, found, lines)


def _wide(
    table: RawTable, found: dict[str, str], geography: list[list[str]], names: Names
) -> LongTable:
    cells = table.cells
    columns = list(cells.columns)
    excluded = _code_columns(columns, found) | {
        *(c for level in geography for c in level),
        *_indicator_columns(columns, found),
    }
    if "city" in found and "indicator" in found:
        year_columns = _value_columns(table, found, _is_period_header, excluded)
        if year_columns:
            lines = _lines(table, found, geography, names, "wide-years")
            melted = _melt(table, found, lines, year_columns, "period")
            return _finish(table, "wide-years", melted, found, lines)
    if "city" in found and "period" in found:
        indicator_columns = _value_columns(table, found, names.is_indicator, excluded)
        shape = "wide-indicators"
        if _is_satudata(columns):
            shape = "satudata"
            indicator_columns = indicator_columns or [
                c
                for c in cells.columns
                if c not in found.values() and c not in excluded and _holds_numbers(table, c)
            ]
        if indicator_columns:
            lines = _lines(
                table, found, geography, names, shape, indicator_headers=indicator_columns
            )
            melted = _melt(table, found, lines, indicator_columns, "indicator")
            return _finish(table, shape, melted, found, lines)
    raise _missing_columns(table, found, names)


def _finish(
    table: RawTable, shape: str, frame: pd.DataFrame, found: dict[str, str], lines: _Lines
) -> LongTable:
    headers = {role: found[role] for role in ("city", "indicator", "period") if role in found}
    frame.attrs["headers"] = headers
    skipped = pd.concat(lines.skipped, ignore_index=True) if lines.skipped else _no_skips()
    return LongTable(shape, frame.reset_index(drop=True), skipped, lines.notes)


# --- Columns -----------------------------------------------------------------------------------


def _geography(columns: list[str], found: dict[str, str]) -> list[list[str]]:
    """The file's geography columns by level, most specific first (a mapped city column
    first of all); levels without a column left out."""
    by_fold = {fold(c): c for c in reversed(columns)}
    levels = [[by_fold[name] for name in level if name in by_fold] for level in GEOGRAPHY_LEVELS]
    mapped = found.get("mapped_city")
    if mapped is not None:  # a column the user named the city is the most specific
        levels = [[c for c in level if c != mapped] for level in levels]
        levels[0].insert(0, mapped)
    used = {v for k, v in found.items() if k not in ("city", "mapped_city")}
    return [[c for c in level if c not in used] for level in levels if level]


def _indicator_columns(columns: list[str], found: dict[str, str]) -> list[str]:
    by_fold = {fold(c): c for c in reversed(columns)}
    present = [by_fold[name] for name in COLUMN_NAMES["indicator"] if name in by_fold]
    mapped = found.get("indicator")
    if mapped is not None:
        present = [mapped, *[c for c in present if c != mapped]]
    return present


def _unit_column(columns: list[str]) -> str | None:
    by_fold = {fold(c): c for c in reversed(columns)}
    return next((by_fold[name] for name in UNIT_HEADERS if name in by_fold), None)


def _code_columns(columns: list[str], found: dict[str, str]) -> set[str]:
    """Columns that hold identifiers and units, never values: id, kode_*, satuan."""
    used = set(found.values())
    return {
        c
        for c in columns
        if c not in used
        and (
            fold(c) in {"id", *UNIT_HEADERS, *BREAKDOWN_HEADERS}
            or fold(c).startswith(("kode ", "code ", "ma "))
            or fold(c) in ROW_NUMBER_HEADERS
        )
    }


def _is_satudata(columns: list[str]) -> bool:
    folded = {fold(c) for c in columns}
    return bool(folded & {"satuan", "id"}) or any(f.startswith("kode ") for f in folded)


def _is_period_header(header: str) -> bool:
    return bool(parse_periods(pd.Series([header]))["period"].notna().iloc[0])


def _value_columns(
    table: RawTable,
    found: dict[str, str],
    is_value_header: Callable[[str], bool],
    excluded: set[str],
) -> list[str]:
    """The columns of a wide file that hold values: those whose header is a period (or an
    indicator), and, once there is one, every other unnamed-role column holding a number, so
    that a misspelt header is reported rather than its values dropped. Text columns (names,
    units, remarks), codes and row numbers are left out."""
    others = [c for c in table.cells.columns if c not in found.values() and c not in excluded]
    recognised = {c for c in others if is_value_header(c)}
    if not recognised:
        return []
    return [c for c in others if c in recognised or _holds_numbers(table, c)]


def _holds_numbers(table: RawTable, column: str) -> bool:
    typed = table.typed_numbers[column] if table.typed_numbers is not None else None
    return bool((parse_numbers(table.cells[column], typed)["status"] == "ok").any())


def _looks_like_opensdg(folded: set[str], file_name: str, found: dict[str, str]) -> bool:
    if not {"year", "value"} <= folded or ("indicator" in found and "series" not in folded):
        return False
    return bool(folded & {"geocode", "series"}) or bool(OPENSDG_FILE_NAME.search(file_name))


def _missing_columns(table: RawTable, found: dict[str, str], names: Names) -> FileProblem:
    """Only what is missing, with the closest column for each missing role."""
    columns = list(table.cells.columns)
    if table.header_is_data:
        return FileProblem("no_header", first=", ".join(map(str, columns[:6])))
    others = [c for c in columns if c not in found.values()]
    has_years = any(_is_period_header(c) for c in others)
    has_indicators = any(names.is_indicator(c) for c in others)
    needed = {
        "city": "city" in found,
        "indicator": "indicator" in found or has_indicators,
        "period": "period" in found or has_years,
        "value": "value" in found or has_years or has_indicators,
    }
    missing = [role for role, present in needed.items() if not present]
    if not found and not has_years and not has_indicators:
        return FileProblem("unknown_shape", found=_listed(columns))
    problem = FileProblem("missing_columns", columns=", ".join(missing), found=_listed(columns))
    unused = [c for c in others if not _is_period_header(c) and not names.is_indicator(c)]
    for role in missing:
        closest = _closest_column(table, role, unused)
        if closest is not None:
            problem.closest.append((role, closest))
            unused.remove(closest)
    return problem


def _listed(columns: list[str]) -> str:
    """Column names for a message; a long run of year columns shown as its first and last."""
    years = [c for c in columns if _is_period_header(c)]
    if len(years) <= 3:
        return ", ".join(columns)
    shown = [c for c in columns if c not in years]
    return ", ".join([*shown, f"{years[0]} … {years[-1]}"])


def _closest_column(table: RawTable, role: str, candidates: list[str]) -> str | None:
    """The header most like the role's names; else a column whose content fits the role."""
    best, score = None, 0.0
    for column in candidates:
        for name in COLUMN_NAMES[role]:
            ratio = difflib.SequenceMatcher(None, fold(column), name).ratio()
            if ratio > score:
                best, score = column, ratio
    if best is not None and score >= CLOSE_NAME:
        return best
    for column in candidates:
        sample = table.cells[column].head(50)
        filled = sample[~is_missing(sample)]
        if filled.empty:
            continue
        numbers = parse_numbers(filled)["status"] == "ok"
        periods = parse_periods(filled)["period"].notna()
        if role == "period" and periods.all():
            return column
        if role == "value" and numbers.all() and not periods.all():
            return column
        if role in ("city", "indicator") and not numbers.any():
            return column
    return None


# --- Lines: place, indicator, breakdowns, units ----------------------------------------------


def _column(cells: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None:
        return pd.Series("", index=cells.index, dtype=object)
    return cells[name].astype(str).str.strip()


def _tested(values: pd.Series, test: Callable[[str], bool]) -> pd.Series:
    """`test` of each value, asked once per distinct value."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    answers = np.fromiter((bool(v) and test(v) for v in distinct), dtype=bool, count=len(distinct))
    return pd.Series(answers[codes], index=values.index)


def _pick(
    cells: pd.DataFrame,
    levels: list[list[str]],
    resolves: Callable[[str], bool],
    mapped: Callable[[str], bool] | None = None,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per line: the text of the place (or indicator) and its header: of the most specific
    level filled in, the first column that resolves, else its first filled column; a less
    specific cell names the line only when the person mapped it (`mapped`; None when the
    mapping names none). And whether it resolved."""
    index = cells.index
    # Arrow-backed text, as the cells are: a million names stay in one buffer, not a million
    # Python objects.
    text = pd.Series("", index=index, dtype="str")
    header = pd.Series("", index=index, dtype=object)
    resolved = pd.Series(False, index=index)
    decided = pd.Series(False, index=index)
    for level in [level for level in levels if level]:
        values = {c: _column(cells, c) for c in level}
        filled = {c: ~is_missing(v) for c, v in values.items()}
        todo = ~decided & pd.concat(filled.values(), axis=1).any(axis=1)
        for c in level:
            hit = todo & ~resolved & filled[c] & _tested(values[c], resolves)
            text[hit], header[hit], resolved = values[c][hit], c, resolved | hit
        for c in level:
            hit = todo & ~resolved & filled[c] & (header == "")
            text[hit], header[hit] = values[c][hit], c
        decided |= todo
    if mapped is None:
        return text, header, resolved
    for c in (c for level in levels for c in level):
        written = _column(cells, c)
        hit = ~resolved & _tested(written, mapped)
        text[hit], header[hit], resolved = written[hit], c, resolved | hit
    return text, header, resolved


def _lines(
    table: RawTable,
    found: dict[str, str],
    geography: list[list[str]],
    names: Names,
    shape: str,
    file_indicator: str = "",
    breakdown: list[str] | None = None,
    indicator_headers: list[str] | None = None,
) -> _Lines:
    """Each line's place and indicator, and which lines are kept. `indicator_headers`: the
    value columns of a file with one column per indicator, whose headers are its indicators."""
    cells = table.cells
    rows = pd.Series(table.rows.to_numpy(), index=cells.index)
    columns = list(cells.columns)
    mapped_cities = names.mapping.cities
    city, city_header, city_known = _pick(
        cells,
        geography,
        names.is_city,
        (lambda name: fold(name) in mapped_cities) if mapped_cities else None,
    )
    first_geo = geography[0][0] if geography else found.get("city", "")
    city_header = city_header.where(city_header != "", first_geo)
    indicators = _indicator_columns(columns, found)
    breakdown = breakdown if breakdown is not None else _breakdown_columns(columns, found)
    series = [c for c in breakdown if _tested(_column(cells, c), names.is_indicator).any()]
    breakdown = [c for c in breakdown if c not in series]
    candidates = [*indicators, *series]
    indicator, indicator_header, indicator_known = _pick(cells, [candidates], names.is_indicator)
    lines = _Lines(
        city,
        city_header,
        indicator,
        indicator_header.where(indicator_header != "", found.get("indicator", "")),
        pd.Series(True, index=cells.index),
    )
    if geography and _many_places(shape, geography, found):
        _skip_other_places(lines, rows, cells, city_known, geography)
    series_file = (
        shape in SERIES_SHAPES or bool(series) or any(fold(c) in SERIES_HEADERS for c in indicators)
    )
    _choose_series(lines, rows, candidates, indicator_known, file_indicator, series_file)
    _skip_breakdowns(lines, rows, cells, breakdown)
    if shape == "dhis2":
        _skip_category_splits(lines, rows, cells, found)
    _skip_other_units(lines, rows, cells, _unit_column(columns), names)
    if not lines.keep.any() and (lines.skipped or lines.notes):
        raise FileProblem("only_breakdowns", example=_first_reason(lines))
    if file_indicator:  # the file name's indicator, written where the line named none
        indicator_known = indicator_known | (lines.indicator == file_indicator)
    _refuse_unknown_names(lines, city_known, indicator_known, names, indicator_headers)
    return lines


def _refuse_unknown_names(
    lines: _Lines,
    city_known: pd.Series,
    indicator_known: pd.Series,
    names: Names,
    indicator_headers: list[str] | None,
) -> None:
    """The kept lines' places and indicators have been matched against the catalog, each
    distinct name once: a file naming too many unknown ones is refused here, before its long
    table is built and its names are folded again. A wide file's indicators are its headers."""
    keep = lines.keep.to_numpy()
    if not keep.any():
        return
    refuse_too_many_unknown(lines.city[keep], city_known[keep], "city")
    if indicator_headers is None:
        refuse_too_many_unknown(lines.indicator[keep], indicator_known[keep], "indicator")
    else:
        headers = pd.Series(indicator_headers, dtype=object).astype(str).str.strip()
        refuse_too_many_unknown(headers, headers.map(names.is_indicator), "indicator")


def _many_places(shape: str, geography: list[list[str]], found: dict[str, str]) -> bool:
    """A file of places beyond our cities: another publisher's shape, several geography
    columns, or places named by a region or country column."""
    first = geography[0][0]
    is_city_level = fold(first) in GEOGRAPHY_LEVELS[0] or first == found.get("mapped_city")
    return shape in MANY_PLACES or sum(map(len, geography)) > 1 or not is_city_level


def _first_reason(lines: _Lines) -> str:
    if lines.skipped:
        return str(pd.concat(lines.skipped)["value"].iloc[0])
    note = lines.notes[0]
    return f"{note.column}={note.values.get('value', note.values.get('examples', ''))}"


def _breakdown_columns(columns: list[str], found: dict[str, str]) -> list[str]:
    """Columns that split a value by sex, age..., in a file of our own shapes."""
    used = set(found.values())
    return [c for c in columns if c not in used and fold(c) in BREAKDOWN_HEADERS]


def _place_names(lines: _Lines, cells: pd.DataFrame, geography: list[list[str]]) -> pd.Series:
    """Each line's place as a person knows it: its text, with another geography cell of the
    line beside it ("48 (Alberta)")."""
    context = pd.Series("", index=cells.index, dtype=object)
    for column in (c for level in geography for c in level):
        written = _column(cells, column)
        usable = (context == "") & ~is_missing(written) & (lines.city_header != column)
        context = context.where(~usable, written)
    return lines.city.where(context == "", lines.city + " (" + context + ")")


def _skip_other_places(
    lines: _Lines,
    rows: pd.Series,
    cells: pd.DataFrame,
    known: pd.Series,
    geography: list[list[str]],
) -> None:
    """Rows of places that are not cities of ours, and rows of no place, are left out with a
    count; when no row is about one of our cities the file is refused."""
    no_place = lines.city == ""
    other = ~known & ~no_place
    named = _place_names(lines, cells, geography)
    if not known.any():
        places = named[other].drop_duplicates().head(EXAMPLES)
        if places.empty:
            raise FileProblem(
                "missing_columns",
                columns="city",
                found=", ".join(c for level in geography for c in level),
            )
        raise FileProblem("no_city_rows", examples=", ".join(places))
    if other.any():
        places = named[other].drop_duplicates()
        lines.notes.append(
            Note(
                "other_places",
                int(rows[other].iloc[0]),
                str(lines.city_header[other].iloc[0]),
                {
                    "rows": int(other.sum()),
                    "count": len(places),
                    "examples": ", ".join(places.head(EXAMPLES))
                    + (", …" if len(places) > EXAMPLES else ""),
                },
            )
        )
    if no_place.any():
        lines.notes.append(
            Note(
                "no_place",
                int(rows[no_place].iloc[0]),
                str(lines.city_header[no_place].iloc[0]),
                {"rows": int(no_place.sum())},
            )
        )
    lines.keep &= known


def _choose_series(
    lines: _Lines,
    rows: pd.Series,
    candidates: list[str],
    known: pd.Series,
    file_indicator: str,
    series_file: bool,
) -> None:
    """Rows whose indicator (series) is none of ours: a file with no indicator column at all
    takes the indicator its name gives (Open SDG's indicator_11-6-2.csv); a series written in
    the file is never replaced by the file name's indicator (it may be another one: map it).
    With several series in a file of series (Open SDG, DHIS2, a Series column), the rows of
    those that map are kept and the others skipped and said; otherwise (and when none maps)
    the rows stay and are errors."""
    written = lines.indicator
    kept = lines.keep
    if file_indicator and not candidates:
        use = kept & ~known
        lines.indicator = written.where(~use, file_indicator)
        return
    if not series_file or not (known & kept).any():
        return
    unknown = kept & ~known & (written != "")
    for value in written[unknown].drop_duplicates():
        these = unknown & (written == value)
        lines.notes.append(
            Note(
                "unmapped_series",
                int(rows[these].iloc[0]),
                str(lines.indicator_header[these].iloc[0]),
                {
                    "rows": int(these.sum()),
                    "value": value,
                    "column": str(lines.indicator_header[these].iloc[0]),
                },
            )
        )
    lines.keep &= ~unknown


def _skip_breakdowns(
    lines: _Lines, rows: pd.Series, cells: pd.DataFrame, breakdown: list[str]
) -> None:
    """Rows with a breakdown value other than a total are skipped, one warning each."""
    if not breakdown:
        return
    filled = cells[breakdown].astype(str).apply(lambda c: c.str.strip())
    total = filled.apply(lambda c: _tested(c, lambda v: fold(v) in TOTAL_VALUES) | is_missing(c))
    split = ~total
    has = split.any(axis=1) & lines.keep
    if not has.any():
        return
    described = pd.Series("", index=cells.index, dtype=object)
    names = pd.Series("", index=cells.index, dtype=object)
    for column in breakdown:  # a few columns; each step is a whole-column operation
        present = split[column]
        described = _join(described, (column + "=" + filled[column]).where(present, ""))
        names = _join(names, pd.Series(column, index=cells.index).where(present, ""))
    lines.skipped.append(
        pd.DataFrame(
            {
                "row": rows[has].to_numpy(),
                "column": names[has].to_numpy(),
                "value": described[has].to_numpy(),
            }
        )
    )
    lines.keep &= ~has


def _skip_category_splits(
    lines: _Lines, rows: pd.Series, cells: pd.DataFrame, found: dict[str, str]
) -> None:
    """DHIS2 rows of one data element, org unit and period under several category option
    combinations are parts of a value (fixed / outreach, by age...): skipped as breakdowns,
    never stored as the value itself nor added up."""
    by_fold = {fold(c): c for c in cells.columns}
    combo = next(
        (by_fold[n] for n in ("categoryoptioncombo", "catoptcombo", "coc") if n in by_fold), None
    )
    if combo is None or "period" not in found:
        return
    period = _column(cells, found["period"])
    combos = _column(cells, combo)
    split = combos.groupby([lines.indicator, lines.city, period]).transform("nunique") > 1
    split &= lines.keep
    if not split.any():
        return
    lines.skipped.append(
        pd.DataFrame(
            {
                "row": rows[split].to_numpy(),
                "column": combo,
                "value": (combo + "=" + combos[split]).to_numpy(),
            }
        )
    )
    lines.keep &= ~split


def _skip_other_units(
    lines: _Lines, rows: pd.Series, cells: pd.DataFrame, unit_column: str | None, names: Names
) -> None:
    """With several units in the file, rows whose unit is not their indicator's are skipped
    (a unit may be mapped to ours); one unit alone describes the file and is not checked."""
    if unit_column is None:
        return
    units = _column(cells, unit_column)
    present = lines.keep & ~is_missing(units)
    if units[present].nunique() <= 1:
        return
    ours = lines.indicator.map({v: names.unit_of(v) for v in lines.indicator.unique()})
    mapped = units.map(
        {u: names.mapping.units.get(fold(u), UNIT_SYNONYMS.get(fold(u), u)) for u in units.unique()}
    )
    same = _folded(mapped) == _folded(ours.fillna(""))
    other = present & ours.notna() & ~same
    for unit in units[other].drop_duplicates():
        these = other & (units == unit)
        lines.notes.append(
            Note(
                "other_unit",
                int(rows[these].iloc[0]),
                unit_column,
                {
                    "rows": int(these.sum()),
                    "value": unit,
                    "unit": ours[these].iloc[0],
                    "column": unit_column,
                },
            )
        )
    lines.keep &= ~other


def _folded(values: pd.Series) -> pd.Series:
    return values.map({v: fold(v) for v in values.unique()})


def _join(left: pd.Series, right: pd.Series) -> pd.Series:
    """Element-wise "left, right", leaving out empty parts."""
    both = (left != "") & (right != "")
    return (left + np.where(both, ", ", "") + right).astype(object)


# --- Frames ------------------------------------------------------------------------------------


def _no_skips() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "column": [], "value": []})


def _overflow(table: RawTable) -> pd.DataFrame:
    if table.overflow is not None:
        return table.overflow
    empty = pd.Series("", index=table.cells.index, dtype=object)
    return pd.DataFrame({"column": empty, "value": empty})


def _base(table: RawTable, found: dict[str, str], lines: _Lines) -> pd.DataFrame:
    cells = table.cells
    overflow = _overflow(table)
    columns = {
        "row": table.rows,
        "city": lines.city,
        "indicator": lines.indicator,
        "period": _column(cells, found.get("period")),
        "note": _column(cells, found.get("note")),
        "source": _column(cells, found.get("source")),
        "overflow_column": overflow["column"],
        "overflow_value": overflow["value"],
        "city_header": lines.city_header,
        "indicator_header": lines.indicator_header,
    }
    return pd.DataFrame({name: _cells_of(values) for name, values in columns.items()})


_TEXT = pd.Series(["text"]).dtype  # the dtype a frame gives a column of Python strings


def _cells_of(values: pd.Series) -> Any:
    """A column's values for a new frame, by position: a text column's own string array as
    it is (the frame would make the same array again from Python strings), else numpy's."""
    if values.dtype == _TEXT:
        return values.array
    return values.to_numpy()


def _long(table: RawTable, found: dict[str, str], lines: _Lines) -> pd.DataFrame:
    cells = table.cells
    value_column = found["value"]
    typed = (
        table.typed_numbers[value_column]
        if table.typed_numbers is not None
        else pd.Series(False, index=cells.index)
    )
    long = _base(table, found, lines)
    long["column"] = value_column
    long["value"] = cells[value_column].astype(str).to_numpy()
    long["typed"] = typed.to_numpy(dtype=bool)
    return long[lines.keep.to_numpy()][LONG_COLUMNS]


def _melt(
    table: RawTable,
    found: dict[str, str],
    lines: _Lines,
    value_columns: list[str],
    header_role: str,
) -> pd.DataFrame:
    """One row per (line, value column); the header becomes the period or the indicator."""
    cells = table.cells
    base = _base(table, found, lines)
    values = cells[value_columns].astype(str).set_axis(value_columns, axis=1)
    stacked = values.stack(future_stack=True).rename("value").reset_index(level=1)
    stacked = stacked.rename(columns={stacked.columns[0]: "column"})
    typed = table.typed_numbers
    if typed is not None:
        typed_stack = typed[value_columns].stack(future_stack=True).to_numpy(dtype=bool)
    else:
        typed_stack = np.zeros(len(stacked), dtype=bool)
    kept = lines.keep.loc[stacked.index].to_numpy()
    long = base.loc[stacked.index].reset_index(drop=True)
    long["column"] = stacked["column"].to_numpy()
    long["value"] = stacked["value"].to_numpy()
    long["typed"] = typed_stack
    long[header_role] = long["column"]
    if header_role == "indicator":
        long["indicator_header"] = long["column"]
    return long[kept][LONG_COLUMNS]


def _opensdg(
    table: RawTable,
    found: dict[str, str],
    geography: list[list[str]],
    file_name: str,
    names: Names,
) -> LongTable:
    """Open SDG: headline rows only (every breakdown column empty or a total). The indicator
    is the Series (or a breakdown column whose values are mapped to indicators) when it names
    one of ours; a file of one series takes the file's number (indicator_11-6-2.csv ->
    11.6.2)."""
    cells = table.cells
    columns = list(cells.columns)
    by_fold = {fold(c): c for c in reversed(columns)}
    found = {**found, "period": by_fold["year"], "value": by_fold["value"]}
    if not geography:  # a national file: there is no city to store it for
        problem = FileProblem("missing_columns", columns="city", found=", ".join(columns))
        raise problem
    number = OPENSDG_FILE_NAME.search(file_name) or re.search(r"(\d+)-(\d+)-(\d+)", file_name)
    from_name = ".".join(number.groups()) if number else ""
    indicators = _indicator_columns(columns, found)
    if not indicators:
        if not from_name:
            raise FileProblem("missing_columns", columns="indicator", found=", ".join(columns))
        if not names.is_indicator(from_name):
            raise FileProblem("file_name_indicator", file=file_name, number=from_name)
    used = {*found.values(), *(c for level in geography for c in level), *indicators}
    breakdown = [c for c in columns if c not in used and fold(c) not in OPENSDG_NOT_BREAKDOWN]
    lines = _lines(
        table,
        found,
        geography,
        names,
        "opensdg",
        file_indicator=from_name if names.is_indicator(from_name) else "",
        breakdown=breakdown,
    )
    if not indicators and from_name:
        lines.indicator_header = lines.indicator_header.where(
            lines.indicator_header != "", found["value"]
        )
    frame = _long(table, found, lines)
    headers = {"period": found["period"], "city": geography[0][0]}
    if indicators:
        headers["indicator"] = indicators[0]
    else:
        headers["indicator"] = found["value"]
    frame.attrs["headers"] = headers
    skipped = pd.concat(lines.skipped, ignore_index=True) if lines.skipped else _no_skips()
    return LongTable("opensdg", frame.reset_index(drop=True), skipped, lines.notes)


# --- How a file was read, in words --------------------------------------------------------------

FILE_FORMAT_NAMES = {
    "csv": N_("a CSV text file"),
    "xlsx": N_("an Excel workbook"),
    "form": N_("values typed on the data entry page"),
}
SHAPE_NAMES = {
    "long": N_("one value per row"),
    "wide-indicators": N_("one column per indicator"),
    "wide-years": N_("one column per year"),
    "dhis2": N_("a DHIS2 data value set"),
    "opensdg": N_("an Open SDG data file"),
    "satudata": N_("a Satu Data Indonesia file"),
}


def format_description(written: str | None, tr: Translator) -> str:
    """ "an Excel workbook, one column per indicator" for "xlsx/wide-indicators" (how a
    preview and a batch record the format)."""
    if not written:
        return MISSING
    file_format, _, shape = str(written).partition("/")
    kind = tr(FILE_FORMAT_NAMES[file_format]) if file_format in FILE_FORMAT_NAMES else file_format
    layout = tr(SHAPE_NAMES[shape]) if shape in SHAPE_NAMES else shape
    if not layout:
        return kind
    return tr("{kind}, {layout}", kind=kind, layout=layout)
