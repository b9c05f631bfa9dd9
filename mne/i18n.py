"""Translations and locale-aware formatting.

Messages live in standard gettext catalogs (mne/locales/<lang>/LC_MESSAGES/messages.po), read
with Babel; the source strings are English. Code marks a message by calling the translator,
`tr("...")` or `_("...")`, or `N_("...")` for a constant translated later; `pybabel extract`
(see README) collects them. Numbers and dates are formatted by Babel per language, so
Vietnamese reads 1.234,5 and English 1,234.5.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

LANGUAGES = ("vi", "en", "id")
DEFAULT_LANGUAGE = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "id": "Bahasa Indonesia"}
LOCALES_DIR = Path(__file__).parent / "locales"
_BABEL_LOCALES = {"vi": "vi_VN", "en": "en_GB", "id": "id_ID"}


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown."""
    return message


def normalise_language(lang: str | None) -> str:
    lang = (lang or "").strip().lower()[:2]
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


@cache
def messages(lang: str) -> dict[str, str]:
    """The translated, non-fuzzy messages of one language (msgid -> msgstr)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {
        str(m.id): str(m.string)
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and not m.fuzzy
    }


@dataclass(frozen=True)
class Translator:
    """Translates messages and formats numbers and dates for one language."""

    lang: str = DEFAULT_LANGUAGE

    def __call__(self, message: str, **values: object) -> str:
        text = messages(self.lang).get(message, message)
        return text.format(**values) if values else text

    @property
    def locale(self) -> Locale:
        return Locale.parse(_BABEL_LOCALES[self.lang])

    def number(self, value: float | int | None, decimals: int = 0) -> str:
        """A number with the language's separators; an en dash for a missing value."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "–"
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, share: float | None, decimals: int = 0) -> str:
        """A share in 0..1 written as a percentage."""
        if share is None or (isinstance(share, float) and math.isnan(share)):
            return "–"
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "") + "%"
        return format_percent(share, format=pattern, locale=self.locale)

    def date(self, value: dt.date | dt.datetime | None) -> str:
        if value is None:
            return "–"
        return format_date(value, format="medium", locale=self.locale)

    @property
    def plotly_separators(self) -> str:
        """plotly's `separators` layout value: decimal mark, then thousands mark."""
        symbols = self.locale.number_symbols["latn"]
        return symbols["decimal"] + symbols["group"]

    def name_column(self, base: str = "name") -> str:
        """The column holding a catalog name in this language (name_vi, name_en, name_id)."""
        return f"{base}_{self.lang}"
