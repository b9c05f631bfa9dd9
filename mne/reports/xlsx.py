"""The Excel report: Summary, Indicators, Observations, Tasks, Projects and Sources sheets, each
with a frozen, bold header row, an autofilter, widths that fit and number formats that follow
each indicator's decimals (a "%" sign for values in %). Written with openpyxl's write-only
workbook, which streams rows instead of keeping every cell object."""

from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from mne import theme
from mne.i18n import Translator
from mne.reports.cells import neutralise_formulas
from mne.reports.content import ReportContent
from mne.reports.tables import Sheet, workbook_sheets

HEADER_FONT = Font(bold=True, color=theme.hex_digits(theme.WHITE))
HEADER_FILL = PatternFill("solid", fgColor=theme.hex_digits(theme.BLUE))
MIN_WIDTH, MAX_WIDTH = 8, 60
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Characters Excel refuses in a sheet name.
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def number_format(decimals: int, percent: bool = False) -> str:
    """#,##0 with the decimals; values in % (0-100, not shares) get a % sign as text."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return pattern + ' "%"' if percent else pattern


def _formats(sheet: Sheet) -> dict[str, np.ndarray]:
    """Per numeric column, the number format of each row."""
    rows = len(sheet.frame)
    formats: dict[str, np.ndarray] = {}
    percent = (
        sheet.percent_unit.fillna(False).to_numpy(dtype=bool)
        if sheet.percent_unit is not None
        else np.zeros(rows, dtype=bool)
    )
    for column, decimals in sheet.decimals.items():
        if isinstance(decimals, int):
            formats[column] = np.full(rows, number_format(decimals), dtype=object)
            continue
        digits = decimals.to_numpy(dtype=int)
        patterns = {(d, p): number_format(int(d), bool(p)) for d in set(digits) for p in (0, 1)}
        formats[column] = np.array(
            [patterns[(d, int(p))] for d, p in zip(digits, percent, strict=True)], dtype=object
        )
    return formats


def _widths(frame: pd.DataFrame) -> list[float]:
    """Column widths (characters) that fit the header and the longest shown value."""
    widths = []
    for column in frame.columns:
        values = frame[column].dropna()
        longest = int(values.astype(str).str.len().max()) if not values.empty else 0
        if pd.api.types.is_float_dtype(frame[column]):
            longest = min(longest, 14)
        widths.append(float(min(MAX_WIDTH, max(MIN_WIDTH, len(str(column)) + 2, longest + 2))))
    return widths


def _plain(value: object) -> object:
    """A cell value openpyxl writes: None for missing, Python numbers and datetimes."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    return value


def _write_sheet(workbook: Workbook, sheet: Sheet) -> None:
    frame = neutralise_formulas(sheet.frame)
    ws: WriteOnlyWorksheet = workbook.create_sheet(sheet.name.translate(SHEET_NAME_FORBIDDEN)[:31])
    columns = list(frame.columns)
    ws.freeze_panes = "A2"
    for number, width in enumerate(_widths(frame), start=1):
        ws.column_dimensions[get_column_letter(number)].width = width
    last = get_column_letter(max(1, len(columns)))
    ws.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=str(column))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    ws.append(header)
    formats = _formats(sheet)
    date_columns = {c for c in columns if pd.api.types.is_datetime64_any_dtype(frame[c].dtype)}
    styled = [(i, c) for i, c in enumerate(columns) if c in formats or c in date_columns]
    for position, row in enumerate(frame.itertuples(index=False, name=None)):
        values: list[object] = [_plain(v) for v in row]
        for i, column in styled:
            if values[i] is None:
                continue
            cell = WriteOnlyCell(ws, value=values[i])
            if column in formats:
                cell.number_format = formats[column][position]
            else:
                value = values[i]
                is_midnight = isinstance(value, dt.datetime) and value.time() == dt.time(0)
                cell.number_format = DATE_FORMAT if is_midnight else DATETIME_FORMAT
            values[i] = cell
        ws.append(values)


def report_xlsx(content: ReportContent) -> bytes:
    tr = Translator(content.lang)
    workbook = Workbook(write_only=True)
    for sheet in workbook_sheets(content, tr):
        _write_sheet(workbook, sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
