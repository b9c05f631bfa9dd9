"""One set of limits for both stores: what the preview accepts, SQLite and PostgreSQL store
exactly (read back from the store); what one of them would refuse, the preview refuses first,
naming the row and the column."""

from __future__ import annotations

from sqlalchemy import Engine, select

from db import models as m
from mne.intake import check, commit_preview
from tests.mne.intake_files import EN, csv_bytes, dump_store
from tests.mne.test_intake_checks import TESTER

HEADER = ["city", "indicator", "period", "value", "note", "source"]


def stored_texts(engine: Engine) -> dict[str, tuple[str, str]]:
    """period -> (note, source) of the stored values, as the store holds them."""
    o = m.table(m.Observation)
    with engine.connect() as conn:
        rows = conn.execute(select(o.c.period, o.c.note, o.c.source)).all()
    return {r.period: (r.note, r.source) for r in rows}


def problems_of(preview: object) -> set[tuple[int, str, str]]:
    errors = preview.errors  # type: ignore[attr-defined]
    return {(int(r.row), r.column, r.code) for r in errors.itertuples()}


def test_a_source_of_301_characters_is_refused_in_the_preview_300_stored_exactly(
    engine: Engine,
) -> None:
    rows = [
        HEADER,
        ["VNHAN", "QE_PM25", "2022", "40", "", "s" * 300],
        ["VNHAN", "QE_PM25", "2023", "41", "", "t" * 301],
    ]
    preview = check(engine, csv_bytes(rows), "long-source.csv", EN)
    assert problems_of(preview) == {(3, "source", "text_too_long")}
    message = preview.errors["message"].iloc[0]
    assert "301" in message and "300" in message
    before = dump_store(engine)
    assert commit_preview(engine, preview, TESTER)["status"] == "rejected"
    assert dump_store(engine) == before
    result = commit_preview(engine, preview, TESTER, partial=True)
    assert result["status"] == "committed"
    assert stored_texts(engine) == {"2022": ("", "s" * 300)}


def test_a_control_character_in_a_note_is_refused_in_the_preview(engine: Engine) -> None:
    rows = [
        HEADER,
        ["VNHAN", "QE_PM25", "2021", "39", "line one\nline two\tand a tab", ""],
        ["VNHAN", "QE_PM25", "2022", "40", "escape \x1b[0m left by a terminal", ""],
        ["VNHAN", "QE_PM25", "2023", "41", "bell\x07", ""],
        *[["VNSGN", "QE_PM25", str(2010 + n), "30", "a plain note", "GSO"] for n in range(6)],
    ]
    preview = check(engine, csv_bytes(rows), "notes.csv", EN)
    assert preview.file_problem is None
    assert problems_of(preview) == {
        (3, "note", "control_character"),
        (4, "note", "control_character"),
    }
    assert "U+001B" in preview.errors["message"].iloc[0]
    commit_preview(engine, preview, TESTER, partial=True)
    assert stored_texts(engine)["2021"] == ("line one\nline two\tand a tab", "")
    assert set(stored_texts(engine)) == {"2021", *(str(2010 + n) for n in range(6))}


def test_a_nul_in_a_utf16_csv_is_refused_on_both_stores(engine: Engine) -> None:
    rows = [
        HEADER,
        ["VNHAN", "QE_PM25", "2023", "41", "a\x00b", "ok"],
        *[["VNSGN", "QE_PM25", str(2010 + n), "30", "a plain note", "GSO"] for n in range(6)],
    ]
    data = csv_bytes(rows, encoding="utf-16")
    preview = check(engine, data, "nul.csv", EN)
    assert preview.file_problem is None
    assert problems_of(preview) == {(2, "note", "control_character")}
    assert "U+0000" in preview.errors["message"].iloc[0]
    commit_preview(engine, preview, TESTER, partial=True)
    assert "2023" not in stored_texts(engine) and len(stored_texts(engine)) == 6


def test_a_note_longer_than_the_cell_limit_and_a_huge_number(engine: Engine) -> None:
    rows = [
        HEADER,
        ["VNHAN", "QE_PM25", "2022", "40", "n" * 10_001, ""],
        ["VNHAN", "QE_PM25", "2023", "1e400", "", ""],
        ["VNHAN", "QE_PM25", "2024", "42", "n" * 10_000, ""],
    ]
    preview = check(engine, csv_bytes(rows), "big.csv", EN)
    codes = problems_of(preview)
    assert (2, "note", "text_too_long") in codes
    assert (3, "value", "number_too_large") in codes
    assert not any(row == 4 for row, _c, _code in codes)
    assert preview.errors["message"].str.len().max() < 400  # the cell is not quoted whole
    commit_preview(engine, preview, TESTER, partial=True)
    assert stored_texts(engine) == {"2024": ("n" * 10_000, "")}
