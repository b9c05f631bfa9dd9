"""Sample upload files built in memory for the intake tests, and ways to look at the store.

Files are written the way the programs cities use write them: CSV through the csv module in a
chosen encoding and separator, .xlsx through openpyxl, Windows-1258 with the separate tone
marks that Vietnamese keyboards on Windows produce.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlalchemy import Engine, MetaData, select

from mne.i18n import Translator
from mne.intake import Preview
from mne.intake.batches import values_frame

EN = Translator("en")
LONG_HEADER = ["city", "indicator", "period", "value"]

Rows = Sequence[Sequence[Any]]

# Windows-1258 writes these five tone marks as separate characters after the letter.
_CP1258_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def csv_text(rows: Rows, separator: str = ",", line_end: str = "\r\n") -> str:
    """Rows as CSV text, quoted only where needed (as Excel and LibreOffice write it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator=line_end)
    writer.writerows([["" if cell is None else cell for cell in row] for row in rows])
    return out.getvalue()


def csv_bytes(rows: Rows, separator: str = ",", encoding: str = "utf-8") -> bytes:
    return csv_text(rows, separator).encode(encoding)


def cp1258_bytes(text: str) -> bytes:
    """Vietnamese text as Windows-1258 writes it: ă â ê ô ơ ư đ are letters of the code page,
    the tone marks (grave, acute, tilde, hook, dot below) separate characters after them."""
    out: list[str] = []
    for base, marks in _letters(unicodedata.normalize("NFD", text)):
        kept = "".join(mark for mark in marks if mark not in _CP1258_TONES)
        tones = "".join(mark for mark in marks if mark in _CP1258_TONES)
        out.append(unicodedata.normalize("NFC", base + kept) + tones)
    return "".join(out).encode("cp1258")


def _letters(text: str) -> list[tuple[str, list[str]]]:
    """Each base character with the combining marks that follow it."""
    letters: list[tuple[str, list[str]]] = []
    for char in text:
        if unicodedata.combining(char) and letters:
            letters[-1][1].append(char)
        else:
            letters.append((char, []))
    return letters


def xlsx_bytes(
    rows: Rows,
    sheet: str = "Sheet1",
    title_rows: Rows = (),
    first_sheets: Sequence[str] = (),
) -> bytes:
    """A workbook whose sheet `sheet` holds `title_rows` then `rows`; `first_sheets` are
    other (empty but for a note) sheets placed before it."""
    from openpyxl import Workbook

    workbook = Workbook()
    default = workbook.active
    for name in first_sheets:
        workbook.create_sheet(name).append(["Instructions: fill in the Data sheet."])
    target = workbook.create_sheet(sheet)
    workbook.remove(default)
    for row in [*title_rows, *rows]:
        target.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def stored(engine: Engine) -> dict[tuple[str, str, str], float]:
    """The stored values: (city code, indicator code, period) -> value."""
    frame = values_frame(engine)
    return {(r.city, r.indicator, r.period): float(r.value) for r in frame.itertuples(index=False)}


def readable_long(preview: Preview) -> set[tuple[int, str, str, str, str, float]]:
    """The long table shown to the user: (row, column, city code, indicator code, period, value)
    for each readable value cell."""
    long = preview.long
    return {
        (
            int(r.row),
            str(r.column),
            str(r.city_code),
            str(r.indicator_code),
            str(r.period),
            float(r.value),
        )
        for r in long.itertuples(index=False)
    }


def problems(frame: pd.DataFrame) -> set[tuple[int, str, str]]:
    """Errors or warnings as (row, column, code)."""
    return {(int(r.row), str(r.column), str(r.code)) for r in frame.itertuples(index=False)}


def dump_store(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows, sorted, so two dumps compare equal when the content is the same."""
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted(
                (tuple(row) for row in conn.execute(select(table))), key=lambda row: repr(row)
            )
            for name, table in sorted(metadata.tables.items())
        }
