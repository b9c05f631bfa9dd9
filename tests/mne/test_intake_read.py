"""Reading uploads: every shape, format, encoding and separator cities send, and the
whole-file problems, each asserted on what is stored or on the message the user gets."""

from __future__ import annotations

import io
import random
import struct
import unicodedata
import zipfile

import pytest
from sqlalchemy import Engine, insert, select

from db import models as m
from mne.access import operator
from mne.intake import Preview, check, commit_preview
from mne.intake.mapping import Mapping
from mne.intake.problems import FileProblem
from mne.intake.read import read_table
from mne.text import fold
from tests.mne.intake_files import (
    EN,
    LONG_HEADER,
    cp1258_bytes,
    csv_bytes,
    csv_text,
    dump_store,
    problems,
    readable_long,
    stored,
    xlsx_bytes,
)

TESTER = operator("tester")


def commit(engine: Engine, data: bytes, name: str = "upload.csv") -> Preview:
    """Check and store a file that must have no errors; the preview is returned."""
    preview = check(engine, data, name, EN)
    assert preview.file_problem is None
    assert problems(preview.errors) == set()
    result = commit_preview(engine, preview, TESTER)
    assert result["status"] == "committed"
    return preview


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# --- Canonical long CSV ---------------------------------------------------------------------


def test_long_csv_finds_a_city_by_code_name_or_alias_in_any_writing(engine: Engine) -> None:
    writings = [
        ("VNHAN", "VNHAN"),
        ("vnhan", "VNHAN"),
        ("Hà Nội", "VNHAN"),
        ("HÀ NỘI", "VNHAN"),
        ("ha noi", "VNHAN"),
        ("  Ha   Noi  ", "VNHAN"),
        ("Hanoi", "VNHAN"),
        ("TP. Hà Nội", "VNHAN"),
        (nfd("Thành phố Hà Nội"), "VNHAN"),
        ("TP.HCM", "VNSGN"),
        ("tp hcm", "VNSGN"),
        ("Sài Gòn", "VNSGN"),
        ("SAI GON", "VNSGN"),
        ("HCMC", "VNSGN"),
        (nfd("Thành phố Hồ Chí Minh"), "VNSGN"),
        (nfd("Đà Nẵng"), "VNDAD"),
        ("da nang", "VNDAD"),
        ("Bangkok", "THBKK"),
        ("Băng Cốc", "THBKK"),
        ("singapore", "SGSIN"),
    ]
    # One period per writing, so each stored value shows which writing it came from.
    rows = [
        [written, "QE_PM25", str(2000 + n), str(10 + n)]
        for n, (written, _code) in enumerate(writings)
    ]
    commit(engine, csv_bytes([LONG_HEADER, *rows]))
    assert stored(engine) == {
        (code, "QE_PM25", str(2000 + n)): float(10 + n)
        for n, (_written, code) in enumerate(writings)
    }


def test_long_csv_finds_an_indicator_by_code_name_or_alias(engine: Engine) -> None:
    writings = [
        ("QE_PM25", "QE_PM25"),
        ("qe_pm25", "QE_PM25"),
        ("Annual mean PM2.5 concentration", "QE_PM25"),
        ("ANNUAL MEAN PM2.5 CONCENTRATION", "QE_PM25"),
        ("Nồng độ bụi PM2.5 trung bình năm", "QE_PM25"),
        (nfd("Nồng độ bụi PM2.5 trung bình năm"), "QE_PM25"),
        ("nong do bui pm2.5 trung binh nam", "QE_PM25"),
        ("11.6.2", "QE_PM25"),
        ("Households with Internet access", "CS_INTERNET_HH"),
        ("Tỷ lệ hộ gia đình có truy cập Internet", "CS_INTERNET_HH"),
        ("EC:ICT:ICT:1C", "CS_INTERNET_HH"),
    ]
    rows = [
        ["VNHAN", written, str(2000 + n), str(10 + n)] for n, (written, _c) in enumerate(writings)
    ]
    commit(engine, csv_bytes([LONG_HEADER, *rows]))
    assert stored(engine) == {
        ("VNHAN", code, str(2000 + n)): float(10 + n) for n, (_w, code) in enumerate(writings)
    }


