"""Other publishers' layouts (Open SDG, World Bank WDI, Satu Data Indonesia, DHIS2, workbooks
with a metadata sheet first), the mapping a person gives (`--map`), and the messages that
point the way when a file cannot be read as it is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine, insert, select

from db import models as m
from mne import cli
from mne.access import operator
from mne.intake import Preview, check, commit_preview, dry_run
from mne.intake.mapping import Mapping
from mne.text import fold
from tests.mne.intake_files import EN, csv_bytes, csv_text, dump_store, problems, stored, xlsx_bytes

TESTER = operator("tester")
PM25 = "Annual mean PM2.5 concentration"  # our indicator's English name
PM10 = "Annual mean PM10 concentration"


def add_pm10(engine: Engine) -> None:
    """A PM10 indicator, as a ministry that reports both would have in its catalog."""
    with engine.begin() as conn:
        pm25 = conn.execute(select(m.Indicator).where(m.Indicator.code == "QE_PM25")).one()
        new_id = conn.execute(
            insert(m.Indicator)
            .values(
                code="QE_PM10",
                name_vi="Nồng độ bụi PM10 trung bình năm",
                name_en="Annual mean PM10 concentration (test)",
                name_id="Konsentrasi PM10",
                focus_area_id=pm25.focus_area_id,
                unit=pm25.unit,
                direction=pm25.direction,
                decimals=1,
                plausible_min=0,
                plausible_max=600,
            )
            .returning(m.Indicator.id)
        ).scalar_one()
        conn.execute(
            insert(m.IndicatorAlias).values(
                indicator_id=new_id, alias="QE_PM10", alias_key=fold("QE_PM10")
            )
        )


def run_cli(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, dict[str, object]]:
    """`python -m mne import ... --json` in this process, against `engine`'s store."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    capsys.readouterr()
    code = cli.main(["import", *args, "--json"])
    out = capsys.readouterr().out
    return code, (json.loads(out) if out.strip() else {})


def checked(engine: Engine, data: bytes, name: str, *entries: str) -> Preview:
    return check(engine, data, name, EN, mapping=Mapping.parse(entries))


def commit_ok(engine: Engine, data: bytes, name: str, *entries: str) -> Preview:
    preview = checked(engine, data, name, *entries)
    assert preview.file_problem is None, preview.file_problem
    assert problems(preview.errors) == set(), preview.errors.to_dict("records")
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    return preview


def codes(preview: Preview) -> set[str]:
    return {str(c) for c in preview.warnings["code"]}


def message(preview: Preview, code: str) -> str:
    found = preview.warnings[preview.warnings["code"] == code]
    if found.empty:
        found = preview.errors[preview.errors["code"] == code]
    return str(found["message"].iloc[0])


# --- 1. No value lands under an indicator it is not --------------------------------------------

SERIES_ROWS = [
    ["Year", "Series", "Units", "GeoCode", "Value"],
    ["2022", PM25, "µg/m³", "VNHAN", "42"],
    ["2022", PM10, "µg/m³", "VNHAN", "88"],
    ["2023", PM25, "µg/m³", "VNHAN", "40"],
    ["2023", PM10, "µg/m³", "VNHAN", "80"],
]


def test_an_open_sdg_file_stores_only_the_series_that_map_and_says_what_it_skipped(
    engine: Engine,
) -> None:
    preview = commit_ok(engine, csv_bytes(SERIES_ROWS), "indicator_11-6-2.csv")
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNHAN", "QE_PM25", "2023"): 40.0,
    }
    assert problems(preview.warnings) == {(3, "Series", "unmapped_series")}
    said = message(preview, "unmapped_series")
    assert PM10 in said and "2 rows" in said and f"series:{PM10}=CODE" in said


