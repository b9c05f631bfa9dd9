"""Files made to cost time or memory: each refused early with a message that says what to do,
or checked with bounded messages; the store is left as it was. (Timings are the bench's job:
`python -m mne bench hostile`; here only what a person sees.)"""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import Engine

from mne import intake
from mne.bench_hostile import HEADER, inflating_xlsx, trailing_commas, unknown_cities
from mne.intake import check, commit_preview
from mne.intake.mapping import Mapping
from mne.intake.problems import UNKNOWN_NAMES_LIMIT, FileProblem
from mne.intake.read import read_table
from mne.intake.validate import SUGGESTED_NAMES
from mne.text import fold
from tests.mne.intake_files import EN, LONG_HEADER, cp1258_bytes, dump_store, xlsx_bytes
from tests.mne.test_intake_checks import TESTER


def assert_refused(engine: Engine, data: bytes, name: str, code: str) -> str:
    with pytest.raises(FileProblem) as raised:
        read_table(data, name)
    assert raised.value.code == code
    before = dump_store(engine)
    preview = check(engine, data, name, EN)
    assert preview.file_problem == raised.value.message(EN)
    assert commit_preview(engine, preview, TESTER)["status"] == "rejected"
    assert dump_store(engine) == before
    return preview.file_problem


def test_a_line_of_100k_trailing_commas_is_refused_naming_the_line(engine: Engine) -> None:
    message = assert_refused(engine, trailing_commas(100_000), "commas.csv", "too_many_columns")
    assert "Line 2 has 100,004 cells" in message and "1,000 columns" in message
    assert "delete them" in message


def test_a_few_trailing_commas_are_still_read(engine: Engine) -> None:
    data = b"city,indicator,period,value,,,\nVNHAN,QE_PM25,2023,40.1,,,\n"
    preview = check(engine, data, "few.csv", EN)
    assert preview.file_problem is None and preview.errors.empty
    assert preview.counts["new"] == 1


def test_the_column_limit_is_said_in_the_users_language(engine: Engine) -> None:
    from mne.i18n import Translator

    preview = check(engine, trailing_commas(5_000), "commas.csv", Translator("vi"))
    assert preview.file_problem is not None and "5.004" in preview.file_problem
    assert "Line" not in preview.file_problem


def test_an_xlsx_wider_than_the_column_limit_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_MAX_COLUMNS", "6")
    data = xlsx_bytes([[*LONG_HEADER, "a", "b", "c"], ["VNHAN", "QE_PM25", "2023", 40, 1, 2, 3]])
    message = assert_refused(engine, data, "wide.xlsx", "too_many_columns")
    assert "7 cells" in message


def test_an_xlsx_with_more_cells_than_the_limit_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_MAX_CELLS", "100")
    rows = [LONG_HEADER, *[["VNHAN", "QE_PM25", str(2000 + n), 40] for n in range(30)]]
    message = assert_refused(engine, xlsx_bytes(rows), "many.xlsx", "too_many_cells")
    assert "more than 100 cells" in message


def test_an_xlsx_unpacking_to_320_mb_is_refused_before_it_is_read(engine: Engine) -> None:
    data = inflating_xlsx(320)
    assert len(data) < 5 * 2**20  # a small file, under the upload limit
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(i.file_size for i in archive.infolist()) > 320 * 10**6
    message = assert_refused(engine, data, "bomb.xlsx", "xlsx_too_large")
    assert "unpacks to more than" in message