def test_long_csv_keeps_the_optional_note_and_source(engine: Engine) -> None:
    rows = [
        [*LONG_HEADER, "note", "source"],
        ["VNHAN", "QE_PM25", "2024", "41.5", "trạm Nguyễn Văn Cừ", "Sở TN&MT"],
        ["VNSGN", "QE_PM25", "2024", "30", "", ""],
    ]
    commit(engine, csv_bytes(rows))
    o, c = m.table(m.Observation), m.table(m.City)
    with engine.connect() as conn:
        kept = set(
            conn.execute(select(c.c.code, o.c.note, o.c.source).join(c, c.c.id == o.c.city_id))
        )
    assert kept == {("VNHAN", "trạm Nguyễn Văn Cừ", "Sở TN&MT"), ("VNSGN", "", "")}


def test_long_csv_with_vietnamese_headers_in_any_order(engine: Engine) -> None:
    rows = [
        ["Năm", "Giá trị", "Chỉ tiêu", "Thành phố", "Ghi chú"],
        ["2024", "41,5", "QE_PM25", "Hà Nội", "ước tính"],
        ["2023", "40", "QE_PM25", "Hà Nội", ""],
    ]
    commit(engine, csv_bytes(rows, ";"))
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2024"): 41.5,
        ("VNHAN", "QE_PM25", "2023"): 40.0,
    }


# --- Wide files, CSV and Excel ---------------------------------------------------------------

WIDE_INDICATORS = [
    ["city", "period", "QE_PM25", "CS_INTERNET_HH", "Businesses"],
    ["VNHAN", "2023", 40.5, 70, 1200],
    ["Sài Gòn", "2023", 30, "", 2500],
    ["Đà Nẵng", "2024", 20.25, 80.5, ""],
]
# (row below the header, column, city, indicator, period, value) for the readable cells.
WIDE_INDICATORS_LONG = {
    (1, "QE_PM25", "VNHAN", "QE_PM25", "2023", 40.5),
    (1, "CS_INTERNET_HH", "VNHAN", "CS_INTERNET_HH", "2023", 70.0),
    (1, "Businesses", "VNHAN", "II_BUSINESSES", "2023", 1200.0),
    (2, "QE_PM25", "VNSGN", "QE_PM25", "2023", 30.0),
    (2, "Businesses", "VNSGN", "II_BUSINESSES", "2023", 2500.0),
    (3, "QE_PM25", "VNDAD", "QE_PM25", "2024", 20.25),
    (3, "CS_INTERNET_HH", "VNDAD", "CS_INTERNET_HH", "2024", 80.5),
}
WIDE_YEARS = [
    ["city", "indicator", 2019, 2020, 2021],
    ["VNHAN", "QE_PM25", 45, 41.5, 40],
    ["VNHAN", "CS_INTERNET_HH", 60, "", 72.5],
    ["TP.HCM", "Annual mean PM2.5 concentration", "", 30, 29],
]
WIDE_YEARS_LONG = {
    (1, "2019", "VNHAN", "QE_PM25", "2019", 45.0),
    (1, "2020", "VNHAN", "QE_PM25", "2020", 41.5),
    (1, "2021", "VNHAN", "QE_PM25", "2021", 40.0),
    (2, "2019", "VNHAN", "CS_INTERNET_HH", "2019", 60.0),
    (2, "2021", "VNHAN", "CS_INTERNET_HH", "2021", 72.5),
    (3, "2020", "VNSGN", "QE_PM25", "2020", 30.0),
    (3, "2021", "VNSGN", "QE_PM25", "2021", 29.0),
}
TITLE = [["Báo cáo chỉ tiêu đô thị thông minh năm 2024"], ["Đơn vị: UBND thành phố"]]


def wide_file(rows: list[list[object]], kind: str) -> tuple[bytes, str, int]:
    """The file's bytes, its name and the spreadsheet row of the header."""
    if kind == "csv":
        return csv_bytes(rows), "wide.csv", 1
    if kind == "csv-title":
        return csv_text([*TITLE, *rows]).encode("utf-8-sig"), "wide.csv", 3
    if kind == "xlsx":
        return xlsx_bytes(rows), "wide.xlsx", 1
    if kind == "xlsx-title":
        return xlsx_bytes(rows, title_rows=TITLE), "wide.xlsx", 3
    assert kind == "xlsx-data-sheet"  # the template's layout: instructions first, then Data
    return xlsx_bytes(rows, sheet="Data", first_sheets=["Instructions"]), "wide.xlsx", 1