def test_with_a_mapping_both_series_land_in_their_own_indicators(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_pm10(engine)
    rows = [[*r[:1], {PM25: "PM2.5", PM10: "PM10"}.get(r[1], r[1]), *r[2:]] for r in SERIES_ROWS]
    path = tmp_path / "indicator_11-6-2.csv"
    path.write_bytes(csv_bytes(rows))
    # Neither series is one of ours as written: nothing is stored, and the rows say why.
    code, summary = run_cli(engine, monkeypatch, capsys, str(path))
    assert (code, summary["status"]) == (1, "rejected")
    assert {(e["row"], e["column"], e["code"]) for e in summary["errors"]} == {  # type: ignore[union-attr]
        (row, "Series", "unknown_indicator") for row in (2, 3, 4, 5)
    }
    assert stored(engine) == {}
    code, summary = run_cli(
        engine,
        monkeypatch,
        capsys,
        str(path),
        "--map",
        "series:PM2.5=QE_PM25",
        "--map",
        "series:PM10=QE_PM10",
    )
    assert (code, summary["status"]) == (0, "committed")
    assert summary["mapping"] == ["series:PM2.5=QE_PM25", "series:PM10=QE_PM10"]
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNHAN", "QE_PM10", "2022"): 88.0,
        ("VNHAN", "QE_PM25", "2023"): 40.0,
        ("VNHAN", "QE_PM10", "2023"): 80.0,
    }


def test_one_series_mapped_stores_it_and_skips_the_other(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [[*r[:1], {PM25: "PM2.5", PM10: "PM10"}.get(r[1], r[1]), *r[2:]] for r in SERIES_ROWS]
    path = tmp_path / "indicator_11-6-2.csv"
    path.write_bytes(csv_bytes(rows))
    code, summary = run_cli(engine, monkeypatch, capsys, str(path), "--map", "series:PM2.5=QE_PM25")
    assert (code, summary["status"]) == (0, "committed")
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNHAN", "QE_PM25", "2023"): 40.0,
    }
    assert [w["code"] for w in summary["warnings"]] == ["unmapped_series"]  # type: ignore[union-attr]


def test_a_breakdown_column_naming_series_is_read_through_the_mapping(engine: Engine) -> None:
    """The UK's 11.6.2 names the series in "Size of particulate matter": without a mapping
    every row is a breakdown and the file is refused, saying how to map it."""
    rows = [
        [
            "Year",
            "Size of particulate matter",
            "Local Authority",
            "Unit measure",
            "GeoCode",
            "Value",
        ],
        ["2016", "PM 10", "Birmingham", "microgram/m3", "VNHAN", "16.0"],
        ["2016", "PM 2.5", "Birmingham", "microgram/m3", "VNHAN", "10.0"],
    ]
    data = csv_bytes(rows)
    refused = checked(engine, data, "indicator_11-6-2.csv")
    assert refused.file_problem is not None
    assert "Size of particulate matter=PM 10" in refused.file_problem
    assert "series:VALUE=CODE" in refused.file_problem
    preview = commit_ok(engine, data, "indicator_11-6-2.csv", "series:PM 2.5=QE_PM25")
    assert stored(engine) == {("VNHAN", "QE_PM25", "2016"): 10.0}
    assert problems(preview.warnings) == {(2, "Size of particulate matter", "unmapped_series")}


def test_rows_in_another_unit_are_skipped_unless_the_unit_is_mapped(engine: Engine) -> None:
    rows = [
        ["Year", "Units", "GeoCode", "Value"],
        ["2022", "Percentage", "VNHAN", "45"],
        ["2022", "Number of households", "VNSGN", "120000"],
    ]
    data = csv_bytes(rows)
    preview = commit_ok(engine, data, "indicator_17-6-1.csv", "series:17.6.1=CS_INTERNET_HH")
    assert stored(engine) == {("VNHAN", "CS_INTERNET_HH", "2022"): 45.0}
    assert problems(preview.warnings) == {(3, "Units", "other_unit")}
    assert "unit:Number of households=%" in message(preview, "other_unit")


def test_a_mapping_to_a_code_that_is_not_ours_is_refused(engine: Engine) -> None:
    preview = checked(engine, csv_bytes(SERIES_ROWS), "indicator_11-6-2.csv", "series:PM10=QE_PM1")
    assert preview.file_problem is not None
    assert "QE_PM1" in preview.file_problem and "QE_PM25" in preview.file_problem


