"""Reports read back as a person would check them: the PDF's text (pypdf), the workbook's
numbers, formats and frozen panes (openpyxl), the CSV's rows; formula injection neutralised;
the command line. One PDF of each kind per store, shared by the module's tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from pypdf import PdfReader
from sqlalchemy import Engine, select, update

from db import models as m
from db.engine import writing
from mne import demo, reports
from mne.i18n import Translator
from mne.reports.cells import neutralise_formulas
from mne.reports.content import DEMO_NOTICE
from mne.reports.tables import HEADERS
from tests.command_line import run_cli

VIETNAMESE_CITIES = ["Hà Nội", "Đà Nẵng", "Cần Thơ", "Hải Phòng", "Huế", "Thành phố Hồ Chí Minh"]
A4_POINTS = (595, 842)
INJECTED = '=HYPERLINK("http://evil.example/","click")'


@pytest.fixture(scope="module")
def network_vi(demo_engine: Engine) -> reports.Report:
    return reports.make_report(demo_engine, "network", "pdf", "vi")


@pytest.fixture(scope="module")
def city_en(demo_engine: Engine) -> reports.Report:
    return reports.make_report(demo_engine, "city:VNDAD", "pdf", "en")


def pdf_text(report: reports.Report) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(report.data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_network_pdf_has_city_names_with_their_diacritics_and_vietnamese_titles(
    network_vi: reports.Report,
) -> None:
    tr = Translator("vi")
    reader, text = pdf_text(network_vi)
    for name in VIETNAMESE_CITIES:
        assert name in text, name
    for title in ("Executive summary", "Priority task groups", "Methodology and sources"):
        assert tr(title) in text and tr(title) != title
    for area in network_vi.content.areas["name"]:
        assert area in text
    assert tr("Approved values only") in text
    assert len(network_vi.data) < 10 * 1024 * 1024
    assert all(
        (round(float(p.mediabox.width)), round(float(p.mediabox.height))) == A4_POINTS
        for p in reader.pages
    )
    pages = len(reader.pages)
    assert f"Trang 2 / {pages}" in reader.pages[1].extract_text()
    assert "Trang" not in reader.pages[0].extract_text()  # the cover has no running header
    assert sum(len(p.images) for p in reader.pages) >= 8  # map, heatmap, statuses, areas, tasks


def test_city_pdf_figures_equal_the_stores(demo_engine: Engine, city_en: reports.Report) -> None:
    tr = Translator("en")
    _, text = pdf_text(city_en)
    assert "Da Nang" in text
    assert tr("Executive summary") in text and "Key figures" in text
    progress = city_en.content.progress
    assert not progress.empty
    with demo_engine.connect() as conn:
        stored = pd.DataFrame(
            conn.execute(
                select(m.Indicator.code, m.Observation.period, m.Observation.value)
                .join(m.Indicator, m.Indicator.id == m.Observation.indicator_id)
                .join(m.City, m.City.id == m.Observation.city_id)
                .where(m.City.code == "VNDAD", m.Observation.status == "approved")
            ).all(),
            columns=["indicator", "period", "value"],
        )
    flat = " ".join(text.split())
    for row in progress.itertuples():
        value = stored[
            (stored["indicator"] == row.indicator) & (stored["period"] == str(row.latest_year))
        ]["value"]
        assert len(value) == 1 and value.iloc[0] == pytest.approx(row.latest_value)
        written = f"{tr.number(value.iloc[0], int(row.decimals))} ({int(row.latest_year)})"
        assert written in flat, (row.indicator, written)


def workbook(report: reports.Report) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(report.data))


def test_excel_sheets_numbers_formats_and_frozen_headers(demo_engine: Engine) -> None:
    tr = Translator("vi")
    report = reports.make_report(demo_engine, "country:VN", "xlsx", "vi")
    book = workbook(report)
    names = [
        tr(s) for s in ("Summary", "Indicators", "Observations", "Tasks", "Projects", "Sources")
    ]
    assert book.sheetnames == names
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
        assert sheet["A1"].font.b
    observations = book[tr("Observations")]
    header = [c.value for c in observations[1]]
    assert header[:2] == [tr(HEADERS["city"]), tr(HEADERS["city_name"])]
    value_column = header.index(tr(HEADERS["value"]))
    unit_column = header.index(tr(HEADERS["unit"]))
    rows = list(observations.iter_rows(min_row=2))
    assert len(rows) == len(report.content.observations) > 0
    shown = {(r[0].value, r[4].value, r[7].value): r[value_column] for r in rows}
    with demo_engine.connect() as conn:
        stored = conn.execute(
            select(m.City.code, m.Indicator.code, m.Observation.period, m.Observation.value)
            .join(m.City, m.City.id == m.Observation.city_id)
            .join(m.Indicator, m.Indicator.id == m.Observation.indicator_id)
            .where(m.City.country_iso2 == "VN", m.Observation.status == "approved")
        ).all()
    assert len(stored) == len(shown)
    for city, indicator, period, value in stored:
        cell = shown[(city, indicator, period)]
        assert isinstance(cell.value, float | int) and cell.value == pytest.approx(value)
    percent = next(r for r in rows if r[unit_column].value == "%")
    assert percent[value_column].number_format == '#,##0.0 "%"'
    names = {r[1].value for r in rows}
    assert {"Hà Nội", "Đà Nẵng", "Cần Thơ"} <= names
    indicators = book[tr("Indicators")]
    header = [c.value for c in indicators[1]]
    assert tr(HEADERS["base_value"]) in header and tr(HEADERS["score"]) in header
    assert indicators.max_row - 1 == len(report.content.progress)
    summary = {r[0].value: r[1].value for r in book[tr("Summary")].iter_rows(min_row=2)}
    assert summary[tr("Values shown")] == tr("Approved values only")
    assert summary[tr("Values")] == len(stored)


def test_csv_is_the_long_observations_with_codes_and_names(demo_engine: Engine) -> None:
    tr = Translator("en")
    with_bom = reports.make_report(demo_engine, "city:VNHAN", "csv", "en")
    assert with_bom.data.startswith(b"\xef\xbb\xbf")
    plain = reports.make_report(demo_engine, "city:VNHAN", "csv", "en", bom=False)
    assert not plain.data.startswith(b"\xef\xbb\xbf")
    lines = plain.data.decode("utf-8").splitlines(keepends=True)
    assert plain.content.counts_demo  # the demo store: the first line says so
    assert next(csv.reader(lines[:1])) == [tr(DEMO_NOTICE)]
    rows = list(csv.DictReader(io.StringIO("".join(lines[1:]))))
    assert len(rows) == len(plain.content.observations) > 0
    assert {r[tr(HEADERS["city"])] for r in rows} == {"VNHAN"}
    assert {r[tr(HEADERS["city_name"])] for r in rows} == {"Hanoi"}
    assert all(r[tr(HEADERS["indicator"])] and r[tr(HEADERS["indicator_name"])] for r in rows)


def test_neutralise_formulas_quotes_text_and_keeps_numbers() -> None:
    frame = pd.DataFrame(
        {
            "name": [INJECTED, "+cmd", "-1+1", "@SUM(A1)", "\tx", "\rx", "Hà Nội", None, 7],
            "value": [-3.5, 1.0, -2.0, 0.0, 1.5, 2.5, 3.5, 4.5, 5.5],
        }
    )
    safe = neutralise_formulas(frame)
    assert safe["name"].tolist()[:7] == [
        "'" + INJECTED,
        "'+cmd",
        "'-1+1",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "Hà Nội",
    ]
    assert safe["name"].iloc[7] is None and safe["name"].iloc[8] == 7
    assert safe["value"].tolist() == frame["value"].tolist()
    assert frame["name"].iloc[0] == INJECTED  # the input is left alone


@pytest.fixture
def injected_engine(engine: Engine) -> Iterator[Engine]:
    """A store with the demo data, Hanoi renamed to a formula and one negative value."""
    with writing(engine) as conn:
        demo.load_demo(conn)
        conn.execute(
            update(m.City).where(m.City.code == "VNHAN").values(name_vi=INJECTED, name_en=INJECTED)
        )
        hanoi = conn.execute(select(m.City.id).where(m.City.code == "VNHAN")).scalar_one()
        first = conn.execute(
            select(m.Observation.id).where(m.Observation.city_id == hanoi).limit(1)
        ).scalar_one()
        conn.execute(update(m.Observation).where(m.Observation.id == first).values(value=-3.5))
    yield engine


def test_injected_name_comes_out_as_text_in_excel_and_csv(injected_engine: Engine) -> None:
    tr = Translator("en")
    book = workbook(reports.make_report(injected_engine, "city:VNHAN", "xlsx", "en"))
    sheet = book[tr("Observations")]
    names = {row[1].value for row in sheet.iter_rows(min_row=2)}
    assert names == {"'" + INJECTED}
    for row in sheet.iter_rows(min_row=2):
        assert row[1].data_type == "s"
    values = [row[9].value for row in sheet.iter_rows(min_row=2)]
    assert -3.5 in values and all(isinstance(v, float | int) for v in values)
    report = reports.make_report(injected_engine, "city:VNHAN", "csv", "en", bom=False)
    lines = list(csv.reader(io.StringIO(report.data.decode("utf-8"))))
    if report.content.counts_demo:  # the first line says the figures are demo data
        assert lines.pop(0) == [tr(DEMO_NOTICE)]
    rows = lines[1:]
    assert {r[1] for r in rows} == {"'" + INJECTED}
    assert "-3.5" in {r[9] for r in rows}


def test_reports_count_approved_values_unless_asked(injected_engine: Engine) -> None:
    with writing(injected_engine) as conn:
        conn.execute(
            update(m.Observation).where(m.Observation.value < 0).values(status="submitted")
        )
    approved = reports.gather(injected_engine, reports.parse_scope("city:VNHAN"), "en")
    both = reports.gather(injected_engine, reports.parse_scope("city:VNHAN"), "en", True)
    assert len(both.observations) == len(approved.observations) + 1
    tr = Translator("en")
    book = workbook(reports.make_report(injected_engine, "city:VNHAN", "xlsx", "en", True))
    summary = {r[0].value: r[1].value for r in book[tr("Summary")].iter_rows(min_row=2)}
    assert summary[tr("Values shown")] == "Includes submitted values not yet approved"


def test_task_group_report_keeps_its_tasks_and_indicators(demo_engine: Engine) -> None:
    content = reports.gather(demo_engine, reports.parse_scope("task-group:G1"), "en")
    assert set(content.tasks["group"]) == {"G1"}
    assert 0 < len(content.indicators) < 37
    assert set(content.progress["indicator"]) <= set(content.indicators["code"])


@pytest.mark.parametrize(
    ("scope", "reason"),
    [("planet", "bad_scope"), ("city:NOPE", "unknown_city"), ("task-group:G9", "unknown_group")],
)
def test_unknown_scopes_are_refused_with_a_message(
    demo_engine: Engine, scope: str, reason: str
) -> None:
    with pytest.raises(reports.ReportError) as refused:
        reports.make_report(demo_engine, scope, "xlsx", "vi")
    assert refused.value.reason == reason
    assert scope.split(":")[-1] in refused.value.message(Translator("vi"))


def test_report_command_line(demo_engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "hanoi.xlsx"
    command = ["report", "--scope", "city:VNHAN"]
    done = run_cli(demo_engine, *command, "--format", "xlsx", "--lang", "id", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert Translator("id")("Summary") in openpyxl.load_workbook(out).sheetnames
    refused = run_cli(
        demo_engine, *command[:-1], "town:X", "--format", "csv", "--lang", "vi", "--out", str(out)
    )
    assert refused.returncode == 2
    assert "Không hiểu phạm vi town:X" in refused.stderr


def test_rejected_rows_csv_neutralises_header_cells_too(engine: Engine) -> None:
    from mne.intake import check
    from pages._ui import csv_bytes

    header = ["city", "indicator", "period", "value", '=HYPERLINK("http://x","x")', "@SUM(1)"]
    out = io.StringIO()
    csv.writer(out).writerows([header, ["Atlantis", "QE_PM25", "2024", "1", "a", "b"]])
    preview = check(engine, out.getvalue().encode(), "rejected-hdr.csv", Translator("en"))
    assert not preview.rejected_rows.empty
    written = csv_bytes(preview.rejected_rows).decode("utf-8-sig").splitlines()
    first_line = next(csv.reader([written[0]]))
    assert "'" + header[4] in first_line and "'@SUM(1)" in first_line
    assert not any(cell.startswith(("=", "@", "+", "-")) for cell in first_line)


@pytest.mark.parametrize(
    ("upload", "expected"),
    [
        ("hdr.csv", "rejected-hdr.csv"),
        ("hdr.CSV", "rejected-hdr.csv"),
        ("data.xlsx", "rejected-data.csv"),
        ("a.csv.csv", "rejected-a.csv"),
        ("no-extension", "rejected-no-extension.csv"),
    ],
)
def test_download_names_have_one_extension(upload: str, expected: str) -> None:
    from mne.reports.cells import download_name

    assert download_name("rejected", upload) == expected


def _stored_units(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(m.Indicator.unit)).scalars())


def test_vi_pdf_and_csv_write_units_in_vietnamese_with_vietnamese_separators(
    demo_engine: Engine, network_vi: reports.Report
) -> None:
    """The store keeps "per 100000 population"; a Vietnamese reader sees "trên 100.000 dân"."""
    assert "per 100000 population" in _stored_units(demo_engine)
    _, text = pdf_text(network_vi)
    flat = " ".join(text.split())
    assert "trên 100.000 dân" in flat
    assert "per 100000" not in flat and "100000" not in flat
    csv_report = reports.make_report(demo_engine, "network", "csv", "vi")
    lines = csv_report.data.decode("utf-8-sig").splitlines(keepends=True)
    rows = list(csv.DictReader(io.StringIO("".join(lines[1:]))))  # after the demo notice
    units = {row[Translator("vi")(HEADERS["unit"])] for row in rows}
    assert "trên 100.000 dân" in units
    assert not any("per 100000" in u or "person" in u for u in units)


def test_a_city_pdf_is_about_the_city(demo_engine: Engine, city_en: reports.Report) -> None:
    """Đà Nẵng's report: its own tasks and the network's (marked), no map with one dot, and
    gaps of lower-is-better indicators said as "above the target"."""
    from mne.reports.pdf import build_figures

    tr = Translator("en")
    with demo_engine.connect() as conn:
        named = conn.execute(
            select(m.Task.code, m.City.code)
            .join(m.TaskCity, m.TaskCity.task_id == m.Task.id)
            .join(m.City, m.City.id == m.TaskCity.city_id)
        ).all()
    theirs = {task for task, city in named if city == "VNDAD"}
    others_only = {task for task, _ in named} - theirs
    assert others_only, "the demo data has tasks of other cities"
    tasks = city_en.content.tasks
    assert not set(tasks["code"]) & others_only
    assert set(tasks.loc[~tasks["network_wide"], "code"]) == theirs
    _, text = pdf_text(city_en)
    flat = " ".join(text.split())
    for code in others_only:
        assert f"{code} ·" not in flat
    assert tr("network-wide task") in flat
    assert "map" not in build_figures(city_en.content, tr)
    gaps = city_en.content.largest_gaps
    lower = gaps[gaps["direction"] == "lower"]
    assert not lower.empty
    for r in lower.itertuples():
        assert (
            f"{tr.number(abs(r.latest_value - r.target_value), int(r.decimals))} {r.unit}" in flat
        )
    assert "still to go" not in flat.split(tr("Late tasks"))[0]  # the summary's gaps


def test_the_pdf_charts_keep_labels_apart_and_whole(city_en: reports.Report) -> None:
    """In the PDF's bar charts the category labels stand apart from their bars in margins that
    grow to hold them (never clipped), the x-axis title stands below its ticks, and a chart of
    two-line labels is tall enough for them."""
    from mne.reports.pdf import build_figures

    figures = build_figures(city_en.content, Translator("id"))
    bars = [f for f in figures.values() if all(t.type == "bar" for t in f.data)]
    assert len(bars) >= 3
    for fig in bars:
        assert fig.layout.yaxis.automargin and fig.layout.xaxis.automargin
        assert (fig.layout.yaxis.ticklabelstandoff or 0) > 0
        if fig.layout.xaxis.title.text:
            assert (fig.layout.xaxis.title.standoff or 0) > 0
        labels = {str(y) for t in fig.data for y in t.y}
        two_line = sum("<br>" in label for label in labels)
        if two_line:
            plot = fig.layout.height - fig.layout.margin.t - fig.layout.margin.b
            assert plot / len(labels) >= 44, (fig.layout.title.text, plot, len(labels))


def test_a_chart_export_that_fails_once_is_tried_again_then_said(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """kaleido's page can be asked to draw before its script loaded (a loaded machine): one
    new browser; a second failure is ExportFailed (the page says so), never a traceback."""
    from mne.reports import chart_images
    from mne.reports.content import ExportFailed

    calls: list[int] = []

    async def flaky(figures: object) -> list[bytes]:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("kaleido_scopes is not defined")
        return [b"png"]

    monkeypatch.setattr(chart_images, "_export_all", flaky)
    assert chart_images.export_charts([object()]) == [b"png"]  # type: ignore[list-item]
    assert len(calls) == 2

    async def broken(figures: object) -> list[bytes]:
        raise RuntimeError("no browser")

    monkeypatch.setattr(chart_images, "_export_all", broken)
    with pytest.raises(ExportFailed):
        chart_images.export_charts([object()])  # type: ignore[list-item]