KINDS = ["csv", "csv-title", "xlsx", "xlsx-title", "xlsx-data-sheet"]


@pytest.mark.parametrize("kind", KINDS)
def test_one_column_per_indicator_is_shown_as_the_long_table(engine: Engine, kind: str) -> None:
    data, name, header_row = wide_file(WIDE_INDICATORS, kind)
    preview = check(engine, data, name, EN)
    assert preview.format == f"{name.rsplit('.')[-1]}/wide-indicators"
    assert problems(preview.errors) == set()
    assert readable_long(preview) == {
        (header_row + r, column, city, indicator, period, value)
        for r, column, city, indicator, period, value in WIDE_INDICATORS_LONG
    }
    assert preview.counts["missing"] == 2


@pytest.mark.parametrize("kind", KINDS)
def test_one_column_per_year_is_shown_as_the_long_table(engine: Engine, kind: str) -> None:
    data, name, header_row = wide_file(WIDE_YEARS, kind)
    preview = check(engine, data, name, EN)
    assert preview.format == f"{name.rsplit('.')[-1]}/wide-years"
    assert problems(preview.errors) == set()
    assert readable_long(preview) == {
        (header_row + r, column, city, indicator, period, value)
        for r, column, city, indicator, period, value in WIDE_YEARS_LONG
    }
    assert preview.counts["missing"] == 2


def test_a_wide_file_is_stored_as_its_long_table(engine: Engine) -> None:
    commit(engine, xlsx_bytes(WIDE_YEARS), "wide.xlsx")
    assert stored(engine) == {
        (city, indicator, period): value
        for _r, _c, city, indicator, period, value in WIDE_YEARS_LONG
    }


def test_a_long_xlsx_with_typed_numbers_and_text_cells(engine: Engine) -> None:
    rows = [
        [*LONG_HEADER, "note"],
        [nfd("Hà Nội"), "QE_PM25", 2024, 41.25, nfd("số liệu")],  # as macOS Excel writes
        ["VNHAN", "CS_INTERNET_HH", "2024", "72,5", None],
        ["VNSGN", "II_BUSINESSES", 2024, 1234, None],  # a typed number is never ambiguous
        ["VNSGN", "QE_PM25", 2024, 12.345, None],  # nor read as thousands
        ["VNSGN", "QE_GHG_PER_CAPITA", 2024, 1.234, None],
    ]
    preview = commit(
        engine, xlsx_bytes(rows, sheet="Data", first_sheets=["Hướng dẫn"]), "template.xlsx"
    )
    assert sorted(preview.valid["note"]) == ["", "", "", "", "số liệu"]
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2024"): 41.25,
        ("VNHAN", "CS_INTERNET_HH", "2024"): 72.5,
        ("VNSGN", "II_BUSINESSES", "2024"): 1234.0,
        ("VNSGN", "QE_PM25", "2024"): 12.345,
        ("VNSGN", "QE_GHG_PER_CAPITA", "2024"): 1.234,
    }


def test_an_excel_percentage_is_read_as_shown(engine: Engine) -> None:
    """Excel keeps 45% as 0.45 with a percent format; the person means 45 (%)."""
    from openpyxl import load_workbook

    workbook = load_workbook(
        io.BytesIO(xlsx_bytes([LONG_HEADER, ["VNHAN", "CS_INTERNET_HH", 2024, 0.455]]))
    )
    workbook.active["D2"].number_format = "0.0%"
    out = io.BytesIO()
    workbook.save(out)
    commit(engine, out.getvalue(), "percent.xlsx")
    assert stored(engine) == {("VNHAN", "CS_INTERNET_HH", "2024"): 45.5}


def test_a_column_that_names_no_indicator_is_reported_not_dropped(engine: Engine) -> None:
    rows = [["city", "period", "QE_PM25", "QE_PM2.5_typo"], ["VNHAN", "2024", "40", "41"]]
    preview = check(engine, csv_bytes(rows), "wide.csv", EN)
    assert problems(preview.errors) == {(2, "QE_PM2.5_typo", "unknown_indicator")}


# --- DHIS2 and Open SDG ------------------------------------------------------------------------

DHIS2_HEADER = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
]


