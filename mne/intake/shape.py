"""Which shape a table has, and the long table (one value per row) it becomes.

Shapes: "long" (city, indicator, period, value); "wide-indicators" (city, period, one column per
indicator); "wide-years" (city, indicator, one column per year); "dhis2" (a DHIS2 data value
set: dataelement, period, orgunit, ..., value); "opensdg" (Year, disaggregations, Value, with
the city in GeoCode / Location and the indicator in Series or the file name).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mne.intake.parse import parse_numbers, parse_periods
from mne.intake.problems import FileProblem
from mne.intake.read import COLUMN_NAMES, ROW_NUMBER_HEADERS, RawTable
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
]
DHIS2_COLUMNS = {"dataelement", "period", "orgunit", "value"}
OPENSDG_BREAKDOWN_SKIP = {
    "year",
    "value",
    "units",
    "unit measure",
    "series",
    "geocode",
    "location",
    "comment obs",
    "observation status",
    "unit multiplier",
}
OPENSDG_FILE_NAME = re.compile(r"indicator_(\d+)-(\d+)-(\d+)", re.IGNORECASE)


@dataclass
class LongTable:
    shape: str
    # LONG_COLUMNS, one row per value cell; frame.attrs["headers"] names the file's column
    # holding each of city, indicator and period (for messages that point at a column).
    frame: pd.DataFrame
    skipped: pd.DataFrame  # rows left out (Open SDG breakdowns): row, column, value


def roles(columns: list[str]) -> dict[str, str]:
    """Which header holds the city, indicator, period, value, note and source."""
    folded = {fold(c): c for c in reversed(columns)}
    found: dict[str, str] = {}
    for role, names in COLUMN_NAMES.items():
        for name in names:
            if name in folded and folded[name] not in found.values():
                found[role] = folded[name]
                break
    return found


def to_long(
    table: RawTable,
    file_name: str,
    is_indicator: Callable[[str], bool],
) -> LongTable:
    """The long table of `table`; `is_indicator` tells whether a header names an indicator."""
    long = _shape(table, file_name, is_indicator)
    headers = long.frame.attrs.setdefault("headers", {})
    for role in ("city", "indicator", "period"):
        headers.setdefault(role, role)
    return long


def _shape(table: RawTable, file_name: str, is_indicator: Callable[[str], bool]) -> LongTable:
    cells = table.cells
    columns = list(cells.columns)
    folded = {fold(c) for c in columns}
    found = roles(columns)
    if folded >= DHIS2_COLUMNS:
        return _with_headers(LongTable("dhis2", _long(table, found), _no_skips()), found)
    if _looks_like_opensdg(folded, file_name):
        return _opensdg(table, found, file_name, is_indicator)
    if {"city", "indicator", "period", "value"} <= found.keys():
        return _with_headers(LongTable("long", _long(table, found), _no_skips()), found)
    if "city" in found and "indicator" in found:
        year_columns = _value_columns(table, found, _is_period_header)
        if year_columns:
            melted = _melt(table, found, year_columns, "period")
            return _with_headers(LongTable("wide-years", melted, _no_skips()), found)
    if "city" in found and "period" in found:
        indicator_columns = _value_columns(table, found, is_indicator)
        if indicator_columns:
            melted = _melt(table, found, indicator_columns, "indicator")
            return _with_headers(LongTable("wide-indicators", melted, _no_skips()), found)
    missing = [r for r in ("city", "indicator", "period", "value") if r not in found]
    if found:
        raise FileProblem("missing_columns", columns=", ".join(missing), found=", ".join(columns))
    raise FileProblem("unknown_shape", found=", ".join(columns))


def _with_headers(long: LongTable, found: dict[str, str]) -> LongTable:
    long.frame.attrs["headers"] = {
        role: found[role] for role in ("city", "indicator", "period") if role in found
    }
    return long


def _no_skips() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "column": [], "value": []})


def _is_period_header(header: str) -> bool:
    return bool(parse_periods(pd.Series([header]))["period"].notna().iloc[0])


def _value_columns(
    table: RawTable, found: dict[str, str], is_value_header: Callable[[str], bool]
) -> list[str]:
    """The columns of a wide file that hold values: those whose header is a period (or an
    indicator), and, once there is one, every other unnamed-role column holding a number, so
    that a misspelt header is reported rather than its values dropped. Text columns (names,
    units, remarks) and row numbers are left out."""
    others = [
        c
        for c in table.cells.columns
        if c not in found.values() and fold(c) not in ROW_NUMBER_HEADERS
    ]
    recognised = {c for c in others if is_value_header(c)}
    if not recognised:
        return []
    return [c for c in others if c in recognised or _holds_numbers(table, c)]


def _holds_numbers(table: RawTable, column: str) -> bool:
    typed = table.typed_numbers[column] if table.typed_numbers is not None else None
    return bool((parse_numbers(table.cells[column], typed)["status"] == "ok").any())


def _looks_like_opensdg(folded: set[str], file_name: str) -> bool:
    if not {"year", "value"} <= folded:
        return False
    return bool(folded & {"geocode", "series"}) or bool(OPENSDG_FILE_NAME.search(file_name))


def _column(cells: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None:
        return pd.Series("", index=cells.index)
    return cells[name].astype(str).str.strip()


def _overflow(table: RawTable) -> pd.DataFrame:
    if table.overflow is not None:
        return table.overflow
    empty = pd.Series("", index=table.cells.index, dtype=object)
    return pd.DataFrame({"column": empty, "value": empty})


def _long(table: RawTable, found: dict[str, str]) -> pd.DataFrame:
    cells = table.cells
    value_column = found["value"]
    typed = (
        table.typed_numbers[value_column]
        if table.typed_numbers is not None
        else pd.Series(False, index=cells.index)
    )
    overflow = _overflow(table)
    return pd.DataFrame(
        {
            "row": table.rows.to_numpy(),
            "column": value_column,
            "city": _column(cells, found.get("city")).to_numpy(),
            "indicator": _column(cells, found.get("indicator")).to_numpy(),
            "period": _column(cells, found.get("period")).to_numpy(),
            "value": cells[value_column].astype(str).to_numpy(),
            "typed": typed.to_numpy(dtype=bool),
            "note": _column(cells, found.get("note")).to_numpy(),
            "source": _column(cells, found.get("source")).to_numpy(),
            "overflow_column": overflow["column"].to_numpy(),
            "overflow_value": overflow["value"].to_numpy(),
        }
    )


def _melt(
    table: RawTable, found: dict[str, str], value_columns: list[str], header_role: str
) -> pd.DataFrame:
    """One row per (line, value column); the header becomes the period or the indicator."""
    cells = table.cells
    overflow = _overflow(table)
    base = pd.DataFrame(
        {
            "row": table.rows.to_numpy(),
            "city": _column(cells, found.get("city")).to_numpy(),
            "indicator": _column(cells, found.get("indicator")).to_numpy(),
            "period": _column(cells, found.get("period")).to_numpy(),
            "note": _column(cells, found.get("note")).to_numpy(),
            "source": _column(cells, found.get("source")).to_numpy(),
            "overflow_column": overflow["column"].to_numpy(),
            "overflow_value": overflow["value"].to_numpy(),
        }
    )
    values = cells[value_columns].astype(str).set_axis(value_columns, axis=1)
    stacked = values.stack(future_stack=True).rename("value").reset_index(level=1)
    stacked = stacked.rename(columns={stacked.columns[0]: "column"})
    typed = table.typed_numbers
    if typed is not None:
        typed_stack = typed[value_columns].stack(future_stack=True).to_numpy(dtype=bool)
    else:
        typed_stack = np.zeros(len(stacked), dtype=bool)
    long = base.loc[stacked.index].reset_index(drop=True)
    long["column"] = stacked["column"].to_numpy()
    long["value"] = stacked["value"].to_numpy()
    long["typed"] = typed_stack
    long[header_role] = long["column"]
    return long[LONG_COLUMNS]


def _opensdg(
    table: RawTable, found: dict[str, str], file_name: str, is_indicator: Callable[[str], bool]
) -> LongTable:
    """Open SDG: headline rows only (every breakdown column empty). The indicator is the
    Series when that names one of ours, else the file's number (indicator_11-6-2.csv ->
    11.6.2); the city is the GeoCode, else the Location."""
    cells = table.cells
    by_fold = {fold(c): c for c in reversed(list(cells.columns))}
    frame = _long(table, {**found, "period": by_fold["year"], "value": by_fold["value"]})
    headers = {"period": by_fold["year"]}

    number = OPENSDG_FILE_NAME.search(file_name) or re.search(r"(\d+)-(\d+)-(\d+)", file_name)
    from_name = ".".join(number.groups()) if number else ""
    series_header = by_fold.get("series")
    if series_header is not None:
        series = _column(cells, series_header)
        known = series.map({name: is_indicator(name) for name in series.unique()}).astype(bool)
        use_series = known | (from_name == "")
        frame["indicator"] = series.where(use_series, from_name).to_numpy()
        headers["indicator"] = series_header
    else:
        frame["indicator"] = from_name
        headers["indicator"] = file_name

    city_headers = [by_fold[f] for f in ("geocode", "location") if f in by_fold]
    if not city_headers:  # a national file: there is no city to store it for
        raise FileProblem(
            "missing_columns", columns="GeoCode", found=", ".join(map(str, cells.columns))
        )
    city = pd.Series("", index=cells.index)
    for header in reversed(city_headers):  # the first filled in wins
        written = _column(cells, header)
        city = written.where(written != "", city)
    frame["city"] = city.to_numpy()
    headers["city"] = city_headers[0]

    used = {*found.values(), *city_headers}
    breakdown = [c for f, c in by_fold.items() if f not in OPENSDG_BREAKDOWN_SKIP and c not in used]
    breakdown = [c for c in cells.columns if c in breakdown]  # in the file's order
    filled = cells[breakdown].astype(str).apply(lambda c: c.str.strip())
    has_breakdown = (filled != "").any(axis=1)
    described = pd.Series("", index=cells.index)
    names = pd.Series("", index=cells.index)
    for column in breakdown:  # a few columns; each step is a whole-column operation
        present = filled[column] != ""
        described = _join(described, (column + "=" + filled[column]).where(present, ""))
        names = _join(names, pd.Series(column, index=cells.index).where(present, ""))
    skipped = pd.DataFrame(
        {
            "row": table.rows[has_breakdown.to_numpy()].to_numpy(),
            "column": names[has_breakdown].to_numpy(),
            "value": described[has_breakdown].to_numpy(),
        }
    )
    kept = frame[~has_breakdown.to_numpy()].reset_index(drop=True)
    kept.attrs["headers"] = headers
    return LongTable("opensdg", kept, skipped)


def _join(left: pd.Series, right: pd.Series) -> pd.Series:
    """Element-wise "left, right", leaving out empty parts."""
    both = (left != "") & (right != "")
    return (left + np.where(both, ", ", "") + right).astype(object)
