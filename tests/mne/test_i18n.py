"""Every message shown to a user is translated in all three languages, placeholders intact."""

from __future__ import annotations

import ast
import datetime as dt
import re

import pandas as pd
import pytest
from babel.messages.extract import extract_from_dir

from mne.i18n import LANGUAGES, Translator, messages
from tests.conftest import ROOT

PLACEHOLDER = re.compile(r"\{[a-z_]+\}|%\{[^}]+\}|`[^`]+`")


def source_messages() -> set[str]:
    """The messages marked in the code, extracted as pybabel would."""
    found: set[str] = set()
    for folder in ("pages", "mne"):
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, keywords={"tr": None, "_": None, "N_": None}, comment_tags=()
        ):
            found.add(message if isinstance(message, str) else message[0])
    for _line, message, _comments, _context in _extract_file(ROOT / "app.py"):
        found.add(message)
    return found


def _extract_file(path):  # type: ignore[no-untyped-def]
    from babel.messages.extract import extract

    with path.open("rb") as handle:
        yield from extract("python", handle, keywords={"tr": None, "_": None, "N_": None})


def test_the_code_marks_messages() -> None:
    assert len(source_messages()) > 50


def _unmarked_surface_messages(path: object) -> list[str]:
    """Text literals given straight to `tr.on(surface)(...)`: babel's extraction sees tr(...)
    and N_(...) calls only, so such a message never reaches the catalogues and every language
    shows it in English. Each must be written N_("…")."""
    tree = ast.parse(path.read_text(encoding="utf-8"))  # type: ignore[attr-defined]
    return [
        f"{path}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Call)
        and isinstance(node.func.func, ast.Attribute)
        and node.func.func.attr == "on"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def test_messages_for_a_surface_are_marked_for_extraction() -> None:
    files = [ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "mne").rglob("*.py")]
    assert [spot for f in files for spot in _unmarked_surface_messages(f)] == []


def test_the_surface_check_finds_an_unmarked_message(tmp_path: object) -> None:
    sample = tmp_path / "sample.py"  # type: ignore[operator]
    sample.write_text('tr.on("markdown")("Hello {name}", name=n)\ntr.on("markdown")(N_("Hi"))\n')
    assert len(_unmarked_surface_messages(sample)) == 1


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang: str) -> None:
    translated = messages(lang)
    missing = sorted(m for m in source_messages() if not translated.get(m, "").strip())
    assert missing == [], f"{len(missing)} messages lack a {lang} translation: {missing[:10]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_placeholders(lang: str) -> None:
    translated = messages(lang)
    broken = [
        msgid
        for msgid in source_messages()
        if sorted(PLACEHOLDER.findall(msgid))
        != sorted(PLACEHOLDER.findall(translated.get(msgid, msgid)))
    ]
    assert broken == []


def test_vietnamese_is_really_vietnamese() -> None:
    assert Translator("vi")("Overview") == "Tổng quan"
    assert Translator("id")("Overview") == "Ikhtisar"


@pytest.mark.parametrize(
    ("lang", "number", "date"),
    [
        ("vi", "1.234,5", "24/11/2026"),
        ("en", "1,234.5", "24 Nov 2026"),
        ("id", "1.234,5", "24 Nov 2026"),
    ],
)
def test_numbers_and_dates_follow_the_language(lang: str, number: str, date: str) -> None:
    tr = Translator(lang)
    assert tr.number(1234.5, 1) == number
    assert tr.date(dt.date(2026, 11, 24)) == date
    assert tr.number(None) == "—"


def test_plotly_separators_match_babel() -> None:
    assert Translator("vi").plotly_separators == ",."
    assert Translator("en").plotly_separators == ".,"


@pytest.mark.parametrize(
    ("lang", "unit", "shown"),
    [
        ("vi", "per 100000 population", "trên 100.000 dân"),
        ("en", "per 100000 population", "per 100,000 population"),
        ("id", "per 100000 population", "per 100.000 penduduk"),
        ("vi", "m²/person", "m²/người"),
        ("id", "per 1000 live births", "per 1.000 kelahiran hidup"),
        ("vi", "µg/m³", "µg/m³"),
    ],
)
def test_units_read_in_the_language_with_its_separators(lang: str, unit: str, shown: str) -> None:
    assert Translator(lang).unit(unit) == shown


def test_times_are_shown_in_the_ministrys_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = dt.datetime(2026, 12, 1, 20, 30)  # UTC, as the store keeps it
    monkeypatch.delenv("MNE_TIMEZONE", raising=False)
    assert Translator("vi").datetime(stored) == "02/12/2026 03:30"  # Asia/Ho_Chi_Minh, UTC+7
    assert Translator("en").datetime(stored) == "2 Dec 2026 03:30"
    monkeypatch.setenv("MNE_TIMEZONE", "Asia/Jakarta")
    assert Translator("id").datetime(stored) == "2 Des 2026 03:30"
    monkeypatch.setenv("MNE_TIMEZONE", "Europe/London")
    assert Translator("en").datetime(stored) == "1 Dec 2026 20:30"
    for nothing in (None, float("nan"), pd.NaT):
        assert Translator("vi").datetime(nothing) == "—"