def add_aliases(engine: Engine, cities: dict[str, str], indicators: dict[str, str]) -> None:
    """Other systems' codes, mapped to ours as an administrator would."""
    with engine.begin() as conn:
        city_ids = dict(conn.execute(select(m.City.code, m.City.id)).all())
        indicator_ids = dict(conn.execute(select(m.Indicator.code, m.Indicator.id)).all())
        for alias, code in cities.items():
            conn.execute(
                insert(m.CityAlias).values(
                    city_id=city_ids[code], alias=alias, alias_key=fold(alias)
                )
            )
        for alias, code in indicators.items():
            conn.execute(
                insert(m.IndicatorAlias).values(
                    indicator_id=indicator_ids[code], alias=alias, alias_key=fold(alias)
                )
            )


def test_a_dhis2_data_value_set_maps_codes_through_aliases(engine: Engine) -> None:
    add_aliases(engine, {"DiszpKrYNg8": "VNSGN"}, {"f7n9E0hX8qk": "CS_INTERNET_HH"})
    text = csv_text(
        [
            DHIS2_HEADER,
            ["11.6.2", "2024", "VNHAN", "bRowv6yZOF2", "bRowv6yZOF2", "41.5"],
            ["11.6.2", "202403", "VNHAN", "bRowv6yZOF2", "bRowv6yZOF2", "44"],
            ["f7n9E0hX8qk", "2024Q2", "DiszpKrYNg8", "bRowv6yZOF2", "bRowv6yZOF2", "81.5"],
        ]
    )
    quoted = "\r\n".join(  # DHIS2 quotes every field
        ",".join(f'"{cell}"' for cell in line.split(",")) for line in text.splitlines()
    )
    preview = commit(engine, quoted.encode(), "datavalueset.csv")
    assert preview.format == "csv/dhis2"
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2024"): 41.5,
        ("VNHAN", "QE_PM25", "2024-03"): 44.0,
        ("VNSGN", "CS_INTERNET_HH", "2024-Q2"): 81.5,
    }


def test_an_open_sdg_file_keeps_headline_rows_and_skips_breakdowns(engine: Engine) -> None:
    rows = [
        ["Year", "Units", "GeoCode", "Sex", "Value"],
        ["2023", "µg/m³", "VNHAN", "", "40.5"],
        ["2023", "µg/m³", "VNHAN", "Female", "41"],
        ["2024", "µg/m³", "VNSGN", "", "30"],
    ]
    preview = commit(engine, csv_bytes(rows), "indicator_11-6-2.csv")
    assert preview.format == "csv/opensdg"
    assert problems(preview.warnings) == {(3, "Sex", "disaggregated")}
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2023"): 40.5,
        ("VNSGN", "QE_PM25", "2024"): 30.0,
    }


def test_an_open_sdg_file_with_series_and_several_breakdowns(engine: Engine) -> None:
    """A Series description that is none of our indicators is never guessed from the file
    name: its rows are errors in the Series column until it is mapped; mapped, a breakdown
    warning names the breakdown columns that are filled in on that row."""
    series = "Annual mean levels of fine particulate matter (e.g. PM2.5)"
    rows = [
        ["Year", "Series", "Units", "Location", "GeoCode", "Sex", "Age", "COMMENT_OBS", "Value"],
        ["2022", series, "µg/m³", "Hà Nội", "VNHAN", "", "", "estimated", "42"],
        ["2022", series, "µg/m³", "Hà Nội", "VNHAN", "", "15-24", "", "43"],
        ["2022", series, "µg/m³", "", "VNDAD", "", "", "", "21"],
        ["2022", series, "µg/m³", "", "VNDAD", "Male", "15-24", "", "22"],
    ]
    unmapped = check(engine, csv_bytes(rows), "indicator_11-6-2.csv", EN)
    assert {(row, column) for row, column, _ in problems(unmapped.errors)} == {
        (2, "Series"),
        (4, "Series"),
    }
    mapping = Mapping.parse([f"series:{series}=QE_PM25"])
    preview = check(engine, csv_bytes(rows), "indicator_11-6-2.csv", EN, mapping=mapping)
    assert problems(preview.errors) == set()
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    assert problems(preview.warnings) == {
        (3, "Age", "disaggregated"),
        (5, "Sex, Age", "disaggregated"),
    }
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNDAD", "QE_PM25", "2022"): 21.0,
    }


