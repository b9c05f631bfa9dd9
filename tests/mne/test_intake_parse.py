"""Numbers and periods as people write them: parsed over whole columns, and stored (or
refused with the row and column) when they come in a file."""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest
from sqlalchemy import Engine

from mne.access import operator
from mne.intake import check, commit_preview
from mne.intake.parse import parse_numbers
from mne.periods import parse_periods
from tests.mne.intake_files import EN, LONG_HEADER, csv_bytes, problems, stored, xlsx_bytes

TESTER = operator("tester")

# --- Numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("1234", 1234.0),
        ("1234.5", 1234.5),
        ("1234,5", 1234.5),
        ("12,5", 12.5),
        ("0,234", 0.234),  # nobody writes 0 thousands
        ("0.234", 0.234),
        ("-0.500", -0.5),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("1 234,5", 1234.5),
        ("1\u00a0234,5", 1234.5),  # non-breaking space, as Excel and Word write it
        ("1\u202f234,5", 1234.5),  # narrow non-breaking space (French style)
        ("1.234.567", 1234567.0),
        ("1,234,567", 1234567.0),
        ("12.345.678,9", 12345678.9),
        ("-3,5", -3.5),
        ("\u22123,5", -3.5),  # the typographic minus sign
        (" 41.5 ", 41.5),
        ("1.5E+06", 1.5e6),
    ],
)
def test_unambiguous_numbers(written: str, value: float) -> None:
    parsed = parse_numbers(pd.Series([written]))
    assert parsed.loc[0, "status"] == "ok"
    assert parsed.loc[0, "value"] == pytest.approx(value)
    assert not parsed.loc[0, "percent"]


@pytest.mark.parametrize(("written", "value"), [("45%", 45.0), ("45 %", 45.0), ("12,5%", 12.5)])
def test_percentages(written: str, value: float) -> None:
    parsed = parse_numbers(pd.Series([written]))
    assert (parsed.loc[0, "status"], parsed.loc[0, "value"], parsed.loc[0, "percent"]) == (
        "ok",
        value,
        True,
    )


@pytest.mark.parametrize("written", ["1,234", "1.234", "-1,234", "999.000"])
def test_a_thousands_or_decimal_number_alone_is_ambiguous(written: str) -> None:
    parsed = parse_numbers(pd.Series([written, "40", "2024"]))
    assert list(parsed["status"]) == ["ambiguous", "ok", "ok"]
    assert math.isnan(parsed.loc[0, "value"])


@pytest.mark.parametrize(
    ("column", "value"),
    [
        (["1,234", "12,5"], 1.234),  # the file writes decimal commas
        (["1.234", "12,5"], 1234.0),
        (["1.234", "1.234,5"], 1234.0),
        (["1,234", "12.5"], 1234.0),  # the file writes decimal points
        (["1.234", "12.5"], 1.234),
        (["1,234", "1,234.5"], 1234.0),
    ],
)
def test_the_files_other_numbers_decide(column: list[str], value: float) -> None:
    parsed = parse_numbers(pd.Series(column))
    assert list(parsed["status"]) == ["ok", "ok"]
    assert parsed.loc[0, "value"] == pytest.approx(value)


def test_a_file_writing_both_decimal_marks_decides_nothing() -> None:
    parsed = parse_numbers(pd.Series(["1,234", "12,5", "13.5"]))
    assert list(parsed["status"]) == ["ambiguous", "ok", "ok"]


def test_excel_numbers_are_never_ambiguous_and_show_no_decimal_mark() -> None:
    """A number Excel stored (typed) is exact: 1.234 stays 1.234. It says nothing about how
    the person writes decimals, so it cannot decide a text cell "1,234"."""
    parsed = parse_numbers(
        pd.Series(["1.234", "12.5", "12.345", "1,234"]), pd.Series([True, True, True, False])
    )
    assert list(parsed["status"]) == ["ok", "ok", "ok", "ambiguous"]
    assert list(parsed["value"][:3]) == [1.234, 12.5, 12.345]


@pytest.mark.parametrize("written", ["", "  ", "n/a", "N/A", "NA", "-", "–", "..", "...", "null"])
def test_missing_values(written: str) -> None:
    parsed = parse_numbers(pd.Series([written]))
    assert parsed.loc[0, "status"] == "missing"
    assert math.isnan(parsed.loc[0, "value"])


