"""Exports of hostile text (tests/data/hostile.py): city and indicator names holding markup,
scripts, invisible characters and spreadsheet formulas come out of the PDF as the text they
are, and out of Excel and CSV as text cells, formulas neutralised with a leading quote."""

from __future__ import annotations

import csv
import io
import subprocess
from collections.abc import Iterator

import openpyxl
import pytest
from sqlalchemy import Engine, update

from db import models as m
from db.engine import writing
from mne import demo, reports
from mne.i18n import Translator
from tests.data import hostile

# A city per payload (Vietnamese cities: a country report holds them all).
CITY_NAMES = {
    "VNHAN": hostile.MD_IMAGE,
    "VNSGN": hostile.SCRIPT,
    "VNDAD": hostile.IMG_ONERROR,
    "VNHUI": hostile.HYPERLINK,
    "VNHPH": hostile.AT_FORMULA,
    "VNVCA": hostile.COLOUR + " " + hostile.ICON + " " + hostile.LATEX,
}
INDICATOR = ("QE_PM25", hostile.JS_LINK + " " + hostile.MINUS)


@pytest.fixture
def hostile_engine(engine: Engine) -> Iterator[Engine]:
    with writing(engine) as conn:
        demo.load_demo(conn)
        for code, name in CITY_NAMES.items():
            conn.execute(
                update(m.City).where(m.City.code == code).values(name_vi=name, name_en=name)
            )
        conn.execute(
            update(m.Indicator)
            .where(m.Indicator.code == INDICATOR[0])
            .values(name_vi=INDICATOR[1], name_en=INDICATOR[1])
        )
    yield engine


def _as_cell(text: str) -> str:
    """What a spreadsheet cell of `text` must hold: a formula's start quoted."""
    return "'" + text if text[:1] in "=+-@" else text


def test_the_pdf_shows_hostile_names_as_text(hostile_engine: Engine) -> None:
    report = reports.make_report(hostile_engine, "country:VN", "pdf", "en")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=report.data, capture_output=True, check=True
    ).stdout.decode("utf-8")
    flat = " ".join(text.split())
    for name in CITY_NAMES.values():
        assert name in flat, name  # as typed, formulas too (a PDF runs nothing)


def test_excel_and_csv_hold_hostile_names_as_text_formulas_neutralised(
    hostile_engine: Engine,
) -> None:
    tr = Translator("en")
    expected = {_as_cell(name) for name in CITY_NAMES.values()}
    book = openpyxl.load_workbook(
        io.BytesIO(reports.make_report(hostile_engine, "country:VN", "xlsx", "en").data)
    )
    sheet = book[tr("Observations")]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    city, indicator = header.index(tr("City")), header.index(tr("Indicator"))
    rows = list(sheet.iter_rows(min_row=2))
    assert expected <= {r[city].value for r in rows}
    assert all(r[city].data_type == "s" for r in rows)
    assert _as_cell(INDICATOR[1]) in {r[indicator].value for r in rows}
    every_cell = [c.value for ws in book.worksheets for r in ws.iter_rows() for c in r]
    for raw in (hostile.HYPERLINK, hostile.AT_FORMULA):
        assert raw not in every_cell  # never a bare formula, on any sheet

    report = reports.make_report(hostile_engine, "country:VN", "csv", "en", bom=False)
    lines = list(csv.reader(io.StringIO(report.data.decode("utf-8"))))
    if report.content.counts_demo:
        lines.pop(0)
    head, body = lines[0], lines[1:]
    city, indicator = head.index(tr("City")), head.index(tr("Indicator"))
    assert expected <= {r[city] for r in body}
    assert _as_cell(INDICATOR[1]) in {r[indicator] for r in body}
    assert not any(c.startswith(("=", "@")) for r in lines for c in r)