def test_an_open_sdg_file_without_cities_is_a_whole_file_problem(engine: Engine) -> None:
    data = csv_bytes([["Year", "Sex", "Value"], ["2023", "", "40"], ["2023", "Female", "41"]])
    preview = check(engine, data, "indicator_11-6-2.csv", EN)
    assert preview.file_problem is not None and "GeoCode" in preview.file_problem


# --- Encodings and separators ------------------------------------------------------------------

VIETNAMESE_ROWS = [
    [*LONG_HEADER, "note"],
    ["Hà Nội", "Nồng độ bụi PM2.5 trung bình năm", "2024", "41,5", "Số liệu ước tính"],
    ["Thành phố Hồ Chí Minh", "Tỷ lệ hộ gia đình có truy cập Internet", "2024", "72", ""],
    ["Đà Nẵng", "QE_PM25", "2023", "20,1", "trạm Liên Chiểu"],
]
VIETNAMESE_STORED = {
    ("VNHAN", "QE_PM25", "2024"): 41.5,
    ("VNSGN", "CS_INTERNET_HH", "2024"): 72.0,
    ("VNDAD", "QE_PM25", "2023"): 20.1,
}


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", csv_text(VIETNAMESE_ROWS, ";").encode("utf-8")),
        ("utf-8 with BOM", csv_text(VIETNAMESE_ROWS, ";").encode("utf-8-sig")),
        ("utf-8 decomposed", nfd(csv_text(VIETNAMESE_ROWS, ";")).encode("utf-8")),
        ("utf-16 tab (Excel Unicode text)", csv_text(VIETNAMESE_ROWS, "\t").encode("utf-16")),
        ("windows-1258", cp1258_bytes(csv_text(VIETNAMESE_ROWS, ";"))),
    ],
)
def test_vietnamese_text_in_each_encoding(engine: Engine, encoding: str, data: bytes) -> None:
    preview = commit(engine, data, "vn.csv")
    assert stored(engine) == VIETNAMESE_STORED
    assert sorted(preview.valid["note"]) == ["", "Số liệu ước tính", "trạm Liên Chiểu"]


@pytest.mark.parametrize(
    "sources",
    [
        ["Ministère de l’Environnement – données", "relevé ±2 µg/m³"],
        # ã and õ are other letters in Windows-1258 (ă, ơ): still read as Windows-1252.
        ["São Tomé statistics – Ação", "Estimación de año"],
    ],
)
def test_windows_1252_text(engine: Engine, sources: list[str]) -> None:
    rows = [
        [*LONG_HEADER, "source"],
        ["Phnôm Pênh", "QE_PM25", "2024", "30,5", sources[0]],
        ["Siem Reap", "QE_PM25", "2024", "12", sources[1]],
    ]
    preview = commit(engine, csv_bytes(rows, ";", "cp1252"), "fr.csv")
    assert preview.encoding == "cp1252"
    assert stored(engine) == {
        ("KHPNH", "QE_PM25", "2024"): 30.5,
        ("KHREP", "QE_PM25", "2024"): 12.0,
    }
    assert sorted(preview.valid["source"]) == sorted(sources)


@pytest.mark.parametrize("separator", [",", ";", "\t", "|"])
def test_each_separator(engine: Engine, separator: str) -> None:
    rows = [
        [*LONG_HEADER, "note"],
        ["Hà Nội", "QE_PM25", "2024", "41,5", "ước tính, sơ bộ; xem | ghi chú"],
        ["TP.HCM", "II_BUSINESSES", "2024", "1.234,5", ""],
        ["Đà Nẵng", "QE_PM25", "2023", "20", ""],
    ]
    preview = commit(engine, csv_bytes(rows, separator), "sep.csv")
    assert preview.separator == separator
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2024"): 41.5,
        ("VNSGN", "II_BUSINESSES", "2024"): 1234.5,
        ("VNDAD", "QE_PM25", "2023"): 20.0,
    }


def test_excel_separator_hint_line(engine: Engine) -> None:
    """Excel writes "sep=;" as a first line when asked, and hides it when it opens the file:
    the header is row 1."""
    text = "sep=;\r\n" + csv_text([LONG_HEADER, ["VNHAN", "QE_PM25", "2024", "41,5"]], ";")
    preview = commit(engine, text.encode(), "hint.csv")
    assert {(r.row, r.city_code) for r in preview.long.itertuples()} == {(2, "VNHAN")}
    assert stored(engine) == {("VNHAN", "QE_PM25", "2024"): 41.5}


