"""mne.markup, the one place values are escaped for the surface they are drawn on."""

from __future__ import annotations

import re

import pytest

from mne import markup
from mne.i18n import Translator
from tests.data import hostile

# What CommonMark makes of a backslash before ASCII punctuation: the character itself.
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
SPECIALS = set("\\`*_{}[]()#+-.!|<>~$:&")


def _as_read(escaped: str) -> str:
    """The text a reader sees: escapes undone, the invisible word joiners dropped."""
    return _UNESCAPE.sub(r"\1", escaped).replace("\u2060", "")


@pytest.mark.parametrize("payload", hostile.ALL, ids=lambda p: repr(p[:20]))
def test_every_special_character_is_escaped_and_the_text_reads_as_typed(payload: str) -> None:
    escaped = markup.markdown(payload)
    assert _as_read(escaped) == payload
    unescaped = re.sub(r"\\.", "", escaped)
    assert not SPECIALS & set(unescaped), unescaped


def test_addresses_icons_and_emoji_are_broken_by_an_invisible_joiner() -> None:
    assert "http\\:\u2060//" in markup.markdown(hostile.MD_IMAGE)
    assert markup.markdown(hostile.ICON) == "\\:\u2060material/home\\:\u2060"
    assert markup.markdown("a@b.org") == "a@\u2060b\\.org"
    assert markup.markdown("www.x.org").startswith("www\u2060\\.")
    assert markup.markdown("line one\nline two\r\nthree") == "line one line two three"


def test_fill_escapes_the_values_not_the_template() -> None:
    template = "**{name}** has {n:,} rows"
    assert markup.fill(template, "markdown", {"name": "*x*", "n": 1234}) == (
        "**\\*x\\*** has 1,234 rows"
    )
    assert markup.fill(template, "text", {"name": "*x*", "n": 1234}) == "***x*** has 1,234 rows"
    assert markup.fill("{v}", "cell", {"v": hostile.HYPERLINK}) == "'" + hostile.HYPERLINK


@pytest.mark.parametrize("formula", hostile.FORMULAS)
def test_a_spreadsheet_cell_never_starts_a_formula(formula: str) -> None:
    assert markup.escape(formula, "cell") == "'" + formula
    assert markup.escape("Hà Nội", "cell") == "Hà Nội"


def test_the_translator_escapes_for_its_surface_only() -> None:
    template = "Unknown city “{value}”. Use a code or name from the template's Cities sheet."
    plain, md = Translator("en"), Translator("en").on("markdown")
    assert plain(template, value=hostile.MD_IMAGE) == (
        f"Unknown city “{hostile.MD_IMAGE}”. Use a code or name from the template's Cities sheet."
    )
    shown = md(template, value=hostile.MD_IMAGE)
    assert _as_read(shown) == plain(template, value=hostile.MD_IMAGE)
    assert "![" not in shown and "](" not in shown
    assert md.escape(hostile.COLOUR) == markup.markdown(hostile.COLOUR)
    assert md.on("text") == plain  # the same translator, back on plain text
    # The template's own words are not touched, in any language.
    vi = Translator("vi").on("markdown")
    assert vi("Account {username} added.", username="x") == Translator("vi")(
        "Account {username} added.", username="x"
    )