def test_a_mapping_that_is_not_kind_written_target_is_bad_usage(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(csv_bytes([["city", "indicator", "period", "value"]]))
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    assert cli.main(["import", str(path), "--map", "PM2.5 is QE_PM25"]) == 2
    assert "KIND:WRITTEN=TARGET" in capsys.readouterr().err


# --- 2. Geography columns --------------------------------------------------------------------


def test_an_open_sdg_file_with_geocode_and_region_stores_its_city_rows(engine: Engine) -> None:
    rows = [
        ["Year", "Region", "GeoCode", "Value"],
        ["2022", "", "", "30"],  # the national figure
        ["2022", "Alberta", "VNHAN", "42"],
        ["2022", "Ontario", "35", "25"],
        ["2022", "Québec", "VNDAD", "21"],
    ]
    preview = commit_ok(engine, csv_bytes(rows), "indicator_11-6-2.csv")
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNDAD", "QE_PM25", "2022"): 21.0,
    }
    assert problems(preview.warnings) == {
        (4, "GeoCode", "other_places"),
        (2, "GeoCode", "no_place"),
    }
    assert "1 rows for 1 places" in message(preview, "other_places")
    assert "“”" not in " ".join(preview.warnings["message"])


def test_an_open_sdg_file_with_a_city_column_too(engine: Engine) -> None:
    rows = [
        ["Year", "City", "Region", "Country", "GeoCode", "Value"],
        ["2022", "", "", "Viet Nam", "", "30"],
        ["2022", "Hà Nội", "Red River Delta", "Viet Nam", "", "42"],
        ["2022", "", "Mekong Delta", "Viet Nam", "", "25"],
        ["2022", "Đà Nẵng", "", "Viet Nam", "VNDAD", "21"],
    ]
    preview = commit_ok(engine, csv_bytes(rows), "indicator_11-6-2.csv")
    assert preview.format == "csv/opensdg"
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNDAD", "QE_PM25", "2022"): 21.0,
    }
    # A region and a country are context, never the city.
    assert problems(preview.warnings) == {(2, "Country", "other_places")}
    assert "Mekong Delta" in message(preview, "other_places")


def test_a_file_with_no_row_of_our_cities_is_refused_naming_its_places(engine: Engine) -> None:
    rows = [["Year", "Geography", "GeoCode", "Value"], ["2022", "Alberta", "48", "2.6"]]
    preview = checked(engine, csv_bytes(rows), "indicator_16-1-1.csv")
    assert preview.file_problem is not None
    assert "Alberta" in preview.file_problem and "city:PLACE=CODE" in preview.file_problem
    assert "“”" not in preview.file_problem


def test_a_place_can_be_mapped_to_a_city(engine: Engine) -> None:
    rows = [["Year", "Geography", "GeoCode", "Value"], ["2022", "Alberta", "48", "2.6"]]
    commit_ok(engine, csv_bytes(rows), "indicator_16-1-1.csv", "city:Alberta=VNHAN")
    assert stored(engine) == {("VNHAN", "SS_HOMICIDES", "2022"): 2.6}


@pytest.mark.parametrize(
    "header",
    ["nama_kabupaten_kota", "Kabupaten/Kota", "Thành phố", "Tỉnh", "kota", "City name"],
)
def test_geography_headers_in_each_language_name_the_city(engine: Engine, header: str) -> None:
    rows = [
        [header, "indicator", "period", "value"],
        ["Kabupaten Sumedang", "QE_PM25", "2024", "30"],
    ]
    commit_ok(engine, csv_bytes(rows), "upload.csv")
    assert stored(engine) == {("IDSMD", "QE_PM25", "2024"): 30.0}


# --- 3. Known publishers' layouts ---------------------------------------------------------------

WDI_PREAMBLE = (
    '"Data Source","World Development Indicators",\r\n\r\n"Last Updated Date","2025-07-01",\r\n\r\n'
)


def wdi_text(city_header: str = "Country Name", code_header: str = "Country Code") -> str:
    years = [str(y) for y in range(1960, 2025)]
    rows = [
        [city_header, code_header, "Indicator Name", "Indicator Code", *years],
        [
            "Singapore",
            "SGP",
            "PM2.5 air pollution",
            "EN.ATM.PM25.MC.M3",
            *[""] * 60,
            "14.1",
            "13.9",
            "",
            "",
            "",
        ],
        [
            "Viet Nam",
            "VNM",
            "PM2.5 air pollution",
            "EN.ATM.PM25.MC.M3",
            *[""] * 60,
            "29.6",
            "28.1",
            "",
            "",
            "",
        ],
        ["World", "WLD", "PM2.5 air pollution", "EN.ATM.PM25.MC.M3", *[""] * 65],
    ]
    quoted = "\r\n".join(",".join(f'"{c}"' for c in row) + "," for row in rows)
    return WDI_PREAMBLE + quoted + "\r\n"