def test_a_highly_compressed_xlsx_over_the_floor_is_refused_by_its_ratio(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_MAX_XLSX_UNPACKED_MB", "10000")  # only the ratio can refuse it
    data = inflating_xlsx(30)
    assert_refused(engine, data, "ratio.xlsx", "xlsx_too_large")


def test_many_unknown_cities_each_an_error_closest_names_for_the_first_ones(
    engine: Engine,
) -> None:
    data = unknown_cities(SUGGESTED_NAMES + 300)
    preview = check(engine, data, "nowhere.csv", EN)
    assert preview.counts["rejected"] == SUGGESTED_NAMES + 300
    assert set(preview.errors["code"]) == {"unknown_city"}
    messages = preview.errors.set_index("row")["message"]
    assert "Closest matches" in messages[2]
    assert "Closest matches" not in messages[SUGGESTED_NAMES + 2]
    assert "Nowhere 200" in messages[SUGGESTED_NAMES + 2]
    assert preview.counts["new"] == 0


@pytest.mark.parametrize(
    "name",
    ["VNHAN", "Ha  Noi!!", " a_b-c ", "TP.HCM", "x\ty", "Da Nang (city)", "ALL CAPS 2024"],
)
def test_folding_ascii_names_matches_the_general_rule(name: str) -> None:
    import unicodedata

    from mne import text

    # The general rule, spelled out: what fold gives for any script.
    general = unicodedata.normalize("NFKD", name).casefold()
    kept = "".join(ch if unicodedata.category(ch)[0] in ("L", "M", "N") else " " for ch in general)
    assert fold(name) == text._SPACES.sub(" ", kept).strip()


def test_a_file_of_100k_unknown_cities_is_refused_whole_with_examples(engine: Engine) -> None:
    message = assert_refused_by_check(engine, unknown_cities(100_000), "nowhere.csv")
    assert "100,000 different places" in message and "“Nowhere 0”" in message
    assert "city:PLACE=CODE" in message


def test_a_file_of_many_unknown_indicators_is_refused_whole(engine: Engine) -> None:
    body = "".join(f"VNHAN,IND_{n},2023,1\n" for n in range(UNKNOWN_NAMES_LIMIT + 1))
    message = assert_refused_by_check(engine, (HEADER + body).encode(), "ind.csv")
    assert f"{UNKNOWN_NAMES_LIMIT + 1:,} different indicators" in message


def test_too_many_unknown_cities_are_refused_before_the_values_are_checked(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refused where the names are first matched: the row checks are never reached.
    def never(*args: object) -> None:
        raise AssertionError("the rows were checked")

    monkeypatch.setattr(intake, "check_rows", never)
    data = unknown_cities(UNKNOWN_NAMES_LIMIT + 1)
    message = assert_refused_by_check(engine, data, "nowhere.csv")
    assert message == FileProblem(
        "too_many_unknown_city",
        count=UNKNOWN_NAMES_LIMIT + 1,
        limit=UNKNOWN_NAMES_LIMIT,
        examples="“Nowhere 0”, “Nowhere 1”, “Nowhere 2”, “Nowhere 3”, “Nowhere 4”",
    ).message(EN)
    assert f"{UNKNOWN_NAMES_LIMIT + 1:,} different places" in message


def test_a_file_of_one_column_per_year_and_too_many_unknown_cities_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(intake, "check_rows", None)  # never reached
    body = "".join(f"Nowhere {n},QE_PM25,40,41\n" for n in range(UNKNOWN_NAMES_LIMIT + 1))
    data = ("city,indicator,2022,2023\n" + body).encode()
    message = assert_refused_by_check(engine, data, "years.csv")
    assert f"{UNKNOWN_NAMES_LIMIT + 1:,} different places" in message


def test_the_limit_counts_different_names_and_a_mapped_place_is_known(engine: Engine) -> None:
    # Repeats count once; at the limit each row is an error of its own.
    names = [f"Nowhere {n % UNKNOWN_NAMES_LIMIT}" for n in range(UNKNOWN_NAMES_LIMIT + 50)]
    data = (HEADER + "".join(f"{name},QE_PM25,2023,40.1\n" for name in names)).encode()
    preview = check(engine, data, "nowhere.csv", EN)
    assert preview.file_problem is None
    assert preview.counts["rejected"] == UNKNOWN_NAMES_LIMIT + 50
    # One name over the limit, but the person mapped one of them: not refused either.
    data = unknown_cities(UNKNOWN_NAMES_LIMIT + 1)
    assert check(engine, data, "nowhere.csv", EN).file_problem is not None
    mapped = check(engine, data, "x.csv", EN, mapping=Mapping.parse(["city:Nowhere 7=VNHAN"]))
    assert mapped.file_problem is None
    assert mapped.counts["rejected"] == UNKNOWN_NAMES_LIMIT and mapped.counts["new"] == 1


def test_other_places_of_another_publishers_file_are_skipped_however_many(
    engine: Engine,
) -> None:
    # Open SDG: places that are not our cities are left out with a count, never refused.
    rows = "".join(f"2022,Region {n},{n},30\n" for n in range(UNKNOWN_NAMES_LIMIT + 1))
    data = ("Year,Region,GeoCode,Value\n2022,Alberta,VNHAN,42\n" + rows).encode()
    before = dump_store(engine)
    preview = check(engine, data, "indicator_11-6-2.csv", EN)
    assert preview.file_problem is None and preview.errors.empty
    assert set(preview.warnings["code"]) == {"other_places"}
    assert commit_preview(engine, preview, TESTER)["status"] == "committed"
    assert dump_store(engine) != before


def test_a_file_of_more_unknown_indicator_columns_than_the_limit_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MNE_MAX_COLUMNS", str(UNKNOWN_NAMES_LIMIT + 10))
    monkeypatch.setattr(intake, "check_rows", None)  # never reached
    headers = ["city", "period", "QE_PM25", *(f"IND_{n}" for n in range(UNKNOWN_NAMES_LIMIT + 1))]
    line = ",".join(["VNHAN", "2023", *["1"] * (len(headers) - 2)])
    data = (",".join(headers) + "\n" + line + "\n").encode()
    message = assert_refused_by_check(engine, data, "wide.csv")
    assert f"{UNKNOWN_NAMES_LIMIT + 1:,} different indicators" in message
    assert "“IND_0”" in message


def assert_refused_by_check(engine: Engine, data: bytes, name: str) -> str:
    before = dump_store(engine)
    preview = check(engine, data, name, EN)
    assert preview.file_problem is not None
    assert commit_preview(engine, preview, TESTER)["status"] == "rejected"
    assert dump_store(engine) == before
    return preview.file_problem


def test_one_row_in_another_encoding_is_named_not_the_whole_file_misread(engine: Engine) -> None:
    good = "VNHAN,QE_PM25,2022,40,Hà Nội – số liệu của Sở\n"
    stray = b"VNHAN,QE_PM25,2023,41," + cp1258_bytes("“Sở TN&MT”") + b"\n"
    data = ("city,indicator,period,value,note\n" + good).encode() + stray + good.encode()
    message = assert_refused(engine, data, "mixed.csv", "mixed_encoding")
    assert "1 row(s) (3)" in message and "�" in message
    assert "Hà" not in message.split("“", 1)[0]  # no mojibake said as the file's text


def test_a_whole_file_in_windows_1252_is_still_read_as_such(engine: Engine) -> None:
    data = "city,indicator,period,value,note\nVNHAN,QE_PM25,2023,41,“São Paulo”\n".encode("cp1252")
    table = read_table(data, "legacy.csv")
    assert table.encoding == "cp1252" and table.cells["note"].iloc[0] == "“São Paulo”"
