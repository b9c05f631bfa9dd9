"""Checks of each row: every error blocks its row and names the row a person sees, the column
and the code; warnings do not block; messages come in the user's language; and a rejected
upload leaves the store unchanged."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from mne.access import operator
from mne.i18n import Translator
from mne.intake import Preview, check, commit_preview
from tests.mne.intake_files import (
    EN,
    LONG_HEADER,
    csv_bytes,
    dump_store,
    problems,
    stored,
    xlsx_bytes,
)

TESTER = operator("tester")


def check_csv(engine: Engine, rows: list[list[object]], tr: Translator = EN) -> Preview:
    return check(engine, csv_bytes(rows), "upload.csv", tr)


def store_rows(engine: Engine, rows: list[list[object]]) -> None:
    preview = check_csv(engine, [LONG_HEADER, *rows])
    assert problems(preview.errors) == set()
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"


def message_at(preview: Preview, row: int, code: str) -> str:
    found = preview.errors[(preview.errors["row"] == row) & (preview.errors["code"] == code)]
    assert len(found) == 1
    return str(found["message"].iloc[0])


# --- Errors -------------------------------------------------------------------------------------


def test_an_unknown_city_suggests_the_closest(engine: Engine) -> None:
    preview = check_csv(
        engine,
        [
            LONG_HEADER,
            ["VNHAN", "QE_PM25", "2024", "40"],
            ["Ha Noii", "QE_PM25", "2024", "41"],
            ["Đà Nẳng", "QE_PM25", "2024", "20"],  # wrong tone mark: still the same city
            ["Atlantis", "QE_PM25", "2024", "20"],
        ],
    )
    assert problems(preview.errors) == {(3, "city", "unknown_city"), (5, "city", "unknown_city")}
    assert "VNHAN" in message_at(preview, 3, "unknown_city")
    assert "Ha Noii" in message_at(preview, 3, "unknown_city")


def test_an_unknown_indicator_suggests_the_closest(engine: Engine) -> None:
    preview = check_csv(
        engine,
        [LONG_HEADER, ["VNHAN", "QE_PM2.5", "2024", "40"], ["VNHAN", "CS_INTERNET", "2024", "40"]],
    )
    assert problems(preview.errors) == {
        (2, "indicator", "unknown_indicator"),
        (3, "indicator", "unknown_indicator"),
    }
    assert "QE_PM25" in message_at(preview, 2, "unknown_indicator")
    assert "CS_INTERNET_HH" in message_at(preview, 3, "unknown_indicator")


def test_errors_name_the_files_own_column_headers(engine: Engine) -> None:
    preview = check_csv(
        engine,
        [
            ["Thành phố", "Chỉ tiêu", "Năm", "Giá trị"],
            ["Ha Noii", "QE_PM25", "2024", "40"],
            ["VNHAN", "PM25", "2024", "40"],
            ["VNHAN", "QE_PM25", "2024", "bốn mươi"],
        ],
    )
    assert problems(preview.errors) == {
        (2, "Thành phố", "unknown_city"),
        (3, "Chỉ tiêu", "unknown_indicator"),
        (4, "Giá trị", "not_a_number"),
    }


def test_errors_in_a_wide_file_name_the_value_column(engine: Engine) -> None:
    rows = [
        ["city", "period", "QE_PM25", "CS_INTERNET_HH"],
        ["VNHAN", "2024", "40", "120"],
        ["Ha Noii", "2023", "40", "50"],
        ["VNSGN", "2024", "abc", "50"],
    ]
    preview = check(engine, xlsx_bytes(rows, title_rows=[["Báo cáo"]]), "wide.xlsx", EN)
    assert problems(preview.errors) == {
        (3, "CS_INTERNET_HH", "percent_over_100"),
        (4, "city", "unknown_city"),
        (5, "QE_PM25", "not_a_number"),
    }


@pytest.mark.parametrize("written", ["abc", "40 µg", "4O", "#VALUE!", "1,2,3"])
def test_a_value_that_is_not_a_number(engine: Engine, written: str) -> None:
    preview = check_csv(
        engine,
        [LONG_HEADER, ["VNHAN", "QE_PM25", "2023", "40"], ["VNHAN", "QE_PM25", "2024", written]],
    )
    assert problems(preview.errors) == {(3, "value", "not_a_number")}


@pytest.mark.parametrize(
    ("indicator", "written", "code"),
    [
        ("QE_PM25", "600", "out_of_range"),
        ("QE_PM25", "-5", "out_of_range"),
        ("II_BUSINESSES", "150000", "out_of_range"),
        ("CS_HOUSING_FLOOR", "4", "out_of_range"),  # below the plausible minimum of 5 m²
        ("CS_INTERNET_HH", "120", "percent_over_100"),
        ("CS_INTERNET_HH", "100,5%", "percent_over_100"),
        ("QE_PM25", "45%", "percent_sign"),  # a percentage for an indicator in µg/m³
    ],
)
def test_a_value_outside_what_is_plausible(
    engine: Engine, indicator: str, written: str, code: str
) -> None:
    preview = check_csv(
        engine,
        [LONG_HEADER, ["VNHAN", indicator, "2023", "50"], ["VNHAN", indicator, "2024", written]],
    )
    assert problems(preview.errors) == {(3, "value", code)}


def test_the_edges_of_the_plausible_range_are_accepted(engine: Engine) -> None:
    store_rows(
        engine,
        [
            ["VNHAN", "QE_PM25", "2023", "0"],
            ["VNHAN", "QE_PM25", "2024", "500"],
            ["VNHAN", "CS_INTERNET_HH", "2024", "100%"],
        ],
    )
    assert len(stored(engine)) == 3


def test_the_same_key_twice_with_different_values_blocks_both_rows(engine: Engine) -> None:
    preview = check_csv(
        engine,
        [
            LONG_HEADER,
            ["VNHAN", "QE_PM25", "2024", "40"],
            ["VNSGN", "QE_PM25", "2024", "30"],
            ["Hà Nội", "Annual mean PM2.5 concentration", "2024", "41"],  # the same key
        ],
    )
    assert problems(preview.errors) == {
        (2, "value", "duplicate_conflict"),
        (4, "value", "duplicate_conflict"),
    }
    assert "2, 4" in message_at(preview, 2, "duplicate_conflict")
    commit_preview(engine, preview, TESTER, partial=True)
    assert stored(engine) == {("VNSGN", "QE_PM25", "2024"): 30.0}


def test_the_same_key_twice_with_the_same_value_is_stored_once(engine: Engine) -> None:
    preview = check_csv(
        engine,
        [LONG_HEADER, ["VNHAN", "QE_PM25", "2024", "40"], ["ha noi", "QE_PM25", "2024", "40,0"]],
    )
    assert problems(preview.errors) == set()
    assert problems(preview.warnings) == {(2, "value", "duplicate_same")}
    assert "rows 2–3" in preview.warnings["message"].iloc[0]
    assert commit_preview(engine, preview, TESTER)["inserted"] == 1
    assert stored(engine) == {("VNHAN", "QE_PM25", "2024"): 40.0}


def test_a_row_with_several_errors_reports_each(engine: Engine) -> None:
    preview = check_csv(engine, [LONG_HEADER, ["Ha Noii", "QE_PM2.5", "20x4", "abc"]])
    assert problems(preview.errors) == {
        (2, "city", "unknown_city"),
        (2, "indicator", "unknown_indicator"),
        (2, "period", "bad_period"),
        (2, "value", "not_a_number"),
    }


def test_a_missing_required_column_stores_nothing(engine: Engine) -> None:
    before = dump_store(engine)
    preview = check_csv(engine, [["city", "period", "value"], ["VNHAN", "2024", "40"]])
    assert preview.file_problem is not None and "indicator" in preview.file_problem
    assert commit_preview(engine, preview, TESTER, partial=True)["status"] == "rejected"
    assert dump_store(engine) == before


# --- Warnings -----------------------------------------------------------------------------------


def test_a_value_far_from_the_citys_history_is_a_warning_that_does_not_block(
    engine: Engine,
) -> None:
    store_rows(
        engine,
        [
            ["VNHAN", "QE_PM25", str(year), str(v)]
            for year, v in zip(range(2019, 2024), [40, 41, 39, 42, 40], strict=True)
        ],
    )
    preview = check_csv(
        engine,
        [LONG_HEADER, ["VNHAN", "QE_PM25", "2024", "120"], ["VNSGN", "QE_PM25", "2024", "120"]],
    )
    assert problems(preview.errors) == set()
    assert problems(preview.warnings) == {(2, "value", "outlier")}
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    assert stored(engine)[("VNHAN", "QE_PM25", "2024")] == 120.0


def test_a_big_jump_from_the_year_before_is_a_warning_that_does_not_block(
    engine: Engine,
) -> None:
    store_rows(
        engine,
        [
            ["VNHAN", "CS_INTERNET_HH", str(year), str(v)]
            for year, v in zip(range(2019, 2024), [10, 20, 30, 40, 50], strict=True)
        ],
    )
    preview = check_csv(
        engine,
        [
            LONG_HEADER,
            ["VNHAN", "CS_INTERNET_HH", "2024", "80"],  # +30 on 50: more than half
            ["VNHAN", "CS_INTERNET_HH", "2018", "9"],  # no year before it: no jump
        ],
    )
    assert problems(preview.errors) == set()
    assert problems(preview.warnings) == {(2, "value", "jump")}
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    assert stored(engine)[("VNHAN", "CS_INTERNET_HH", "2024")] == 80.0


# --- Messages in the user's language ------------------------------------------------------------


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_messages_come_in_the_users_language(engine: Engine, lang: str) -> None:
    rows = [LONG_HEADER, ["VNHAN", "QE_PM25", "2023", "40"], ["Ha Noii", "QE_PM25", "2024", "41"]]
    english = check_csv(engine, rows, EN)
    translated = check_csv(engine, rows, Translator(lang))
    assert problems(translated.errors) == {(3, "city", "unknown_city")}
    message = message_at(translated, 3, "unknown_city")
    assert message != message_at(english, 3, "unknown_city"), f"not translated to {lang}"
    assert "Ha Noii" in message and "VNHAN" in message


@pytest.mark.parametrize("lang", ["vi", "id"])
def test_whole_file_problems_come_in_the_users_language(engine: Engine, lang: str) -> None:
    english = check(engine, b"city,indicator,period,value\r\n", "upload.csv", EN)
    translated = check(engine, b"city,indicator,period,value\r\n", "upload.csv", Translator(lang))
    assert translated.file_problem and english.file_problem
    assert translated.file_problem != english.file_problem, f"not translated to {lang}"


# --- A rejected upload changes nothing ---------------------------------------------------------


def test_a_rejected_upload_leaves_the_store_unchanged(engine: Engine) -> None:
    store_rows(
        engine,
        [
            ["VNHAN", "QE_PM25", "2023", "40"],
            ["VNHAN", "QE_PM25", "2024", "38"],
            ["VNSGN", "CS_INTERNET_HH", "2024", "70"],
        ],
    )
    before = dump_store(engine)
    assert before["observation"] and before["upload_batch"]
    rows = [
        LONG_HEADER,
        ["VNHAN", "QE_PM25", "2024", "35"],  # would change a stored value
        ["VNSGN", "CS_INTERNET_HH", "2024", "70"],  # unchanged
        ["VNDAD", "QE_PM25", "2024", "20"],  # would be new
        ["VNDAD", "QE_PM25", "2023", "abc"],  # the one bad row
    ]
    preview = check_csv(engine, rows)
    assert problems(preview.errors) == {(5, "value", "not_a_number")}
    assert preview.counts["new"] == 1 and preview.counts["changed"] == 1
    result = commit_preview(engine, preview, TESTER, partial=False)
    assert result["status"] == "rejected"
    assert dump_store(engine) == before


# --- Repeated rows and many problems: reported in bounded space -------------------------------


def test_ten_thousand_repeats_are_one_warning_naming_the_rows_as_a_range(engine: Engine) -> None:
    data = ("city,indicator,period,value\n" + "VNHAN,QE_PM25,2023,40.1\n" * 10_000).encode()
    preview = check(engine, data, "repeats.csv", EN)
    assert preview.errors.empty
    assert problems(preview.warnings) == {(2, "value", "duplicate_same")}
    message = preview.warnings["message"].iloc[0]
    assert "rows 2–10001" in message and "10,000" in message
    assert commit_preview(engine, preview, TESTER)["inserted"] == 1
    assert stored(engine) == {("VNHAN", "QE_PM25", "2023"): 40.1}


def test_alternating_conflicting_repeats_give_short_messages_and_store_nothing(
    engine: Engine,
) -> None:
    body = "VNHAN,QE_PM25,2023,40.1\nVNHAN,QE_PM25,2023,41\n" * 5_000
    data = ("city,indicator,period,value\n" + body + "VNSGN,QE_PM25,2023,30\n").encode()
    preview = check(engine, data, "conflicts.csv", EN)
    assert set(preview.errors["code"]) == {"duplicate_conflict"}
    assert preview.counts["rejected"] == 10_000
    first = message_at(preview, 2, "duplicate_conflict")
    assert "rows 2–10001" in first and "10,000" in first
    assert "row 2" in message_at(preview, 3, "duplicate_conflict")
    assert preview.errors["message"].str.len().max() < 300
    commit_preview(engine, preview, TESTER, partial=True)
    assert stored(engine) == {("VNSGN", "QE_PM25", "2023"): 30.0}


def test_rows_apart_are_listed_as_a_bounded_list(engine: Engine) -> None:
    rows = [LONG_HEADER]
    for n in range(20):
        rows += [["VNHAN", "QE_PM25", "2023", "40"], ["VNSGN", "QE_PM25", "2023", str(n)]]
    preview = check_csv(engine, rows)
    message = preview.warnings["message"].iloc[0]
    assert "rows 2, 4, 6, 8, 10, …" in message and "20 rows" in message


def test_errors_past_the_limit_are_counted_not_listed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_MAX_PROBLEMS_LISTED", "50")
    rows = [LONG_HEADER, *[["VNHAN", "QE_PM25", str(2000 + n % 20), "abc"] for n in range(200)]]
    preview = check_csv(engine, rows)
    assert len(preview.errors) == 50
    assert preview.errors_left_off == 150
    assert preview.errors["row"].tolist() == list(range(2, 52))
    summary = preview.summary("rejected")
    assert len(summary["errors"]) == 50 and summary["errors_left_off"] == 150
    assert len(preview.rejected_rows) == 200  # the download keeps every rejected row
