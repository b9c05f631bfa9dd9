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

import pandas as pd

from mne.intake.parse import parse_periods
from mne.intake.problems import FileProblem
from mne.intake.read import COLUMN_NAMES, RawTable
from mne.text import fold

LONG_COLUMNS = ["row", "column", "city", "indicator", "period", "value", "typed", "note", "source"]
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


@dataclass
class LongTable:
    shape: str
    frame: pd.DataFrame  # LONG_COLUMNS, one row per value cell
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
    cells = table.cells
    columns = list(cells.columns)
    folded = {fold(c) for c in columns}
    found = roles(columns)
    typed = table.typed_numbers
    if folded >= DHIS2_COLUMNS:
        return LongTable("dhis2", _long(table, found), _no_skips())
    if _looks_like_opensdg(folded):
        return _opensdg(table, found, file_name)
    if {"city", "indicator", "period", "value"} <= found.keys():
        return LongTable("long", _long(table, found), _no_skips())
    if "city" in found and "indicator" in found:
        year_columns = [c for c in columns if _is_period_header(c)]
        if year_columns:
            return LongTable(
                "wide-years", _melt(table, found, year_columns, "period", typed), _no_skips()
            )
    if "city" in found and "period" in found:
        indicator_columns = [c for c in columns if c not in found.values() and is_indicator(c)]
        if indicator_columns:
            return LongTable(
                "wide-indicators",
                _melt(table, found, indicator_columns, "indicator", typed),
                _no_skips(),
            )
    missing = [r for r in ("city", "indicator", "period", "value") if r not in found]
    if found:
        raise FileProblem("missing_columns", columns=", ".join(missing), found=", ".join(columns))
    raise FileProblem("unknown_shape", found=", ".join(columns))


def _no_skips() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="int64"), "column": [], "value": []})


def _is_period_header(header: str) -> bool:
    return bool(parse_periods(pd.Series([header]))["period"].notna().iloc[0])


def _looks_like_opensdg(folded: set[str]) -> bool:
    return {"year", "value"} <= folded and bool(folded & {"geocode", "series", "units"})


def _column(cells: pd.DataFrame, name: str | None) -> pd.Series:
    if name is None:
        return pd.Series("", index=cells.index)
    return cells[name].astype(str).str.strip()


def _long(table: RawTable, found: dict[str, str]) -> pd.DataFrame:
    cells = table.cells
    value_column = found["value"]
    typed = (
        table.typed_numbers[value_column]
        if table.typed_numbers is not None
        else pd.Series(False, index=cells.index)
    )
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
        }
    )


def _melt(
    table: RawTable,
    found: dict[str, str],
    value_columns: list[str],
    header_role: str,
    typed: pd.DataFrame | None,
) -> pd.DataFrame:
    """One row per (line, value column); the header becomes the period or the indicator."""
    cells = table.cells
    base = pd.DataFrame(
        {
            "row": table.rows.to_numpy(),
            "city": _column(cells, found.get("city")).to_numpy(),
            "indicator": _column(cells, found.get("indicator")).to_numpy(),
            "period": _column(cells, found.get("period")).to_numpy(),
            "note": _column(cells, found.get("note")).to_numpy(),
            "source": _column(cells, found.get("source")).to_numpy(),
        }
    )
    values = cells[value_columns].astype(str).set_axis(value_columns, axis=1)
    stacked = values.stack(future_stack=True).rename("value").reset_index(level=1)
    stacked = stacked.rename(columns={stacked.columns[0]: "column"})
    if typed is not None:
        typed_stack = typed[value_columns].stack(future_stack=True).to_numpy(dtype=bool)
    else:
        typed_stack = False
    long = base.loc[stacked.index].reset_index(drop=True)
    long["column"] = stacked["column"].to_numpy()
    long["value"] = stacked["value"].to_numpy()
    long["typed"] = typed_stack
    long[header_role] = long["column"]
    return long[LONG_COLUMNS]


def _opensdg(table: RawTable, found: dict[str, str], file_name: str) -> LongTable:
    """Open SDG: headline rows only (every breakdown column empty); the indicator comes from
    the Series column or from the file name (indicator_11-6-2.csv -> 11.6.2)."""
    cells = table.cells
    by_fold = {fold(c): c for c in cells.columns}
    frame = _long(table, {**found, "period": by_fold["year"], "value": by_fold["value"]})
    if "indicator" not in found:
        match = re.search(r"(\d+)-(\d+)-(\d+)", file_name)
        frame["indicator"] = ".".join(match.groups()) if match else ""
    if "city" not in found:
        frame["city"] = ""
    breakdown = [
        c for f, c in by_fold.items() if f not in OPENSDG_BREAKDOWN_SKIP and c not in found.values()
    ]
    filled = cells[breakdown].astype(str).apply(lambda c: c.str.strip())
    has_breakdown = (filled != "").any(axis=1)
    described = pd.Series("", index=cells.index)
    for column in breakdown:  # a few columns; each step is a whole-column operation
        named = (column + "=" + filled[column]).where(filled[column] != "", "")
        described = described.str.cat(named, sep=", ").str.strip(", ")
    skipped = pd.DataFrame(
        {
            "row": table.rows[has_breakdown.to_numpy()].to_numpy(),
            "column": ", ".join(breakdown),
            "value": described[has_breakdown].to_numpy(),
        }
    )
    return LongTable("opensdg", frame[~has_breakdown.to_numpy()].reset_index(drop=True), skipped)