def test_a_wdi_file_with_preamble_lines_stores_its_cities_values(engine: Engine) -> None:
    data = wdi_text().encode("utf-8-sig")
    preview = commit_ok(
        engine, data, "API_EN.ATM.PM25.MC.M3_DS2_en_csv_v2.csv", "series:EN.ATM.PM25.MC.M3=QE_PM25"
    )
    assert preview.format == "csv/wide-years"
    assert stored(engine) == {
        ("SGSIN", "QE_PM25", "2020"): 14.1,
        ("SGSIN", "QE_PM25", "2021"): 13.9,
    }
    assert problems(preview.warnings) == {(7, "Country Name", "other_places")}
    assert "Viet Nam" in message(preview, "other_places")


SATU_DATA = [
    [
        "id",
        "kode_provinsi",
        "nama_provinsi",
        "kode_kabupaten_kota",
        "nama_kabupaten_kota",
        "persentase_rumah_tangga_akses_internet",
        "satuan",
        "tahun",
    ],
    ["1", "32", "JAWA BARAT", "3211", "KABUPATEN SUMEDANG", "61.5", "PERSEN", "2022"],
    ["2", "32", "JAWA BARAT", "3273", "KOTA BANDUNG", "82.3", "PERSEN", "2022"],
    ["3", "32", "JAWA BARAT", "3211", "KABUPATEN SUMEDANG", "66.0", "PERSEN", "2023"],
]


def test_a_satu_data_file_stores_its_value_column_for_the_cities_that_resolve(
    engine: Engine,
) -> None:
    data = csv_bytes(SATU_DATA)
    preview = commit_ok(
        engine,
        data,
        "diskominfo-od_persentase.csv",
        "series:persentase_rumah_tangga_akses_internet=CS_INTERNET_HH",
    )
    assert preview.format == "csv/satudata"
    assert stored(engine) == {
        ("IDSMD", "CS_INTERNET_HH", "2022"): 61.5,
        ("IDSMD", "CS_INTERNET_HH", "2023"): 66.0,
    }
    assert problems(preview.warnings) == {(3, "nama_kabupaten_kota", "other_places")}


def test_a_satu_data_file_without_mapping_names_its_value_column_not_a_code_column(
    engine: Engine,
) -> None:
    preview = checked(engine, csv_bytes(SATU_DATA), "diskominfo-od_persentase.csv")
    assert problems(preview.errors) == {
        (2, "persentase_rumah_tangga_akses_internet", "unknown_indicator"),
        (4, "persentase_rumah_tangga_akses_internet", "unknown_indicator"),
    }
    assert "“id”" not in " ".join(preview.errors["message"])


DHIS2_ROWS = [
    [
        "QE_PM25",
        "202201",
        "VNHAN",
        "HllvX50cXC0",
        "HllvX50cXC0",
        "41.5",
        "admin",
        "2022-02-03",
        "",
        "false",
    ],
    [
        "QE_PM25",
        "202202",
        "VNHAN",
        "HllvX50cXC0",
        "HllvX50cXC0",
        "44",
        "admin",
        "2022-03-03",
        "",
        "false",
    ],
    ["CS_INTERNET_HH", "2022", "VNSGN", "HllvX50cXC0", "HllvX50cXC0", "81.5", "admin", "", "", ""],
]


def test_a_dhis2_file_without_a_header_row_is_read_in_dhis2s_column_order(engine: Engine) -> None:
    data = csv_text(DHIS2_ROWS).encode()
    preview = commit_ok(engine, data, "datavalues.csv")
    assert preview.format == "csv/dhis2"
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022-01"): 41.5,
        ("VNHAN", "QE_PM25", "2022-02"): 44.0,
        ("VNSGN", "CS_INTERNET_HH", "2022"): 81.5,
    }