@pytest.mark.parametrize("written", ["abc", "12abc", "1,2,3", "12..5", "4O", "1.234.5", "5-"])
def test_not_numbers(written: str) -> None:
    parsed = parse_numbers(pd.Series([written]))
    assert parsed.loc[0, "status"] == "not_a_number"
    assert math.isnan(parsed.loc[0, "value"])


def test_number_styles_in_a_file_are_stored_as_their_values(engine: Engine) -> None:
    rows = [
        LONG_HEADER,
        ["VNHAN", "II_BUSINESSES", "2020", "1.234,5"],
        ["VNHAN", "II_BUSINESSES", "2021", "1,234.5"],  # both marks: unambiguous either way
        ["VNHAN", "II_BUSINESSES", "2022", "1 234,5"],
        ["VNHAN", "II_BUSINESSES", "2023", "1\u00a0234,5"],
        ["VNHAN", "CS_INTERNET_HH", "2024", "45%"],
        ["VNHAN", "QE_PM25", "2024", "12,5"],
        ["VNHAN", "QE_GHG_PER_CAPITA", "2023", "0.234"],  # a decimal, not 234
        ["VNHAN", "QE_GHG_PER_CAPITA", "2024", "0,234"],
    ]
    preview = check(engine, csv_bytes(rows, ";"), "numbers.csv", EN)
    assert problems(preview.errors) == set()
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    assert stored(engine) == {
        ("VNHAN", "II_BUSINESSES", "2020"): 1234.5,
        ("VNHAN", "II_BUSINESSES", "2021"): 1234.5,
        ("VNHAN", "II_BUSINESSES", "2022"): 1234.5,
        ("VNHAN", "II_BUSINESSES", "2023"): 1234.5,
        ("VNHAN", "CS_INTERNET_HH", "2024"): 45.0,
        ("VNHAN", "QE_PM25", "2024"): 12.5,
        ("VNHAN", "QE_GHG_PER_CAPITA", "2023"): 0.234,
        ("VNHAN", "QE_GHG_PER_CAPITA", "2024"): 0.234,
    }


def test_an_ambiguous_number_is_an_error_on_its_row_and_column(engine: Engine) -> None:
    rows = [
        LONG_HEADER,
        ["VNHAN", "II_BUSINESSES", "2023", "1200"],
        ["VNHAN", "II_BUSINESSES", "2024", "1,234"],
    ]
    preview = check(engine, csv_bytes(rows), "numbers.csv", EN)
    assert problems(preview.errors) == {(3, "value", "ambiguous_number")}
    assert "1,234" in preview.errors.loc[0, "message"]
    assert commit_preview(engine, preview, TESTER)["status"] == "rejected"
    assert stored(engine) == {}


def test_the_same_number_in_a_decimal_comma_file_is_a_decimal(engine: Engine) -> None:
    rows = [
        LONG_HEADER,
        ["VNHAN", "II_BUSINESSES", "2024", "1,234"],
        ["VNHAN", "QE_PM25", "2024", "12,5"],
    ]
    preview = check(engine, csv_bytes(rows, ";"), "numbers.csv", EN)
    assert problems(preview.errors) == set()
    commit_preview(engine, preview, TESTER)
    assert stored(engine) == {
        ("VNHAN", "II_BUSINESSES", "2024"): 1.234,
        ("VNHAN", "QE_PM25", "2024"): 12.5,
    }


def test_an_ambiguous_text_cell_in_excel_is_not_decided_by_excel_numbers(engine: Engine) -> None:
    rows = [
        LONG_HEADER,
        ["VNHAN", "QE_PM25", 2024, 12.5],
        ["VNHAN", "II_BUSINESSES", 2024, "1,234"],
    ]
    preview = check(engine, xlsx_bytes(rows), "numbers.xlsx", EN)
    assert problems(preview.errors) == {(3, "value", "ambiguous_number")}


def test_missing_values_are_not_stored_and_not_zero(engine: Engine) -> None:
    rows = [
        LONG_HEADER,
        ["VNHAN", "QE_PM25", "2019", "n/a"],
        ["VNHAN", "QE_PM25", "2020", "-"],
        ["VNHAN", "QE_PM25", "2021", ".."],
        ["VNHAN", "QE_PM25", "2022", ""],
        ["VNHAN", "QE_PM25", "2023", "0"],
        ["VNHAN", "QE_PM25", "2024", "38"],
    ]
    preview = check(engine, csv_bytes(rows), "missing.csv", EN)
    assert problems(preview.errors) == set()
    assert preview.counts["missing"] == 4
    assert preview.counts["rows"] == 6
    commit_preview(engine, preview, TESTER)
    assert stored(engine) == {("VNHAN", "QE_PM25", "2023"): 0.0, ("VNHAN", "QE_PM25", "2024"): 38.0}