def test_csv_rows_are_the_rows_a_person_sees(engine: Engine) -> None:
    """Title lines, blank lines and a cell written on two lines do not shift the rows."""
    text = "Báo cáo chỉ tiêu, năm 2024\r\n\r\n" + csv_text(
        [
            [*LONG_HEADER, "note"],
            ["VNHAN", "QE_PM25", "2023", "40", "dòng 1\ndòng 2"],
            ["", "", "", "", ""],
            ["VNHAN", "QE_PM25", "2024", "abc", ""],
        ]
    )
    preview = check(engine, text.encode(), "rows.csv", EN)
    assert problems(preview.errors) == {(6, "value", "not_a_number")}


def test_an_unquoted_comma_in_a_number_is_an_error_not_a_smaller_number(engine: Engine) -> None:
    """ "1,234" written without quotes in a comma-separated file is two cells: the row is
    refused, naming the cell that sticks out, instead of storing 1."""
    text = (
        "city,indicator,period,value\r\nVNHAN,II_BUSINESSES,2024,1,234\r\nVNSGN,QE_PM25,2024,30\r\n"
    )
    preview = check(engine, text.encode(), "upload.csv", EN)
    assert problems(preview.errors) == {(2, "E", "extra_cells")}
    assert "234" in preview.errors.loc[0, "message"]
    commit_preview(engine, preview, TESTER, partial=True)
    assert stored(engine) == {("VNSGN", "QE_PM25", "2024"): 30.0}


def test_a_repeated_column_name_is_a_whole_file_problem(engine: Engine) -> None:
    data = csv_bytes([["city", "indicator", 2023, 2024, 2023], ["VNHAN", "QE_PM25", 40, 41, 42]])
    with pytest.raises(FileProblem) as raised:
        read_table(data, "wide.csv")
    assert raised.value.code == "repeated_column"
    assert raised.value.values == {"name": "2023", "columns": "3, 5"}
    assert_rejected_whole(engine, data, raised.value.message(EN))


# --- Whole-file problems -----------------------------------------------------------------------


def png() -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + header + b"\x00\x00\x00\x00"


def big_xlsx(rows: int) -> bytes:
    return xlsx_bytes(
        [LONG_HEADER, *[["VNHAN", "QE_PM25", "2024", f"{n % 100}.5"] for n in range(rows)]]
    )


SHEET = "xl/worksheets/sheet1.xml"


def declaring_huge_size(data: bytes) -> bytes:
    """The workbook with its sheet's central-directory entry claiming 4 GB unpacked."""
    at = data.index(b"PK\x01\x02")
    while True:
        (name_length,) = struct.unpack("<H", data[at + 28 : at + 30])
        if data[at + 46 : at + 46 + name_length] == SHEET.encode():
            break
        at = data.index(b"PK\x01\x02", at + 4)
    return data[: at + 24] + struct.pack("<I", 0xFFFFFFF0) + data[at + 28 :]