def test_dhis2_values_split_by_category_option_are_breakdowns_not_the_value(
    engine: Engine,
) -> None:
    rows = [
        ["dataelement", "period", "orgunit", "catoptcombo", "attroptcombo", "value"],
        ["QE_PM25", "2022", "VNHAN", "Prlt0C1RF0s", "", "7"],
        ["QE_PM25", "2022", "VNHAN", "V6L425pT3A0", "", "10"],
        ["QE_PM25", "2022", "VNSGN", "V6L425pT3A0", "", "9"],
    ]
    preview = commit_ok(engine, csv_bytes(rows), "datavalues.csv")
    assert stored(engine) == {("VNSGN", "QE_PM25", "2022"): 9.0}
    assert problems(preview.warnings) == {
        (2, "catoptcombo", "disaggregated"),
        (3, "catoptcombo", "disaggregated"),
    }


def test_a_workbook_with_a_metadata_sheet_first_reads_its_data_sheet_and_says_so(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    rows = [["city", "indicator", "period", "value"], ["VNHAN", "QE_PM25", "2024", 41.5]]
    data = xlsx_bytes(rows, sheet="Values", first_sheets=["Metadata"])
    preview = commit_ok(engine, data, "report.xlsx")
    assert (preview.sheet, preview.sheets) == ("Values", ("Metadata", "Values"))
    assert "“Values”" in preview.sheet_note and "Metadata, Values" in preview.sheet_note
    assert stored(engine) == {("VNHAN", "QE_PM25", "2024"): 41.5}
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    capsys.readouterr()
    assert cli.main(["import", str(path), "--dry-run"]) == 0
    assert "“Values”" in capsys.readouterr().out


def test_the_sheet_can_be_chosen_and_a_refusal_names_the_sheet_read(engine: Engine) -> None:
    data = xlsx_bytes(
        [["city", "indicator", "period", "value"], ["VNHAN", "QE_PM25", "2024", 41.5]],
        sheet="Values",
        first_sheets=["Metadata"],
    )
    wrong = check(engine, data, "report.xlsx", EN, sheet="Metadata")
    assert wrong.file_problem is not None
    assert "“Metadata”" in wrong.file_problem and "Metadata, Values" in wrong.file_problem
    missing = check(engine, data, "report.xlsx", EN, sheet="Data")
    assert missing.file_problem is not None and "Metadata, Values" in missing.file_problem


# --- 4. Messages that point the way --------------------------------------------------------------


def test_a_missing_city_column_lists_only_it_with_the_closest_column(engine: Engine) -> None:
    data = wdi_text(city_header="Economy", code_header="Code").encode()
    preview = check(engine, data, "API_EN.ATM.PM25.MC.M3_DS2_en_csv_v2.csv", EN)
    assert preview.file_problem is not None
    text = preview.file_problem
    assert text.startswith("Required column(s) missing: city. ")
    assert "Closest column for city: “Economy”?" in text
    assert "1960 … 2024" in text  # the year columns, not 65 names
    assert "column:HEADER=city" in text


def test_the_closest_column_mapped_reads_the_file(engine: Engine) -> None:
    """A column named the city by the person is read as a city column: a name in it that is
    none of our cities is an error on its row."""
    data = wdi_text(city_header="Economy", code_header="Code").encode()
    mapping = Mapping.parse(["column:Economy=city", "series:EN.ATM.PM25.MC.M3=QE_PM25"])
    preview = check(engine, data, "API.csv", EN, mapping=mapping)
    assert problems(preview.errors) == {(7, "Economy", "unknown_city")}
    assert commit_preview(engine, preview, TESTER, partial=True)["status"] == "committed"
    assert stored(engine) == {
        ("SGSIN", "QE_PM25", "2020"): 14.1,
        ("SGSIN", "QE_PM25", "2021"): 13.9,
    }


def test_a_file_without_a_header_row_says_so_not_its_values_as_columns(engine: Engine) -> None:
    data = b"ACEH,11934\r\nSUMATERA UTARA,33476\r\n"
    preview = check(engine, data, "bps.csv", EN)
    assert preview.file_problem is not None
    assert "no header row" in preview.file_problem
    assert "Columns found" not in preview.file_problem


def test_an_open_sdg_file_without_an_indicator_never_names_the_file_as_a_column(
    engine: Engine,
) -> None:
    rows = [["Year", "GeoCode", "Value"], ["2022", "VNHAN", "42"]]
    preview = check(engine, csv_bytes(rows), "air-quality.csv", EN)
    assert preview.file_problem is not None
    assert "missing: indicator" in preview.file_problem
    assert "air-quality.csv" not in preview.file_problem and "“”" not in preview.file_problem


def test_an_indicator_number_in_the_file_name_that_is_not_ours_is_said(engine: Engine) -> None:
    rows = [["Year", "GeoCode", "Value"], ["2022", "VNHAN", "42"]]
    preview = check(engine, csv_bytes(rows), "indicator_1-1-1.csv", EN)
    assert preview.file_problem is not None
    assert "indicator_1-1-1.csv" in preview.file_problem and "1.1.1" in preview.file_problem


def test_an_empty_city_or_indicator_is_said_as_empty_in_its_column(engine: Engine) -> None:
    rows = [
        ["Thành phố", "Chỉ tiêu", "Năm", "Giá trị"],
        ["", "QE_PM25", "2024", "40"],
        ["VNHAN", "", "2024", "40"],
    ]
    preview = check(engine, csv_bytes(rows), "upload.csv", EN)
    assert problems(preview.errors) == {
        (2, "Thành phố", "empty_city"),
        (3, "Chỉ tiêu", "empty_indicator"),
    }
    assert "“”" not in " ".join(preview.errors["message"])
    assert "column Thành phố" in " ".join(preview.errors["message"])


# --- 5. Dry run = import ---------------------------------------------------------------------------


def test_a_dry_run_of_a_file_with_no_valid_row_is_rejected_like_the_import(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "upload.csv"
    path.write_bytes(
        csv_bytes([["city", "indicator", "period", "value"], ["Atlantis", "QE_PM25", "2024", "4"]])
    )
    before = dump_store(engine)
    dry = run_cli(engine, monkeypatch, capsys, str(path), "--dry-run", "--partial")
    assert dump_store(engine) == before
    real = run_cli(engine, monkeypatch, capsys, str(path), "--partial")
    assert (dry[0], dry[1]["status"]) == (real[0], real[1]["status"]) == (1, "rejected")


def test_a_dry_run_of_stored_values_is_unchanged_like_the_import(engine: Engine) -> None:
    data = csv_bytes([["city", "indicator", "period", "value"], ["VNHAN", "QE_PM25", "2024", "4"]])
    commit_ok(engine, data, "upload.csv")
    again = check(engine, data, "upload.csv", EN)
    assert dry_run(again, TESTER)["status"] == "unchanged"
    assert commit_preview(engine, again, TESTER)["status"] == "unchanged"


# --- A mapping remembered per source ---------------------------------------------------------


def test_a_mapping_is_remembered_for_the_next_file_of_the_same_source(
    engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    header = ["Year", "Series", "City", "Value"]
    first = csv_bytes([header, ["2022", "PM2.5", "Hà Nội", "42"], ["2022", "PM10", "Hà Nội", "88"]])
    commit_ok(engine, first, "indicator_11-6-2.csv", "series:PM2.5=QE_PM25")
    later = csv_bytes([header, ["2023", "PM2.5", "Hà Nội", "40"], ["2023", "PM10", "Hà Nội", "80"]])
    preview = check(engine, later, "indicator_11-6-2.csv", EN)
    assert preview.remembered and preview.mapping == ("series:PM2.5=QE_PM25",)
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2022"): 42.0,
        ("VNHAN", "QE_PM25", "2023"): 40.0,
    }
    # Said on the command line, and left out on request.
    path = tmp_path / "indicator_11-6-2.csv"
    path.write_bytes(later)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    capsys.readouterr()
    assert cli.main(["import", str(path), "--dry-run"]) == 0
    assert "remembered for this source: series:PM2.5=QE_PM25" in capsys.readouterr().out
    assert cli.main(["import", str(path), "--dry-run", "--no-remembered-map"]) == 1
    # Another source (other columns) does not get it.
    other = csv_bytes([["Year", "Series", "GeoCode", "Value"], ["2023", "PM2.5", "VNHAN", "40"]])
    assert not check(engine, other, "indicator_11-6-2.csv", EN).remembered