# --- Periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "period", "year"),
    [
        ("2024", "2024", 2024),
        ("2024.0", "2024", 2024),
        ("2024-Q1", "2024-Q1", 2024),
        ("2024Q1", "2024-Q1", 2024),
        ("2024 q3", "2024-Q3", 2024),
        ("Q4-2023", "2023-Q4", 2023),
        ("2024-03", "2024-03", 2024),
        ("202403", "2024-03", 2024),  # DHIS2 monthly
        ("2024-03-31", "2024-03", 2024),
        (" 2024 ", "2024", 2024),
    ],
)
def test_periods(written: str, period: str, year: int) -> None:
    parsed = parse_periods(pd.Series([written]))
    assert (parsed.loc[0, "period"], parsed.loc[0, "year"]) == (period, year)


@pytest.mark.parametrize("written", ["24", "2024-13", "2024-Q5", "FY2024", "20x4", "2024/25", ""])
def test_unreadable_periods(written: str) -> None:
    parsed = parse_periods(pd.Series([written]))
    assert pd.isna(parsed.loc[0, "period"])
    assert math.isnan(parsed.loc[0, "year"])


def test_periods_are_stored_in_one_writing(engine: Engine) -> None:
    rows = [
        LONG_HEADER,
        ["VNHAN", "QE_PM25", "2024", "40"],
        ["VNHAN", "QE_PM25", "2024-Q1", "41"],
        ["VNSGN", "QE_PM25", "2024Q1", "31"],
        ["VNHAN", "QE_PM25", "2024-03", "42"],
    ]
    preview = check(engine, csv_bytes(rows), "periods.csv", EN)
    assert problems(preview.errors) == set()
    commit_preview(engine, preview, TESTER)
    assert stored(engine) == {
        ("VNHAN", "QE_PM25", "2024"): 40.0,
        ("VNHAN", "QE_PM25", "2024-Q1"): 41.0,
        ("VNSGN", "QE_PM25", "2024-Q1"): 31.0,
        ("VNHAN", "QE_PM25", "2024-03"): 42.0,
    }


def test_period_errors_name_their_row_and_column(engine: Engine) -> None:
    next_year = dt.date.today().year + 1
    rows = [
        LONG_HEADER,
        ["VNHAN", "QE_PM25", "1990", "40"],
        ["VNHAN", "QE_PM25", str(next_year), "40"],
        ["VNHAN", "QE_PM25", "20x4", "40"],
        ["VNHAN", "QE_PM25", "1989", "40"],
        ["VNHAN", "QE_PM25", str(next_year + 1), "40"],
        ["VNHAN", "QE_PM25", "", "40"],
    ]
    preview = check(engine, csv_bytes(rows), "periods.csv", EN)
    assert problems(preview.errors) == {
        (4, "period", "bad_period"),
        (5, "period", "period_out_of_range"),
        (6, "period", "period_out_of_range"),
        (7, "period", "bad_period"),
    }
    assert {row for row, _c, _code in problems(preview.errors)}.isdisjoint({2, 3})


def test_a_year_column_out_of_range_in_a_wide_file_names_that_column(engine: Engine) -> None:
    rows = [["Thành phố", "Chỉ tiêu", "1989", "2020"], ["VNHAN", "QE_PM25", "40", "41"]]
    preview = check(engine, csv_bytes(rows), "wide.csv", EN)
    assert problems(preview.errors) == {(2, "1989", "period_out_of_range")}


def test_a_bad_period_in_a_long_file_names_the_files_own_column(engine: Engine) -> None:
    rows = [["Thành phố", "Chỉ tiêu", "Kỳ báo cáo", "Giá trị"], ["VNHAN", "QE_PM25", "Q5", "40"]]
    preview = check(engine, csv_bytes(rows), "vi.csv", EN)
    assert problems(preview.errors) == {(2, "Kỳ báo cáo", "bad_period")}
