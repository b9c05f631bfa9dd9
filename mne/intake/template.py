"""The upload template: a CSV header, or an Excel workbook with a Data sheet, instructions and
the catalog's codes and names."""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import Engine

from mne import catalog, theme
from mne.i18n import Translator

TEMPLATE_COLUMNS = ["city", "indicator", "period", "value", "note", "source"]
HEADER_FILL = PatternFill("solid", fgColor=theme.hex_digits(theme.PALE_BLUE))


def template_csv() -> bytes:
    """UTF-8 with a BOM so Excel opens it with Vietnamese intact."""
    return (",".join(TEMPLATE_COLUMNS) + "\r\n").encode("utf-8-sig")


def instructions(tr: Translator) -> list[str]:
    return [
        tr("How to fill in this template"),
        tr("1. Fill the Data sheet: one row per city, indicator and period."),
        tr("2. city: a code or name from the Cities sheet (e.g. VNHAN or Hà Nội)."),
        tr("3. indicator: a code from the Indicators sheet (e.g. QE_PM25)."),
        tr("4. period: a year (2024), a quarter (2024-Q1) or a month (2024-03)."),
        tr("5. value: a number in the indicator's unit; leave it empty when unknown (never 0)."),
        tr("6. note and source are optional."),
        tr("Files with one column per indicator or one column per year are accepted too."),
        tr("Nothing is stored before you confirm the preview."),
    ]


def template_xlsx(engine: Engine, tr: Translator) -> bytes:
    workbook = Workbook()
    data = workbook.active
    assert data is not None
    data.title = "Data"
    data.append(TEMPLATE_COLUMNS)
    _style_header(data, len(TEMPLATE_COLUMNS))
    data.freeze_panes = "A2"

    sheet = workbook.create_sheet(tr("Instructions"))
    for line in instructions(tr):
        sheet.append([line])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 100

    lang = tr.lang
    cities = catalog.cities(engine, lang)[["code", "name_vi", "name_en", "country_name"]]
    _frame_sheet(
        workbook,
        tr("Cities"),
        cities.rename(
            columns={
                "code": "city",
                "name_vi": tr("Name (Vietnamese)"),
                "name_en": tr("Name (English)"),
                "country_name": tr("Country"),
            }
        ),
    )
    indicators = catalog.indicators(engine, lang)[
        [
            "code",
            "name",
            "focus_area_name",
            "unit",
            "direction",
            "plausible_min",
            "plausible_max",
            "definition",
            "source_standard",
        ]
    ]
    _frame_sheet(
        workbook,
        tr("Indicators"),
        indicators.rename(
            columns={
                "code": "indicator",
                "name": tr("Indicator"),
                "focus_area_name": tr("Focus area"),
                "unit": tr("Unit"),
                "direction": tr("Direction"),
                "plausible_min": tr("Plausible min"),
                "plausible_max": tr("Plausible max"),
                "definition": tr("Definition"),
                "source_standard": tr("Source standard"),
            }
        ),
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _style_header(sheet: object, width: int) -> None:
    for column in range(1, width + 1):
        cell = sheet.cell(row=1, column=column)  # type: ignore[attr-defined]
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top")
        sheet.column_dimensions[get_column_letter(column)].width = 18  # type: ignore[attr-defined]


def _frame_sheet(workbook: Workbook, title: str, frame: pd.DataFrame) -> None:
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):
        sheet.append(list(row))
    _style_header(sheet, len(frame.columns))
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
