"""Every message shown to a user is translated in all three languages, placeholders intact."""

from __future__ import annotations

import datetime as dt
import re

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
        ("vi", "1.234,5", "24 thg 11, 2026"),
        ("en", "1,234.5", "24 Nov 2026"),
        ("id", "1.234,5", "24 Nov 2026"),
    ],
)
def test_numbers_and_dates_follow_the_language(lang: str, number: str, date: str) -> None:
    tr = Translator(lang)
    assert tr.number(1234.5, 1) == number
    assert tr.date(dt.date(2026, 11, 24)) == date
    assert tr.number(None) == "–"


def test_plotly_separators_match_babel() -> None:
    assert Translator("vi").plotly_separators == ",."
    assert Translator("en").plotly_separators == ".,"