def damaged_sheet(data: bytes) -> bytes:
    """The workbook with bytes in the middle of the sheet's compressed data overwritten."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
    local = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[local + 26 : local + 30])
    middle = local + 30 + name_length + extra_length + info.compress_size // 2
    return data[:middle] + b"\xff" * 16 + data[middle + 16 :]


def zip_of(name: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
    return out.getvalue()


GOOD_XLSX = xlsx_bytes([LONG_HEADER, ["VNHAN", "QE_PM25", "2024", 41.5]])
FILE_PROBLEMS = [
    ("empty", b"", "empty"),
    ("blank lines", b"  \r\n\r\n", "empty"),
    ("byte-order mark only", b"\xef\xbb\xbf", "empty"),
    ("utf-16 byte-order mark only", b"\xff\xfe", "empty"),
    ("empty cells only", b";;;\r\n;;;\r\n", "empty"),
    ("header only", b"city,indicator,period,value\r\n", "header_only"),
    ("header and empty rows", b"city,indicator,period,value\r\n,,,\r\n,,,\r\n", "header_only"),
    ("xlsx header only", xlsx_bytes([LONG_HEADER]), "header_only"),
    ("xlsx empty", xlsx_bytes([]), "empty"),
    ("png image", png(), "not_a_table"),
    ("random bytes", random.Random(3).randbytes(4096), "not_a_table"),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "not_a_table"),
    (
        "prose",
        "Kính gửi Bộ Xây dựng\nThành phố gửi kèm báo cáo năm 2024\nTrân trọng\n".encode(),
        "not_a_table",
    ),
    ("damaged xlsx (cut short)", GOOD_XLSX[: len(GOOD_XLSX) // 2], "bad_xlsx"),
    ("damaged xlsx (sheet data)", damaged_sheet(big_xlsx(200)), "bad_xlsx"),
    ("zip that is no workbook", zip_of("notes.txt", b"hello"), "bad_xlsx"),
    ("xlsx declaring a huge sheet", declaring_huge_size(GOOD_XLSX), "xlsx_too_large"),
]


@pytest.mark.parametrize(
    ("data", "code"), [(d, c) for _n, d, c in FILE_PROBLEMS], ids=[n for n, _d, _c in FILE_PROBLEMS]
)
def test_a_whole_file_problem_is_one_message_and_stores_nothing(
    engine: Engine, data: bytes, code: str
) -> None:
    with pytest.raises(FileProblem) as raised:
        read_table(data, "upload.csv")
    assert raised.value.code == code
    assert_rejected_whole(engine, data, raised.value.message(EN), code)


def assert_rejected_whole(engine: Engine, data: bytes, message: str, code: str = "") -> None:
    before = dump_store(engine)
    preview = check(engine, data, "upload.csv", EN)
    assert preview.file_problem == message
    # Even "store the valid rows" (partial) stores nothing of a file with a whole-file problem.
    summary = commit_preview(engine, preview, TESTER, partial=True)
    assert summary["status"] == "rejected"
    # The import's JSON names the problem by its own code, not "file" for every one.
    assert [e["code"] for e in summary["errors"]] == [code or preview.file_problem_code]
    assert preview.file_problem_code not in ("", "file")
    assert dump_store(engine) == before


def test_a_whole_file_problem_stores_nothing_even_beside_valid_rows(engine: Engine) -> None:
    """The guard itself: a checked file whose rows are all valid, once it carries a
    whole-file problem, is refused whole (the cases above have no valid row to store)."""
    data = csv_bytes([LONG_HEADER, ["VNHAN", "QE_PM25", "2024", "41.5"]])
    preview = check(engine, data, "upload.csv", EN)
    assert preview.file_problem is None and len(preview.valid) == 1
    preview.file_problem = "A whole-file problem found after the rows were read."
    before = dump_store(engine)
    assert commit_preview(engine, preview, TESTER, partial=True)["status"] == "rejected"
    assert dump_store(engine) == before


def test_a_file_over_the_size_limit(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MNE_MAX_UPLOAD_MB", "0.01")  # 10 kB
    rows = [["VNHAN", "QE_PM25", str(1990 + n % 30), "40"] for n in range(600)]
    data = csv_bytes([LONG_HEADER, *rows])
    assert len(data) > 10_486
    with pytest.raises(FileProblem) as raised:
        read_table(data, "big.csv")
    assert raised.value.code == "too_large"
    message = raised.value.message(EN)
    assert "0.01 MB" in message
    assert_rejected_whole(engine, data, message)


def test_an_xlsx_that_unpacks_too_large(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    data = big_xlsx(20_000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    # The file itself is under the limit; what it unpacks to is over ten times the limit.
    limit_mb = max(len(data), unpacked // 12) / 2**20 * 1.01
    assert unpacked > 10 * limit_mb * 2**20
    monkeypatch.setenv("MNE_MAX_UPLOAD_MB", f"{limit_mb:.4f}")
    with pytest.raises(FileProblem) as raised:
        read_table(data, "big.xlsx")
    assert raised.value.code == "xlsx_too_large"
    assert_rejected_whole(engine, data, raised.value.message(EN))


def test_a_missing_required_column_is_a_whole_file_problem(engine: Engine) -> None:
    data = csv_bytes([["city", "indicator", "value"], ["VNHAN", "QE_PM25", "40"]])
    before = dump_store(engine)
    preview = check(engine, data, "upload.csv", EN)
    assert preview.file_problem is not None
    assert "period" in preview.file_problem
    assert "city, indicator, value" in preview.file_problem
    assert commit_preview(engine, preview, TESTER)["status"] == "rejected"
    assert dump_store(engine) == before
