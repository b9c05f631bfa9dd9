"""mne.headline: the reporting year and the figures every surface shares.

The rule, computed by hand: the reporting year is the latest year that at least half of the
cities reporting at all have reported; a newer, partly reported year is "in progress"."""

from __future__ import annotations

import datetime as dt
import io
import json

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, func, select

from db import models as m
from mne import cli, intake, overview, reports
from mne.access import operator
from mne.headline import (
    REPORTING_SHARE,
    ReportingYear,
    cities_in_year,
    key_figures,
    reporting_year,
)
from mne.i18n import Translator
from mne.reports.content import DEMO_MARK, DEMO_NOTICE
from mne.store import init_store


def _yearly(rows: list[tuple[int, int]]) -> pd.DataFrame:
    """(city_id, year) pairs with one indicator and a value each."""
    frame = pd.DataFrame(rows, columns=["city_id", "year"])
    return frame.assign(indicator_id=1, value=1.0)


def test_one_early_city_does_not_make_a_new_reporting_year() -> None:
    # 4 cities report 2024; 3 of them 2025 (3 >= 4 / 2); 1 already 2026 (1 < 2).
    rows = [(c, 2024) for c in (1, 2, 3, 4)] + [(c, 2025) for c in (1, 2, 3)] + [(1, 2026)]
    assert REPORTING_SHARE == 0.5
    assert reporting_year(_yearly(rows)) == ReportingYear(
        year=2025, cities=3, reporting_cities=4, newer_year=2026, newer_cities=1
    )


def test_exactly_half_of_the_cities_is_enough() -> None:
    rows = [(c, 2024) for c in (1, 2, 3, 4)] + [(c, 2025) for c in (1, 2)]
    assert reporting_year(_yearly(rows)) == ReportingYear(2025, 2, 4)


def test_without_a_year_of_half_the_cities_the_best_reported_latest_year() -> None:
    # Six cities, each year at most two of them (2 < 3): 2023 and 2025 have two, 2025 wins.
    rows = [(1, 2023), (2, 2023), (3, 2024), (4, 2025), (5, 2025), (6, 2026)]
    assert reporting_year(_yearly(rows)) == ReportingYear(2025, 2, 6, 2026, 1)


def test_no_values_no_year() -> None:
    assert reporting_year(_yearly([])).year is None


def test_a_city_that_ended_during_the_reporting_year_is_not_counted_as_missing_it() -> None:
    """Buôn Ma Thuột ended on 30 June 2025: no yearly 2025 value can exist for it, so 2025's
    figures count the cities that were a unit all year; 2024's count it."""
    cities = pd.DataFrame(
        {
            "valid_from": [None, None, dt.date(2025, 7, 1), dt.date(2025, 1, 1)],
            "valid_to": [None, dt.date(2025, 6, 30), None, None],
        }
    )
    assert cities_in_year(cities, 2025) == 2  # the open-ended city and the one begun 1 Jan
    assert cities_in_year(cities, 2024) == 2  # the two that existed then
    assert cities_in_year(cities, None) == 4
    yearly = _yearly([(1, 2025), (4, 2025)])
    figures = key_figures(yearly, cities, 1, pd.Series(dtype=object), pd.DataFrame({"status": []}))
    assert (figures.cities_reporting, figures.cities, figures.coverage) == (2, 2, 1.0)


# --- On a store with the demo data ---------------------------------------------------------


@pytest.fixture
def demo_store(engine: Engine) -> Engine:
    """A writable store with the demo data."""
    init_store(engine, with_demo=True)
    return engine


def _import(engine: Engine, text: str) -> None:
    preview = intake.check(engine, text.encode(), "early.csv", Translator("en"), actor=operator())
    assert not preview.has_errors, preview.errors
    assert intake.commit_preview(engine, preview, operator())["status"] == "committed"


def test_one_city_reporting_early_leaves_the_headline_and_shows_the_year_in_progress(
    demo_store: Engine,
) -> None:
    before = overview.overview(demo_store, "en").figures
    assert before.year is not None and not before.reporting.in_progress
    new_year = before.year + 1
    codes = ["QE_PM25", "QE_GREEN_SPACE", "QE_MSW_COLLECTED", "CS_BROADBAND_HH"]
    _import(
        demo_store,
        "city,indicator,period,value\n"
        + "".join(f"VNDAD,{code},{new_year},50\n" for code in codes),
    )
    after = overview.overview(demo_store, "en").figures
    assert (after.year, after.cities_reporting, after.coverage) == (
        before.year,
        before.cities_reporting,
        before.coverage,
    )
    assert after.reporting.newer_year == new_year and after.reporting.newer_cities == 1
    network = reports.gather(demo_store, reports.parse_scope("network"), "en")
    assert network.figures["reporting_year"] == before.year
    assert network.figures["coverage"] == pytest.approx(before.coverage)


def _late_in_store(engine: Engine, today: dt.date) -> int:
    """Tasks past their due date and under 100 %, counted straight from the store."""
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.count()).where(m.Task.due_date < today, m.Task.percent_complete < 100)
            ).scalar_one()
        )


def test_late_tasks_are_the_same_figure_on_every_surface(
    demo_store: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _late_in_store(demo_store, dt.date.today())
    assert expected > 0  # the demo has tasks past their due date
    tr = Translator("en")
    assert overview.overview(demo_store, "en").figures.tasks_late == expected

    monkeypatch.setenv("DATABASE_URL", demo_store.url.render_as_string(hide_password=False))
    assert cli.main(["summary", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tasks_late"] == expected

    book = openpyxl.load_workbook(
        io.BytesIO(reports.make_report(demo_store, "network", "xlsx", "en").data)
    )
    summary = {r[0].value: r[1].value for r in book[tr("Summary")].iter_rows(min_row=2)}
    assert summary[tr("Tasks late")] == expected

    pdf = reports.make_report(demo_store, "network", "pdf", "en")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert f"{tr('Tasks late')} {expected}" in text


def test_reports_of_demo_data_say_so_and_not_after_demo_remove(
    demo_store: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    tr = Translator("en")
    notice = tr(DEMO_NOTICE)

    def made() -> tuple[str, dict[object, object], str, str]:
        pdf = reports.make_report(demo_store, "city:VNHAN", "pdf", "en")
        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
        xlsx = reports.make_report(demo_store, "city:VNHAN", "xlsx", "en")
        book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
        summary = {r[0].value: r[1].value for r in book[tr("Summary")].iter_rows(min_row=2)}
        csv = reports.make_report(demo_store, "city:VNHAN", "csv", "en", bom=False)
        return " ".join(text.split()), summary, csv.data.decode().splitlines()[0], pdf.file_name

    text, summary, first_line, name = made()
    assert " ".join(notice.split()) in text
    assert text.count(tr(DEMO_MARK)) >= 2  # the running footer of every page but the cover
    assert summary[tr(DEMO_MARK)] == notice
    assert notice in first_line and name.endswith("-demo.pdf")

    monkeypatch.setenv("DATABASE_URL", demo_store.url.render_as_string(hide_password=False))
    assert cli.main(["demo", "remove"]) == 0
    _import(demo_store, "city,indicator,period,value\nVNHAN,QE_PM25,2024,30\n")
    text, summary, first_line, name = made()
    assert tr(DEMO_MARK) not in text and " ".join(notice.split()) not in text
    assert tr(DEMO_MARK) not in summary
    assert notice not in first_line and not name.endswith("-demo.pdf")
